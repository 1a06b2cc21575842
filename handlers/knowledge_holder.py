"""The knowledge base currently serving, swapped atomically on reload.

A question takes one reference to the engine at its start and uses only that, so an answer always
comes from one consistent knowledge base (old or new, never a mix) while a reload swaps the
reference underneath.
"""

from __future__ import annotations

import threading

from retrieval.engine import AskEngine


class KnowledgeHolder:
    """Holds the serving `AskEngine`; `swap` replaces it in one assignment."""

    def __init__(self, engine: AskEngine) -> None:
        self._engine = engine
        self.reload_lock = threading.Lock()  # one rebuild at a time
        self.generation = 1

    @property
    def engine(self) -> AskEngine:
        return self._engine

    def swap(self, engine: AskEngine) -> AskEngine:
        """Serve `engine` from now on and return the previous one (still valid for in-flight asks)."""
        old, self._engine = self._engine, engine
        self.generation += 1
        return old

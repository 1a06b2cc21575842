"""The knowledge base currently serving, swapped atomically on reload.

A question takes one reference to the engine at its start and uses only that, so an answer always
comes from one consistent knowledge base (old or new, never a mix) while a reload swaps the
reference underneath. A rebuild by another process (`cchc kb add/reload`) replaces the DB file;
`refresh_if_changed` notices the new file (checked at most once a second) and swaps it in, so a
running bot picks the change up without a restart.

Loading is serialized by one lock that question threads never wait for: while a reload (or an
admin's rebuild, see `updating`) is under way, `refresh_if_changed` simply keeps serving the
current engine instead of loading the same file a second time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.engine import AskEngine

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 1.0

FileId = tuple[int, int, int]


def _file_id(path: Path) -> FileId | None:
    """Identity of the DB file: os.replace gives a new inode; mtime and size guard inode reuse."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class KnowledgeHolder:
    """Holds the serving `AskEngine`; `swap` replaces it in one assignment."""

    def __init__(self, engine: AskEngine, check_every: float = CHECK_EVERY_SECONDS) -> None:
        self._engine = engine
        self._file = _file_id(engine.kb_path)
        self.check_every = check_every  # seconds between two stats of the DB file (tests use 0)
        self._checked = time.monotonic()
        self._swap_lock = threading.Lock()
        self._load_lock = threading.RLock()  # one load (or admin rebuild) at a time
        self.generation = 1

    @property
    def engine(self) -> AskEngine:
        return self._engine

    @property
    def kb_path(self) -> Path:
        return self._engine.kb_path

    def swap(self, engine: AskEngine, file_id: FileId | None = None) -> AskEngine:
        """Serve `engine` from now on and return the previous one (still valid for in-flight asks).

        `file_id` is the identity of the file as it was *before* `engine` opened it; recording a
        later identity could hide a replacement that happened in between.
        """
        with self._swap_lock:
            old, self._engine = self._engine, engine
            self._file = file_id if file_id is not None else _file_id(engine.kb_path)
            self.generation += 1
        log.info("knowledge base swapped in (generation %d, %d documents)", self.generation, len(engine.docs))
        return old

    @contextmanager
    def updating(self) -> Iterator[None]:
        """Hold the load lock around a rebuild of the DB file in this process: question threads
        then keep the current engine instead of racing to load the half-way state of the update."""
        with self._load_lock:
            yield

    def reload_from_disk(self) -> AskEngine:
        """Open the DB file as it is now and serve it (raises if it cannot be opened; the current
        engine then keeps serving). A file already being served is not opened twice."""
        with self._load_lock:
            before = _file_id(self.kb_path)
            if before is not None and before == self._file:
                return self._engine
            engine = AskEngine.open(self.kb_path)
            self.swap(engine, before)
            return engine

    def refresh_if_changed(self) -> bool:
        """Swap in a DB file rebuilt by another process; cheap (one stat a second at most), and it
        never waits: if another thread is loading, this question is answered by the current engine."""
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return False
        self._checked = now
        current = _file_id(self.kb_path)
        if current is None or current == self._file:
            return False
        if not self._load_lock.acquire(blocking=False):
            return False
        try:
            current = _file_id(self.kb_path)
            if current is None or current == self._file:
                return False
            try:
                engine = AskEngine.open(self.kb_path)
            except Exception:
                log.exception("could not load the rebuilt knowledge DB; the old one keeps serving")
                self._file = current  # do not retry the same broken file every second
                return False
            self.swap(engine, current)
            return True
        finally:
            self._load_lock.release()

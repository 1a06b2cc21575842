"""OCR restoration: OCR-damaged Vietnamese back to Vietnamese with full diacritics.

Public API (everything else in this package is an implementation detail):

- `needs_restoring(text)`: False for clean text (typed with Vietnamese letters), which every
  function here returns unchanged;
- `restore_text(text)`: one document, restored line for line (same number of lines);
- `restore_documents(texts)`: several documents restored together, each one's output being
  evidence for the others (what the knowledge build uses);
- `restore_fragment(text)`: a short piece (a title, an issuer, a contact label) restored on its
  own; use the document's restored lines instead whenever the piece comes from them.
"""

from __future__ import annotations

import threading

from knowledge.restore.restorer import Restorer, needs_restoring

_lock = threading.Lock()
_restorer: Restorer | None = None


def get_restorer() -> Restorer:
    """The process-wide restorer (the model loads once, ≈ 0.5 s from its cache)."""
    global _restorer
    with _lock:
        if _restorer is None:
            _restorer = Restorer()
        return _restorer


def restore_text(text: str, force: bool = False, corpus_texts: list[str] | None = None) -> str:
    """`corpus_texts`: the knowledge base's documents, whose restored text is used as evidence."""
    if not force and not needs_restoring(text):
        return text
    corpus = None
    if corpus_texts:
        from knowledge.restore.corpus_evidence import corpus_sentences

        corpus = corpus_sentences(corpus_texts)
    return get_restorer().restore_many([text], force=True, corpus=corpus)[0]


def restore_documents(texts: list[str]) -> list[str]:
    return get_restorer().restore_many(texts)


def restore_fragment(text: str) -> str:
    """A fragment has too few words for the clean/damaged vote; restore it when it has no
    Vietnamese-only letter at all."""
    return get_restorer().restore(text, force=needs_restoring(text))


__all__ = ["needs_restoring", "restore_documents", "restore_fragment", "restore_text", "get_restorer"]

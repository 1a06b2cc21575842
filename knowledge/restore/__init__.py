"""OCR restoration: OCR-damaged Vietnamese back to Vietnamese with full diacritics.

One stage, one entry point: `restore(texts, evidence)` (knowledge/restore/stage.py) is how the
knowledge build restores a folder (the index then reads the restored text the build stored), and
how `cchc text restore` restores one text with the folder as evidence; its results are cached.

- `needs_restoring(text)`: whether a text is OCR-damaged (False for text typed with Vietnamese
  letters, which `restore` leaves alone: None);
- `restore_enabled()`: CCHC_RESTORE;
- `restore_text(text)`: `restore` for one text, the text itself when it needs nothing.
"""

from __future__ import annotations

import threading

from knowledge.restore.detect import needs_restoring
from knowledge.restore.restorer import Restorer
from knowledge.restore.stage import restore, restore_enabled

_lock = threading.Lock()
_restorer: Restorer | None = None


def get_restorer() -> Restorer:
    """The process-wide restorer (the model loads once, ≈ 0.5 s from its cache)."""
    global _restorer
    with _lock:
        if _restorer is None:
            _restorer = Restorer()
        return _restorer


def restore_text(text: str, force: bool = False, evidence: list[str] | None = None) -> str:
    """One text through `restore` (always on: a caller asking for one text wants it restored);
    `force` restores a text even when it looks clean (a short fragment has too few words to tell)."""
    return restore([text], evidence or (), force=force, enabled=True)[0] or text


__all__ = ["get_restorer", "needs_restoring", "restore", "restore_enabled", "restore_text"]

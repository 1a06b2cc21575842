"""Text basics shared by every layer: Unicode normalization and diacritic folding.

Folding is how OCR-damaged documents, clean documents and questions typed without diacritics meet:
`Tuyên truyền`, `Tuyén truyén` and `tuyen truyen` all fold to `tuyen truyen`.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters that NFD does not decompose but that users and OCR produce for Vietnamese letters.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ð": "d"})


def nfc(text: str) -> str:
    """NFC with U+00D0 (Ð, typed on some keyboards) read as Đ."""
    return unicodedata.normalize("NFC", (text or "").replace("\u00d0", "Đ").replace("\u00f0", "đ"))


def strip_marks(text: str) -> str:
    """Remove tone and vowel marks and map đ→d, keeping case and punctuation."""
    text = unicodedata.normalize("NFD", nfc(text))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", text.translate(_SPECIAL))


def fold(text: str) -> str:
    """Lowercase, marks removed, every run of non-alphanumerics one space: the comparison form."""
    return " ".join(_NON_ALNUM.sub(" ", strip_marks(text).lower()).split())


def contains_folded(haystack: str, needle: str) -> bool:
    """True when `needle` occurs in `haystack` on whole-word boundaries after folding both."""
    n = fold(needle)
    return bool(n) and f" {n} " in f" {fold(haystack)} "

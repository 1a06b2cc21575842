"""A line cut into what may be restored (words) and what must stay exactly as it is.

Never harmed: numbers, dates and phone numbers (1800.1096, 26/7/2025), document codes
(148/KH-SYT, 3041/QĐ-UBND, "KH- SYT"), URLs, e-mail addresses, acronyms (CCHC, PAR INDEX,
SIPAS), list markers ("a)", "I.", "II."). Everything between words (spaces, punctuation) is
copied through, so the line keeps its layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.restore.syllables import has_vietnamese_only_letter, is_syllable_shape
from knowledge.text import strip_marks

_W = r"[^\W_]|[¢€§¥&$]"  # a word character: letters, digits and the glyphs OCR prints for letters
_PROTECTED = re.compile(
    r"(?:https?://|www\.)\S+"                                    # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                             # e-mail
    r"|(?<!\w)[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|gov|edu|info)(?:/\S*)?\b"  # bare domains
    r"|(?<!\w)[0-9A-Za-zĐđ¢€§]*\d[0-9A-Za-zĐđ¢€§]*(?:[/-][0-9A-Za-zĐđ]+)*/[0-9A-Za-zĐđ/-]*"  # 148/KH-SYT, 30¢/NQ-CP
    r"|(?<!\w)[A-ZĐ]{1,6}(?:-[A-ZĐ]{1,8})+\b"                    # KH-SYT, QĐ-UBND
    r"|(?<=[A-ZĐ]-)\s?[A-ZĐ]{2,8}\b"                             # "KH- SYT": the part after a broken dash
    rf"|(?<!{_W})\d+(?:[.,:/-]\d+)*(?!{_W})"                     # numbers, dates, phones
)
_WORD = re.compile(rf"(?:{_W})+(?:['’](?:{_W})+)*['’]?")
_DIGIT_RUN = re.compile(r"\d{3}")
_GLUED_NUMBER = re.compile(r"^([^\W\d_]+(?:c|ch|m|n|ng|nh|p|t))(\d+)$", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^(?:[a-zđ]|[IVXLC]+)$")
_ROMAN = re.compile(r"^[IVXLC]+$")


@dataclass(frozen=True, slots=True)  # millions per large build; frozen, since lines share them
class Piece:
    """A part of a line: `kind` is "word" (may be restored), "keep" (never touched) or "sep"."""

    text: str
    kind: str


LINE_CACHE_CHARS = 300  # lines up to this long are remembered: headers, mottos and list lines recur
LINE_CACHE_SIZE = 16_384


def split_line(line: str) -> tuple[Piece, ...]:
    """The line's pieces, in order (remembered for short lines: a folder's scans repeat their
    standard lines, and a large build cuts 32,000 lines per group of documents)."""
    if len(line) <= LINE_CACHE_CHARS:
        return _split_line_cached(line)
    return _split_line(line)


def _split_line(line: str) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    pos = 0
    for m in _PROTECTED.finditer(line):
        if m.start() > pos:
            pieces.extend(_split_words(line[pos:m.start()]))
        if m.group().strip():
            lead = m.group()[: len(m.group()) - len(m.group().lstrip())]
            if lead:
                pieces.append(Piece(lead, "sep"))
            pieces.append(Piece(m.group().strip(), "keep"))
        pos = m.end()
    if pos < len(line):
        pieces.extend(_split_words(line[pos:]))
    _mark_protected_words(pieces)
    return tuple(pieces)


_split_line_cached = lru_cache(maxsize=LINE_CACHE_SIZE)(_split_line)


def _split_words(text: str) -> list[Piece]:
    out: list[Piece] = []
    pos = 0
    for m in _WORD.finditer(text):
        if m.start() > pos:
            out.append(Piece(text[pos:m.start()], "sep"))
        word = m.group()
        glued = _GLUED_NUMBER.match(word) if word[-1].isdigit() else None
        if glued and is_syllable_shape(strip_marks(glued.group(1)).lower()):
            # "thang8": a whole syllable (it ends on a final consonant) then a number: two tokens.
            out.append(Piece(glued.group(1), "word"))
            out.append(Piece(glued.group(2), "keep"))
        else:
            out.append(Piece(word, "word"))
        pos = m.end()
    if pos < len(text):
        out.append(Piece(text[pos:], "sep"))
    return out


def _mark_protected_words(pieces: list[Piece]) -> None:
    """List markers and Roman numerals stay; so does a word a reader already sees correctly."""
    for i, p in enumerate(pieces):
        if p.kind != "word":
            continue
        nxt = pieces[i + 1].text if i + 1 < len(pieces) else ""
        prev = pieces[i - 1].text if i else ""
        if _LIST_MARKER.match(p.text) and (nxt.startswith(")") or (nxt.startswith(".") and _ROMAN.match(p.text))):
            pieces[i] = Piece(p.text, "keep")
        elif _ROMAN.match(p.text) and len(p.text) > 1 and (nxt.startswith(".") or not prev.strip()):
            pieces[i] = Piece(p.text, "keep")
        elif p.text.isdigit() or _DIGIT_RUN.search(p.text):
            # a number, glued to a glyph or not ("500$"): OCR reads 1–2 digits for letters, not 3
            pieces[i] = Piece(p.text, "keep")


@lru_cache(maxsize=65_536)
def case_pattern(token: str) -> str:
    """"upper", "title" or "lower": how the OCR token was written, to write the restored one."""
    if token[:1] == "$":  # the glyph OCR prints for a capital S ("$6:" is "Số:")
        return "title"
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return "lower"
    upper = sum(1 for c in letters if c.isupper())
    if len(letters) >= 2 and upper * 3 >= len(letters) * 2 and upper >= 2:
        return "upper"
    first = next(c for c in token if c.isalnum())
    if first.isupper() or (not first.isalpha() and token[0].isalpha() and token[0].isupper()):
        return "title"
    if token[0].isalpha() and token[0].isupper():
        return "title"
    return "lower"


def apply_case(syllable: str, pattern: str) -> str:
    if pattern == "upper":
        return syllable.upper()
    if pattern == "title":
        return syllable[:1].upper() + syllable[1:]
    return syllable


def is_clean_word(word: str) -> bool:
    return has_vietnamese_only_letter(word)

"""The raw scan and its restored text side by side, token for token, and the word fixes that
document parts need beyond what the restorer gives.

The restorer rewrites a document token for token (same lines, same whitespace), so a part found in
the restored text has the scan's wording at the same token positions: that is its `source_text`.
A line whose token count differs falls back to the raw tokens (the restorer's contract broken).

The restorer is a language model of running prose; letterheads and "Nơi nhận" lists are mostly
abbreviations and names of bodies, which it turns into words ("VT, TCHC" → "VÌ, THỂ", "b/c" →
"ở/c"). There the scan's own abbreviation is kept, and a name damaged beyond the restorer
("S6Noivy") is matched against the standard names of state bodies.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from knowledge.text import fold, strip_marks

Token = tuple[str, str]  # (raw, shown)


class Aligned:
    """Lines of (raw token, shown token) pairs."""

    def __init__(self, raw: str, restored: str | None = None) -> None:
        raw_lines = raw.split("\n")
        shown_lines = restored.split("\n") if restored and restored.count("\n") == raw.count("\n") else raw_lines
        self.damaged = restored is not None and shown_lines is not raw_lines
        self.raw_lines = raw_lines  # as written: table cells are told apart by tabs and wide gaps
        self.lines: list[list[Token]] = []
        for r, s in zip(raw_lines, shown_lines):
            rt, st = r.split(), s.split()
            self.lines.append(list(zip(rt, st if len(st) == len(rt) else rt)))

        self._raw = [" ".join(r for r, _ in line) for line in self.lines]
        self._shown = [" ".join(s for _, s in line) for line in self.lines]

    def shown(self, i: int) -> str:
        return self._shown[i]

    def raw(self, i: int) -> str:
        return self._raw[i]

    def __len__(self) -> int:
        return len(self.lines)


def shown_text(tokens: list[Token]) -> str:
    return " ".join(s for _, s in tokens)


def raw_text(tokens: list[Token]) -> str:
    return " ".join(r for r, _ in tokens)


# -- OCR-tolerant comparison ----------------------------------------------------------------------
# Characters OCR puts for Vietnamese letters in the seed scans ("S6Noivy" = Sở Nội vụ, "X&" = xã).
_OCR_LETTERS = str.maketrans({"6": "o", "0": "o", "&": "a", "4": "a", "¢": "o", "y": "u", "é": "e"})


def squeeze(text: str) -> str:
    """Letters only, folded, OCR digits read as letters: "S6Noivy" → "sonoiuu" ≈ "Sở Nội vụ"."""
    return re.sub(r"[^a-z]", "", strip_marks(text).lower().translate(_OCR_LETTERS))


FUZZY_MIN_RATIO = 0.8  # "Nhr myc" = "Như mục" (0.83); "Sở Nội vụ" vs "Sở Ngoại vụ" is 0.875: only
# used on damaged text, after an exact match was looked for, the best candidate winning
FUZZY_MIN_CHARS = 5


@lru_cache(maxsize=1)
def _names() -> tuple[dict[int, list[tuple[str, str]]], dict[str, str]]:
    from knowledge.restore.agency_names import agency_names

    names = [*agency_names(), *_RECIPIENT_PHRASES]
    pairs = sorted({(squeeze(n), n) for n in names if squeeze(n)}, key=lambda p: -len(p[0]))
    by_length: dict[int, list[tuple[str, str]]] = {}
    for key, name in pairs:
        by_length.setdefault(len(key), []).append((key, name))
    return by_length, {k: v for k, v in pairs}


# Standard "Nơi nhận" phrases besides the bodies' names (NĐ 30/2020 Phụ lục I examples).
_RECIPIENT_PHRASES = (
    "Như trên", "Như mục", "Như Điều", "Như khoản", "Lưu", "Lãnh đạo UBND", "Các phòng chuyên môn",
    "Các đơn vị trực thuộc", "Các phòng, ban", "Các cơ quan, đơn vị liên quan", "Thường trực Đảng ủy",
    "Thường trực HĐND", "Sở Y tế", "Ủy ban nhân dân", "Cổng thông tin điện tử",
)
FUZZY_MAX_TOKENS = 5  # damaged names are looked up over at most this many tokens (exact: 8)


@lru_cache(maxsize=4096)
def _fuzzy(key: str) -> tuple[float, str] | None:
    """The standard name nearest to a squeezed key (ratio ≥ FUZZY_MIN_RATIO), cached: the same
    damaged recipients come back in document after document."""
    by_length, _ = _names()
    best: tuple[float, str] | None = None
    for length in range(len(key) - 2, len(key) + 3):
        for name_key, name in by_length.get(length, ()):
            matcher = SequenceMatcher(None, key, name_key, autojunk=False)
            if matcher.real_quick_ratio() < FUZZY_MIN_RATIO or matcher.quick_ratio() < FUZZY_MIN_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio >= FUZZY_MIN_RATIO and (best is None or ratio > best[0]):
                best = (ratio, name)
    return best


def match_name(tokens: list[Token], fuzzy: bool) -> tuple[str, int] | None:
    """The standard name the first tokens spell (exactly, or on damaged text nearly) and how many
    tokens it took: (["S6Noivy,"], …) → ("Sở Nội vụ", 1)."""
    _, exact = _names()
    best: tuple[float, str, int] | None = None
    for n in range(min(len(tokens), 8), 0, -1):
        for which in (0, 1):
            key = squeeze(" ".join(t[which] for t in tokens[:n]))
            if len(key) < FUZZY_MIN_CHARS - 2:
                continue
            if key in exact:
                return exact[key], n
            if not fuzzy or len(key) < FUZZY_MIN_CHARS or n > FUZZY_MAX_TOKENS:
                continue
            found = _fuzzy(key)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], found[1], n)
    return (best[1], best[2]) if best else None


def plain(text: str) -> str:
    """The text with its marks removed letter for letter (positions hold), case kept."""
    stripped = strip_marks(text)
    if len(stripped) == len(text):
        return stripped
    return "".join((strip_marks(ch) or ch)[:1] for ch in text)


# -- abbreviations kept from the scan -------------------------------------------------------------
# Đ read as b, P or Db in abbreviations: "Gb" = GĐ, "PGDb"/"PGP" = PGĐ, "HDND" = HĐND.
_ABBREVIATION_FIXES = {"Gb": "GĐ", "GD b": "GĐ", "PGDb": "PGĐ", "PGP": "PGĐ", "PGb": "PGĐ", "HDND": "HĐND",
                       "TTHDND": "TTHĐND", "UBNĐ": "UBND"}
_ABBREVIATION = re.compile(r"^[A-ZĐ]{2,10}$")


def keep_abbreviation(raw: str, shown: str) -> str:
    """The token people should read: the scan's own when it is an abbreviation ("VT", "TCHC",
    "CV:GD,", "b/c") that the restorer turned into a word, else the restored one."""
    core = raw.strip("-–;,.:()")
    if core in _ABBREVIATION_FIXES:
        return raw.replace(core, _ABBREVIATION_FIXES[core])
    runs = re.findall(r"[^\W\d_]+", raw)
    if runs and all(_ABBREVIATION.match(r) for r in runs) and sum(map(len, runs)) >= 2:
        return raw
    if "/" in core and len(core) <= 5 and core.isascii():  # "b/c", "t/h"
        return raw
    if re.fullmatch(r"[IVX]{1,4}|\d+", core):  # "Như mục V": a part's number
        return raw
    return shown


# "Sở" is the body OCR damages most ("S&", "S¢", "So", "S6"), and a language model reads it as
# "Số", "Sự", "Sử", "Sẽ": before a capitalised name or at the end of "các PGĐ Sở", it is "Sở".
_SO = re.compile(r"^S[o0-9&¢éờởốồựửẽ]?[,;.]?$", re.I)
_SO_SHOWN = {"so", "su", "se", "s"}


_LEVEL_WORDS = {"xa": "xã", "tinh": "tỉnh", "huyen": "huyện", "phuong": "phường", "quan": "quận"}


def fix_so(tokens: list[str], raws: list[str]) -> list[str]:
    """"Sở" read back where OCR and the restorer lost it; and the level after UBND / HĐND ("HĐND
    X&" = "HĐND xã")."""
    out = list(tokens)
    for i in range(1, len(tokens)):
        if out[i - 1].strip(",;.") in ("UBND", "HĐND") and squeeze(raws[i]) in _LEVEL_WORDS:
            word = tokens[i].strip(",;.:")
            out[i] = tokens[i].replace(word, _LEVEL_WORDS[squeeze(raws[i])]) if word else tokens[i]
    for i, (tok, raw) in enumerate(zip(tokens, raws)):
        word = tok.rstrip(",;.")
        if not word[:1] == "S" or fold(word) not in _SO_SHOWN or not _SO.match(raw.lstrip("-")):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if not nxt or nxt[:1].isupper():
            out[i] = tok.replace(word, "Sở")
    return out


# -- letter case ----------------------------------------------------------------------------------
_PLACE_LEVELS = ("thanh pho", "tinh", "huyen", "quan", "xa", "phuong", "thi xa", "thi tran", "khu vuc", "thon")
KEEP_UPPER = {"UBND", "HĐND", "TP", "TW", "MTTQ", "CCHC", "TTHC", "CP", "VT", "KT", "TM", "TL", "TUQ"}


def proper_case(text: str) -> str:
    """An upper-case letterhead line as a sentence names it: "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"
    → "Ủy ban nhân dân thành phố Hải Phòng"; a standard body name at its start is written the
    standard way ("SỞ Y TẾ" → "Sở Y tế"); the place after a level word is capitalised."""
    words = text.split()
    if not words:
        return text
    if sum(c.isupper() for c in text) < 0.6 * sum(c.isalpha() for c in text):
        return " ".join(words)  # already written in sentence case
    out: list[str] = []
    toks = [(w, w) for w in words]
    start = 0
    matched = match_name(toks, fuzzy=False)
    place = False
    if matched:
        out.append(matched[0])
        start = matched[1]
        place = any(fold(matched[0]).endswith(" " + level) for level in _PLACE_LEVELS)
    for i in range(start, len(words)):
        w = words[i]
        if strip_marks(w).strip(".,;:") in KEEP_UPPER:
            out.append(w)
            place = False
            continue
        low = w.lower()
        if place or not out:
            low = low[:1].upper() + low[1:]
        out.append(low)
        two = fold(" ".join(words[max(start, i - 1):i + 1]))
        place = place or fold(w) in _PLACE_LEVELS or two in _PLACE_LEVELS
    return " ".join(out)

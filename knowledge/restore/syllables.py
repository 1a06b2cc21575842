"""Vietnamese syllables as data: letters split into base, vowel mark and tone; one tone placement.

OCR engines print Vietnamese letters as a base letter with some marks lost or misread, so the
restorer compares letters mark by mark. Both spellings of a tone's place ("hoà"/"hòa", "thuỷ"/
"thủy") occur in the package data; everything is brought to the one the plans use (the tone on
the first vowel of an open "oa/oe/uy": "hòa", "khỏe", "ủy"), so counts meet and output agrees.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks: tones and vowel marks.
TONES = {"\u0300": "`", "\u0301": "'", "\u0309": "?", "\u0303": "~", "\u0323": "."}
MARKS = {"\u0302": "^", "\u0306": "(", "\u031b": "+"}
_TONE_OF = {v: k for k, v in TONES.items()}
_MARK_OF = {v: k for k, v in MARKS.items()}
VOWELS = set("aeiouy")
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
           "b", "c", "d", "g", "h", "k", "l", "m", "n", "r", "s", "t", "v", "x")
_SHAPE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")
# Vowel clusters Vietnamese spells (folded, with the marks they can carry left out).
_CODAS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")


@lru_cache(maxsize=4096)  # a few hundred letters; called for every letter of every token restored
def split_letter(ch: str) -> tuple[str, str, str]:
    """`ế` → ("e", "^", "'"); `đ` → ("d", "-", ""); other letters → (letter, "", "")."""
    if ch in "đĐ":
        return ("d" if ch == "đ" else "D"), "-", ""
    d = unicodedata.normalize("NFD", ch)
    base, mark, tone = d[0], "", ""
    for c in d[1:]:
        if c in TONES:
            tone = TONES[c]
        elif c in MARKS:
            mark = MARKS[c]
        else:
            return ch, "", ""
    return base, mark, tone


def join_letter(base: str, mark: str, tone: str) -> str:
    if mark == "-":
        return "đ" if base == "d" else "Đ"
    s = base + (_MARK_OF.get(mark, "")) + (_TONE_OF.get(tone, ""))
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=1 << 16)  # documents repeat their words: most calls are a lookup
def fold_syllable(s: str) -> str:
    return "".join(split_letter(c)[0] for c in s)


def syllable_tone(s: str) -> str:
    for c in s:
        t = split_letter(c)[2]
        if t:
            return t
    return ""


def _onset_len(folded: str) -> int:
    for o in _ONSETS:
        if folded.startswith(o):
            # "gi" and "qu" are onsets only when a vowel follows ("gì" is g + i).
            if o in ("gi", "qu") and (len(folded) == 2 or folded[2] not in VOWELS):
                return 1
            return len(o)
    return 0


def place_tone(s: str) -> str:
    """The syllable with its tone moved where the plans put it (old style: hòa, thủy, khỏe)."""
    letters = [split_letter(c) for c in s]
    tone = next((t for _, _, t in letters if t), "")
    if not tone:
        return s
    letters = [(b, m, "") for b, m, _ in letters]
    folded = "".join(b for b, _, _ in letters).lower()
    start = _onset_len(folded)
    end = start
    while end < len(folded) and folded[end] in VOWELS:
        end += 1
    if end == start:  # no vowel: leave the spelling alone
        return s
    nucleus = list(range(start, end))
    marked = [i for i in nucleus if letters[i][1] in ("^", "(", "+")]
    if marked:
        pos = marked[-1]  # "ươ": the tone sits on ơ
    elif len(nucleus) == 1:
        pos = nucleus[0]
    elif end < len(folded):  # a coda follows: on the last vowel (hoàng, thuyết)
        pos = nucleus[-1]
    else:  # open cluster: on the one before last (hòa, thủy, mía, ngoài)
        pos = nucleus[-2]
    b, m, _ = letters[pos]
    letters[pos] = (b, m, tone)
    return "".join(join_letter(b, m, t) for b, m, t in letters)


def is_syllable_shape(folded: str) -> bool:
    return bool(_SHAPE.match(folded))


@lru_cache(maxsize=200_000)
def normalize_syllable(s: str) -> str:
    """Lower case, NFC, `Ð`→`đ`, tone on its place; '' when it is not a Vietnamese syllable."""
    s = unicodedata.normalize("NFC", s.replace("\u00d0", "Đ").replace("\u00f0", "đ")).lower()
    if not s.isalpha():
        return ""
    letters = [split_letter(c) for c in s]
    if any(len(b) != 1 or not ("a" <= b <= "z") for b, _, _ in letters):
        return ""
    if sum(1 for _, _, t in letters if t) > 1:
        return ""
    if not is_syllable_shape("".join(b for b, _, _ in letters)):
        return ""
    return place_tone(s)


def has_vietnamese_only_letter(word: str) -> bool:
    """True when the word holds a letter no Latin-1 OCR engine prints (ư ơ ă đ ạ ế …): such a word
    was typed or converted by someone who had Vietnamese letters, so it can be trusted."""
    for c in word:
        if ord(c) > 0xFF and c.isalpha():
            b, m, t = split_letter(c)
            if b.lower() in VOWELS or b.lower() == "d":
                return True
    return False

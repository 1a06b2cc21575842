"""Whether a text needs restoring: OCR-damaged Vietnamese, or typed with Vietnamese letters.

Text where at least `CLEAN_SHARE` of the words carry a letter no Latin-1 OCR engine prints
(ư ơ ă đ ạ ế …) was typed by someone with Vietnamese letters and passes through unchanged.
"""

from __future__ import annotations

import re
import unicodedata

from knowledge.restore.line_tokens import is_clean_word, split_line

CLEAN_SHARE = 0.15     # share of words with Vietnamese-only letters above which text is clean

# A first look by runs of letters (11x faster than the line tokenizer, the build's largest cost
# for scans): the share of runs with a Vietnamese-only letter is within 0.03 of the share of words
# on the seeds, the test scans, synthetic scans and law articles (scans 0.000-0.012, typed text
# 0.39-0.46). Only shares between these bounds, and texts under SURE_RUNS runs (list markers and
# numbers are no words: "a) 12/2025; b) 500$" needs nothing), are counted word by word.
_LETTER_RUN = re.compile(r"[^\W\d_]+")
SURELY_DAMAGED_SHARE = 0.05
SURELY_CLEAN_SHARE = 0.30
SURE_RUNS = 50


LETTERS_END = 0x1F00  # every letter `is_clean_word` accepts lies below (checked over all of Unicode by a test)


def vietnamese_only_letters(end: int = LETTERS_END) -> str:
    """Every letter `is_clean_word` accepts on its own (it accepts a word for any one of them)."""
    return "".join(c for c in map(chr, range(0x100, end)) if c.isalpha() and is_clean_word(c))


# The letter runs with a Vietnamese-only letter, counted by the regex engine: its start anchored at
# the run's start, up to the first such letter (a third of a scan's parse time when counted in Python).
_CLEAN_RUN = re.compile(r"(?<![^\W\d_])[^\W\d_]*?[" + re.escape(vietnamese_only_letters()) + "]")


def needs_restoring(text: str) -> bool:
    """False for text typed with Vietnamese letters (or with no letters at all), in NFC or NFD."""
    text = unicodedata.normalize("NFC", text)
    runs = _LETTER_RUN.findall(text)
    if len(runs) >= SURE_RUNS:
        share = len(_CLEAN_RUN.findall(text)) / len(runs)
        if share < SURELY_DAMAGED_SHARE or share > SURELY_CLEAN_SHARE:
            return share < SURELY_DAMAGED_SHARE
    words = [p.text for line in text.splitlines() for p in split_line(line) if p.kind == "word"
             and any(c.isalpha() for c in p.text)]
    if not words:
        return False
    clean = sum(1 for w in words if is_clean_word(w))
    return clean < CLEAN_SHARE * len(words)

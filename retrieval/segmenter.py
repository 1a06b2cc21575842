"""Vietnamese word segmentation: underthesea's CRF, with its features built in Python where that is
the same and faster.

underthesea's `word_tokenize` is its regex tokenizer, then `CRFFeaturizer.process` (Rust: 43
feature strings per token, from the model's templates), then `CRFTagger.tag`. On the bench's
questions with diacritics (19 tokens on average) the featurizer was 0.24 ms of the 0.45 ms a
question spent segmenting. `crf_features` builds the same strings in Python in 0.12 ms, by working
out each token's lower case, digit, title and dictionary tests once instead of once per template
that reads them.

It does so only where its result is known to be the featurizer's, string for string:
- the model's template list is the one it implements (`TEMPLATES`), checked when loading;
- every token is written in ASCII and the Vietnamese alphabet (`_PLAIN`). On other letters Rust and
  Python disagree on lower case (Unicode versions) and title case (`ª`), so any other token goes
  to underthesea's own featurizer.
tests/test_segmenter.py compares the strings with underthesea's for every letter of that alphabet
in every position, for numbers at the edges of the featurizer's digit test, and for real questions.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable

# The model's feature templates (underthesea 9.5.0, ws_crf_vlsp2013_20230727), in its order.
TEMPLATES = [
    "T[-2]", "T[-1]", "T[0]", "T[1]", "T[2]", "T[-2,-1]", "T[-1,0]", "T[0,1]", "T[1,2]", "T[-2,0]", "T[-1,1]",
    "T[0,2]", "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower", "T[-2,-1].lower",
    "T[-1,0].lower", "T[0,1].lower", "T[1,2].lower", "T[-1].isdigit", "T[0].isdigit", "T[1].isdigit",
    "T[-2].istitle", "T[-1].istitle", "T[0].istitle", "T[1].istitle", "T[2].istitle", "T[0,1].istitle",
    "T[0,2].istitle", "T[-2].is_in_dict", "T[-1].is_in_dict", "T[0].is_in_dict", "T[1].is_in_dict",
    "T[2].is_in_dict", "T[-2,-1].is_in_dict", "T[-1,0].is_in_dict", "T[0,1].is_in_dict", "T[1,2].is_in_dict",
    "T[-2,0].is_in_dict", "T[-1,1].is_in_dict", "T[0,2].is_in_dict",
]
VIETNAMESE_LETTERS = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
                      + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)))
_PLAIN = re.compile("[\x21-\x7e" + VIETNAMESE_LETTERS + "]+")
# The featurizer's digit test is a 32-bit integer parse: "+1" and "-0" are digits, "²" and
# "2147483648" are not.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT32 = range(-2 ** 31, 2 ** 31)


def _isdigit(token: str) -> str:
    return str(bool(_INTEGER.fullmatch(token)) and int(token) in _INT32)


def _istitle(token: str) -> bool:
    """Its first letter has no upper case other than itself (digits and signs are "title")."""
    return token[:1].upper() == token[:1]


def crf_features(tokens: list[str], dictionary: frozenset[str] | set[str]) -> list[list[str]]:
    """`CRFFeaturizer(TEMPLATES, dictionary).process([[[t] for t in tokens]])[0]` for `_PLAIN` tokens."""
    n = len(tokens)
    lower = [t.lower() for t in tokens]
    digit = [_isdigit(t) for t in tokens]
    title = [_istitle(t) for t in tokens]
    listed = [str(t in dictionary) for t in lower]
    out = []
    b, e = "BOS", "EOS"
    for i in range(n):
        t0, l0, ti0 = tokens[i], lower[i], title[i]
        has_m2, has_m1, has_p1, has_p2 = i >= 2, i >= 1, i + 1 < n, i + 2 < n
        if has_m1:
            tm1, lm1 = tokens[i - 1], lower[i - 1]
            bg_m10, lbg_m10 = f"{tm1} {t0}", f"{lm1} {l0}"
        if has_m2:
            tm2, lm2 = tokens[i - 2], lower[i - 2]
            bg_m2m1, lbg_m2m1 = f"{tm2} {tm1}", f"{lm2} {lm1}"
            lt_m20 = f"{lbg_m2m1} {l0}"
        if has_p1:
            tp1, lp1 = tokens[i + 1], lower[i + 1]
            bg_01, lbg_01 = f"{t0} {tp1}", f"{l0} {lp1}"
        if has_p2:
            tp2, lp2 = tokens[i + 2], lower[i + 2]
            bg_12, lbg_12 = f"{tp1} {tp2}", f"{lp1} {lp2}"
            lt_02 = f"{lbg_01} {lp2}"
        lt_m11 = f"{lm1} {l0} {lp1}" if has_m1 and has_p1 else ""
        out.append([
            f"T[-2]={tm2 if has_m2 else b}", f"T[-1]={tm1 if has_m1 else b}", f"T[0]={t0}",
            f"T[1]={tp1 if has_p1 else e}", f"T[2]={tp2 if has_p2 else e}",
            f"T[-2,-1]={bg_m2m1 if has_m2 else b}", f"T[-1,0]={bg_m10 if has_m1 else b}",
            f"T[0,1]={bg_01 if has_p1 else e}", f"T[1,2]={bg_12 if has_p2 else e}",
            f"T[-2,0]={f'{bg_m2m1} {t0}' if has_m2 else b}",
            f"T[-1,1]={(f'{tm1} {t0} {tp1}' if has_p1 else e) if has_m1 else b}",
            f"T[0,2]={f'{bg_01} {tp2}' if has_p2 else e}",
            f"T[-2].lower={lm2 if has_m2 else b}", f"T[-1].lower={lm1 if has_m1 else b}", f"T[0].lower={l0}",
            f"T[1].lower={lp1 if has_p1 else e}", f"T[2].lower={lp2 if has_p2 else e}",
            f"T[-2,-1].lower={lbg_m2m1 if has_m2 else b}", f"T[-1,0].lower={lbg_m10 if has_m1 else b}",
            f"T[0,1].lower={lbg_01 if has_p1 else e}", f"T[1,2].lower={lbg_12 if has_p2 else e}",
            f"T[-1].isdigit={digit[i - 1] if has_m1 else b}", f"T[0].isdigit={digit[i]}",
            f"T[1].isdigit={digit[i + 1] if has_p1 else e}",
            f"T[-2].istitle={title[i - 2] if has_m2 else b}", f"T[-1].istitle={title[i - 1] if has_m1 else b}",
            f"T[0].istitle={ti0}", f"T[1].istitle={title[i + 1] if has_p1 else e}",
            f"T[2].istitle={title[i + 2] if has_p2 else e}",
            f"T[0,1].istitle={(ti0 and title[i + 1]) if has_p1 else e}",
            f"T[0,2].istitle={(ti0 and title[i + 1] and title[i + 2]) if has_p2 else e}",
            f"T[-2].is_in_dict={listed[i - 2] if has_m2 else b}", f"T[-1].is_in_dict={listed[i - 1] if has_m1 else b}",
            f"T[0].is_in_dict={listed[i]}", f"T[1].is_in_dict={listed[i + 1] if has_p1 else e}",
            f"T[2].is_in_dict={listed[i + 2] if has_p2 else e}",
            f"T[-2,-1].is_in_dict={(lbg_m2m1 in dictionary) if has_m2 else b}",
            f"T[-1,0].is_in_dict={(lbg_m10 in dictionary) if has_m1 else b}",
            f"T[0,1].is_in_dict={(lbg_01 in dictionary) if has_p1 else e}",
            f"T[1,2].is_in_dict={(lbg_12 in dictionary) if has_p2 else e}",
            f"T[-2,0].is_in_dict={(lt_m20 in dictionary) if has_m2 else b}",
            f"T[-1,1].is_in_dict={((lt_m11 in dictionary) if has_p1 else e) if has_m1 else b}",
            f"T[0,2].is_in_dict={(lt_02 in dictionary) if has_p2 else e}",
        ])
    return out


class Segmenter:
    """underthesea's word segmentation: `segment(text)` is `underthesea.word_tokenize(text)`."""

    def __init__(self) -> None:
        from underthesea import word_tokenize
        from underthesea.pipeline import word_tokenize as package
        from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

        word_tokenize("khởi động")  # loads the CRF model
        model = package.word_tokenize_model
        self._tokenize: Callable[[str], list[str]] = tokenize
        self._featurize = model.featurizer.process
        self._tag = model.estimator.tag
        self._dictionary: frozenset[str] | None = None
        try:
            import joblib

            folder = os.path.join(os.path.dirname(package.__file__), "models", "ws_crf_vlsp2013_20230727")
            if list(joblib.load(os.path.join(folder, model.path_features))) == TEMPLATES:
                self._dictionary = frozenset(joblib.load(os.path.join(folder, model.path_dictionary)))
        except Exception:  # another model or layout: underthesea's featurizer for everything
            self._dictionary = None

    def features(self, tokens: list[str]) -> list[list[str]]:
        if self._dictionary is not None and all(_PLAIN.fullmatch(t) for t in tokens):
            return crf_features(tokens, self._dictionary)
        return self._featurize([[[t] for t in tokens]])[0]

    def segment(self, text: str) -> list[str]:
        """Words of `text`, their syllables joined by spaces ("Sở Y tế" → ["Sở", "Y tế"])."""
        tokens = self._tokenize(text)
        if not tokens:
            return []
        words: list[str] = []
        for tag, token in zip(self._tag(self.features(tokens)), tokens):
            if tag == "I-W" and words:
                words[-1] = f"{words[-1]} {token}"
            else:
                words.append(token)
        return words


_LOCK = threading.Lock()
_segmenter: Segmenter | None = None


def segmenter() -> Segmenter:
    """The process's segmenter, loaded once (≈ 0.7 s: the import and the CRF model) under a lock by
    whichever comes first: a question, or the warm-up thread a new engine starts."""
    global _segmenter
    if _segmenter is None:
        with _LOCK:
            if _segmenter is None:
                _segmenter = Segmenter()
    return _segmenter


def is_loaded() -> bool:
    return _segmenter is not None

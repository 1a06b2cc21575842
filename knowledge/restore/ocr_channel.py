"""How an OCR engine damages a Vietnamese syllable: a weighted edit model, and candidates from it.

The costs say what a Latin-1 OCR engine does to Vietnamese letters: marks dropped (ế→e, đ→d),
a circumflex read as an acute (ê→é), hatted vowels read as glyphs of a similar shape (ô/ơ→6 or d,
ă/â→i, 3 or 4, ư→w, ir or tr, ủ→ii or l, đ→P or b, e→¢ or €), stray apostrophes for horns. They
are general facts about Latin OCR of Vietnamese, not about any document; `learn_costs` then
re-estimates them from the corpus being restored (its decoded tokens aligned to the OCR output).

Candidates for a token: folded syllables within a small plain edit distance of the token's
skeleton (rapidfuzz, in C), then every toned spelling of them scored by the weighted model.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.restore.syllables import VOWELS, fold_syllable, split_letter

# Skeleton: what an OCR glyph most likely stands for, marks removed (for the shortlist only).
_SKELETON = str.maketrans({"6": "o", "0": "o", "3": "a", "4": "a", "1": "l", "¢": "c", "€": "e", "§": "s",
                           "¥": "y", "&": "e", "8": "b", "5": "s", "w": "u", "'": None, "’": None, "‘": None,
                           "`": None, "\u00b0": None})
JUNK = set("'’‘`°")

# Base-level glyph confusions: (true base, true vowel mark) → {OCR glyph: cost}. "*" = any mark.
_GLYPHS: dict[tuple[str, str], dict[str, float]] = {
    ("d", "-"): {"p": 0.9, "b": 1.3, "D": 0.9},
    ("o", "^"): {"6": 0.7, "d": 1.4, "0": 1.4, "a": 2.2, "e": 2.0, "g": 2.0},
    ("o", "+"): {"6": 0.9, "d": 1.4, "q": 1.4, "0": 1.6, "e": 2.0},
    ("o", ""): {"6": 1.6, "0": 1.3, "d": 2.2, "a": 2.4},
    ("a", "^"): {"d": 1.6, "i": 1.6, "4": 1.3, "3": 1.3, "e": 1.8, "o": 2.0},
    ("a", "("): {"d": 1.6, "i": 1.5, "4": 1.3, "3": 1.3, "e": 2.0, "o": 2.2},
    ("a", ""): {"4": 1.3, "3": 1.4, "o": 2.2, "e": 2.2},
    ("e", "^"): {"¢": 1.2, "€": 0.9, "&": 1.2, "d": 2.0, "c": 2.0},
    ("e", ""): {"¢": 1.4, "€": 1.0, "&": 1.4, "c": 2.0},
    ("u", "+"): {"w": 0.9, "y": 2.0, "i": 2.0, "t": 2.2},
    ("u", ""): {"i": 2.0, "ii": 1.2, "t": 2.2, "l": 2.2, "y": 2.4},
    ("i", ""): {"l": 1.6, "1": 1.5, "j": 1.8, "t": 2.4},
    ("y", ""): {"¥": 0.8, "v": 2.0},
    ("l", ""): {"1": 1.0, "i": 1.6},
    ("r", ""): {"1": 1.8},
    ("c", ""): {"¢": 1.0, "e": 2.0},
    ("s", ""): {"§": 1.0, "5": 1.3, "8": 1.8},
    ("b", ""): {"8": 1.3, "6": 2.0},
    ("g", ""): {"q": 1.8, "9": 1.8},
    ("h", ""): {"b": 2.0, "k": 2.2},
    ("n", ""): {"m": 2.0, "u": 2.2, "r": 2.2},
    ("m", ""): {"n": 2.0, "rn": 1.5},
    ("t", ""): {"f": 2.0, "l": 2.2},
}
# One true letter read as two glyphs (ư→ir, ủ→ii, á→ia, ứ→im): (true base, mark) → {pair: cost}.
_PAIRS: dict[tuple[str, str], dict[str, float]] = {
    ("u", "+"): {"ir": 0.9, "tr": 1.2, "ui": 1.6, "it": 1.5, "im": 1.6, "tm": 1.8, "u'": 0.8, "r": 2.0},
    ("u", ""): {"ii": 1.2, "ti": 1.4, "li": 1.6},
    ("a", ""): {"ia": 1.5},
    ("a", "^"): {"ia": 1.8},
    ("o", "+"): {"o'": 0.6, "6'": 0.6, "d'": 1.0},
    ("d", "-"): {"ti": 2.0},
}
DROP_MARK = 0.55   # ê → e, ư → u, đ → d
DROP_TONE = 0.55   # á → a
ADD_TONE = 1.1     # ê → é: a mark read as a tone
WRONG_TONE = 0.9   # ế → è
WRONG_MARK = 1.4
E_WILDCARD = 1.9   # the engine's one accented glyph, é, printed for other marked vowels
E_FAMILY = 0.2     # é for ê, ế, é
E_OTHER_TONE = 0.4  # é for ề, ể, ễ, ệ, è …
E_PLAIN = 0.5      # é for a plain e
SUB_VOWEL = 2.6
SUB_OTHER = 3.2
DEL_VOWEL = 2.3
DEL_CONS = 2.8
INS_JUNK = 0.8
INS_LETTER = 2.6
INS_DIGIT = 2.8


def skeleton(token: str) -> str:
    """The token's letters as the plain Latin letters they most likely are."""
    s = "".join(split_letter(c)[0] if c.isalpha() else c for c in token.lower()).translate(_SKELETON)
    if s.startswith("p") and not s.startswith("ph"):
        s = "d" + s[1:]  # P for Đ: Vietnamese has no "p" onset but "ph"
    return s


class ChannelCosts:
    """The edit costs, with learnt adjustments per (true letter, OCR glyph) once `learn` ran."""

    def __init__(self, learnt: dict[tuple[str, str], float] | None = None) -> None:
        self.learnt = learnt or {}
        self.sub = lru_cache(maxsize=100_000)(self._sub)
        self.pair = lru_cache(maxsize=100_000)(self._pair)

    def __getstate__(self) -> dict:
        return {"learnt": self.learnt}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["learnt"])

    def _sub(self, t: str, x: str) -> float:
        if t == x:
            return 0.0
        learnt = self.learnt.get((t, x))
        if learnt is not None:
            return learnt
        tb, tm, tt = split_letter(t)
        if x.isalpha():
            xb, xm, xt = split_letter(x)
        else:
            xb, xm, xt = x, "", ""
        if x == "é":
            # The engine's one accented glyph: mostly the e family, whatever its marks.
            if tb == "e":
                return E_FAMILY + (E_OTHER_TONE if tt and tt != "'" else 0.0) + (0.0 if (tm or tt) else E_PLAIN)
            return E_WILDCARD if (tm or tt) else SUB_VOWEL
        if xb == tb:
            c = 0.0
            if tm and not xm:
                c += DROP_MARK
            elif xm and xm != tm:
                c += WRONG_MARK
            if tt and not xt:
                c += DROP_TONE
            elif xt and xt != tt:
                c += ADD_TONE if not tt else WRONG_TONE
            return c
        glyphs = _GLYPHS.get((tb, tm)) or {}
        g = glyphs.get(xb)
        if g is not None:
            # The glyph's own tone says little (é is printed for anything); a lost tone is cheap.
            return g + (DROP_TONE * 0.5 if tt else 0.0)
        if tb in VOWELS and xb in VOWELS:
            return SUB_VOWEL
        return SUB_OTHER

    def _pair(self, t: str, xy: str) -> float:
        tb, tm, tt = split_letter(t)
        plain = "".join(split_letter(c)[0] if c.isalpha() else c for c in xy)
        c = (_PAIRS.get((tb, tm)) or {}).get(plain)
        if c is not None:
            return c + (DROP_TONE * 0.5 if tt else 0.0)
        # Otherwise a substitution plus a stray glyph, whichever side it is on.
        return min(self.sub(t, xy[0]) + self.ins(xy[1]), self.ins(xy[0]) + self.sub(t, xy[1])) + 0.01

    @staticmethod
    def ins(x: str) -> float:
        if x in JUNK:
            return INS_JUNK
        if x.isdigit():
            return INS_DIGIT
        if not x.isalpha():
            return 1.5
        return INS_LETTER

    @staticmethod
    def delete(t: str) -> float:
        return DEL_VOWEL if split_letter(t)[0] in VOWELS else DEL_CONS

    def distance(self, true: str, ocr: str) -> float:
        """Cheapest way the OCR engine turns `true` (a syllable, lower case) into `ocr`."""
        n, m = len(true), len(ocr)
        sub, pair, ins, delete = self.sub, self.pair, self.ins, self.delete
        prev = [0.0] * (m + 1)
        for j in range(1, m + 1):
            prev[j] = prev[j - 1] + ins(ocr[j - 1])
        for i in range(1, n + 1):
            t = true[i - 1]
            cur = [prev[0] + delete(t)] + [0.0] * m
            for j in range(1, m + 1):
                x = ocr[j - 1]
                best = prev[j - 1] + sub(t, x)
                v = prev[j] + delete(t)
                if v < best:
                    best = v
                v = cur[j - 1] + ins(x)
                if v < best:
                    best = v
                if j >= 2:
                    v = prev[j - 2] + pair(t, ocr[j - 2:j])
                    if v < best:
                        best = v
                cur[j] = best
            prev = cur
        return prev[m]


class CandidateIndex:
    """Syllable inventory grouped by folded form, with a cached candidate list per OCR token."""

    def __init__(self, syllables: Iterable[str], costs: ChannelCosts, per_token: int = 30) -> None:
        by_fold: dict[str, list[str]] = defaultdict(list)
        for s in sorted(set(syllables)):
            by_fold[fold_syllable(s)].append(s)
        self.by_fold = dict(by_fold)
        self.folds = list(self.by_fold)
        self.costs = costs
        self.per_token = per_token
        self._cache: dict[str, list[tuple[str, float]]] = {}

    def candidates(self, token: str) -> list[tuple[str, float]]:
        """(syllable, channel cost) pairs, cheapest first, at most `per_token`."""
        got = self._cache.get(token)
        if got is None:
            got = self._compute(token)
            self._cache[token] = got
        return got

    def _compute(self, token: str) -> list[tuple[str, float]]:
        low = token.lower()
        skel = skeleton(low)
        if not skel:
            return []
        limit = 1 if len(skel) <= 2 else 2 if len(skel) <= 5 else 3
        hits = process.extract(skel, self.folds, scorer=Levenshtein.distance, score_cutoff=limit, limit=None)
        scored: list[tuple[str, float]] = []
        dist = self.costs.distance
        for folded, _d, _i in hits:
            for syl in self.by_fold[folded]:
                scored.append((syl, dist(syl, low)))
        scored.sort(key=lambda p: p[1])
        return scored[: self.per_token]

    def learn(self, pairs: Iterable[tuple[str, str]], prior: float = 2.0) -> ChannelCosts:
        """Re-estimate substitution costs from (restored syllable, OCR token) pairs.

        Each pair is aligned with the current costs; the counts of (true letter → glyph) give
        -log P(glyph | letter), blended with the current cost by `prior` pseudo-counts.
        """
        counts: Counter = Counter()
        totals: Counter = Counter()
        for true, ocr in pairs:
            for t, x in _align(self.costs, true, ocr.lower()):
                counts[(t, x)] += 1
                totals[t] += 1
        learnt: dict[tuple[str, str], float] = {}
        for (t, x), c in counts.items():
            if t == x or x == "":
                continue
            old = self.costs.sub(t, x)
            p = (c + prior * math.exp(-old)) / (totals[t] + prior)
            learnt[(t, x)] = min(old, -math.log(p))
        return ChannelCosts({**self.costs.learnt, **learnt})


def _align(costs: ChannelCosts, true: str, ocr: str) -> list[tuple[str, str]]:
    """The single-glyph substitutions of the cheapest alignment (for learning)."""
    n, m = len(true), len(ocr)
    inf = float("inf")
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, arg = inf, None
            if i and j and d[i - 1][j - 1] + costs.sub(true[i - 1], ocr[j - 1]) < best:
                best, arg = d[i - 1][j - 1] + costs.sub(true[i - 1], ocr[j - 1]), (i - 1, j - 1)
            if i and d[i - 1][j] + costs.delete(true[i - 1]) < best:
                best, arg = d[i - 1][j] + costs.delete(true[i - 1]), (i - 1, j)
            if j and d[i][j - 1] + costs.ins(ocr[j - 1]) < best:
                best, arg = d[i][j - 1] + costs.ins(ocr[j - 1]), (i, j - 1)
            d[i][j], back[i][j] = best, arg
    out = []
    i, j = n, m
    while back[i][j] is not None:
        pi, pj = back[i][j]
        if pi == i - 1 and pj == j - 1:
            out.append((true[i - 1], ocr[j - 1]))
        i, j = pi, pj
    return out

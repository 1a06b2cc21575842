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

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.restore.syllables import VOWELS, fold_syllable, split_letter

# The one glyph table: a sign a Latin OCR engine prints for a letter it could not read, and that
# letter. The skeleton below reads it, and so does retrieval/normalize.py when it folds text.
GLYPH_LETTERS = {"¢": "c", "€": "e", "§": "s", "¥": "y", "$": "s"}
# Skeleton: what an OCR glyph most likely stands for, marks removed (for the shortlist only): the
# glyphs above, digits read for letters, "&" for an accented vowel, apostrophes for horns.
_SKELETON = str.maketrans({"6": "o", "0": "o", "3": "a", "4": "a", "1": "l", "&": "e", "8": "b", "5": "s", "w": "u",
                           **GLYPH_LETTERS, "'": None, "’": None, "‘": None, "`": None, "\u00b0": None})
JUNK = set("'’‘`°")
ACCENT_GLYPHS = set("&¢€")

# Base-level glyph confusions: (true base, true vowel mark) → {OCR glyph: cost}. "*" = any mark.
_GLYPHS: dict[tuple[str, str], dict[str, float]] = {
    ("d", "-"): {"p": 0.9, "b": 2.0, "D": 0.9},
    ("o", "^"): {"6": 0.7, "d": 1.4, "b": 1.4, "0": 1.4, "a": 2.2, "e": 2.0, "g": 2.0},
    ("o", "+"): {"6": 0.9, "d": 1.4, "b": 1.6, "q": 1.4, "0": 1.6, "e": 2.0},
    ("o", ""): {"6": 1.6, "0": 1.3, "d": 2.2, "a": 2.4},
    ("a", "^"): {"d": 1.6, "i": 1.6, "4": 1.3, "3": 1.3, "e": 1.8, "o": 2.0},
    ("a", "("): {"d": 1.6, "i": 1.5, "4": 1.3, "3": 1.3, "e": 2.0, "o": 2.2},
    ("a", ""): {"4": 1.3, "3": 1.4, "o": 2.2, "e": 2.2, "d": 2.0},  # á read as d ("bdo cdo" = báo cáo)
    ("e", "^"): {"¢": 1.2, "€": 0.9, "&": 1.2, "d": 2.0, "c": 2.0},
    ("e", ""): {"¢": 1.4, "€": 1.0, "&": 1.4, "c": 2.0},
    ("u", "+"): {"w": 0.9, "y": 2.0, "i": 2.0, "t": 2.2},
    ("u", ""): {"i": 2.0, "ii": 1.2, "t": 2.2, "l": 2.2, "y": 2.4},
    ("i", ""): {"l": 1.6, "1": 1.5, "j": 1.8, "t": 2.4},
    ("y", ""): {"¥": 0.8, "v": 2.0},
    ("l", ""): {"1": 1.0, "i": 1.6},
    ("r", ""): {"1": 1.8},
    ("c", ""): {"¢": 1.0, "e": 2.0},
    ("s", ""): {"§": 1.0, "$": 0.8, "5": 1.3, "8": 1.8},
    ("b", ""): {"8": 1.3, "6": 2.0},
    ("g", ""): {"q": 1.8, "9": 1.8},
    ("h", ""): {"k": 2.2},
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
SUB_OTHER = 4.0   # consonant for consonant: OCR rarely swaps them ("xã" is not "ta")
DEL_VOWEL = 2.3
DEL_CONS = 2.8
INS_JUNK = 0.8
INS_LETTER = 2.6
INS_DIGIT = 1e3    # a digit is never dropped: it is a number, or a glyph standing for a letter
BIG = 1e6


def skeleton(token: str) -> str:
    """The token's letters as the plain Latin letters they most likely are."""
    s = "".join(split_letter(c)[0] if c.isalpha() else c for c in token.lower()).translate(_SKELETON)
    if s.startswith("p") and not s.startswith("ph"):
        s = "d" + s[1:]  # P for Đ: Vietnamese has no "p" onset but "ph"
    # ư read as "ir", u as "ii": neither pair is ever Vietnamese ("chirc" is "chức").
    return s.replace("ir", "u").replace("ii", "u")


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
        if x in ACCENT_GLYPHS and tb in VOWELS and (tm or tt) and tb != "e":
            # &, ¢, € are printed for a vowel whose marks the engine could not read (S& = Sở).
            return E_WILDCARD
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


TIE_BREAK = 0.5  # weight of the unigram prior when ranking candidates (not when decoding)
PER_TOKEN = 16   # candidates kept per token
MARGIN = 4.0   # candidates costlier than the best by more than this are dropped
FOLD_MARGIN = 4.5  # folded forms whose lower bound trails the best by more are not spelled out
MAX_TOKEN = 10  # longer tokens are not one damaged syllable: left as they are


class CandidateIndex:
    """Syllable inventory as letter-id arrays, with a cached candidate list per OCR token.

    Candidates of many tokens are computed in one batch (`prepare`): the shortlist of folded
    syllables by rapidfuzz's `cdist` in C, then the weighted edit distance of every (token,
    syllable) pair as one numpy dynamic programme per token length — ≈ 100 vector operations
    instead of ~400 Python DPs per token.
    """

    def __init__(self, syllables: Iterable[str], costs: ChannelCosts, per_token: int | None = None,
                 frequency: dict[str, float] | None = None) -> None:
        syls = sorted(set(syllables))
        by_fold: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(syls):
            by_fold[fold_syllable(s)].append(i)
        self.syllables = syls
        self.folds = list(by_fold)
        members = [by_fold[f] for f in self.folds]
        self.fold_size = np.array([len(m) for m in members], dtype=np.int64)
        self.fold_start = np.concatenate([[0], np.cumsum(self.fold_size)[:-1]]).astype(np.int64)
        self.fold_members = np.array([i for m in members for i in m], dtype=np.int64)
        letters = sorted({c for s in syls for c in s})
        self.letters = letters
        self.maxlen = max(len(s) for s in syls)
        pad = len(letters)
        self.letter_id = {c: i for i, c in enumerate(letters)}
        self.L = np.full((len(syls), self.maxlen), pad, dtype=np.int64)
        for i, s in enumerate(syls):
            self.L[i, : len(s)] = [self.letter_id[c] for c in s]
        self.lengths = np.array([len(s) for s in syls], dtype=np.int64)
        # Folded forms over base letters, for a cheap lower bound before scoring spellings.
        bases = sorted({split_letter(c)[0] for c in letters})
        base_id = {b: i for i, b in enumerate(bases)}
        self.letter_base = np.array([base_id[split_letter(c)[0]] for c in letters] + [len(bases)])
        self.n_bases = len(bases)
        self.FL = np.full((len(self.folds), self.maxlen), len(bases), dtype=np.int64)
        for i, f in enumerate(self.folds):
            self.FL[i, : len(f)] = [base_id[c] for c in f]
        self.fold_len = np.array([len(f) for f in self.folds], dtype=np.int64)
        # Ties in channel cost ("dong": 30 spellings within 1.7) are broken by how common the
        # syllable is, so that the kept candidates are the likely ones, not the first in order.
        freq = frequency or {}
        total = sum(freq.values()) or 1.0
        self.rank_prior = np.array([-math.log((freq.get(s, 0.0) + 0.5) / total) for s in syls]) * TIE_BREAK
        self.costs = costs
        self.per_token = int(per_token or PER_TOKEN)
        self.del_vec = np.array([costs.delete(c) for c in letters] + [0.0])
        self._ocr_id: dict[str, int] = {}
        self._sub_cols: list[np.ndarray] = []
        self._ins: list[float] = []
        self._pair_id: dict[str, int] = {}
        self._pair_cols: list[np.ndarray] = []
        self._cache: dict[str, list[tuple[str, float]]] = {}
        # Letters that have an explicit two-glyph reading, by that reading ("ir" → ư, ứ, ừ …).
        self._pair_letters: dict[str, list[tuple[int, tuple[str, str, str]]]] = defaultdict(list)
        for li, t in enumerate(letters):
            parts = split_letter(t)
            for plain in _PAIRS.get(parts[:2], {}):
                self._pair_letters[plain].append((li, parts))

    # -- cost tables ----------------------------------------------------------------------------
    def _char(self, x: str) -> int:
        i = self._ocr_id.get(x)
        if i is None:
            i = len(self._sub_cols)
            self._ocr_id[x] = i
            self._sub_cols.append(np.array([self.costs.sub(t, x) for t in self.letters] + [BIG]))
            self._ins.append(self.costs.ins(x))
            # (`ins` of a digit is 1e3: a candidate that drops a digit ranks last and never wins.)
        return i

    def _pair(self, xy: str) -> int:
        i = self._pair_id.get(xy)
        if i is None:
            i = len(self._pair_cols)
            self._pair_id[xy] = i
            a, b = self._char(xy[0]), self._char(xy[1])
            col = np.minimum(self._sub_cols[a] + self._ins[b], self._ins[a] + self._sub_cols[b]) + 0.01
            plain = "".join(split_letter(c)[0] if c.isalpha() else c for c in xy)
            for li, (tb, tm, tt) in self._pair_letters.get(plain, ()):
                c = _PAIRS[(tb, tm)][plain]
                col[li] = min(col[li], c + (DROP_TONE * 0.5 if tt else 0.0))
            self._pair_cols.append(col)
        return i

    def _tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The cost columns as matrices (letters+pad × glyphs, × glyph pairs), rebuilt when grown."""
        size = (len(self._sub_cols), len(self._pair_cols))
        if getattr(self, "_tables_size", None) != size:
            self._tables_cache = (np.stack(self._sub_cols, axis=1), np.array(self._ins),
                                  np.stack(self._pair_cols, axis=1) if self._pair_cols else None)
            self._tables_size = size
        return self._tables_cache

    def _base_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Per base letter, the cheapest of its spellings: a lower bound for every spelling."""
        SUB, INS, PAIR = self._tables()
        size = (SUB.shape[1], 0 if PAIR is None else PAIR.shape[1])
        if getattr(self, "_base_size", None) != size:
            sub = np.full((self.n_bases + 1, SUB.shape[1]), BIG)
            np.minimum.at(sub, self.letter_base, SUB)
            pair = None
            if PAIR is not None:
                pair = np.full((self.n_bases + 1, PAIR.shape[1]), BIG)
                np.minimum.at(pair, self.letter_base, PAIR)
            dele = np.full(self.n_bases + 1, BIG)
            np.minimum.at(dele, self.letter_base, self.del_vec)
            self._base_cache = (sub, INS, pair, dele)
            self._base_size = size
        return self._base_cache

    # -- candidates -----------------------------------------------------------------------------
    def candidates(self, token: str) -> list[tuple[str, float]]:
        """(syllable, channel cost) pairs, cheapest first, at most `per_token`."""
        got = self._cache.get(token)
        if got is None:
            self.prepare([token])
            got = self._cache[token]
        return got

    def prepare(self, tokens: Iterable[str], shortlist: CandidateIndex | None = None) -> None:
        """Compute and cache the candidates of every token not cached yet, in one batch.

        With `shortlist`, only the syllables that index proposed for a token are re-scored (a
        second pass with learnt costs re-ranks the first pass's candidates, ~10× less work).
        """
        todo = sorted({t for t in tokens if t not in self._cache})
        if not todo:
            return
        lows = [t.lower() for t in todo]
        skels = [skeleton(w) for w in lows]
        ok = [i for i, (w, sk) in enumerate(zip(lows, skels)) if sk and len(w) <= MAX_TOKEN]
        for i in set(range(len(todo))) - set(ok):
            self._cache[todo[i]] = []
        if not ok:
            return
        if shortlist is not None:
            sid = {s: i for i, s in enumerate(self.syllables)}
            lists = [[sid[s] for s, _ in shortlist.candidates(todo[i])] for i in ok]
            pair_tok = np.repeat(np.arange(len(ok)), [len(x) for x in lists])
            pair_syl = np.array([s for x in lists for s in x], dtype=np.int64)
        else:
            dist = process.cdist([skels[i] for i in ok], self.folds, scorer=Levenshtein.distance, score_cutoff=3,
                                 dtype=np.int8, workers=1)
            limits = np.array([1 if len(skels[i]) <= 2 else 2 if len(skels[i]) <= 5 else 3 for i in ok])
            tok_idx, fold_idx = np.nonzero(dist <= limits[:, None])
            tok_idx, fold_idx = self._prune_folds(lows, ok, tok_idx, fold_idx)
            sizes = self.fold_size[fold_idx]
            pair_tok = np.repeat(tok_idx, sizes)
            offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            pair_syl = self.fold_members[np.repeat(self.fold_start[fold_idx], sizes) + offsets]
        words = [lows[i] for i in ok]
        SUB, INS, PAIR = self._tables_for(words)
        cost = self._grouped_dp(words, pair_tok, self.L[pair_syl], self.lengths[pair_syl],
                                (SUB, INS, PAIR, self.del_vec))
        order = np.lexsort((cost + self.rank_prior[pair_syl], pair_tok))
        pair_tok, pair_syl, cost = pair_tok[order], pair_syl[order], cost[order]
        starts = np.searchsorted(pair_tok, np.arange(len(ok)))
        ends = np.searchsorted(pair_tok, np.arange(len(ok)), side="right")
        syls = self.syllables
        for k, i in enumerate(ok):
            lo, hi = starts[k], min(ends[k], starts[k] + self.per_token)
            best = cost[lo:hi].min() if hi > lo else 0.0
            # Candidates far behind the best one never win: dropped, fewer pairs to decode.
            self._cache[todo[i]] = [(syls[s], float(c)) for s, c in zip(pair_syl[lo:hi], cost[lo:hi])
                                    if c <= best + MARGIN]

    def _prune_folds(self, lows: list[str], ok: list[int], tok_idx: np.ndarray,
                     fold_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keep the folded forms whose lower bound is within FOLD_MARGIN of the token's best."""
        if not len(tok_idx):
            return tok_idx, fold_idx
        words = [lows[i] for i in ok]
        self._tables_for(words)
        lb = self._grouped_dp(words, tok_idx, self.FL[fold_idx], self.fold_len[fold_idx], self._base_tables())
        best = np.full(len(ok), np.inf)
        np.minimum.at(best, tok_idx, lb)
        keep = lb <= best[tok_idx] + FOLD_MARGIN
        return tok_idx[keep], fold_idx[keep]

    def _tables_for(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Make sure every glyph and glyph pair of `words` has its cost column."""
        for w in words:
            for j, c in enumerate(w):
                self._char(c)
                if j:
                    self._pair(w[j - 1:j + 1])
        return self._tables()

    def _grouped_dp(self, words: list[str], pair_tok: np.ndarray, rows: np.ndarray, lengths: np.ndarray,
                    tables: tuple) -> np.ndarray:
        """`_dp` over every (word length, row length) group; rows are letter (or base) ids."""
        cost = np.empty(len(pair_tok))
        word_len = np.array([len(w) for w in words])
        group = word_len[pair_tok] * 16 + lengths
        for g in np.unique(group):
            sel = np.nonzero(group == g)[0]
            cost[sel] = self._dp(words, pair_tok[sel], rows[sel], int(g // 16), int(g % 16), tables)
        return cost

    def _dp(self, words: list[str], pair_tok: np.ndarray, Lp: np.ndarray, m: int, n: int,
            tables: tuple) -> np.ndarray:
        """Weighted edit distance of each (word, row) pair; words of length m, rows of n letters."""
        SUB, INS, PAIR, DEL = tables
        toks = np.unique(pair_tok)
        X = np.zeros((int(toks.max()) + 1, m), dtype=np.int64)
        B = np.zeros((int(toks.max()) + 1, max(m - 1, 1)), dtype=np.int64)
        ocr_id, pair_id = self._ocr_id, self._pair_id
        for t in toks:
            w = words[t]
            X[t] = [ocr_id[c] for c in w]
            if m >= 2:
                B[t] = [pair_id[w[j - 1:j + 1]] for j in range(1, m)]
        Xp = X[pair_tok]
        Ip = INS[Xp]                                    # P × m
        Bp = B[pair_tok] if m >= 2 else None
        P = len(pair_tok)
        prev = np.zeros((P, m + 1))
        prev[:, 1:] = np.cumsum(Ip, axis=1)
        for i in range(n):
            li = Lp[:, i]
            dl = DEL[li]
            cur = np.empty((P, m + 1))
            cur[:, 0] = prev[:, 0] + dl
            base = np.minimum(prev[:, :-1] + SUB[li[:, None], Xp], prev[:, 1:] + dl[:, None])
            if m >= 2 and PAIR is not None:
                base[:, 1:] = np.minimum(base[:, 1:], prev[:, :-2] + PAIR[li[:, None], Bp])
            for j in range(1, m + 1):
                cur[:, j] = np.minimum(base[:, j - 1], cur[:, j - 1] + Ip[:, j - 1])
            prev = cur
        return prev[:, m]

    def with_costs(self, costs: ChannelCosts) -> CandidateIndex:
        """The same inventory with other costs (the arrays are shared, the caches are not)."""
        new = object.__new__(CandidateIndex)
        new.__dict__.update(self.__dict__)
        new.costs = costs
        new.del_vec = np.array([costs.delete(c) for c in self.letters] + [0.0])
        new._ocr_id, new._sub_cols, new._ins, new._pair_id, new._pair_cols = {}, [], [], {}, []
        new._cache = {}
        new._tables_size = None
        new._base_size = None
        return new

    def learn(self, pairs: Iterable[tuple[str, str]], prior: float = 2.0) -> ChannelCosts:
        """Re-estimate substitution costs from (restored syllable, OCR token) pairs.

        Each pair is aligned with the current costs; the counts of (true letter → glyph) give
        -log P(glyph | letter), blended with the current cost by `prior` pseudo-counts.
        """
        counts: Counter = Counter()
        totals: Counter = Counter()
        for (true, ocr), n in Counter((t, o.lower()) for t, o in pairs).items():
            for t, x in _align(self.costs, true, ocr):
                counts[(t, x)] += n
                totals[t] += n
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

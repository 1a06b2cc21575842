"""A syllable n-gram language model (Witten–Bell interpolation), small enough to build in seconds.

Why Witten–Bell: the evidence is a few hundred thousand syllables from mixed sources (running
text, a word list, the corpus being restored); Witten–Bell needs no held-out data to set its
discounts and backs off in proportion to how many different words follow a context, which suits
syllables ("hành" is followed by many, "nghĩa" by few).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from knowledge.restore.package_data import NUM, PUNCT

BOS = "<s>"


class LanguageModel:
    """Counts of syllable unigrams, bigrams and trigrams, and the smoothed log-probabilities."""

    def __init__(self, vocabulary_size: int = 8000) -> None:
        self.uni: dict[str, float] = defaultdict(float)
        self.bi: dict[tuple[str, str], float] = defaultdict(float)
        self.tri: dict[tuple[str, str, str], float] = defaultdict(float)
        self.total = 0.0
        self.vocabulary_size = vocabulary_size
        self._bi_ctx: dict[str, tuple[float, int]] = {}
        self._tri_ctx: dict[tuple[str, str], tuple[float, int]] = {}
        self._cache2: dict[tuple[str, str], float] = {}
        self._cache3: dict[tuple[str, str, str], float] = {}

    def add_sentence(self, syllables: list[str], weight: float = 1.0, order: int = 3) -> None:
        """Count one sentence (BOS-padded); `order` 2 for word lists, whose pairs are not text."""
        seq = [BOS, BOS] + syllables
        for i in range(2, len(seq)):
            w = seq[i]
            self.uni[w] += weight
            self.total += weight
            self.bi[(seq[i - 1], w)] += weight
            if order >= 3:
                self.tri[(seq[i - 2], seq[i - 1], w)] += weight

    def add_unigrams(self, counts: dict[str, float]) -> None:
        for w, c in counts.items():
            self.uni[w] += c
            self.total += c

    def add_pairs(self, words: Iterable[list[str]], weight: float = 1.0) -> None:
        """Pairs inside dictionary words: bigram evidence without sentence boundaries."""
        for syls in words:
            for a, b in zip(syls, syls[1:]):
                self.bi[(a, b)] += weight

    def freeze(self) -> None:
        """Precompute context totals and distinct-follower counts (call after the last add)."""
        bi_ctx: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        for (u, _w), c in self.bi.items():
            e = bi_ctx[u]
            e[0] += c
            e[1] += 1
        self._bi_ctx = {u: (c, n) for u, (c, n) in bi_ctx.items()}
        tri_ctx: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
        for (t, u, _w), c in self.tri.items():
            e = tri_ctx[(t, u)]
            e[0] += c
            e[1] += 1
        self._tri_ctx = {k: (c, n) for k, (c, n) in tri_ctx.items()}
        self._cache2.clear()
        self._cache3.clear()
        self.uni = dict(self.uni)
        self.bi = dict(self.bi)
        self.tri = dict(self.tri)
        self._arrays()

    def _arrays(self) -> None:
        """The bigram model as sorted integer keys, for scoring many pairs in one numpy call."""
        words = set(self.uni)
        for u, w in self.bi:
            words.add(u)
            words.add(w)
        self.vid = {w: i for i, w in enumerate(sorted(words))}
        V = self.V = len(self.vid) + 1  # the last id is every word the model has not seen
        vid = self.vid
        self.uni_arr = np.zeros(V)
        for w, c in self.uni.items():
            self.uni_arr[vid[w]] = c
        keys = np.fromiter((vid[u] * V + vid[w] for u, w in self.bi), dtype=np.int64, count=len(self.bi))
        counts = np.fromiter(self.bi.values(), dtype=np.float64, count=len(self.bi))
        order = np.argsort(keys)
        self.bi_keys, self.bi_counts = keys[order], counts[order]
        self.ctx_c = np.zeros(V)
        self.ctx_n = np.zeros(V)
        for u, (c, n) in self._bi_ctx.items():
            self.ctx_c[vid[u]] = c
            self.ctx_n[vid[u]] = n

    def ids(self, words: list[str]) -> np.ndarray:
        unk = self.V - 1
        return np.fromiter((self.vid.get(w, unk) for w in words), dtype=np.int64, count=len(words))

    def pair_costs(self, u: np.ndarray, w: np.ndarray) -> np.ndarray:
        """-log P(w | u) for arrays of word ids (the same numbers `cost2` gives, vectorised)."""
        keys = u * self.V + w
        pos = np.searchsorted(self.bi_keys, keys)
        pos = np.minimum(pos, len(self.bi_keys) - 1)
        c_uw = np.where(self.bi_keys[pos] == keys, self.bi_counts[pos], 0.0)
        pw = (self.uni_arr[w] + 0.1) / (self.total + 0.1 * self.vocabulary_size)
        cu, nu = self.ctx_c[u], self.ctx_n[u]
        p = np.where(nu > 0, (c_uw + nu * pw) / np.maximum(cu + nu, 1e-12), pw)
        return -np.log(p)

    def copy_with(self, sentences: Iterable[list[str]], weight: float) -> LanguageModel:
        """A new model: these counts plus `sentences` (self-training on decoded text)."""
        lm = LanguageModel(self.vocabulary_size)
        lm.uni = defaultdict(float, self.uni)
        lm.bi = defaultdict(float, self.bi)
        lm.tri = defaultdict(float, self.tri)
        lm.total = self.total
        for s in sentences:
            lm.add_sentence(s, weight)
        lm.freeze()
        return lm

    def p_uni(self, w: str) -> float:
        return (self.uni.get(w, 0.0) + 0.1) / (self.total + 0.1 * self.vocabulary_size)

    def p_bi(self, u: str, w: str) -> float:
        ctx = self._bi_ctx.get(u)
        pu = self.p_uni(w)
        if ctx is None:
            return pu
        c, n = ctx
        return (self.bi.get((u, w), 0.0) + n * pu) / (c + n)

    def cost2(self, u: str, w: str) -> float:
        """-log P(w | u)."""
        key = (u, w)
        v = self._cache2.get(key)
        if v is None:
            v = -math.log(self.p_bi(u, w))
            self._cache2[key] = v
        return v

    def cost3(self, t: str, u: str, w: str) -> float:
        """-log P(w | t u), interpolated down to the unigram."""
        key = (t, u, w)
        v = self._cache3.get(key)
        if v is None:
            pb = self.p_bi(u, w)
            ctx = self._tri_ctx.get((t, u))
            if ctx is None:
                p = pb
            else:
                c, n = ctx
                p = (self.tri.get(key, 0.0) + n * pb) / (c + n)
            v = -math.log(p)
            self._cache3[key] = v
        return v


def is_symbol(token: str) -> bool:
    return token in (NUM, PUNCT, BOS)

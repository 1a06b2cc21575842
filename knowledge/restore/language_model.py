"""A syllable bigram language model (interpolated absolute discounting), stored as numpy arrays.

Why absolute discounting: the evidence is a few hundred thousand syllables from mixed sources
(running text, a word list, place names, the corpus being restored). Witten–Bell was tried first:
in a context seen 9 times with 7 different followers it gave one follower seen once P ≈ 0.06
("vài cải" beat "với cải"); subtracting 0.75 from every count leaves rare pairs their due
(gold slices: 0.958 → 0.960 alone, 0.958 → 0.964 with the corpus).

Why arrays: the decoder asks for the cost of hundreds of thousands of (previous, next) pairs at a
time, and self-training adds a document's own text to the model for a second pass; both are a few
numpy calls on sorted integer keys (bigram key = previous id · V + next id), not Python loops.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

BOS = "<s>"
UNI_ADD = 0.1  # add-k smoothing of the unigram floor
DISCOUNT = 0.75  # interpolated absolute discounting (the textbook 0.75); 0: Witten–Bell


class LanguageModel:
    """Counts of syllable unigrams and bigrams, and the smoothed costs -log P(w | u)."""

    def __init__(self, vocabulary_size: int = 8000) -> None:
        self.vocabulary_size = vocabulary_size
        self._uni: dict[str, float] = defaultdict(float)
        self._bi: dict[tuple[str, str], float] = defaultdict(float)
        self.total = 0.0
        self.vid: dict[str, int] = {}
        self.V = 1

    # -- counting (building only) ------------------------------------------------------------
    def add_sentence(self, syllables: list[str], weight: float = 1.0) -> None:
        prev = BOS
        for w in syllables:
            self._uni[w] += weight
            self.total += weight
            self._bi[(prev, w)] += weight
            prev = w

    def add_unigrams(self, counts: dict[str, float]) -> None:
        for w, c in counts.items():
            self._uni[w] += c
            self.total += c

    def add_pairs(self, words: Iterable[list[str]], weight: float = 1.0) -> None:
        """Pairs inside dictionary words: bigram evidence without sentence boundaries."""
        for syls in words:
            for a, b in zip(syls, syls[1:]):
                self._bi[(a, b)] += weight

    def add_counts(self, unigrams: dict[str, float], bigrams: dict[tuple[str, str], float],
                   weight: float = 1.0) -> None:
        """Counted running text (package data stores counts, not sentences)."""
        for w, c in unigrams.items():
            self._uni[w] += weight * c
            self.total += weight * c
        for pair, c in bigrams.items():
            self._bi[pair] += weight * c

    def freeze(self, vocabulary: Iterable[str] = ()) -> None:
        """Turn the counts into arrays; `vocabulary` adds words with no count yet (candidates)."""
        words = set(self._uni) | set(vocabulary) | {BOS}
        for u, w in self._bi:
            words.add(u)
            words.add(w)
        self.vid = {w: i for i, w in enumerate(sorted(words))}
        V = self.V = len(self.vid) + 1  # the last id is every word the model has not seen
        vid = self.vid
        self.uni_arr = np.zeros(V)
        for w, c in self._uni.items():
            self.uni_arr[vid[w]] = c
        keys = np.fromiter((vid[u] * V + vid[w] for u, w in self._bi), dtype=np.int64, count=len(self._bi))
        counts = np.fromiter(self._bi.values(), dtype=np.float64, count=len(self._bi))
        order = np.argsort(keys)
        self.bi_keys, self.bi_counts = keys[order], counts[order]
        self.ctx_c = np.bincount(self.bi_keys // V, weights=self.bi_counts, minlength=V).astype(np.float64)
        self.ctx_n = np.bincount(self.bi_keys // V, minlength=V).astype(np.float64)
        self._uni, self._bi = defaultdict(float), defaultdict(float)

    # -- adding text to a frozen model ---------------------------------------------------------
    def copy_with(self, sentences: Iterable[list[str]], weight: float) -> LanguageModel:
        """A new model: these counts plus `sentences` (self-training, corpus evidence)."""
        V = self.V
        ids: list[int] = []
        bos, unk = self.vid[BOS], V - 1
        for s in sentences:
            ids.append(bos)
            ids.extend(self.vid.get(w, unk) for w in s)
        lm = object.__new__(LanguageModel)
        lm.__dict__.update(self.__dict__)
        if not ids:
            return lm
        seq = np.array(ids, dtype=np.int64)
        prev, cur = seq[:-1], seq[1:]
        keep = cur != bos  # a pair that ends on BOS crosses two sentences
        words = seq[seq != bos]
        lm.uni_arr = self.uni_arr + weight * np.bincount(words, minlength=V)
        lm.total = self.total + weight * len(words)
        dkeys, dcounts = np.unique(prev[keep] * V + cur[keep], return_counts=True)
        new = ~np.isin(dkeys, self.bi_keys, assume_unique=True)
        all_keys = np.concatenate([self.bi_keys, dkeys[new]])
        order = np.argsort(all_keys, kind="stable")
        counts = np.concatenate([self.bi_counts, np.zeros(int(new.sum()))])
        pos = np.searchsorted(all_keys[order], dkeys)
        lm.bi_keys = all_keys[order]
        lm.bi_counts = counts[order]
        lm.bi_counts[pos] += weight * dcounts
        lm.ctx_c = self.ctx_c + np.bincount(dkeys // V, weights=weight * dcounts, minlength=V)
        lm.ctx_n = self.ctx_n + np.bincount(dkeys[new] // V, minlength=V)
        return lm

    # -- scoring ------------------------------------------------------------------------------
    def ids(self, words: list[str]) -> np.ndarray:
        unk = self.V - 1
        return np.fromiter((self.vid.get(w, unk) for w in words), dtype=np.int64, count=len(words))

    def pair_costs(self, u: np.ndarray, w: np.ndarray) -> np.ndarray:
        """-log P(w | u) for arrays of word ids."""
        keys = u * self.V + w
        pos = np.searchsorted(self.bi_keys, keys)
        pos = np.minimum(pos, len(self.bi_keys) - 1)
        c_uw = np.where(self.bi_keys[pos] == keys, self.bi_counts[pos], 0.0)
        pw = (self.uni_arr[w] + UNI_ADD) / (self.total + UNI_ADD * self.vocabulary_size)
        cu, nu = self.ctx_c[u], self.ctx_n[u]
        if DISCOUNT > 0:  # interpolated absolute discounting
            safe = np.maximum(cu, 1e-12)
            p = np.where(cu > 0, np.maximum(c_uw - DISCOUNT, 0.0) / safe + DISCOUNT * nu / safe * pw, pw)
        else:  # Witten–Bell
            p = np.where(nu > 0, (c_uw + nu * pw) / np.maximum(cu + nu, 1e-12), pw)
        return -np.log(np.maximum(p, 1e-300))

    def cost2(self, u: str, w: str) -> float:
        """-log P(w | u) for one pair (diagnostics and tests; the decoder uses `pair_costs`)."""
        return float(self.pair_costs(self.ids([u]), self.ids([w]))[0])

    def count(self, w: str) -> float:
        i = self.vid.get(w)
        return float(self.uni_arr[i]) if i is not None else 0.0

    def unigram_counts(self) -> dict[str, float]:
        return {w: float(self.uni_arr[i]) for w, i in self.vid.items() if self.uni_arr[i] > 0}

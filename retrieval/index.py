"""Ranking engines behind one small interface, so the engine can be replaced without touching
the rest of retrieval.

`TermIndex.search(weighted_terms, k)` returns (row, score) pairs, best first. Engines:
- `RankBM25Index`: rank-bm25's BM25Okapi, which scores every passage in Python (linear in corpus size).
- `InvertedBM25Index` (retrieval/inverted_index.py): postings per term, scores only passages that
  hold a query term.
Both use the same BM25 parameters and IDF, so they rank identically.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

K1 = 1.2
B = 0.75


class TermIndex(Protocol):
    """What retrieval needs from a ranking engine."""

    name: str
    size: int

    def search(self, weighted_terms: dict[str, float], k: int) -> list[tuple[int, float]]: ...

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray: ...

    def idf(self, term: str) -> float: ...

    def df(self, term: str) -> int: ...


def okapi_idf(n_docs: int, df_by_term: dict[str, int], epsilon: float = 0.25) -> dict[str, float]:
    """rank-bm25's BM25Okapi IDF: log((N - df + 0.5) / (df + 0.5)), negatives floored at
    epsilon × the average IDF. Shared so every engine ranks identically."""
    idf: dict[str, float] = {}
    negative: list[str] = []
    total = 0.0
    for term, df in df_by_term.items():
        value = math.log(n_docs - df + 0.5) - math.log(df + 0.5)
        idf[term] = value
        total += value
        if value < 0:
            negative.append(term)
    floor = epsilon * total / max(len(idf), 1)
    for term in negative:
        idf[term] = floor
    return idf


def unseen_idf(n_docs: int) -> float:
    """The IDF a term would have if no passage held it: used to weigh what a question asks that the
    knowledge base never mentions (the signal for declining)."""
    return math.log(n_docs + 0.5) - math.log(0.5)


class RankBM25Index:
    """rank-bm25 (BM25Okapi) behind the `TermIndex` interface.

    rank-bm25 takes a token list per query; weighted terms (a phrase counts more than a syllable)
    are scored one term at a time with `get_scores([term])` and summed with their weights, which is
    exactly BM25's per-term sum.
    """

    name = "rank-bm25"

    def __init__(self, docs: Sequence[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        self.size = len(docs)
        self._bm25 = BM25Okapi([list(d) or ["\u0000"] for d in docs], k1=K1, b=B)
        self._df = dict(self._bm25.nd) if hasattr(self._bm25, "nd") else {}
        if not self._df:
            for doc in docs:
                for term in set(doc):
                    self._df[term] = self._df.get(term, 0) + 1

    def df(self, term: str) -> int:
        return self._df.get(term, 0)

    def idf(self, term: str) -> float:
        return self._bm25.idf.get(term, unseen_idf(self.size))

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """Every row's score (Σ weight × BM25 of each term, in the terms' order)."""
        scores = np.zeros(self.size)
        for term, weight in weighted_terms.items():
            if term in self._bm25.idf:
                scores += weight * self._bm25.get_scores([term])
        return scores

    def search(self, weighted_terms: dict[str, float], k: int) -> list[tuple[int, float]]:
        return top_k(self.scores(weighted_terms), k)


SAMPLED_TOP_K = 64  # above k × this many scores, the k-th best is bounded from a sample first


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices of the k best positive scores, best first; equal scores in index order.

    Shared by every engine, so they rank identically. `np.argpartition(scores, n - k)` finds the
    k-th best value (≈ 0.2 ms on 100,000 scores, where `np.argpartition(-scores, k)` took ≈ 1.7 ms
    with numpy 2.4: a third of a question at that size); the k best are then everything above it
    plus the first of those equal to it, so ties at the cut do not depend on the selection
    algorithm."""
    n = len(scores)
    if k <= 0 or n == 0:
        return []
    if k * SAMPLED_TOP_K < n:
        # A lower bound of the k-th best from every (n // 16k)-th score: only the scores reaching it
        # (~16k of them) are then partitioned. The same result (they include every score ≥ the true
        # k-th), in 0.15 ms instead of 1.14 ms at 100,000 passages (bench/bench_ask.py questions).
        sample = scores[::n // (k * 16)]
        bound = np.partition(sample, len(sample) - k)[len(sample) - k]
        if bound > 0:
            at = np.flatnonzero(scores >= bound)
            return [(int(at[i]), value) for i, value in _top_k_exact(scores[at], k)]
    return _top_k_exact(scores, k)


# Up to this many scores a stable sort of them all is the faster exact `top_k` (measured: 7.7 vs
# 13.7 µs at 194 scores, 18 vs 21 µs at 1,000; 66 vs 42 µs at 3,000).
SORTED_TOP_K_MAX = 1024


def _top_k_exact(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """`top_k` by one partition of all the scores, or by sorting them when they are few (a stable
    sort keeps equal scores in index order: the same result)."""
    n = len(scores)
    if n <= SORTED_TOP_K_MAX:
        order = np.argsort(-scores, kind="stable")[:k]
        values = scores[order]
        keep = values > 0
        return list(zip(order[keep].tolist(), values[keep].tolist()))
    if k < n:
        kth = scores[np.argpartition(scores, n - k)[n - k]]
        above = np.flatnonzero(scores > kth)
        top = np.concatenate([above, np.flatnonzero(scores == kth)[:k - len(above)]])
    else:
        top = np.arange(n)
    order = top[np.lexsort((top, -scores[top]))]
    values = scores[order]
    keep = values > 0
    return list(zip(order[keep].tolist(), values[keep].tolist()))

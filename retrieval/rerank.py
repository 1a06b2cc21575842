"""Sentence-level evidence: a passage is as good as its best sentence for the question.

BM25 over whole passages favours short passages and dilutes one exact sentence inside a long list
of targets ("Trên 85% số văn bản ... dưới dạng điện tử" among five "100% ..." items). The best
candidates are therefore re-scored by their best sentence (plus a little of its neighbour), using
the sentence terms stored at build time, and the same scores pick the answer sentence.
"""

from __future__ import annotations

from retrieval.analyzer import bigrams
from retrieval.index import K1, B

AVG_SENTENCE_TERMS = 40.0  # syllables + bigrams of a typical plan sentence


def split_sentence_terms(stored: str) -> list[list[str]]:
    """Stored passage terms ("a b | c d") → per-sentence syllable lists."""
    return [part.split() for part in (stored or "").split("|")]


def sentence_scores(term_idf: dict[str, float], sentences: list[list[str]]) -> list[float]:
    """BM25 of each sentence against the weighted question terms (weight × idf precomputed)."""
    scores = []
    for toks in sentences:
        bag: dict[str, int] = {}
        for t in toks + bigrams(toks):
            bag[t] = bag.get(t, 0) + 1
        norm = K1 * (1 - B + B * (len(toks) * 2 / AVG_SENTENCE_TERMS))
        score = 0.0
        for term, weight in term_idf.items():
            tf = bag.get(term)
            if tf:
                score += weight * tf * (K1 + 1) / (tf + norm)
        scores.append(score)
    return scores


def best_window(scores: list[float]) -> tuple[float, int]:
    """The best sentence score plus 30% of its better neighbour, and the sentence's index."""
    best, best_i = 0.0, 0
    for i, s in enumerate(scores):
        neighbour = max(scores[i - 1] if i > 0 else 0.0, scores[i + 1] if i + 1 < len(scores) else 0.0)
        total = s + 0.3 * neighbour
        if total > best:
            best, best_i = total, i
    return best, best_i

"""Sentence-level evidence: a passage is as good as its best sentence for the question.

BM25 over whole passages favours short passages and dilutes one exact sentence inside a long list
of targets ("Trên 85% số văn bản ... dưới dạng điện tử" among five "100% ..." items). The best
candidates are therefore re-scored by their best sentence (plus a little of its neighbour), using
the sentence terms stored at build time, and the same scores pick the answer sentence.

`SentenceScorer` scores the sentences of all candidates at once with numpy (the re-rank of 30
passages took ≈ 1.4 ms as a Python loop per sentence); `sentence_scores` is the plain definition
it must match bit for bit (tests/test_rerank.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from retrieval.analyzer import bigrams
from retrieval.index import K1, B

AVG_SENTENCE_TERMS = 40.0  # syllables + bigrams of a typical plan sentence
SENTENCE_BREAK = "|"  # separates the sentences of a passage in its stored terms
# Token codes while scoring: ≥ 0 a question syllable, else one of these.
_OTHER, _BREAK, _TEXT_END = -1, -2, -3  # another syllable, a sentence break, a text's end (a break too)
_SHIFT = 3  # codes + _SHIFT ≥ 0: markers index the column tables too (as "no term")
# The pair table is width² long (8 MB at this bound): a "question" of more than ~1,000 distinct
# syllables (a pasted text) is scored by the plain loop instead. Its int32 keys cannot overflow.
_MAX_PAIR_KEYS = 2 ** 20
_END = "\x00end"  # the text's end as a token (texts)
# Stored term ids (retrieval/token_ids.py): vocabulary id + ID_OFFSET, or one of these markers.
ID_UNKNOWN, ID_BREAK, ID_END, ID_OFFSET = 0, 1, 2, 3


def code_table(vocab_size: int) -> np.ndarray:
    """Stored id → token code, for one thread: all "other" but the markers; a question sets its
    syllables' entries, reads, and resets them (one gather instead of a lookup per token)."""
    table = np.full(vocab_size + ID_OFFSET, _OTHER, dtype=np.int32)
    table[ID_BREAK] = _BREAK
    table[ID_END] = _TEXT_END
    return table


def split_sentence_terms(stored: str) -> list[list[str]]:
    """Stored passage terms ("a b | c d") → per-sentence syllable lists."""
    return [part.split() for part in (stored or "").split(SENTENCE_BREAK)]


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


def many_sentence_scores(term_idf: dict[str, float], stored: list[str],
                         suffixes: list[list[str]] | None = None) -> list[list[float]]:
    """`sentence_scores(term_idf, [s + suffix for s in split_sentence_terms(text)])` for each
    stored text: the same floats, computed for all texts at once (see `SentenceScorer`)."""
    return SentenceScorer(term_idf).score_texts(stored, suffixes)


class SentenceScorer:
    """One question's terms, ready to score the sentences of many passages at once.

    Every token becomes a code (the index of a question syllable, else "other", or a break), so term
    frequencies per sentence are two `np.bincount`s: one over syllable codes, one over codes of
    adjacent pairs within a sentence. BM25 is then computed for all (sentence, term) cells with the
    plain loop's operations in its order, and summed term by term in the question's order (a
    sequential cumulative sum), so every float equals `sentence_scores`'s.

    Tokens come either as stored text (`score_texts`) or, faster, as the term ids the build stored
    per passage (`score_ids`, ids of the passage index's vocabulary, -1 between sentences): mapping
    ~4,000 tokens through a dict was most of the re-rank's time."""

    def __init__(self, term_idf: dict[str, float], vocab: Mapping[str, int] | None = None,
                 table: np.ndarray | None = None) -> None:
        """`vocab` and `table` (from `code_table(len(vocab))`, owned by the calling thread) are
        needed only for `score_ids`/`windows_ids`."""
        self.term_idf = term_idf
        self._table = table
        self.exact = True
        split: list[tuple[str, ...]] = []  # each scored term: its syllable, or a pair's two
        code: dict[str, int] = {}
        for term in term_idf:
            parts = tuple(term.split("_"))
            if len(parts) == 2 and not all(parts) or len(parts) > 2:
                # no stored token holds "_": such a term matches nothing; the plain loop stays exact
                self.exact = False
                split.append(())
                continue
            split.append(parts)
            for part in parts:
                code.setdefault(part, len(code))
        self._code = code
        # Each scored term's column (term_idf's order), looked up by token code shifted past the
        # markers: a syllable by its code, an adjacent pair by both codes (-1: not a scored term).
        width = len(code) + _SHIFT
        if width * width >= _MAX_PAIR_KEYS:  # a text pasted as a question: the plain loop scores it
            self.exact = False
            split, code, width = [], {}, _SHIFT
        self._width = width
        self._syllable_column = np.full(width, -1, dtype=np.int64)
        self._pair_column = np.full(width * width, -1, dtype=np.int64)
        weights = []
        for parts, weight in zip(split, term_idf.values()):
            if len(parts) == 1:
                self._syllable_column[code[parts[0]] + _SHIFT] = len(weights)
            elif parts:
                self._pair_column[(code[parts[0]] + _SHIFT) * width + code[parts[1]] + _SHIFT] = len(weights)
            else:
                continue
            weights.append(weight)
        self._weights = np.array(weights, dtype=np.float64)
        self._positive = all(w > 0 for w in weights)
        if vocab is not None:
            known = [(vocab[s] + ID_OFFSET, c) for s, c in code.items() if s in vocab]
            self._ids = np.array([i for i, _ in known], dtype=np.int64)
            self._id_codes = np.array([c for _, c in known], dtype=np.int32)

    def score_texts(self, stored: list[str], suffixes: list[list[str]] | None = None) -> list[list[float]]:
        """Per text, per sentence: the score of the sentence's terms plus its suffix's."""
        if not self.exact:
            return [sentence_scores(self.term_idf, [s + (suffixes[i] if suffixes else []) for s in
                                                    split_sentence_terms(text)]) for i, text in enumerate(stored)]
        return _split(*self._flat_texts(stored, suffixes))

    def score_ids(self, arrays: list[np.ndarray], suffixes: list[np.ndarray] | None = None) -> list[list[float]]:
        """`score_texts` for passages given as stored term ids (needs the `vocab` they index)."""
        return _split(*self._flat_ids(arrays, suffixes))

    def windows_texts(self, stored: list[str]) -> list[tuple[float, int]]:
        """`best_window` of each text's sentence scores."""
        if not self.exact:
            return [best_window(scores) for scores in self.score_texts(stored)]
        return best_windows(*self._flat_texts(stored, None))

    def windows_ids(self, arrays: list[np.ndarray]) -> list[tuple[float, int]]:
        return best_windows(*self._flat_ids(arrays, None))

    def _flat_texts(self, stored: list[str], suffixes: list[list[str]] | None) -> tuple[np.ndarray, np.ndarray]:
        tokens: list[str] = []
        for i, text in enumerate(stored):
            text = (text or "").replace(SENTENCE_BREAK, f" {SENTENCE_BREAK} ")
            if suffixes and suffixes[i]:
                tail = " " + " ".join(suffixes[i]) + " "
                text = f"{tail}{SENTENCE_BREAK}".join(text.split(SENTENCE_BREAK)) + tail
            tokens.extend(text.split())
            tokens.append(_END)  # texts end with a break: pairs never span two texts
        get = {**self._code, SENTENCE_BREAK: _BREAK, _END: _TEXT_END}.get
        codes = np.fromiter((get(t, _OTHER) for t in tokens), dtype=np.int64, count=len(tokens))
        return self._flat(codes)

    def _flat_ids(self, arrays: list[np.ndarray], suffixes: list[np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
        """Stored ids (each array ends with ID_END) → token codes, through the thread's table."""
        if not self.exact or self._table is None:
            raise ValueError("this question needs the plain scorer (score_texts)")
        if suffixes is not None:
            arrays = [with_suffix(ids, suffix) if len(suffix) else ids for ids, suffix in zip(arrays, suffixes)]
        ids = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
        table = self._table
        table[self._ids] = self._id_codes
        try:
            codes = table[ids]
        finally:
            table[self._ids] = _OTHER
        return self._flat(codes)

    def _flat(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All sentences' scores in one array, and each text's sentence count.

        One `np.bincount` counts every (sentence, term) cell: syllables by their own code, pairs by
        the codes of both tokens (a pair across a break holds a marker, so no scored term). A small
        re-rank is mostly numpy calls' overhead, so the count of calls is what this keeps low."""
        is_break = codes <= _BREAK  # a sentence break or a text's end
        sentence = is_break.cumsum()
        sentence -= is_break  # the sentence each token belongs to
        ends = sentence[codes == _TEXT_END].tolist()  # each text's last sentence
        counts = np.array([end - before for end, before in zip(ends, [-1] + ends[:-1])], dtype=np.int64)
        n_sent = len(is_break) and int(sentence[-1]) + 1
        n_terms = len(self._weights)
        if not n_terms or not n_sent:
            return np.zeros(n_sent), counts
        lengths = np.bincount(sentence[~is_break], minlength=n_sent)
        # no sentence is longer than the tokens: the table holds its norm, else the formula
        norm = _NORMS[lengths] if len(codes) < len(_NORMS) else _norm(lengths)
        shifted = codes + _SHIFT  # int32 ids' codes stay int32: pair keys < width² fit
        column = np.concatenate((self._syllable_column[shifted],
                                 self._pair_column[shifted[:-1] * self._width + shifted[1:]]))
        at = np.concatenate((sentence, sentence[:-1]))
        hit = column >= 0
        tf = np.bincount(at[hit] * n_terms + column[hit], minlength=n_sent * n_terms)
        tf = tf.reshape(n_sent, n_terms).astype(np.float64)
        # weight · tf · (k1 + 1) / (tf + norm): the plain loop's operations, in its order; 0 where
        # tf = 0 (with positive weights the formula gives +0.0 there itself)
        cells = self._weights * tf * (K1 + 1) / (tf + norm[:, None])
        if not self._positive:
            cells = np.where(tf > 0, cells, 0.0)
        return cells.cumsum(axis=1)[:, -1], counts


def _norm(lengths: np.ndarray) -> np.ndarray:
    """BM25's length normalisation of sentences of `lengths` syllables (pairs count as many again)."""
    return K1 * (1 - B + B * (lengths * 2 / AVG_SENTENCE_TERMS))


_NORMS = _norm(np.arange(4096))  # the same floats, looked up: five array operations fewer a call


def with_suffix(ids: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """Stored ids with `suffix` inserted before each sentence break and the end marker (as `np.insert`
    at every break would, in a third of its calls): an id moves right by one suffix per break up
    to and including it; suffix k starts where break k was, plus k suffixes."""
    width = len(suffix)
    breaks = ids <= ID_END
    shift = breaks.cumsum() * width
    out = np.empty(len(ids) + (int(shift[-1]) if len(ids) else 0), dtype=np.result_type(ids, suffix))
    out[np.arange(len(ids)) + shift] = ids
    starts = np.flatnonzero(breaks)
    starts += np.arange(len(starts)) * width
    out[starts[:, None] + np.arange(width)] = suffix
    return out


def _split(scores: np.ndarray, counts: np.ndarray) -> list[list[float]]:
    flat = scores.tolist()
    out, start = [], 0
    for n in counts.tolist():
        out.append(flat[start:start + n])
        start += n
    return out


def best_windows(scores: np.ndarray, counts: np.ndarray) -> list[tuple[float, int]]:
    """`best_window` of every text at once (its sentences are `counts[i]` ≥ 1 consecutive scores):
    the same floats (s + 0.3 × the better neighbour inside the text) and the same first-best index."""
    n = len(scores)
    if not n:
        return []
    starts = counts.cumsum() - counts
    ends = starts + counts - 1
    left = np.zeros(n)
    left[1:] = scores[:-1]
    left[starts] = 0.0
    right = np.zeros(n)
    right[:-1] = scores[1:]
    right[ends] = 0.0
    totals = scores + 0.3 * np.maximum(left, right)
    best = np.maximum.reduceat(totals, starts)
    position = np.arange(n) - starts.repeat(counts)
    # the first sentence reaching its text's best, as the loop's strict ">" keeps the first
    first = np.minimum.reduceat(np.where(totals == best.repeat(counts), position, n), starts)
    return [(b, i) if b > 0.0 else (0.0, 0) for b, i in zip(best.tolist(), first.tolist())]


def best_window(scores: list[float]) -> tuple[float, int]:
    """The best sentence score plus 30% of its better neighbour, and the sentence's index."""
    best, best_i = 0.0, 0
    for i, s in enumerate(scores):
        neighbour = max(scores[i - 1] if i > 0 else 0.0, scores[i + 1] if i + 1 < len(scores) else 0.0)
        total = s + 0.3 * neighbour
        if total > best:
            best, best_i = total, i
    return best, best_i

"""BM25 over postings: a query costs what its terms' postings cost, not what the corpus costs.

rank-bm25 scores every passage for every query term in Python (≈ 100 ms a question at 100,000
passages). This index keeps, per term, the passages that hold it (numpy int32) and each posting's
finished BM25 term score `idf × tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))` (float64), so a
question is one gather-multiply-add per term into a dense score vector and the same `top_k`.

Scores are bit-identical to `RankBM25Index` (tests/test_inverted_index.py): the IDF is rank-bm25's
(same epsilon floor, averaged in the same term order), every per-posting value is computed with
the same float64 operations in the same order, a passage's contributions are added term by term in
the question's term order starting from 0.0, and ranking uses the same `top_k`. Empty passages are
indexed as rank-bm25 sees them (one "\\u0000" token), so even the averages agree.

Starting a bot on a 100,000-passage DB must not re-read and re-count ~17 million stored terms
(≈ 6 s in Python), so the build stores the finished index in the knowledge DB (`store`), in chunks,
and `load` maps it back with a fingerprint check: when the code that turns stored rows into index
terms has changed since the build, `load` returns None and the engine rebuilds the index from rows.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from retrieval.index import K1, B, top_k, unseen_idf

EPSILON = 0.25  # rank-bm25's BM25Okapi default: negative IDFs floored at EPSILON × average IDF
EMPTY = "\u0000"  # the token RankBM25Index gives an empty passage
FORMAT_VERSION = "1"
TABLE = "inverted_index"
CHUNK_BYTES = 8 << 20  # blobs are stored in parts so loading never holds two copies of an array


class _Builder:
    """Accumulates documents as compact int32 chunks (no per-posting Python objects kept)."""

    FLUSH = 1 << 20

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._ids: list[int] = []
        self._tfs: list[int] = []
        self._id_chunks: list[np.ndarray] = []
        self._tf_chunks: list[np.ndarray] = []
        self.doc_len = array("q")
        self.unique = array("q")
        self.real_df: Counter = Counter()  # df as RankBM25Index reports it (EMPTY not counted)

    def add(self, doc: Sequence[str]) -> None:
        if not doc:
            doc = [EMPTY]
            self.real_df[EMPTY] -= 1
        counts = Counter(doc)  # insertion order = first occurrence, as rank-bm25's nd dict
        vocab = self.vocab
        new = [t for t in counts if t not in vocab]
        if new:  # new terms numbered in first-occurrence order: term ids follow rank-bm25's nd order
            vocab.update(zip(new, range(len(vocab), len(vocab) + len(new))))
        self._ids.extend(map(vocab.__getitem__, counts))
        self._tfs.extend(counts.values())
        self.doc_len.append(len(doc))
        self.unique.append(len(counts))
        if len(self._ids) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        self._id_chunks.append(np.array(self._ids, dtype=np.int32))
        self._tf_chunks.append(np.array(self._tfs, dtype=np.int32))
        self._ids, self._tfs = [], []

    def finish(self, block: int = 1 << 20) -> dict:
        """Postings grouped by term (passages ascending), built block by block so the temporaries
        of a 100,000-passage build stay a few tens of MB beyond the final arrays."""
        self._flush()
        n_docs = len(self.doc_len)
        n_terms = len(self.vocab)
        term_ids = np.concatenate(self._id_chunks)
        tfs = np.concatenate(self._tf_chunks)
        self._id_chunks, self._tf_chunks = [], []
        doc_len = np.frombuffer(self.doc_len, dtype=np.int64) if n_docs else np.zeros(0, np.int64)
        unique = np.frombuffer(self.unique, dtype=np.int64) if n_docs else np.zeros(0, np.int64)
        df = np.bincount(term_ids, minlength=n_terms).astype(np.int64)
        idf = okapi_idf_array(n_docs, df)
        avgdl = int(doc_len.sum()) / n_docs if n_docs else 1.0
        # The same expression, operand for operand, as BM25Okapi.get_scores.
        norm = K1 * (1 - B + B * doc_len / avgdl)
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        fill = offsets[:-1].copy()  # next free slot of each term's postings
        docs = np.empty(len(term_ids), dtype=np.int32)
        weights = np.empty(len(term_ids), dtype=np.float64)
        doc_start = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(unique, out=doc_start[1:])
        d0 = 0
        while d0 < n_docs:  # whole documents per block, so each term's passages stay in order
            d1 = int(np.searchsorted(doc_start, doc_start[d0] + block, side="right")) - 1
            d1 = min(max(d1, d0 + 1), n_docs)
            p0, p1 = int(doc_start[d0]), int(doc_start[d1])
            order = np.argsort(term_ids[p0:p1], kind="stable")
            tid = term_ids[p0:p1][order]
            tf = tfs[p0:p1][order]
            doc = np.repeat(np.arange(d0, d1, dtype=np.int32), unique[d0:d1])[order]
            # idf × (tf·(k1+1) / (tf + norm)), as rank-bm25 computes it (× and + commute exactly).
            w = idf[tid] * (tf * (K1 + 1) / (tf + norm[doc]))
            counts = np.bincount(tid, minlength=n_terms)
            first = np.cumsum(counts) - counts
            pos = fill[tid] + (np.arange(p1 - p0) - first[tid])
            docs[pos] = doc
            weights[pos] = w
            fill += counts
            d0 = d1
        terms = list(self.vocab)
        fix = {t: int(df[self.vocab[t]]) + c for t, c in self.real_df.items()}
        return {"terms": terms, "offsets": offsets, "docs": docs, "weights": weights, "idf": idf,
                "size": n_docs, "df_fix": fix}


def okapi_idf_array(n_docs: int, df: np.ndarray) -> np.ndarray:
    """`retrieval.index.okapi_idf` over a df array in term order, with math.log like rank-bm25
    (numpy's log may differ in the last bit) and the average summed left to right like its loop."""
    if len(df) == 0:
        return np.zeros(0)
    values, inverse = np.unique(df, return_inverse=True)
    raw = np.array([math.log(n_docs - int(d) + 0.5) - math.log(int(d) + 0.5) for d in values])[inverse]
    average = float(np.cumsum(raw)[-1]) / len(raw)  # sequential sum, as `idf_sum += idf`
    return np.where(raw < 0, EPSILON * average, raw)


class InvertedBM25Index:
    """Postings-based BM25Okapi behind the `TermIndex` interface (see the module docstring)."""

    name = "inverted"

    def __init__(self, docs: Iterable[Sequence[str]]) -> None:
        builder = _Builder()
        for doc in docs:
            builder.add(doc)
        self._set(builder.finish())

    def _set(self, parts: dict) -> None:
        terms = parts["terms"]
        self._terms = terms
        self._vocab = dict(zip(terms, range(len(terms))))
        self._offsets = parts["offsets"]
        self._docs = parts["docs"]
        self._weights = parts["weights"]
        self._idf = parts["idf"]
        self._df_fix: dict[str, int] = dict(parts.get("df_fix") or {})
        self.size = int(parts["size"])
        self.from_storage = bool(parts.get("from_storage"))  # loaded from a knowledge DB, not counted

    @classmethod
    def _from_parts(cls, parts: dict) -> InvertedBM25Index:
        index = cls.__new__(cls)
        index._set(parts)
        return index

    # -- TermIndex ----------------------------------------------------------------------------------
    def df(self, term: str) -> int:
        fixed = self._df_fix.get(term)
        if fixed is not None:
            return fixed
        tid = self._vocab.get(term)
        return 0 if tid is None else int(self._offsets[tid + 1] - self._offsets[tid])

    def idf(self, term: str) -> float:
        tid = self._vocab.get(term)
        return float(self._idf[tid]) if tid is not None else unseen_idf(self.size)

    def search(self, weighted_terms: dict[str, float], k: int) -> list[tuple[int, float]]:
        """Same result as RankBM25Index.search: Σ weight × term score, in the terms' order.

        The postings of all query terms are gathered at once and summed by `np.bincount`, which
        adds its inputs one by one in order: each passage gets 0.0 + w₁s₁ + w₂s₂ + … exactly as
        rank-bm25's `scores += weight * get_scores([term])` loop (terms it lacks add 0.0)."""
        vocab = self._vocab
        tids: list[int] = []
        factors: list[float] = []
        for term, weight in weighted_terms.items():
            tid = vocab.get(term)
            if tid is not None:
                tids.append(tid)
                factors.append(weight)
        if not tids or not self.size:
            return []
        ids = np.array(tids)
        lo = self._offsets[ids]
        lens = self._offsets[ids + 1] - lo
        total = int(lens.sum())
        pos = np.arange(total) + np.repeat(lo - (np.cumsum(lens) - lens), lens)
        values = self._weights[pos] * np.repeat(np.array(factors), lens)
        scores = np.bincount(self._docs[pos], weights=values, minlength=self.size)
        return top_k(scores, k)

    # -- storage in the knowledge DB ----------------------------------------------------------------
    def store(self, conn: sqlite3.Connection, fingerprint: str) -> None:
        """Write this index into `conn` (table inverted_index), replacing any stored one."""
        if any("\n" in t for t in self._terms):
            raise ValueError("index terms must not contain newlines")
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"CREATE TABLE {TABLE} (name TEXT, part INTEGER, data BLOB, PRIMARY KEY (name, part))")
        header = {"version": FORMAT_VERSION, "fingerprint": fingerprint, "size": self.size,
                  "terms": len(self._terms), "postings": len(self._docs), "df_fix": self._df_fix}
        blobs: dict[str, bytes | memoryview] = {
            "header": json.dumps(header).encode(), "terms": "\n".join(self._terms).encode(),
            "offsets": memoryview(np.ascontiguousarray(self._offsets, np.int64)).cast("B"),
            "docs": memoryview(np.ascontiguousarray(self._docs, np.int32)).cast("B"),
            "weights": memoryview(np.ascontiguousarray(self._weights, np.float64)).cast("B"),
            "idf": memoryview(np.ascontiguousarray(self._idf, np.float64)).cast("B"),
        }
        for name, data in blobs.items():
            view = memoryview(data)
            parts = range(0, max(len(view), 1), CHUNK_BYTES)
            conn.executemany(f"INSERT INTO {TABLE} (name, part, data) VALUES (?, ?, ?)",
                             ((name, i, bytes(view[start:start + CHUNK_BYTES])) for i, start in enumerate(parts)))

    @classmethod
    def load(cls, conn: sqlite3.Connection, fingerprint: str) -> InvertedBM25Index | None:
        """The index stored at build time, or None when absent, unreadable or built by other code."""
        try:
            rows = conn.execute(f"SELECT data FROM {TABLE} WHERE name = 'header'").fetchall()
            if not rows:
                return None
            header = json.loads(bytes(rows[0][0]).decode())
            if header.get("version") != FORMAT_VERSION or header.get("fingerprint") != fingerprint:
                return None
            terms_blob = _read_bytes(conn, "terms")
            terms = terms_blob.decode().split("\n") if header["terms"] else []
            parts = {"terms": terms, "size": header["size"], "df_fix": header.get("df_fix") or {}, "from_storage": True,
                     "offsets": _read_array(conn, "offsets", np.int64),
                     "docs": _read_array(conn, "docs", np.int32),
                     "weights": _read_array(conn, "weights", np.float64),
                     "idf": _read_array(conn, "idf", np.float64)}
        except (sqlite3.Error, ValueError, KeyError, UnicodeDecodeError):
            return None
        if (len(terms) != header["terms"] or len(parts["offsets"]) != len(terms) + 1
                or len(parts["docs"]) != header["postings"] or len(parts["weights"]) != header["postings"]
                or len(parts["idf"]) != len(terms)):
            return None
        return cls._from_parts(parts)


def _read_bytes(conn: sqlite3.Connection, name: str) -> bytes:
    return b"".join(bytes(r[0]) for r in conn.execute(
        f"SELECT data FROM {TABLE} WHERE name = ? ORDER BY part", (name,)))


def _read_array(conn: sqlite3.Connection, name: str, dtype: type) -> np.ndarray:
    """Chunks copied straight into one preallocated array (peak = the array + one chunk)."""
    (total,) = conn.execute(f"SELECT COALESCE(SUM(LENGTH(data)), 0) FROM {TABLE} WHERE name = ?",
                            (name,)).fetchone()
    out = np.empty(int(total), dtype=np.uint8)
    pos = 0
    for (data,) in conn.execute(f"SELECT data FROM {TABLE} WHERE name = ? ORDER BY part", (name,)):
        out[pos:pos + len(data)] = np.frombuffer(data, dtype=np.uint8)
        pos += len(data)
    return out.view(dtype)


def code_fingerprint(*parts: Callable | str) -> str:
    """Identifies the code (functions' source, SQL) that turns stored rows into index terms, and the
    BM25 parameters: an index stored by a build is used only by the same code (else the engine
    rebuilds it from rows)."""
    h = hashlib.sha256(f"{FORMAT_VERSION}:{K1}:{B}:{EPSILON}".encode())
    for part in parts:
        h.update((part if isinstance(part, str) else inspect.getsource(part)).encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


def store_passage_index(conn: sqlite3.Connection) -> InvertedBM25Index:
    """Build the passage index from a knowledge DB's stored terms and store it there (build time)."""
    from retrieval.engine import PASSAGE_INDEX_SQL, passage_index_fingerprint, passage_index_terms

    previous = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        index = InvertedBM25Index(passage_index_terms(r) for r in conn.execute(PASSAGE_INDEX_SQL))
    finally:
        conn.row_factory = previous
    index.store(conn, passage_index_fingerprint())
    return index

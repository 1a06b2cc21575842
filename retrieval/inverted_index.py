"""BM25 over postings: a query costs what its terms' postings cost, not what the corpus costs.

rank-bm25 scores every passage for every query term in Python (≈ 100 ms a question at 100,000
passages). This index keeps, per term, the passages that hold it (numpy int32) and each posting's
finished BM25 term score `idf × tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))` (float64), so a
question is one gather-multiply-add per term into a dense score vector and the same top-k.
Terms in at least two thirds of the passages ("cai cach hanh chinh" in a CCHC corpus) are kept as
one dense score vector each instead: smaller than their postings, and one contiguous add.

Scores are bit-identical to `RankBM25Index` (tests/test_inverted_index.py): the IDF is rank-bm25's
(same epsilon floor, averaged in the same term order), every per-posting value is computed with
the same float64 operations in the same order, a passage's contributions are added term by term in
the question's term order starting from 0.0, and ranking is the same `top_k`. Empty passages are
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
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.index import K1, B, top_k, unseen_idf

EPSILON = 0.25  # rank-bm25's BM25Okapi default: negative IDFs floored at EPSILON × average IDF
EMPTY = "\u0000"  # the token RankBM25Index gives an empty passage
FORMAT_VERSION = "2"
# A term in at least this share of passages is stored as a dense vector ... A vector add costs as much
# as ~16,000 postings added one by one (np.add.at, 2.2 ns each); at 100,000 passages the bench
# questions scored in 1.57 ms with 2/3 (18 dense terms), 0.92 ms with 0.3 (86 terms, +69 MB of
# vectors, less the postings they replace), 0.95 with 0.2 (156 terms, +125 MB): the same floats.
DENSE_SHARE = 0.3
DENSE_MIN_DOCS = 2000  # ... in corpora at least this large
SMALL_QUERY = 50_000  # postings below which one vectorised bincount beats a loop over terms
TABLE = "inverted_index"
CHUNK_BYTES = 8 << 20  # blobs are stored in parts so loading never holds two copies of an array


@dataclass
class CountedDocs:
    """Consecutive documents' terms counted where they were analysed (a build worker), with ids of
    their own: `PostingsBuilder.add_counted` renumbers them, so the index equals one built by
    `add`-ing the same documents one by one."""

    terms: list[str]  # the distinct terms, in order of first occurrence (local id = position)
    ids: np.ndarray  # int32 local term ids, document after document, each in first-occurrence order
    tfs: np.ndarray  # int32 term frequencies, parallel to ids
    doc_len: np.ndarray  # int64 tokens per document
    unique: np.ndarray  # int64 distinct terms per document
    empty: int  # documents that had no terms (indexed as one EMPTY token, as rank-bm25 sees them)


def count_docs(docs: Iterable[Sequence[str]]) -> CountedDocs:
    """The counting half of `PostingsBuilder.add`, for a chunk of documents (picklable result)."""
    local: dict[str, int] = {}
    ids: list[int] = []
    tfs: list[int] = []
    doc_len: list[int] = []
    unique: list[int] = []
    empty = 0
    for doc in docs:
        if not doc:
            doc = [EMPTY]
            empty += 1
        counts = Counter(doc)
        for term in counts:
            if term not in local:
                local[term] = len(local)
        ids.extend(map(local.__getitem__, counts))
        tfs.extend(counts.values())
        doc_len.append(len(doc))
        unique.append(len(counts))
    return CountedDocs(list(local), np.array(ids, dtype=np.int32), np.array(tfs, dtype=np.int32),
                       np.array(doc_len, dtype=np.int64), np.array(unique, dtype=np.int64), empty)


class PostingsBuilder:
    """Accumulates documents as int32 chunks of whole documents (no per-posting Python objects),
    then turns each chunk into its slice of the postings, so a 100,000-passage build needs little
    beyond the final arrays."""

    def __init__(self, chunk: int = 1 << 20) -> None:
        self.chunk = chunk  # postings per chunk
        self.vocab: dict[str, int] = {}
        self._ids: list[int] = []
        self._tfs: list[int] = []
        self._chunks: list[tuple[np.ndarray, np.ndarray, int, int]] = []  # ids, tfs, first doc, end doc
        self._chunk_start = 0
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
        if len(self._ids) >= self.chunk:
            self._flush()

    def add_counted(self, counted: CountedDocs) -> np.ndarray:
        """Append documents counted elsewhere; returns their local → global term id map.

        Chunks come in document order and each lists its new terms in first-occurrence order, so
        terms get the ids `add` would have given them, one document at a time."""
        self._flush()
        vocab = self.vocab
        mapping = np.empty(len(counted.terms), dtype=np.int32)
        for local, term in enumerate(counted.terms):
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
            mapping[local] = tid
        if counted.empty:
            self.real_df[EMPTY] -= counted.empty
        self.doc_len.extend(counted.doc_len.tolist())
        self.unique.extend(counted.unique.tolist())
        if len(counted.ids):
            self._chunks.append((mapping[counted.ids], counted.tfs, self._chunk_start, len(self.doc_len)))
        self._chunk_start = len(self.doc_len)
        return mapping

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What was added so far, not consumed: every document's term ids (each document's in
        first-occurrence order, documents in order), their term frequencies, and how many
        distinct terms each document has (its share of the first two)."""
        self._flush()
        if not self._chunks:
            return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64)
        ids = np.concatenate([c[0] for c in self._chunks])
        tfs = np.concatenate([c[1] for c in self._chunks])
        return ids, tfs, np.frombuffer(self.unique, dtype=np.int64).copy()

    def _flush(self) -> None:
        if self._ids:
            self._chunks.append((np.array(self._ids, dtype=np.int32), np.array(self._tfs, dtype=np.int32),
                                 self._chunk_start, len(self.doc_len)))
            self._chunk_start = len(self.doc_len)
        self._ids, self._tfs = [], []

    def finish(self, dense_share: float = DENSE_SHARE, dense_min_docs: int = DENSE_MIN_DOCS) -> dict:
        """Postings grouped by term, passages ascending within a term; dense vectors for the terms
        in at least `dense_share` of the passages (in corpora of `dense_min_docs` or more)."""
        self._flush()
        n_docs = len(self.doc_len)
        n_terms = len(self.vocab)
        doc_len = np.frombuffer(self.doc_len, dtype=np.int64) if n_docs else np.zeros(0, np.int64)
        unique = np.frombuffer(self.unique, dtype=np.int64) if n_docs else np.zeros(0, np.int64)
        df = np.zeros(n_terms, dtype=np.int64)
        for ids, _, _, _ in self._chunks:
            df += np.bincount(ids, minlength=n_terms)
        idf = okapi_idf_array(n_docs, df)
        avgdl = int(doc_len.sum()) / n_docs if n_docs else 1.0
        # The same expression, operand for operand, as BM25Okapi.get_scores.
        norm = K1 * (1 - B + B * doc_len / avgdl)
        if n_docs >= dense_min_docs:
            dense_ids = np.flatnonzero(df >= dense_share * n_docs)
        else:
            dense_ids = np.zeros(0, np.int64)
        dense_row = np.full(n_terms, -1, dtype=np.int64)
        dense_row[dense_ids] = np.arange(len(dense_ids))
        dense = np.zeros((len(dense_ids), n_docs))
        sparse_df = df.copy()
        sparse_df[dense_ids] = 0
        offsets = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(sparse_df, out=offsets[1:])
        fill = offsets[:-1].copy()  # next free slot of each term's postings
        docs = np.empty(int(offsets[-1]), dtype=np.int32)
        weights = np.empty(int(offsets[-1]), dtype=np.float64)
        chunks, self._chunks = self._chunks, []
        while chunks:  # chunks hold whole documents in order, so each term's passages stay sorted
            ids, tfs, d0, d1 = chunks.pop(0)
            order = np.argsort(ids, kind="stable")
            tid = ids[order]
            tf = tfs[order]
            doc = np.repeat(np.arange(d0, d1, dtype=np.int32), unique[d0:d1])[order]
            del ids, tfs, order
            # idf × (tf·(k1+1) / (tf + norm)), as rank-bm25 computes it (× and + commute exactly).
            w = idf[tid] * (tf * (K1 + 1) / (tf + norm[doc]))
            if len(dense_ids):
                in_dense = dense_row[tid] >= 0
                dense[dense_row[tid[in_dense]], doc[in_dense]] = w[in_dense]
                keep = ~in_dense
                tid, doc, w = tid[keep], doc[keep], w[keep]
            counts = np.bincount(tid, minlength=n_terms)
            first = np.cumsum(counts) - counts
            pos = fill[tid] + (np.arange(len(tid)) - first[tid])
            docs[pos] = doc
            weights[pos] = w
            fill += counts
        terms = list(self.vocab)
        fix = {t: int(df[self.vocab[t]]) + c for t, c in self.real_df.items()}
        return {"terms": terms, "offsets": offsets, "docs": docs, "weights": weights, "idf": idf,
                "df": df, "dense_ids": dense_ids.astype(np.int32), "dense": dense,
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

    small_query = SMALL_QUERY

    def __init__(self, docs: Iterable[Sequence[str]], *, dense_share: float = DENSE_SHARE,
                 dense_min_docs: int = DENSE_MIN_DOCS, small_query: int = SMALL_QUERY,
                 chunk: int = 1 << 20) -> None:
        """The thresholds only choose representations, chunking and code paths (tests force each
        one); the scores do not depend on them."""
        builder = PostingsBuilder(chunk)
        for doc in docs:
            builder.add(doc)
        self._set(builder.finish(dense_share=dense_share, dense_min_docs=dense_min_docs))
        self.small_query = small_query

    @classmethod
    def from_builder(cls, builder: PostingsBuilder) -> InvertedBM25Index:
        """The index of the documents a build fed to `builder` (the default thresholds)."""
        return cls._from_parts(builder.finish())

    def _set(self, parts: dict) -> None:
        terms = parts["terms"]
        self._terms = terms
        self._vocab = dict(zip(terms, range(len(terms))))
        self._offsets = parts["offsets"]
        self._docs = parts["docs"]
        self._weights = parts["weights"]
        self._idf = parts["idf"]
        self._df = parts["df"]
        self._dense_ids = parts["dense_ids"]
        self._dense = parts["dense"].reshape(len(self._dense_ids), int(parts["size"]))
        self._dense_row = {int(t): i for i, t in enumerate(self._dense_ids)}
        self._df_fix: dict[str, int] = dict(parts.get("df_fix") or {})
        self._local = threading.local()  # per thread: a buffer of one score per passage
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
        return 0 if tid is None else int(self._df[tid])

    def idf(self, term: str) -> float:
        tid = self._vocab.get(term)
        return float(self._idf[tid]) if tid is not None else unseen_idf(self.size)

    @property
    def vocab(self) -> dict[str, int]:
        """Term → id; the build stores passages' terms as these ids (retrieval/token_ids.py)."""
        return self._vocab

    def search(self, weighted_terms: dict[str, float], k: int) -> list[tuple[int, float]]:
        """Same result as RankBM25Index.search: the k best positive scores, best first."""
        scores = self.scores(weighted_terms)
        return top_k(scores, k) if scores is not None else []

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray | None:
        """Σ weight × term score for every passage, in the terms' order (None: no known term).

        Every passage gets 0.0 + w₁s₁ + w₂s₂ + … with its terms' contributions added one at a time
        in the question's term order, exactly as rank-bm25's `scores += weight * get_scores([term])`
        loop (the terms it lacks add 0.0 there, nothing here; w = 1.0 is not multiplied: same value).
        Small questions: one `np.bincount` over all postings (it adds its inputs in order); large
        ones: `np.add.at` term by term (unbuffered, in order; since numpy 1.25 twice as fast as a
        fancy-indexed `+=`), dense terms as one vector add."""
        vocab = self._vocab
        tids: list[int] = []
        factors: list[float] = []
        for term, weight in weighted_terms.items():
            tid = vocab.get(term)
            if tid is not None:
                tids.append(tid)
                factors.append(weight)
        if not tids or not self.size:
            return None
        offsets, docs, weights = self._offsets, self._docs, self._weights
        ids = np.array(tids)
        lo = offsets[ids]
        lens = offsets[ids + 1] - lo
        total = int(lens.sum())
        dense_row = self._dense_row
        if total <= self.small_query and (not dense_row or dense_row.keys().isdisjoint(tids)):
            pos = np.arange(total) + np.repeat(lo - (np.cumsum(lens) - lens), lens)
            values = weights[pos] * np.repeat(np.array(factors), lens)
            return np.bincount(docs[pos], weights=values, minlength=self.size)
        scores = np.zeros(self.size)
        for tid, weight, start, count in zip(tids, factors, lo.tolist(), lens.tolist()):
            row = dense_row.get(tid)
            if row is not None:
                if weight == 1.0:
                    scores += self._dense[row]
                else:  # weight × the term's scores into a kept buffer: a new array of a score per
                    # passage for every dense term took 4/5 of the adds' time (page faults)
                    scores += np.multiply(self._dense[row], weight, out=self._buffer())
            elif count:
                values = weights[start:start + count]
                np.add.at(scores, docs[start:start + count], values if weight == 1.0 else weight * values)
        return scores

    def _buffer(self) -> np.ndarray:
        """This thread's scratch array of one float per passage (questions run on several threads)."""
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            buffer = self._local.buffer = np.empty(self.size)
        return buffer

    # -- storage in the knowledge DB ----------------------------------------------------------------
    def store(self, conn: sqlite3.Connection, fingerprint: str, table: str = TABLE) -> None:
        """Write this index into `conn` (table `table`), replacing any stored one."""
        if any("\n" in t for t in self._terms):
            raise ValueError("index terms must not contain newlines")
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} (name TEXT, part INTEGER, data BLOB, PRIMARY KEY (name, part))")
        header = {"version": FORMAT_VERSION, "fingerprint": fingerprint, "size": self.size,
                  "terms": len(self._terms), "postings": len(self._docs), "dense": len(self._dense_ids),
                  "df_fix": self._df_fix}
        blobs: dict[str, bytes | memoryview] = {
            "header": json.dumps(header).encode(), "terms": "\n".join(self._terms).encode(),
            "offsets": memoryview(np.ascontiguousarray(self._offsets, np.int64)).cast("B"),
            "docs": memoryview(np.ascontiguousarray(self._docs, np.int32)).cast("B"),
            "weights": memoryview(np.ascontiguousarray(self._weights, np.float64)).cast("B"),
            "idf": memoryview(np.ascontiguousarray(self._idf, np.float64)).cast("B"),
            "df": memoryview(np.ascontiguousarray(self._df, np.int64)).cast("B"),
            "dense_ids": memoryview(np.ascontiguousarray(self._dense_ids, np.int32)).cast("B"),
            "dense": memoryview(np.ascontiguousarray(self._dense, np.float64).reshape(-1)).cast("B"),
        }
        for name, data in blobs.items():
            view = memoryview(data)
            parts = range(0, max(len(view), 1), CHUNK_BYTES)
            conn.executemany(f"INSERT INTO {table} (name, part, data) VALUES (?, ?, ?)",
                             ((name, i, bytes(view[start:start + CHUNK_BYTES])) for i, start in enumerate(parts)))

    @classmethod
    def load(cls, conn: sqlite3.Connection, fingerprint: str, table: str = TABLE) -> InvertedBM25Index | None:
        """The index stored at build time, or None when absent, unreadable or built by other code."""
        try:
            rows = conn.execute(f"SELECT data FROM {table} WHERE name = 'header'").fetchall()
            if not rows:
                return None
            header = json.loads(bytes(rows[0][0]).decode())
            if header.get("version") != FORMAT_VERSION or header.get("fingerprint") != fingerprint:
                return None
            terms_blob = _read_bytes(conn, "terms", table)
            terms = terms_blob.decode().split("\n") if header["terms"] else []
            parts = {"terms": terms, "size": header["size"], "df_fix": header.get("df_fix") or {}, "from_storage": True,
                     "offsets": _read_array(conn, "offsets", np.int64, table),
                     "docs": _read_array(conn, "docs", np.int32, table),
                     "weights": _read_array(conn, "weights", np.float64, table),
                     "idf": _read_array(conn, "idf", np.float64, table),
                     "df": _read_array(conn, "df", np.int64, table),
                     "dense_ids": _read_array(conn, "dense_ids", np.int32, table),
                     "dense": _read_array(conn, "dense", np.float64, table)}
        except (sqlite3.Error, ValueError, KeyError, UnicodeDecodeError):
            return None
        if (len(terms) != header["terms"] or len(parts["offsets"]) != len(terms) + 1
                or len(parts["docs"]) != header["postings"] or len(parts["weights"]) != header["postings"]
                or len(parts["idf"]) != len(terms) or len(parts["df"]) != len(terms)
                or len(parts["dense_ids"]) != header["dense"]
                or len(parts["dense"]) != header["dense"] * header["size"]):
            return None
        return cls._from_parts(parts)


def _read_bytes(conn: sqlite3.Connection, name: str, table: str = TABLE) -> bytes:
    return b"".join(bytes(r[0]) for r in conn.execute(
        f"SELECT data FROM {table} WHERE name = ? ORDER BY part", (name,)))


def _read_array(conn: sqlite3.Connection, name: str, dtype: type, table: str = TABLE) -> np.ndarray:
    """Chunks copied straight into one preallocated array (peak = the array + one chunk)."""
    (total,) = conn.execute(f"SELECT COALESCE(SUM(LENGTH(data)), 0) FROM {table} WHERE name = ?",
                            (name,)).fetchone()
    out = np.empty(int(total), dtype=np.uint8)
    pos = 0
    for (data,) in conn.execute(f"SELECT data FROM {table} WHERE name = ? ORDER BY part", (name,)):
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


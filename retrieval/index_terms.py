"""The terms passages and documents are ranked by, shared by the build (which stores the indexes)
and serving (which loads them): neither imports the other, and a change to any function here
changes the fingerprint the stored indexes carry, so a stale index is rebuilt, never misread.

Three indexes, one BM25 core (retrieval/index.py, retrieval/inverted_index.py):
- passages: a passage's syllables and pairs, and its section headings';
- document metadata: what names a document (title, issuer, number, date) — the document prior;
- document text: everything a document says, its title included — a question whose words are
  spread over a whole article or plan finds it even when no single passage holds them all.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from retrieval.analyzer import bigrams, passage_terms

if TYPE_CHECKING:
    from retrieval.inverted_index import CountedDocs, PostingsBuilder


def flat_terms(stored: str | None) -> list[str]:
    """Stored sentence-separated terms → one syllable list."""
    return [t for t in (stored or "").split() if t != "|"]


PASSAGE_INDEX_SQL = "SELECT id, terms, head_terms, extra_terms FROM passages ORDER BY id"


def passage_index_terms(row: sqlite3.Row) -> list[str]:
    """The terms a passage is ranked by (a row of PASSAGE_INDEX_SQL). The build stores the inverted
    index of exactly these terms; a change to this function invalidates stored indexes."""
    body = passage_terms(flat_terms(row["terms"]), (row["head_terms"] or "").split())
    return body + (row["extra_terms"] or "").split()


def passage_index_fingerprint() -> str:
    from retrieval.inverted_index import code_fingerprint

    return code_fingerprint(PASSAGE_INDEX_SQL, passage_index_terms, passage_terms, bigrams, flat_terms)


DOCUMENT_INDEX_SQL = "SELECT doc_id, terms FROM documents ORDER BY doc_id"
DOCUMENT_INDEX_TABLE = "document_index"


def document_index_terms(doc) -> list[str]:
    """The terms a plan is matched by for the document prior (a row of DOCUMENT_INDEX_SQL)."""
    toks = (doc["terms"] or "").split()
    return toks + bigrams(toks)


def document_index_fingerprint() -> str:
    from retrieval.inverted_index import code_fingerprint

    return code_fingerprint(DOCUMENT_INDEX_SQL, document_index_terms, bigrams)


DOCUMENT_TEXT_TABLE = "document_text_index"
# A document's first passage (its title block: a plan's header, an article's heading) counts this
# many times in its whole-text terms. Set on the laws (1: R@1 0.796, 2: 0.808, 3: 0.813, 5: 0.817;
# R@5 0.918 → 0.920); the plans score the same at every value.
TITLE_REPEAT = 5
_DOCUMENT_TEXT_SQL = ("SELECT p.doc_id, p.terms, p.head_terms, p.extra_terms FROM passages p "
                      "ORDER BY p.doc_id, p.id")


def document_text_terms(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """Per document, in doc_id order (the engine's document order): its metadata terms and the
    terms of all its passages. Read in one pass ordered by document, so only one document's terms
    are held at a time."""
    previous = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        docs = conn.execute(DOCUMENT_INDEX_SQL).fetchall()
        rows = conn.execute(_DOCUMENT_TEXT_SQL)
        pending = next(rows, None)
        for doc in docs:
            bag = document_index_terms(doc)
            first = True
            while pending is not None and pending["doc_id"] == doc["doc_id"]:
                terms = passage_index_terms(pending)
                bag.extend(terms * (TITLE_REPEAT if first else 1))
                first = False
                pending = next(rows, None)
            while pending is not None and pending["doc_id"] < doc["doc_id"]:  # a passage of no document
                pending = next(rows, None)
            yield bag
    finally:
        conn.row_factory = previous


def document_text_fingerprint() -> str:
    from retrieval.inverted_index import code_fingerprint

    return code_fingerprint(DOCUMENT_INDEX_SQL, _DOCUMENT_TEXT_SQL, document_text_terms, document_index_terms,
                            passage_index_terms, passage_terms, bigrams, flat_terms)


def store_document_indexes(conn: sqlite3.Connection, passages: PostingsBuilder | None = None) -> None:
    """Build both document indexes from the stored terms and store them (build time). With
    `passages`, the build's passage index counted so far, the whole-text index is summed from its
    counts instead of re-reading and re-counting every passage's terms (10 s of a 100,000-passage
    build's single-process time); the index is the same (tests/test_document_text_index.py)."""
    from retrieval.inverted_index import InvertedBM25Index, PostingsBuilder

    previous = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(DOCUMENT_INDEX_SQL).fetchall()
    finally:
        conn.row_factory = previous
    InvertedBM25Index(document_index_terms(r) for r in rows).store(conn, document_index_fingerprint(),
                                                                    DOCUMENT_INDEX_TABLE)
    counted = document_text_counted(conn, rows, passages) if passages is not None else None
    if counted is None:
        text = InvertedBM25Index(document_text_terms(conn))
    else:
        builder = PostingsBuilder()
        builder.add_counted(counted)
        text = InvertedBM25Index.from_builder(builder)
    text.store(conn, document_text_fingerprint(), DOCUMENT_TEXT_TABLE)


def document_text_counted(conn: sqlite3.Connection, docs: list[sqlite3.Row],
                          passages: PostingsBuilder) -> CountedDocs | None:
    """`document_text_terms` as counts, from the passage index's counts (`passages`: every passage
    added in id order): per document, in doc_id order, its metadata terms then its passages' terms
    (its first passage TITLE_REPEAT times), each document's terms in first-occurrence order and
    new terms numbered in first-occurrence order, as counting the bags one by one would. None when
    the passages cannot be matched to the builder's (then the bags are counted)."""
    from retrieval.inverted_index import EMPTY, CountedDocs

    ids, tfs, unique = passages.entries()
    owners = conn.execute("SELECT doc_id FROM passages ORDER BY id").fetchall()
    if len(owners) != len(unique):
        return None
    doc_rank = {d["doc_id"]: r for r, d in enumerate(docs)}
    pdoc = np.fromiter((doc_rank.get(o[0], -1) for o in owners), dtype=np.int64, count=len(owners))
    vocab = list(passages.vocab)
    n_passage_terms = len(vocab)
    extra: dict[str, int] = {}
    # metadata terms, per document in first-occurrence order
    meta_doc: list[int] = []
    meta_ids: list[int] = []
    meta_tfs: list[int] = []
    for r, d in enumerate(docs):
        for term, count in Counter(document_index_terms(d)).items():
            tid = passages.vocab.get(term)
            if tid is None:
                tid = extra.setdefault(term, n_passage_terms + len(extra))
            meta_doc.append(r)
            meta_ids.append(tid)
            meta_tfs.append(count)
    # passage entries: a passage's document, weighted TITLE_REPEAT for its document's first passage
    entry_passage = np.repeat(np.arange(len(unique)), unique)
    entry_doc = pdoc[entry_passage]
    keep = (entry_doc >= 0) & (ids != passages.vocab.get(EMPTY, -1))
    first_of_doc = np.zeros(len(unique), dtype=bool)
    first_of_doc[np.unique(pdoc, return_index=True)[1]] = True  # each document's lowest passage id
    entry_doc = entry_doc[keep]
    entry_term = ids[keep]
    entry_tf = tfs[keep] * np.where(first_of_doc[entry_passage[keep]], TITLE_REPEAT, 1).astype(np.int32)
    if len(entry_doc) and np.any(entry_doc[1:] < entry_doc[:-1]):  # documents' passages interleaved
        order = np.argsort(entry_doc, kind="stable")
        entry_doc, entry_term, entry_tf = entry_doc[order], entry_term[order], entry_tf[order]
    bounds = np.searchsorted(entry_doc, np.arange(len(docs) + 1))
    meta_bounds = np.searchsorted(np.array(meta_doc, dtype=np.int64), np.arange(len(docs) + 1))
    meta_term = np.array(meta_ids, dtype=np.int64)
    meta_tf = np.array(meta_tfs, dtype=np.int64)
    n_terms = n_passage_terms + len(extra)
    seen = np.zeros(n_terms, dtype=bool)
    new_terms: list[np.ndarray] = []
    doc_ids: list[np.ndarray] = []
    doc_tfs: list[np.ndarray] = []
    for r in range(len(docs)):  # one document at a time: small sorts, not one over every posting
        m0, m1, p0, p1 = meta_bounds[r], meta_bounds[r + 1], bounds[r], bounds[r + 1]
        terms = np.concatenate([meta_term[m0:m1], entry_term[p0:p1]])
        if not len(terms):
            return None  # a document with no terms: rank-bm25 sees one EMPTY token; count the bags
        counts = np.concatenate([meta_tf[m0:m1], entry_tf[p0:p1]])
        distinct, first_at, inverse = np.unique(terms, return_index=True, return_inverse=True)
        tf = np.bincount(inverse.reshape(-1), weights=counts, minlength=len(distinct))
        in_order = np.argsort(first_at)
        distinct, tf = distinct[in_order], tf[in_order]
        fresh = distinct[~seen[distinct]]
        seen[fresh] = True
        new_terms.append(fresh)
        doc_ids.append(distinct)
        doc_tfs.append(tf)
    term_order = np.concatenate(new_terms) if new_terms else np.zeros(0, np.int64)
    local = np.empty(n_terms, dtype=np.int64)
    local[term_order] = np.arange(len(term_order))
    strings = vocab + list(extra)
    all_tf = np.concatenate(doc_tfs) if doc_tfs else np.zeros(0)
    return CountedDocs(terms=[strings[t] for t in term_order.tolist()],
                       ids=local[np.concatenate(doc_ids)].astype(np.int32) if doc_ids else np.zeros(0, np.int32),
                       tfs=all_tf.astype(np.int32),
                       doc_len=np.array([int(t.sum()) for t in doc_tfs], dtype=np.int64),
                       unique=np.array([len(t) for t in doc_ids], dtype=np.int64), empty=0)


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
from collections.abc import Iterator

from retrieval.analyzer import bigrams, passage_terms


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


def store_document_indexes(conn: sqlite3.Connection) -> None:
    """Build both document indexes from the stored terms and store them (build time)."""
    from retrieval.inverted_index import InvertedBM25Index

    previous = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        meta = InvertedBM25Index(document_index_terms(r) for r in conn.execute(DOCUMENT_INDEX_SQL))
    finally:
        conn.row_factory = previous
    meta.store(conn, document_index_fingerprint(), DOCUMENT_INDEX_TABLE)
    InvertedBM25Index(document_text_terms(conn)).store(conn, document_text_fingerprint(), DOCUMENT_TEXT_TABLE)

"""The whole-text document index summed from the passage index's counts is the index counted from
every document's bag of terms (retrieval/index_terms.py): same terms in the same order, same
postings, weights and IDFs, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from retrieval.index_terms import (
    DOCUMENT_INDEX_SQL,
    PASSAGE_INDEX_SQL,
    document_text_counted,
    document_text_terms,
    passage_index_terms,
)
from retrieval.inverted_index import PostingsBuilder


def _db(path: Path) -> sqlite3.Connection:
    """Documents whose passages are interleaved in id order, a first passage that is empty, a
    passage of no document, terms shared across documents and metadata terms no passage has."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE documents (doc_id TEXT PRIMARY KEY, terms TEXT)")
    conn.execute("CREATE TABLE passages (id INTEGER PRIMARY KEY, doc_id TEXT, terms TEXT, head_terms TEXT, "
                 "extra_terms TEXT)")
    conn.executemany("INSERT INTO documents VALUES (?, ?)", [
        ("b-ke-hoach", "ke hoach cai cach hanh chinh 2026 ubnd xa"),
        ("a-luat", "luat cu tru tam tru"),
        ("c-thong-bao", "thong bao lich tiep cong dan"),
    ])
    conn.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?)", [
        (1, "b-ke-hoach", "muc tieu | nang cao chi so cai cach hanh chinh", "i muc tieu", ""),
        (2, "a-luat", "", "", ""),
        (3, "b-ke-hoach", "so noi vu chu tri | bao cao truoc ngay 15 12", "iv to chuc thuc hien", "sipas"),
        (4, "a-luat", "thoi han tam tru toi da la 02 nam | gia han", "dieu 27", ""),
        (5, "khong-co", "doan van mo coi", "", ""),
        (6, "c-thong-bao", "tiep cong dan vao thu nam hang tuan | cai cach", "", "hcc"),
        (7, "b-ke-hoach", "cai cach hanh chinh | cai cach", "phu luc", ""),
    ])
    conn.commit()
    conn.row_factory = sqlite3.Row
    return conn


def test_the_document_text_index_from_passage_counts_is_the_one_counted_from_bags(tmp_path: Path) -> None:
    conn = _db(tmp_path / "knowledge.db")
    passages = PostingsBuilder()
    for row in conn.execute(PASSAGE_INDEX_SQL):
        passages.add(passage_index_terms(row))
    docs = conn.execute(DOCUMENT_INDEX_SQL).fetchall()
    counted = document_text_counted(conn, docs, passages)
    assert counted is not None
    summed = PostingsBuilder()
    summed.add_counted(counted)
    bags = PostingsBuilder()
    for bag in document_text_terms(conn):
        bags.add(bag)
    want, got = bags.finish(), summed.finish()
    assert got["terms"] == want["terms"] and got["size"] == 3
    for key in ("offsets", "docs", "weights", "idf", "df", "dense_ids", "dense"):
        assert np.array_equal(got[key], want[key]), key
    assert got["df_fix"] == want["df_fix"]


def test_a_document_without_terms_is_counted_from_its_bag(tmp_path: Path) -> None:
    conn = _db(tmp_path / "knowledge.db")
    conn.execute("INSERT INTO documents VALUES ('d-trong', '')")
    conn.commit()
    passages = PostingsBuilder()
    for row in conn.execute(PASSAGE_INDEX_SQL):
        passages.add(passage_index_terms(row))
    assert document_text_counted(conn, conn.execute(DOCUMENT_INDEX_SQL).fetchall(), passages) is None

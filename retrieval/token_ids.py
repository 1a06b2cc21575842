"""Each passage's stored terms as ids of the passage index's vocabulary, written at build time.

The sentence re-rank reads ~30 candidate passages per question and needs, for every token, whether
it is one of the question's syllables. As text that is a dict lookup per token (~4,000 a question);
as int32 ids it is one gather through a per-thread table (retrieval/rerank.py, `SentenceScorer`). The
ids index the vocabulary of the passage index stored by the same build, so the engine uses them only
with that index (loaded from the DB, not rebuilt from rows). Build workers know only their chunk's
vocabulary: they write local ids (`encode_local`) that the build renumbers (`globalize`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import numpy as np

from retrieval.rerank import ID_BREAK, ID_END, ID_OFFSET, ID_UNKNOWN, SENTENCE_BREAK

COLUMN = "token_ids"
FORMAT = "2"  # meta "token_ids": the engine reads ids only of this layout


def encode(stored: str, vocab: Mapping[str, int]) -> bytes:
    """Stored terms ("a b | c") → little-endian int32: vocabulary id + ID_OFFSET per token (ID_UNKNOWN
    for a token the vocabulary lacks), ID_BREAK between sentences, ID_END last."""
    get = vocab.get
    text = (stored or "").replace(SENTENCE_BREAK, f" {SENTENCE_BREAK} ")
    ids = [ID_BREAK if t == SENTENCE_BREAK else get(t, ID_UNKNOWN - ID_OFFSET) + ID_OFFSET for t in text.split()]
    ids.append(ID_END)
    return np.array(ids, dtype="<i4").tobytes()


def term_ids(tokens: list[str], vocab: Mapping[str, int]) -> np.ndarray:
    """Stored ids of loose tokens (a heading appended to every sentence while scoring), as `encode`
    writes them, without markers."""
    get = vocab.get
    return np.array([get(t, ID_UNKNOWN - ID_OFFSET) + ID_OFFSET for t in tokens], dtype=np.int32)


_LOCAL_BREAK, _LOCAL_END, _LOCAL_UNKNOWN = -1, -2, -3


def encode_local(stored: str, local_vocab: Mapping[str, int]) -> np.ndarray:
    """`encode` with a build worker's own term ids (its chunk's vocabulary): negative codes for the
    markers, so `globalize` can renumber the ids once the index's vocabulary is known."""
    get = local_vocab.get
    text = (stored or "").replace(SENTENCE_BREAK, f" {SENTENCE_BREAK} ")
    codes = [_LOCAL_BREAK if t == SENTENCE_BREAK else get(t, _LOCAL_UNKNOWN) for t in text.split()]
    codes.append(_LOCAL_END)
    return np.array(codes, dtype=np.int32)


_MARKERS = np.array([ID_UNKNOWN, ID_END, ID_BREAK], dtype=np.int32)  # for codes -3, -2, -1


def globalize(codes: np.ndarray, mapping: np.ndarray) -> bytes:
    """`encode_local` output → exactly `encode(stored, vocab)` (mapping: local id → vocab id)."""
    known = codes >= 0
    out = np.where(known, mapping[np.where(known, codes, 0)] + ID_OFFSET, _MARKERS[np.minimum(codes, -1) + 3])
    return out.astype("<i4").tobytes()


def add_column(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(passages)")}
    if COLUMN not in columns:
        conn.execute(f"ALTER TABLE passages ADD COLUMN {COLUMN} BLOB")


def mark_stored(conn: sqlite3.Connection) -> None:
    """Record that every passage's ids were written in this code's layout."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('token_ids', ?)", (FORMAT,))


def decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i4")


def stored(conn: sqlite3.Connection) -> bool:
    """Whether this DB holds term ids in this code's layout."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'token_ids'").fetchone()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == FORMAT

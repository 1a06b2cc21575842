"""Each passage's stored terms as ids of the passage index's vocabulary, written at build time.

The sentence re-rank reads ~30 candidate passages per question and needs, for every token, whether
it is one of the question's syllables. As text that is a dict lookup per token (~4,000 a question);
as int32 ids it is one `np.searchsorted` (retrieval/rerank.py, `SentenceScorer.score_ids`). The ids
index the vocabulary of the passage index stored by the same build, so the engine uses them only
with that index (loaded from the DB, not rebuilt from rows).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import numpy as np

from retrieval.rerank import ID_BREAK, ID_END, ID_OFFSET, ID_UNKNOWN, SENTENCE_BREAK

COLUMN = "token_ids"
FORMAT = "2"  # meta "token_ids": the engine reads ids only of this layout
BATCH = 5000


def encode(stored: str, vocab: Mapping[str, int]) -> bytes:
    """Stored terms ("a b | c") → little-endian int32: vocabulary id + ID_OFFSET per token (ID_UNKNOWN
    for a token the vocabulary lacks), ID_BREAK between sentences, ID_END last."""
    get = vocab.get
    text = (stored or "").replace(SENTENCE_BREAK, f" {SENTENCE_BREAK} ")
    ids = [ID_BREAK if t == SENTENCE_BREAK else get(t, ID_UNKNOWN - ID_OFFSET) + ID_OFFSET for t in text.split()]
    ids.append(ID_END)
    return np.array(ids, dtype="<i4").tobytes()


def decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i4")


def store(conn: sqlite3.Connection, vocab: Mapping[str, int]) -> None:
    """Add the ids of every passage (in batches: a 100,000-passage DB holds ~17 million tokens)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(passages)")}
    if COLUMN not in columns:
        conn.execute(f"ALTER TABLE passages ADD COLUMN {COLUMN} BLOB")
    last = -1
    while True:  # id ranges, so no SELECT is pending while its table is updated
        batch = conn.execute("SELECT id, terms FROM passages WHERE id > ? ORDER BY id LIMIT ?",
                             (last, BATCH)).fetchall()
        if not batch:
            break
        conn.executemany(f"UPDATE passages SET {COLUMN} = ? WHERE id = ?",
                         [(encode(terms, vocab), pid) for pid, terms in batch])
        last = batch[-1][0]
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('token_ids', ?)", (FORMAT,))


def stored(conn: sqlite3.Connection) -> bool:
    """Whether this DB holds term ids in this code's layout."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'token_ids'").fetchone()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == FORMAT

"""The `procedures` table of the knowledge DB: one row per served procedure, written by the same
build that writes the documents, so documents and procedures are one generation (swapped together).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

TABLE = "procedures"


def write_procedures(db: sqlite_utils.Database, records: list[dict[str, Any]]) -> int:
    """Write `records` (already checked) as the `procedures` table; returns how many."""
    db.execute(f"DROP TABLE IF EXISTS {TABLE}")
    db.execute(f"CREATE TABLE {TABLE} (code TEXT PRIMARY KEY, name TEXT NOT NULL, field TEXT, level TEXT, "
               "decision TEXT, source TEXT, record TEXT NOT NULL)")
    db.conn.executemany(
        f"INSERT OR REPLACE INTO {TABLE} (code, name, field, level, decision, source, record) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r["ma_thu_tuc"], r["ten_thu_tuc"], r.get("linh_vuc", ""), r.get("cap_thuc_hien", ""),
          r.get("so_quyet_dinh", ""), r.get("nguon_nhap", ""), json.dumps(r, ensure_ascii=False)) for r in records])
    return len(records)


def read_record(conn, code: str) -> dict[str, Any] | None:
    """One stored record by code (None when absent, or when the DB has no procedures table)."""
    try:
        row = conn.execute(f"SELECT record FROM {TABLE} WHERE code = ?", (code,)).fetchone()
    except Exception:
        return None
    return json.loads(row[0]) if row else None

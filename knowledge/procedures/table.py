"""The `procedures` table of the knowledge DB: one row per served procedure, written by the same
build that writes the documents, so documents and procedures are one generation (swapped together).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from knowledge.procedures.records import filed_by_person

TABLE = "procedures"
REFERENCE_TABLE = "procedure_reference"
# What ranking reads of a record (retrieval/procedures.py view_texts); the rest is not kept for reference rows.
REFERENCE_FIELDS = ("ten_thu_tuc", "linh_vuc", "thanh_phan_ho_so", "doi_tuong_thuc_hien", "ket_qua",
                    "yeu_cau_dieu_kien", "co_quan_thuc_hien")


def write_procedures(db: sqlite_utils.Database, records: list[dict[str, Any]],
                     reference: list[dict[str, Any]] = ()) -> int:
    """Write `records` (already checked) as the `procedures` table; returns how many.

    `reference` are the shipped records the office does not serve: only their words are kept (table
    `procedure_reference`), so ranking weighs a word by its rarity in the whole national catalogue
    even when an office serves twenty procedures of its own (BM25 over twenty names is erratic)."""
    db.execute(f"DROP TABLE IF EXISTS {TABLE}")
    db.execute(f"CREATE TABLE {TABLE} (code TEXT PRIMARY KEY, name TEXT NOT NULL, field TEXT, level TEXT, "
               "decision TEXT, source TEXT, person INTEGER, record TEXT NOT NULL)")
    db.conn.executemany(
        f"INSERT OR REPLACE INTO {TABLE} (code, name, field, level, decision, source, person, record) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(r["ma_thu_tuc"], r["ten_thu_tuc"], r.get("linh_vuc", ""), r.get("cap_thuc_hien", ""),
          r.get("so_quyet_dinh", ""), r.get("nguon_nhap", ""), int(filed_by_person(r)),
          json.dumps(r, ensure_ascii=False)) for r in records])
    db.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")
    db.execute(f"CREATE TABLE {REFERENCE_TABLE} (code TEXT, record TEXT NOT NULL)")
    db.conn.executemany(f"INSERT INTO {REFERENCE_TABLE} (code, record) VALUES (?, ?)",
                        [(r["ma_thu_tuc"], json.dumps({k: r.get(k, "") for k in REFERENCE_FIELDS}, ensure_ascii=False))
                         for r in reference])
    return len(records)


def read_record(conn, code: str) -> dict[str, Any] | None:
    """One stored record by code (None when absent, or when the DB has no procedures table)."""
    try:
        row = conn.execute(f"SELECT record FROM {TABLE} WHERE code = ?", (code,)).fetchone()
    except Exception:
        return None
    return json.loads(row[0]) if row else None

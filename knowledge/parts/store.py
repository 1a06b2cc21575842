"""Document parts as typed rows of knowledge.db (written at build time, read when answering).

Tables (the contract in the issue): doc_parts (one row a document), doc_recipients, doc_cites,
doc_tasks, doc_targets (one row an item, `ord` keeps the document's order). A DB built before the
parts existed has none of these tables: `read_parts` then answers None and `all_tasks` [].
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import sqlite_utils

from knowledge.parts.model import Cite, DocumentParts, Recipient, Signer, Target, Task

_PARTS_COLUMNS = {"doc_id": str, "parent": str, "issuer": str, "number": str, "place": str, "date": str,
                  "kind": str, "title": str, "signer_authority": str, "signer_position": str, "signer_name": str,
                  "signature_stamp": str, "signer_position_inferred": int, "signer_source": str,
                  "period_start": str, "period_end": str}
_TABLES = {
    "doc_recipients": {"doc_id": str, "ord": int, "text": str, "source_text": str},
    "doc_cites": {"doc_id": str, "ord": int, "kind": str, "number": str, "date": str, "issuer": str,
                  "subject": str, "source_text": str},
    "doc_tasks": {"doc_id": str, "ord": int, "section": str, "task": str, "lead": str, "support": str,
                  "deadline": str, "product": str, "source_text": str},
    "doc_targets": {"doc_id": str, "ord": int, "section": str, "text": str, "value": str, "source_text": str},
}


def create_tables(db: sqlite_utils.Database) -> None:
    """The parts tables, empty (so a build with no document parts still has them)."""
    if not db["doc_parts"].exists():
        db["doc_parts"].create(_PARTS_COLUMNS, pk="doc_id")
    for name, columns in _TABLES.items():
        if not db[name].exists():
            db[name].create(columns, pk=("doc_id", "ord"))


def write_parts(db: sqlite_utils.Database, doc_id: str, parts: DocumentParts) -> None:
    """One document's parts (its earlier rows replaced)."""
    write_parts_many(db, [(doc_id, parts)])


DELETE_CHUNK = 500  # ids per DELETE … IN (…): under SQLite's variable limit


def write_parts_many(db: sqlite_utils.Database, items: list[tuple[str, DocumentParts]]) -> None:
    """Many documents' parts in one insert per table (a build: 1.9 ms a document one by one)."""
    create_tables(db)
    ids = [doc_id for doc_id, _ in items]
    for name in ("doc_parts", *_TABLES):
        for k in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[k:k + DELETE_CHUNK]
            db.execute(f"DELETE FROM {name} WHERE doc_id IN ({','.join('?' * len(chunk))})", chunk)
    heads, rows = [], {name: [] for name in _TABLES}
    for doc_id, parts in items:
        heads.append(_head_row(doc_id, parts))
        for name, row in _item_rows(doc_id, parts):
            rows[name].append(row)
    db["doc_parts"].insert_all(heads, replace=True)
    for name, table_rows in rows.items():
        db[name].insert_all(table_rows)


def _head_row(doc_id: str, parts: DocumentParts) -> dict:
    s = parts.signer
    return {
        "doc_id": doc_id, "parent": parts.parent, "issuer": parts.issuer, "number": parts.number,
        "place": parts.place, "date": parts.date, "kind": parts.kind, "title": parts.title,
        "signer_authority": s.authority if s else None, "signer_position": s.position if s else None,
        "signer_name": s.name if s else None, "signature_stamp": s.stamp if s else None,
        "signer_position_inferred": int(s.position_inferred) if s else None,
        "signer_source": s.source_text if s else None,
        "period_start": parts.period_start, "period_end": parts.period_end}


def _item_rows(doc_id: str, parts: DocumentParts) -> Iterator[tuple[str, dict]]:
    for k, r in enumerate(parts.recipients):
        yield "doc_recipients", {"doc_id": doc_id, "ord": k, "text": r.text, "source_text": r.source_text}
    for k, c in enumerate(parts.cites):
        yield "doc_cites", {"doc_id": doc_id, "ord": k, "kind": c.kind, "number": c.number, "date": c.date,
                            "issuer": c.issuer, "subject": c.subject, "source_text": c.source_text}
    for k, t in enumerate(parts.tasks):
        yield "doc_tasks", {"doc_id": doc_id, "ord": k, "section": t.section, "task": t.task, "lead": t.lead,
                            "support": json.dumps(t.support, ensure_ascii=False), "deadline": t.deadline,
                            "product": t.product, "source_text": t.source_text}
    for k, t in enumerate(parts.targets):
        yield "doc_targets", {"doc_id": doc_id, "ord": k, "section": t.section, "text": t.text, "value": t.value,
                              "source_text": t.source_text}


def _rows(conn: sqlite3.Connection, sql: str, args: list) -> list[dict]:
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def has_parts(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'doc_parts'").fetchone()
    return found is not None


def read_parts(conn: sqlite3.Connection, doc_id: str) -> DocumentParts | None:
    """The stored parts of one document; None for an unknown id or a DB without parts."""
    if not has_parts(conn):
        return None
    heads = _rows(conn, "SELECT * FROM doc_parts WHERE doc_id = ?", [doc_id])
    if not heads:
        return None
    h = heads[0]
    signer = None
    if any(h.get(k) for k in ("signer_authority", "signer_position", "signer_name", "signature_stamp")):
        signer = Signer(h["signer_authority"], h["signer_position"], h["signer_name"], h["signature_stamp"],
                        bool(h.get("signer_position_inferred")), h.get("signer_source") or "")
    q = "SELECT * FROM {} WHERE doc_id = ? ORDER BY ord"
    return DocumentParts(
        parent=h["parent"], issuer=h["issuer"], number=h["number"], place=h["place"], date=h["date"],
        kind=h["kind"], title=h["title"],
        recipients=[Recipient(r["text"], r["source_text"] or "") for r in _rows(conn, q.format("doc_recipients"),
                                                                              [doc_id])],
        signer=signer,
        cites=[Cite(r["kind"], r["number"], r["date"], r["issuer"], r["subject"], r["source_text"] or "")
               for r in _rows(conn, q.format("doc_cites"), [doc_id])],
        tasks=[_task(r) for r in _rows(conn, q.format("doc_tasks"), [doc_id])],
        targets=[Target(r["text"], r["value"], r["section"], r["source_text"] or "")
                 for r in _rows(conn, q.format("doc_targets"), [doc_id])],
        period_start=h["period_start"], period_end=h["period_end"], doc_id=doc_id)


def _task(r: dict) -> Task:
    try:
        support = list(json.loads(r["support"] or "[]"))
    except ValueError:
        support = []
    return Task(r["task"], r["lead"], support, r["deadline"], r["product"], r["section"], r["source_text"] or "")


def all_tasks(conn: sqlite3.Connection) -> list[tuple[str, Task]]:
    """Every task of every document, in document then table order."""
    if not has_parts(conn):
        return []
    return [(r["doc_id"], _task(r)) for r in _rows(conn, "SELECT * FROM doc_tasks ORDER BY doc_id, ord", [])]

"""The state database: what users create (questions asked, quiz attempts, exams, audit log).

Unlike the knowledge DB it is never rebuilt: it survives every reload and restart. Each feature
declares its tables with `ensure_table` at start-up, so adding a feature never needs a migration
step by hand. One connection is shared behind a lock because channels call handlers from an
asyncio loop and, for reloads and benchmarks, from worker threads.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils


class StateDB:
    """A thread-safe wrapper over one SQLite file opened with sqlite-utils (WAL mode)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.lock = threading.RLock()
        self._ensure_core_tables()

    def _ensure_core_tables(self) -> None:
        self.ensure_table(
            "questions_log",
            {"id": int, "ts": float, "platform": str, "user_id": str, "chat_id": str,
             "question": str, "found": int, "top_doc": str, "top_passage": str, "score": float},
            pk="id",
            indexes=[["ts"], ["found"]],
        )
        self.ensure_table(
            "audit_log",
            {"id": int, "ts": float, "platform": str, "user_id": str, "action": str,
             "detail": str, "allowed": int},
            pk="id",
            indexes=[["ts"]],
        )

    def ensure_table(self, name: str, columns: dict[str, type], pk: str | tuple[str, ...],
                     indexes: list[list[str]] | None = None) -> None:
        """Create `name` if missing and add any missing column: features evolve without migrations."""
        with self.lock:
            table = self.db[name]
            if not table.exists():
                table.create(columns, pk=pk)
            else:
                existing = {c.name for c in table.columns}
                for col, typ in columns.items():
                    if col not in existing:
                        table.add_column(col, typ)
            for cols in indexes or []:
                table.create_index(cols, if_not_exists=True)

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Hold the lock and commit (or roll back) everything done inside as one unit."""
        with self.lock:
            conn = self.db.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield self.db
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row and return its rowid."""
        with self.transaction() as db:
            return int(db[table].insert(row).last_rowid)

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        """Run a read query and return rows as dicts."""
        with self.lock:
            return list(self.db.query(sql, params))

    def log_question(self, platform: str, user_id: str, chat_id: str, question: str, found: bool,
                     top_doc: str = "", top_passage: str = "", score: float = 0.0) -> int:
        """Keep every question: the knowledge gaps an admin sees are the declined ones."""
        return self.insert("questions_log", {
            "ts": time.time(), "platform": platform, "user_id": user_id, "chat_id": chat_id,
            "question": question, "found": int(found), "top_doc": top_doc,
            "top_passage": top_passage, "score": score,
        })

    def audit(self, platform: str, user_id: str, action: str, detail: str, allowed: bool) -> None:
        """Every admin action (and every refused attempt) goes here."""
        self.insert("audit_log", {"ts": time.time(), "platform": platform, "user_id": user_id,
                                  "action": action, "detail": detail, "allowed": int(allowed)})

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()

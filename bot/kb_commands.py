"""`cchc kb ...`: build, inspect and change the knowledge base from the command line.

Changes go through the same safe path as the chat's /reload: the documents folder is changed, a new
knowledge DB is built beside the old one and swapped in; on any error the folder change is undone
and the old DB keeps serving. A running bot notices the new file and reloads it by itself.

A folder build skips files it cannot use; it exits non-zero only when nothing usable is left (the
old DB then keeps serving). It prints a summary of at most about 30 lines whatever the folder holds;
the full report (every name, refusal and warning) is in kb-report.txt beside the knowledge DB, and
`--verbose` prints it. `cchc kb warnings` lists the warnings at any time. Every command first
finishes or undoes a change a crash interrupted, and says what it did.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from handlers.kb_admin import KnowledgeAdmin

STAGE_NAMES = {"restore": "khôi phục dấu", "documents": "tài liệu", "passages": "đoạn văn", "index": "chỉ mục"}


class TqdmProgress:
    """The build's progress as tqdm bars on stderr (rate and time left), one bar per stage.

    WHY tqdm: the project's convention (underthesea already depends on it), and a 100,000-passage
    build runs for minutes: an operator wants to know how long is left. Off when stderr is not a
    terminal (logs, pipes, tests): tqdm's `disable=None`.
    """

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self._bar: Any = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if total <= 0:
            return
        if stage != self._stage or self._bar is None or total != self._bar.total:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=max(total, 1), desc=f"{STAGE_NAMES.get(stage, stage):<14}", file=self.stream,
                             disable=None, unit=" mục", leave=True)
        self._bar.update(max(0, done - self._bar.n))
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def run_kb_command(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.kb_admin import KnowledgeAdmin, state_audit

    admin = KnowledgeAdmin(settings.docs_dir, settings.kb_path, max_bytes=settings.max_upload_mb * 1024 * 1024,
                           audit=state_audit(settings.state_path))
    command = args.kb_command
    progress = TqdmProgress()
    try:
        return _run(admin, command, args, progress)
    finally:  # what start-up recovery did is logged (stderr) and written to the audit log
        progress.close()


def _run(admin: KnowledgeAdmin, command: str, args: argparse.Namespace, progress: TqdmProgress) -> int:
    try:
        if command in ("build", "reload"):
            outcome = admin.rebuild(progress=progress)
            progress.close()
            print(outcome.full if outcome.ok and getattr(args, "verbose", False) else outcome.message)
            return 0 if outcome.ok else 1
        if command == "show":
            admin.ensure()
            return show_document(admin.kb_path, args.doc_id, getattr(args, "json", False))
        if command == "warnings":
            admin.ensure()
            print(admin.warnings_text())
            return 0
        if command == "stats":
            admin.ensure()
            print(admin.stats_text())
            return 0
        if command == "list":
            admin.ensure()
            print(admin.list_text())
            return 0
        if command == "add":
            try:
                data = args.file.read_bytes()
            except OSError as exc:
                print(f"Không đọc được tệp {args.file}: {exc.strerror or exc}.")
                return 1
            outcome = admin.add_document(args.file.name, data, progress=progress, by="cchc kb add")
            progress.close()
            print(outcome.message)
            return 0 if outcome.ok else 1
        if command == "remove":
            outcome = admin.remove_document(args.doc_id, progress=progress, by="cchc kb remove")
            progress.close()
            print(outcome.message)
            return 0 if outcome.ok else 1
    finally:
        progress.close()
    print(f"Lệnh không hợp lệ: kb {command}")
    return 2


def show_document(kb_path: Any, doc_id: str, as_json: bool) -> int:
    """`cchc kb show ID [--json]`: the document's parts (letterhead, number, date, signer,
    recipients, cited documents, tasks, targets); an unknown id is one Vietnamese line, exit 1."""
    import json
    import sqlite3

    from knowledge.parts import read_parts
    from knowledge.parts.card import render_card

    try:
        conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
        try:
            parts = read_parts(conn, doc_id)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        print(f"Không đọc được cơ sở tri thức {kb_path}: {exc}.")
        return 1
    if parts is None:
        print(f"Không có tài liệu mã {doc_id} (xem: cchc kb list).")
        return 1
    if as_json:
        print(json.dumps(parts.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_card(parts))
    return 0

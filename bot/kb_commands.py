"""`cchc kb ...`: build, inspect and change the knowledge base from the command line.

Changes go through the same safe path as the chat's /reload: the documents folder is changed, a new
knowledge DB is built beside the old one and swapped in; on any error the folder change is undone
and the old DB keeps serving. A running bot notices the new file and reloads it by itself.
"""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings


def _progress(stage: str, done: int, total: int) -> None:
    if not sys.stderr.isatty() and done != total:
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run_kb_command(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.kb_admin import KnowledgeAdmin

    admin = KnowledgeAdmin(settings.docs_dir, settings.kb_path, max_bytes=settings.max_upload_mb * 1024 * 1024)
    command = args.kb_command
    if command in ("build", "reload"):
        outcome = admin.rebuild(progress=_progress)
        print(outcome.message)
        return 0 if outcome.ok else 1
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
        outcome = admin.add_document(args.file.name, data, progress=_progress)
        print(outcome.message)
        return 0 if outcome.ok else 1
    if command == "remove":
        outcome = admin.remove_document(args.doc_id, progress=_progress)
        print(outcome.message)
        return 0 if outcome.ok else 1
    print(f"Lệnh không hợp lệ: kb {command}")
    return 2

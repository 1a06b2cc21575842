"""`cchc tthc ...`: the procedures (thủ tục hành chính) the bot serves.

  cchc tthc import FILE|DIR        JSONL/JSON/CSV (.gz too) with the catalogue's field names, or
                                   detail pages (.docx, .pdf, .html, .txt); a report of what was
                                   imported, replaced (same code) and refused, with reasons
  cchc tthc list [--field F] [--level L]
  cchc tthc show CODE [--json]
  cchc tthc remove CODE

An import or removal rebuilds the knowledge DB (a running bot picks the new file up by itself).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

from bot.settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `cchc tthc` and its subcommands on the main parser's subparsers."""
    tthc = sub.add_parser("tthc", help="thủ tục hành chính: nhập, liệt kê, xem, xoá",
                          description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    tsub = tthc.add_subparsers(dest="tthc_command", required=True)
    imp = tsub.add_parser("import", help="nhập thủ tục từ tệp hoặc thư mục")
    imp.add_argument("path", type=Path)
    lst = tsub.add_parser("list", help="liệt kê thủ tục đang phục vụ")
    lst.add_argument("--field", default="", help="lọc theo lĩnh vực (không cần dấu)")
    lst.add_argument("--level", default="", help="lọc theo cấp: xa, tinh, bo")
    show = tsub.add_parser("show", help="xem một thủ tục")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    rm = tsub.add_parser("remove", help="ngừng phục vụ một thủ tục")
    rm.add_argument("code")
    tthc.set_defaults(func=run_tthc_command)


def _admin(settings: Settings):
    from handlers.kb_admin import KnowledgeAdmin, state_audit
    from handlers.procedure_admin import ProcedureAdmin

    kb = KnowledgeAdmin(settings.docs_dir, settings.kb_path, audit=state_audit(settings.state_path))
    return kb, ProcedureAdmin(kb)


def _rows(kb_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def run_tthc_command(settings: Settings, args: argparse.Namespace) -> int:
    from knowledge.text import fold

    kb, admin = _admin(settings)
    command = args.tthc_command
    if command == "import":
        if not args.path.exists():
            print(f"Lỗi: không tìm thấy {args.path}.")
            return 1
        kb.ensure()
        changed, text = admin.import_path(args.path)
        print(text)
        return 0 if changed else 1
    if command == "remove":
        kb.ensure()
        ok, text = admin.remove(args.code)
        print(text)
        return 0 if ok else 1
    kb.ensure()
    if command == "list":
        field, level = fold(args.field), fold(args.level)
        rows = [r for r in _rows(settings.kb_path, "SELECT code, level, field, name FROM procedures ORDER BY code")
                if (not field or field in fold(r[2] or "")) and (not level or level in fold(r[1] or ""))]
        for code, lvl, fld, name in rows:
            print(f"{code}\t{lvl}\t{fld}\t{name}")
        print(f"({len(rows)} thủ tục)")
        return 0
    if command == "show":
        from handlers.procedure_card import card_text

        rows = _rows(settings.kb_path, "SELECT record FROM procedures WHERE code = ?", (args.code.strip(),))
        if not rows:
            print(f"Không có thủ tục mã {args.code[:40]} trong danh mục đang phục vụ.")
            return 1
        record = json.loads(rows[0][0])
        print(json.dumps(record, ensure_ascii=False, indent=2) if args.json else card_text(record))
        return 0
    return 2

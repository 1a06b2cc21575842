"""`cchc viec list|ics`: the plans' duties with their dates, for a terminal, a script or a calendar.

Examples:
  cchc viec list --unit "phòng TCHC"        the unit's duties, deadlines and citations
  cchc viec list --json                     one JSON object per line (unit, role, task, dates, ...)
  cchc viec ics --unit vhxh > lich.ics      an iCalendar file Outlook and Google Calendar import
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `cchc viec` and its subcommands on the main parser's subparsers."""
    viec = sub.add_parser("viec", help="việc và hạn chót của các đơn vị trong kế hoạch: list, ics",
                          description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    vsub = viec.add_subparsers(dest="viec_command", required=True)
    lst = vsub.add_parser("list", help="liệt kê việc đã có ngày hạn (và việc chưa có ngày)")
    lst.add_argument("--unit", default="", help="tên đơn vị, gõ thế nào cũng được (vd: 'phong tchc', VHXH)")
    lst.add_argument("--json", action="store_true", help="mỗi dòng một đối tượng JSON")
    ics = vsub.add_parser("ics", help="in lịch iCalendar (.ics) các hạn chót")
    ics.add_argument("--unit", default="", help="chỉ các hạn của một đơn vị")
    viec.set_defaults(func=run_viec_command)


def _book(settings: Settings):
    from handlers.duties_book import DutyBook
    from handlers.kb_admin import KnowledgeAdmin, state_audit
    from knowledge.deadlines_duties import open_duties

    # Under the file lock: builds on first use and recovers a change a crash interrupted.
    KnowledgeAdmin(settings.docs_dir, settings.kb_path, audit=state_audit(settings.state_path)).ensure()
    return DutyBook(open_duties(str(settings.kb_path)))


def _unit(book, typed: str):
    """The unit typed, or (None, exit code) after saying why in one Vietnamese line."""
    match = book.units.match(typed)
    if match.unit is not None:
        return match.unit, 0
    if match.units:
        names = "; ".join(u.name for u in match.units)
        print(f"Có {len(match.units)} đơn vị khớp với “{typed}”: {names}. Hãy gõ tên đầy đủ hơn.", file=sys.stderr)
        return None, 2
    print(f"Không tìm thấy đơn vị “{typed}” trong các kế hoạch. Gõ `cchc viec list` để xem các đơn vị.",
          file=sys.stderr)
    return None, 1


def run_viec_command(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.duties_book import duty_block
    from handlers.duties_calendar import calendar, json_rows

    book = _book(settings)
    unit = None
    if args.unit.strip():
        unit, code = _unit(book, args.unit)
        if unit is None:
            return code
    if args.viec_command == "ics":
        sys.stdout.write(calendar(book, unit))
        return 0
    if args.json:
        for obj in json_rows(book, unit):
            print(json.dumps(obj, ensure_ascii=False))
        return 0
    units = [unit] if unit else book.units.units
    if not units:
        print("Các kế hoạch hiện có chưa ghi việc của đơn vị nào.")
    for u in units:
        entries = book.for_unit(u)
        print(f"== {u.name} ({len(entries)} việc)")
        for i, entry in enumerate(entries, 1):
            print(duty_block(entry, i))
        print()
    return 0

"""Dated duties as an iCalendar file (RFC 5545) and as JSON lines: `cchc viec ics|list` and the web.

One VEVENT per dated deadline (a duty on one day). Its UID is made of the duty's key (plan, section,
lead, task and deadline wording) and the day, so a rebuild of the same plans gives the same UIDs and
a calendar that imports the file again updates its events instead of doubling them. Written by hand:
the format is small, and the `icalendar` package (a test dependency) checks it in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

from handlers.duties_book import ROLE_LABEL, DutyBook, UnitDuty, citation_line, plan_label
from knowledge.deadlines_duties import DutyRow
from retrieval.units import Unit

PRODID = "-//Tro ly CCHC//Han chot cac don vi//VI"
UID_DOMAIN = "tro-ly-cchc"
SUMMARY_CHARS = 150  # calendars show about this much of a title


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines of at most 75 octets, continued with a leading space; never inside a
    UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return out


def uid(row: DutyRow, day: date) -> str:
    return f"{row.key}-{day.strftime('%Y%m%d')}@{UID_DOMAIN}"


def _events(book: DutyBook, unit: Unit | None) -> list[tuple[date, DutyRow, list[UnitDuty]]]:
    grouped: dict[tuple[str, date], tuple[DutyRow, list[UnitDuty]]] = {}
    for day, entry in book.dated(unit):
        grouped.setdefault((entry.row.key, day), (entry.row, []))[1].append(entry)
    return sorted(((d, row, entries) for (_, d), (row, entries) in grouped.items()),
                  key=lambda t: (t[0], t[1].key))


def calendar(book: DutyBook, unit: Unit | None = None, now: datetime | None = None) -> str:
    """The iCalendar text (CRLF line ends) of every dated deadline, or of one unit's."""
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = f"Hạn chót — {unit.name}" if unit else "Hạn chót các kế hoạch CCHC"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(name)}", "X-WR-TIMEZONE:Asia/Ho_Chi_Minh"]
    for day, row, entries in _events(book, unit):
        who = "; ".join(f"{e.unit.name} ({ROLE_LABEL[e.role].lower()})" for e in entries)
        task = " ".join(row.task.split())
        summary = task if len(task) <= SUMMARY_CHARS else task[:SUMMARY_CHARS - 1].rstrip() + "…"
        description = "\n".join([f"Việc: {task}", f"Đơn vị: {who}", f"Thời hạn: {row.deadline.text}",
                                 citation_line(row)])
        lines += ["BEGIN:VEVENT", f"UID:{uid(row, day)}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
                  f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
                  f"SUMMARY:{_escape('Hạn: ' + summary)}", f"DESCRIPTION:{_escape(description)}",
                  f"CATEGORIES:{_escape(plan_label(row.plan))}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def json_rows(book: DutyBook, unit: Unit | None = None) -> Iterable[dict]:
    """`cchc viec list --json`: one object per unit and duty; duties naming no unit have unit null."""
    entries = book.for_unit(unit) if unit else sorted(
        book.entries, key=lambda e: (e.unit.name, e.role != "lead", e.row.plan.doc_id, e.row.section))
    for e in entries:
        yield _json(e.unit.name, e.role, e.row)
    if unit is None:
        held = {e.row.key for e in book.entries}
        for row in book.rows:
            if row.key not in held:
                yield _json(None, "lead", row)


def _json(unit: str | None, role: str, row: DutyRow) -> dict:
    return {"unit": unit, "role": role, "task": row.task, "deadline_text": row.deadline.text,
            "dates": row.deadline.iso_dates() if row.deadline.remindable else [],
            "doc_id": row.plan.doc_id, "section": row.section}

"""The duties of the serving knowledge base, per unit, and how one duty reads in a message.

`DutyBook` is built from the knowledge DB's duties (knowledge/deadlines_duties.py) and its units
(retrieval/units.py); `DutyCatalog` keeps one per knowledge-base generation, so a reload makes
`/viec`, `/hanchot` and reminders follow the new plans without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from knowledge.deadlines_duties import DutyRow, Plan, open_duties
from retrieval.units import Unit, UnitIndex, split_units

Role = Literal["lead", "support"]
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving: a fixed offset needs no tz database
ROLE_LABEL = {"lead": "Chủ trì", "support": "Phối hợp"}
TASK_CHARS = 240  # a task shown in a list is cut here (the plan holds the rest; 80% of seed tasks fit)


def vietnam_now() -> datetime:
    return datetime.now(VIETNAM)


@dataclass(frozen=True)
class UnitDuty:
    """One duty as one unit holds it: as the lead or as a supporting unit."""

    unit: Unit
    role: Role
    row: DutyRow

    @property
    def key(self) -> str:
        return f"{self.row.key}:{self.unit.key}:{self.role}"


class DutyBook:
    """Every duty of one knowledge base, indexed by unit."""

    def __init__(self, rows: list[DutyRow]) -> None:
        self.rows = rows
        named: list[tuple[str, Role, DutyRow]] = []
        for row in rows:
            # A closing sentence's addressee is one phrase ("Thủ trưởng các Sở, ban, ngành, đoàn thể"):
            # only its semicolons separate bodies.
            leads = ([p.strip() for p in row.lead.split(";") if p.strip()] if row.origin == "sentence"
                     else split_units(row.lead))
            named += [(name, "lead", row) for name in leads]
            # Parts may cut "Sở Văn hóa, Thể thao và Du lịch" at its comma: joined, then split by body.
            named += [(name, "support", row) for name in split_units(", ".join(row.support))]
        self.units = UnitIndex(name for name, _, _ in named)
        self.entries: list[UnitDuty] = []
        seen: set[str] = set()
        for name, role, row in named:
            unit = self.units.unit_of(name)
            if unit is None:
                continue
            entry = UnitDuty(unit, role, row)
            if entry.key not in seen:
                seen.add(entry.key)
                self.entries.append(entry)

    def for_unit(self, unit: Unit) -> list[UnitDuty]:
        """A unit's duties: lead ones first, then by their next date."""
        mine = [e for e in self.entries if e.unit.key == unit.key]
        return sorted(mine, key=lambda e: (e.role != "lead", _first(e.row), e.row.plan.doc_id))

    def dated(self, unit: Unit | None = None) -> list[tuple[date, UnitDuty]]:
        """(date, duty) for every dated deadline, by date."""
        out = [(d, e) for e in self.entries if unit is None or e.unit.key == unit.key
               if e.row.deadline.remindable for d in e.row.deadline.dates]
        return sorted(out, key=lambda t: (t[0], t[1].unit.name, t[1].row.key))

    def upcoming(self, today: date, days: int, unit: Unit | None = None) -> list[tuple[date, UnitDuty]]:
        end = today + timedelta(days=days)
        return [(d, e) for d, e in self.dated(unit) if today <= d <= end]


def _first(row: DutyRow) -> date:
    return row.deadline.dates[0] if row.deadline.dates else date.max


class DutyCatalog:
    """The `DutyBook` of whatever knowledge DB file is serving; rebuilt when the file changes."""

    def __init__(self, kb_path: Callable[[], Path], refresh: Callable[[], object] | None = None) -> None:
        self._kb_path = kb_path
        self._refresh = refresh
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._book = DutyBook([])

    def peek(self) -> DutyBook | None:
        """The book last read, without reading the DB (None before the first read): for code on an
        event loop, which must not wait for a large knowledge base to be read."""
        return self._book if self._stamp is not None else None

    def book(self) -> DutyBook:
        if self._refresh is not None:
            self._refresh()
        path = self._kb_path()
        try:
            st = path.stat()
            stamp: tuple | None = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._book = DutyBook(open_duties(str(path)) if stamp else [])
                self._stamp = stamp
            return self._book


# -- how a duty reads ---------------------------------------------------------------------------
def day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def plan_label(plan: Plan) -> str:
    """'Kế hoạch số 148/KH-SYT ngày 31/07/2025' or the title when the plan has no number."""
    if plan.number:
        head = f"Kế hoạch số {plan.number}"
        return f"{head} ngày {plan.date}" if plan.date.count("/") == 2 else head
    title = plan.title or "Kế hoạch"
    title = title if len(title) <= 110 else title[:109].rstrip() + "…"
    return f"{title} ({plan.issuer})" if plan.issuer else title


def citation_line(row: DutyRow) -> str:
    section = f" — mục {row.section}" if row.section else ""
    return f"Nguồn: {plan_label(row.plan)}{section}"


def short(text: str, limit: int = TASK_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def deadline_line(row: DutyRow, limit_dates: int = 6) -> str:
    dl = row.deadline
    wording = short(dl.text, 160) if dl.text else ""
    if dl.kind == "ongoing":
        return f"Thời hạn: {wording} (thường xuyên, không có ngày nhắc)"
    if not dl.dates:
        return f"Thời hạn: {wording} (chưa xác định được ngày)" if wording else "Thời hạn: không ghi trong kế hoạch"
    shown = ", ".join(day(d) for d in dl.dates[:limit_dates])
    if len(dl.dates) > limit_dates:
        shown += f" và {len(dl.dates) - limit_dates} ngày khác"
    return f"Thời hạn: {wording} → {shown}" if wording else f"Thời hạn: {shown}"


def duty_block(entry: UnitDuty, number: int | None = None, with_unit: bool = False) -> str:
    head = f"{number}. " if number is not None else "• "
    who = f"{entry.unit.name} — " if with_unit else ""
    return "\n".join([f"{head}{who}[{ROLE_LABEL[entry.role]}] {short(entry.row.task)}",
                      f"   {deadline_line(entry.row)}",
                      f"   {citation_line(entry.row)}"])

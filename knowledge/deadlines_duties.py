"""The knowledge base's duties with their deadlines as dates: what `/viec`, reminders and calendars read.

Two sources, both from the knowledge DB:
- the plans' tasks (`doc_tasks`, from the document parts: "Tổ chức thực hiện" items and appendix
  rows), each dated by its deadline field or, when that is empty, by a deadline its own words state;
- deadline sentences no task carries: plans close with "... báo cáo hằng quý ... trước ngày 06 của
  tháng cuối quý về UBND xã", addressed to every unit. Those are read from the passages and kept
  when no task of the same plan already has the same dates, with the sentence's addressee as lead.

Read-only and pure over an open connection, so the CLI, the bot and tests share it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, field

from knowledge.deadlines import (
    SENTENCE_CUE,
    Deadline,
    Period,
    canonical,
    deadline_in,
    parse_deadline,
    period_in_title,
    plan_period,
)
from knowledge.text import fold

# Addressees of a closing deadline sentence, as the plans write them (folded): who must report.
_ADDRESSEE = re.compile(
    r"((?:thu truong|truong|chu tich|giam doc|lanh dao)\b.{3,160}?|cac (?:phong|co quan|don vi|so|khoa)\b.{0,120}?)"
    r"\s+(?:chi dao|to chuc|thuc hien|co trach nhiem|bao cao|xay dung|gui)\b")
# A sentence that opens with a body's name ("Phòng Văn hóa - Xã hội chủ trì ..., báo cáo ...").
_OPENING_BODY = re.compile(
    r"^((?:van phong|phong|so|trung tam|khoa|ban|uy ban nhan dan|ubnd|doan|hoi)\b.{1,100}?)"
    r"\s+(?:chu tri|chi dao|to chuc|thuc hien|co trach nhiem|bao cao|xay dung|gui|phoi hop|tong hop)\b")
GENERIC_ADDRESSEE = "Các cơ quan, đơn vị liên quan"
MAX_TASK_CHARS = 600  # a task longer than this is a misread section; shown cut (longest seed row: 410)


@dataclass(frozen=True)
class Plan:
    """What a duty cites: the plan's identity as people read it."""

    doc_id: str
    title: str
    number: str
    date: str
    issuer: str
    period: Period | None


@dataclass(frozen=True)
class DutyRow:
    """One duty of one plan: a task with its lead and supporting units and its deadline."""

    task: str
    lead: str
    support: tuple[str, ...]
    deadline: Deadline
    plan: Plan
    section: str
    source_text: str
    origin: str = "task"  # "task" (document parts) | "sentence" (a closing deadline sentence)
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """Stable across rebuilds of the same plans: reminders and calendar UIDs hang on it."""
        basis = "|".join([self.plan.doc_id, self.section, fold(self.lead), fold(self.task)[:200],
                          fold(self.deadline.text)])
        return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def _clean_task(text: str) -> str:
    """One line, without the list marker it had in the plan ("- Định kỳ báo cáo ...")."""
    return re.sub(r"^[-+•*–]\s*", "", " ".join(text.split()))[:MAX_TASK_CHARS]


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def load_plans(conn: sqlite3.Connection) -> dict[str, Plan]:
    """Every document with its period (from its parts, else the year of its date)."""
    tables = _tables(conn)
    if "documents" not in tables:
        return {}
    cols = _columns(conn, "documents")
    title = "COALESCE(title_display, title)" if "title_display" in cols else "title"
    issuer = "COALESCE(issuer_display, issuer)" if "issuer_display" in cols else "issuer"
    periods: dict[str, tuple[str | None, str | None]] = {}
    if "doc_parts" in tables and {"period_start", "period_end"} <= _columns(conn, "doc_parts"):
        periods = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT doc_id, period_start, period_end FROM doc_parts")}
    plans = {}
    for doc_id, t, number, d, i in conn.execute(
            f"SELECT doc_id, {title}, number, date, {issuer} FROM documents ORDER BY doc_id"):
        start, end = periods.get(doc_id, (None, None))
        period = plan_period(start, end) if start or end else period_in_title(t or "", d)
        plans[doc_id] = Plan(doc_id, t or "", number or "", d or "", i or "", period)
    return plans


def _support(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        value = [raw]
    if isinstance(value, str):
        value = [value]
    return tuple(str(v).strip() for v in value if str(v).strip())


def _task_rows(conn: sqlite3.Connection, plans: dict[str, Plan]) -> list[DutyRow]:
    if "doc_tasks" not in _tables(conn):
        return []
    rows = []
    for doc_id, section, task, lead, support, deadline, source in conn.execute(
            "SELECT doc_id, section, task, lead, support, deadline, source_text FROM doc_tasks "
            "ORDER BY doc_id, ord"):
        plan = plans.get(doc_id)
        if plan is None or not (task or "").strip():
            continue
        parsed = parse_deadline(deadline or "", plan.period)
        if not parsed.dates:
            stated = deadline_in(task or "", plan.period)
            if stated is not None:
                parsed = stated
        rows.append(DutyRow(task=_clean_task(task), lead=(lead or "").strip(),
                            support=_support(support), deadline=parsed, plan=plan,
                            section=section or "", source_text=source or ""))
    return rows


def addressee(sentence: str) -> str:
    """Who a closing sentence addresses ("Thủ trưởng các phòng, cơ quan, đơn vị có liên quan"), in
    the sentence's own words; the generic addressee when it names none."""
    words = " ".join(sentence.split())
    folded = fold(words)
    m = _OPENING_BODY.search(folded) or _ADDRESSEE.search(folded)
    if m is None:
        return GENERIC_ADDRESSEE
    # Map the folded span back onto the written words (folding keeps one token per word).
    tokens = re.findall(r"\w+|[^\w\s]", words)
    start_tok = len(folded[:m.start(1)].split())
    n_tok = len(m.group(1).split())
    out, seen = [], 0
    for tok in tokens:
        if re.match(r"\w", tok):
            if start_tok <= seen < start_tok + n_tok:
                out.append(tok)
            seen += 1
        elif out and seen < start_tok + n_tok and tok in ",;":
            out[-1] += tok
        elif out and seen < start_tok + n_tok and tok in "-–":
            out.append(tok)
    text = " ".join(out).strip(" ,;")
    return text[:1].upper() + text[1:] if text else GENERIC_ADDRESSEE


_UNIT_HEADING = re.compile(r"^(?:van phong|phong|so|trung tam|khoa|ban|cac phong|cac khoa|uy ban nhan dan|ubnd)\b")
_NUMBERING = re.compile(r"^\s*(?:[0-9]+|[IVXLivxl]+|[a-zđ])[.)]\s*")


def _unit_heading(headings: str | None) -> str:
    """The innermost heading when it names a body ("1. Phòng Tổ chức - Hành chính"): the section
    is that body's duties, so its sentences are that body's."""
    try:
        items = json.loads(headings or "[]")
    except ValueError:
        return ""
    if not items:
        return ""
    last = _NUMBERING.sub("", str(items[-1])).strip()
    return last if _UNIT_HEADING.match(fold(last)) and len(last) <= 120 else ""


_SENTENCE_END = re.compile(r"(?<=[.])\s+(?=[A-ZĐÀ-Ỹ])|\n\s*\n|\n(?=\s*[-+•]\s)")


def _sentence_rows(conn: sqlite3.Connection, plans: dict[str, Plan], covered: set[tuple[str, tuple]]) -> list[DutyRow]:
    if "passages" not in _tables(conn):
        return []
    cols = _columns(conn, "passages")
    body = "COALESCE(display, text)" if "display" in cols else "text"
    rows: list[DutyRow] = []
    seen: set[tuple[str, tuple]] = set()
    heads = "COALESCE(headings_display, headings)" if "headings_display" in cols else "headings"
    for doc_id, section, text, headings in conn.execute(
            f"SELECT doc_id, section, {body}, {heads} FROM passages ORDER BY id"):
        plan = plans.get(doc_id)
        if plan is None or not text:
            continue
        if SENTENCE_CUE.search(canonical(text)) is None:
            continue  # most passages state no deadline: one pass over the passage, not per sentence
        unit_heading = _unit_heading(headings)
        for sentence in _SENTENCE_END.split(text):
            found = deadline_in(sentence, plan.period)
            if found is None or not found.remindable:
                continue
            mark = (doc_id, found.dates)
            if mark in covered or mark in seen:
                continue
            seen.add(mark)
            lead = unit_heading or addressee(sentence)
            rows.append(DutyRow(task=_clean_task(sentence), lead=lead,
                                support=(), deadline=found, plan=plan, section=section or "",
                                source_text=sentence, origin="sentence"))
    return rows


def load_duties(conn: sqlite3.Connection) -> list[DutyRow]:
    """All duties of the knowledge base: tasks first, then closing deadline sentences not covered."""
    try:
        plans = load_plans(conn)
        tasks = _task_rows(conn, plans)
        covered = {(r.plan.doc_id, r.deadline.dates) for r in tasks if r.deadline.dates}
        return tasks + _sentence_rows(conn, plans, covered)
    except sqlite3.Error:
        return []  # a knowledge DB from before document parts: no duties, never a crash


def open_duties(kb_path: str) -> list[DutyRow]:
    """`load_duties` over the DB file, opened read-only for the duration."""
    conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
    try:
        return load_duties(conn)
    finally:
        conn.close()

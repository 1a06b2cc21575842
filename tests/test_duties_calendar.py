"""`cchc viec list|ics`: the iCalendar file parsed by the `icalendar` package, UIDs stable across
rebuilds, JSON lines, and issue 21's acceptance on the seed plans (their report deadlines dated)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import icalendar

from handlers.duties_book import DutyBook
from handlers.duties_calendar import calendar, json_rows
from knowledge.deadlines_duties import open_duties
from tests.test_duties_support import write_parts_kb

ROOT = Path(__file__).resolve().parents[1]


def book_of(path: Path) -> DutyBook:
    return DutyBook(open_duties(str(path)))


def events(text: str) -> list:
    cal = icalendar.Calendar.from_ical(text)
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_one_event_per_dated_deadline_parsed_by_icalendar(tmp_path: Path) -> None:
    book = book_of(write_parts_kb(tmp_path / "kb.db"))
    text = calendar(book)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))   # RFC 5545 §3.1 folding
    found = events(text)
    expected = {(e.row.key, d) for d, e in book.dated()}
    assert len(found) == len(expected) == 10   # 2 + 1 + 1 + 1 (plan A), 1 + 4 (plan B)
    by_day = {ev.decoded("DTSTART"): ev for ev in found}
    quarter = by_day[date(2025, 9, 30)]
    assert str(quarter["SUMMARY"]).startswith("Hạn: Xây dựng chuyên mục cải cách hành chính")
    description = str(quarter["DESCRIPTION"])
    assert "Phòng Tổ chức - Hành chính (chủ trì); Phòng Văn hóa - Xã hội (phối hợp)" in description
    assert "Nguồn: Kế hoạch số 88/KH-UBND ngày 05/07/2025 — mục III.1" in description
    assert quarter.decoded("DTEND") == date(2025, 10, 1)
    assert len({str(ev["UID"]) for ev in found}) == len(found)


def test_uids_stable_across_rebuilds_and_per_unit_calendars(tmp_path: Path) -> None:
    first = events(calendar(book_of(write_parts_kb(tmp_path / "a.db"))))
    second = events(calendar(book_of(write_parts_kb(tmp_path / "b.db"))))
    assert sorted(str(e["UID"]) for e in first) == sorted(str(e["UID"]) for e in second)
    book = book_of(tmp_path / "a.db")
    unit = book.units.match("VHXH").unit
    mine = events(calendar(book, unit))
    assert [e.decoded("DTSTART") for e in mine] == [date(2025, 9, 30)]       # its only dated duty
    assert str(mine[0]["UID"]) in {str(e["UID"]) for e in first}
    assert "Phòng Văn hóa - Xã hội" in icalendar.Calendar.from_ical(calendar(book, unit))["X-WR-CALNAME"]


def test_json_rows(tmp_path: Path) -> None:
    book = book_of(write_parts_kb(tmp_path / "kb.db"))
    rows = list(json_rows(book, book.units.match("phong tchc").unit))
    assert {tuple(sorted(r)) for r in rows} == {("dates", "deadline_text", "doc_id", "role", "section", "task", "unit")}
    assert [(r["role"], r["dates"]) for r in rows] == [
        ("lead", ["2025-09-06", "2025-12-06"]), ("lead", ["2025-09-30"]), ("support", [])]
    assert rows[2]["deadline_text"] == "Thường xuyên"


def cchc(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CCHC_DATA_DIR=str(data_dir))
    env.pop("CCHC_DOCS_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_on_the_seed_plans_dates_their_report_deadlines(data_dir: Path) -> None:
    """Issue 21's acceptance: the Phú Thái plan's and 148/KH-SYT's quarterly report deadlines and the
    2018 plan's 01/3, 01/6, 01/9 and 01/11, each dated right, in `cchc viec list --json`."""
    done = cchc(data_dir, "viec", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    dated = {(r["doc_id"], tuple(r["dates"])) for r in rows}
    assert ("001_60cbb597f620e29e", ("2025-09-06", "2025-12-06")) in dated     # Phú Thái, before day 06
    assert ("002_50c5990e9e108848", ("2025-09-04", "2025-12-04")) in dated     # 148/KH-SYT, before day 04
    assert ("003_de768361bdbd9f80", ("2018-03-01", "2018-06-01", "2018-09-01", "2018-11-01")) in dated
    assert all(r["role"] in ("lead", "support") for r in rows)
    ics = cchc(data_dir, "viec", "ics")
    assert ics.returncode == 0 and len(events(ics.stdout)) >= 8
    again = cchc(data_dir, "viec", "ics")
    assert sorted(str(e["UID"]) for e in events(again.stdout)) == sorted(str(e["UID"]) for e in events(ics.stdout))
    text = cchc(data_dir, "viec", "list", "--unit", "khong co don vi nay")
    assert text.returncode == 1 and text.stderr.startswith("Không tìm thấy đơn vị “khong co don vi nay”")

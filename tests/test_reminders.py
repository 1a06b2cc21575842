"""Reminders over the state DB with an injected clock: when each is owed, restarts, late ones,
blocked chats, reloads, and the sending loop's handling of each channel outcome.

The channels end to end (fake Telegram and Zalo servers) are in tests/test_reminders_channels.py.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils

from handlers.duties import DutyService
from handlers.duties_book import VIETNAM
from handlers.reminders import MAX_REMINDER_CHARS, Reminder, chat_messages, send_due
from handlers.state_db import StateDB
from tests.test_duties_support import DOC_A, stub_holder, write_parts_kb

CHAT = "7001"


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=VIETNAM)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_parts_kb(tmp_path / "kb.db")


def service_over(kb: Path, state_path: Path, clock: Clock) -> DutyService:
    """A fresh service over the same files: what a bot restart gives."""
    return DutyService(stub_holder(kb), StateDB(state_path), clock=clock)


def owed_for(service: DutyService, due: str) -> list[Reminder]:
    return [r for r in service.reminders.due("telegram") if r.due.isoformat() == due]


def subscribe(service: DutyService, typed: str = "phong tchc") -> None:
    unit = service.book().units.match(typed).unit
    assert service.reminders.subscribe("telegram", CHAT, unit)


def test_seven_days_one_day_and_on_the_day_each_once(kb: Path, tmp_path: Path) -> None:
    clock = Clock(at(8, 29, 10))
    svc = service_over(kb, tmp_path / "state.db", clock)
    subscribe(svc)
    assert owed_for(svc, "2025-09-06") == []                # 7 days before is 30/08
    clock.now = at(8, 30, 7, 59)
    assert owed_for(svc, "2025-09-06") == []                # not before CCHC_REMIND_HOUR
    clock.now = at(8, 30, 8, 0)
    [seven] = owed_for(svc, "2025-09-06")
    assert (seven.offset, seven.late) == (7, False)
    text = seven.text()
    assert text.startswith("⏰ Nhắc việc: còn 7 ngày đến hạn 06/09/2025")
    assert "Đơn vị: Phòng Tổ chức - Hành chính (chủ trì)" in text
    assert "Nguồn: Kế hoạch số 88/KH-UBND ngày 05/07/2025 — mục III.1" in text
    svc.reminders.record(seven, "sent")
    assert owed_for(svc, "2025-09-06") == []                # never twice
    restarted = service_over(kb, tmp_path / "state.db", clock)
    assert owed_for(restarted, "2025-09-06") == []          # nor after a restart
    clock.now = at(9, 5, 8, 30)
    [one] = owed_for(restarted, "2025-09-06")
    assert one.offset == 1 and "còn 1 ngày đến hạn 06/09/2025" in one.text()
    restarted.reminders.record(one, "sent")
    clock.now = at(9, 6, 8, 0)
    [today] = owed_for(restarted, "2025-09-06")
    assert today.text().startswith("⏰ Nhắc việc: HÔM NAY là hạn (06/09/2025)")
    restarted.reminders.record(today, "sent")
    clock.now = at(9, 7, 8, 0)
    assert owed_for(restarted, "2025-09-06") == []          # each told once, even after the deadline


def test_down_over_the_deadline_tells_it_has_passed(kb: Path, tmp_path: Path) -> None:
    clock = Clock(at(8, 29, 10))
    svc = service_over(kb, tmp_path / "state.db", clock)
    subscribe(svc)
    clock.now = at(9, 8, 9)                                   # down from 29/08 to 08/09: 06/09 went by
    [passed] = owed_for(svc, "2025-09-06")
    assert passed.offset == 0 and passed.late
    assert passed.text().startswith("⏰ Nhắc việc: đã quá hạn 2 ngày (hạn 06/09/2025) — nhắc muộn")
    clock.now = at(9, 10, 9)                                  # (not sent) beyond LATE_GRACE_DAYS: not told
    assert owed_for(svc, "2025-09-06") == []


def test_down_over_a_reminder_sends_it_late_once(kb: Path, tmp_path: Path) -> None:
    clock = Clock(at(8, 29, 10))
    svc = service_over(kb, tmp_path / "state.db", clock)
    subscribe(svc)
    clock.now = at(9, 6, 7, 0)                               # down from 29/08 to 06/09 07:00
    [late] = owed_for(svc, "2025-09-06")
    assert (late.offset, late.late) == (1, True)             # the 7-day one is superseded by it
    assert "nhắc muộn (lẽ ra gửi ngày 05/09/2025" in late.text()
    svc.reminders.record(late, "sent")
    rows = svc.reminders.state.query("SELECT offset_days, status, late FROM duty_reminders_sent "
                                     "WHERE due_date = '2025-09-06' ORDER BY offset_days")
    assert rows == [{"offset_days": 1, "status": "sent", "late": 1},
                    {"offset_days": 7, "status": "superseded", "late": 0}]
    assert owed_for(svc, "2025-09-06") == []
    clock.now = at(9, 6, 8, 0)
    [today] = owed_for(svc, "2025-09-06")
    assert today.offset == 0 and not today.late


def test_subscribing_late_owes_nothing_from_before(kb: Path, tmp_path: Path) -> None:
    clock = Clock(at(9, 4, 9))                                # after the 7-day moment of 06/09
    svc = service_over(kb, tmp_path / "state.db", clock)
    subscribe(svc)
    assert owed_for(svc, "2025-09-06") == []
    clock.now = at(9, 5, 8)
    assert [r.offset for r in owed_for(svc, "2025-09-06")] == [1]


def test_a_reload_without_the_plan_ends_its_reminders(kb: Path, tmp_path: Path) -> None:
    clock = Clock(at(8, 29, 10))
    svc = service_over(kb, tmp_path / "state.db", clock)
    subscribe(svc)
    clock.now = at(8, 30, 8)
    assert owed_for(svc, "2025-09-06")
    new = tmp_path / "new.db"
    shutil.copy(kb, new)
    sqlite_utils.Database(new).execute("DELETE FROM doc_tasks WHERE doc_id = ?", [DOC_A])
    new.replace(kb)                                           # what a rebuild does: a new file swapped in
    assert svc.reminders.due("telegram") == []


def test_a_blocked_chat_is_unsubscribed_with_an_audit_row(kb: Path, tmp_path: Path) -> None:
    svc = service_over(kb, tmp_path / "state.db", Clock(at(8, 30, 8)))
    subscribe(svc)
    svc.reminders.blocked("telegram", CHAT, "Forbidden: bot was blocked by the user")
    assert svc.reminders.subscriptions("telegram", CHAT) == []
    [row] = svc.reminders.state.query("SELECT action, detail FROM audit_log WHERE action LIKE 'reminders%'")
    assert row["action"] == "reminders_unsubscribed_blocked" and "Phòng Tổ chức - Hành chính" in row["detail"]
    assert svc.reminders.due("telegram") == []


def test_several_reminders_of_a_chat_fit_the_message_limit(kb: Path, tmp_path: Path) -> None:
    svc = service_over(kb, tmp_path / "state.db", Clock(at(9, 29, 9)))
    subscribe(svc)
    owed = svc.reminders.due("telegram")
    many = owed * 12
    messages = chat_messages(many)
    assert all(len(text) <= MAX_REMINDER_CHARS for text, _ in messages)
    assert sum(len(carried) for _, carried in messages) == len(many)
    assert len(messages) > 1


async def test_sending_loop_records_only_what_was_delivered(kb: Path, tmp_path: Path) -> None:
    clock = Clock(at(8, 30, 8))
    svc = service_over(kb, tmp_path / "state.db", clock)
    subscribe(svc)
    outcomes = ["retry", "sent"]
    sent: list[str] = []

    async def deliver(chat_id: str, text: str) -> tuple[str, str]:
        outcome = outcomes.pop(0)
        if outcome == "sent":
            sent.append(text)
        return outcome, "429" if outcome == "retry" else ""

    assert await send_due(svc.reminders, "telegram", deliver, pause=0) == 0   # rate limited: kept owed
    assert await send_due(svc.reminders, "telegram", deliver, pause=0) == 1
    assert len(sent) == 1 and "còn 7 ngày đến hạn 06/09/2025" in sent[0]
    assert await send_due(svc.reminders, "telegram", deliver, pause=0) == 0   # nothing owed now

    clock.now = at(9, 5, 8)

    async def blocked(chat_id: str, text: str) -> tuple[str, str]:
        return "blocked", "Forbidden: bot was blocked by the user"

    assert await send_due(svc.reminders, "telegram", blocked, pause=0) == 0
    assert svc.reminders.subscriptions("telegram") == []

    async def broken(chat_id: str, text: str) -> tuple[str, str]:
        raise RuntimeError("channel bug")

    subscribe(svc)
    assert await asyncio.wait_for(send_due(svc.reminders, "telegram", broken, pause=0), 5) == 0

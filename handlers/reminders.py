"""Subscriptions to a unit's deadlines and the reminders they owe, kept in the state DB.

A chat subscribed to a unit (`/nhacviec`) is owed a reminder `CCHC_REMIND_DAYS` days before each
of the unit's dated deadlines and on the day itself, from `CCHC_REMIND_HOUR` o'clock (Vietnam
time). Every reminder handled is a row of `duty_reminders_sent`, keyed by chat and reminder, so a
restart neither repeats one nor skips one: a reminder whose moment passed while the bot was down is
sent on start, saying it is late; when several of one deadline were missed, only the latest is sent
and the others are recorded as superseded. Reminders are computed from the serving knowledge base
each time, so a reload that removes a plan ends its reminders and one that adds a plan starts them.

Sending is the channel's job (`deliver`): it gets each chat's texts and says what happened; a chat
that blocked the bot is unsubscribed, with an audit row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from handlers.duties_book import VIETNAM, DutyCatalog, UnitDuty, citation_line, day, deadline_line, short
from handlers.state_db import StateDB
from retrieval.units import Unit

log = logging.getLogger(__name__)

PUSH_PLATFORMS = ("telegram", "zalo")  # channels that can write to a chat first
MAX_REMINDER_CHARS = 2000   # Zalo's message limit, the smallest of the push channels (Telegram: 4096)
# A deadline passed while the bot was down is still told (late, "đã quá hạn") for this many days.
LATE_GRACE_DAYS = 3
SEND_PAUSE_SECONDS = 0.05   # between two chats: 20 messages/s, under Telegram's 30/s bot-wide limit
Outcome = Literal["sent", "blocked", "retry", "failed"]


@dataclass
class Reminder:
    """One owed reminder for one chat."""

    platform: str
    chat_id: str
    key: str
    entry: UnitDuty
    due: date
    offset: int
    fire_day: date
    late: bool
    superseded: list[tuple[str, int, date]] = field(default_factory=list)  # (key, offset, fire day)
    days_left: int | None = None  # from the day it is sent; negative once the deadline has passed

    def text(self) -> str:
        row = self.entry.row
        left = self.offset if self.days_left is None else self.days_left
        if left < 0:
            when = f"đã quá hạn {-left} ngày (hạn {day(self.due)})"
        elif left == 0:
            when = f"HÔM NAY là hạn ({day(self.due)})"
        else:
            when = f"còn {left} ngày đến hạn {day(self.due)}"
        head = f"⏰ Nhắc việc: {when}"
        if self.late:
            head += f" — nhắc muộn (lẽ ra gửi ngày {day(self.fire_day)}, khi bot tạm ngừng)"
        role = "chủ trì" if self.entry.role == "lead" else "phối hợp"
        body = [head, f"Đơn vị: {self.entry.unit.name} ({role})", f"Việc: {short(row.task, 700)}",
                deadline_line(row), citation_line(row)]
        return "\n".join(body)[:MAX_REMINDER_CHARS]


class Reminders:
    """Subscriptions and owed reminders over the state DB; the clock is injectable for tests."""

    def __init__(self, state: StateDB, catalog: DutyCatalog, remind_days: tuple[int, ...] = (7, 1),
                 remind_hour: int = 8, clock: Callable[[], datetime] | None = None) -> None:
        self.state = state
        self.catalog = catalog
        self.offsets = tuple(sorted({d for d in remind_days if d > 0} | {0}, reverse=True))
        self.remind_hour = remind_hour
        self.clock = clock or (lambda: datetime.now(VIETNAM))
        state.ensure_table("duty_subscriptions",
                           {"id": int, "platform": str, "chat_id": str, "unit_key": str, "unit_name": str,
                            "created_ts": float, "created_day": str, "active": int, "ended_ts": float,
                            "end_reason": str},
                           pk="id", indexes=[["platform", "chat_id"], ["active"]])
        state.ensure_table("duty_reminders_sent",
                           {"platform": str, "chat_id": str, "reminder_key": str, "duty_key": str,
                            "unit_key": str, "due_date": str, "offset_days": int, "fire_day": str,
                            "status": str, "late": int, "ts": float},
                           pk=("platform", "chat_id", "reminder_key"), indexes=[["platform", "chat_id"]])

    def now(self) -> datetime:
        now = self.clock()
        return now.astimezone(VIETNAM) if now.tzinfo else now.replace(tzinfo=VIETNAM)

    # -- subscriptions ---------------------------------------------------------------------------
    def subscribe(self, platform: str, chat_id: str, unit: Unit) -> bool:
        """True when new; subscribing again to the same unit changes nothing."""
        if self.subscriptions(platform, chat_id, unit.key):
            return False
        now = self.now()
        self.state.insert("duty_subscriptions", {
            "platform": platform, "chat_id": chat_id, "unit_key": unit.key, "unit_name": unit.name,
            "created_ts": time.time(), "created_day": now.date().isoformat(), "active": 1,
            "ended_ts": None, "end_reason": None})
        return True

    def subscriptions(self, platform: str | None = None, chat_id: str | None = None,
                      unit_key: str | None = None) -> list[dict]:
        sql = "SELECT * FROM duty_subscriptions WHERE active = 1"
        params: list[str] = []
        for col, value in (("platform", platform), ("chat_id", chat_id), ("unit_key", unit_key)):
            if value is not None:
                sql += f" AND {col} = ?"
                params.append(value)
        return self.state.query(sql + " ORDER BY id", tuple(params))

    def unsubscribe(self, platform: str, chat_id: str, reason: str = "user",
                    unit_key: str | None = None) -> list[str]:
        """End the chat's subscriptions (to one unit when `unit_key` is given); returns their unit names."""
        subs = self.subscriptions(platform, chat_id, unit_key)
        if subs:
            with self.state.transaction() as db:
                for sub in subs:
                    db.execute("UPDATE duty_subscriptions SET active = 0, ended_ts = ?, end_reason = ? WHERE id = ?",
                               (time.time(), reason, sub["id"]))
        return [s["unit_name"] for s in subs]

    # -- what is owed ------------------------------------------------------------------------------
    def due(self, platform: str) -> list[Reminder]:
        """Reminders owed now to the platform's subscribed chats, not yet handled."""
        now = self.now()
        today = now.date()
        book = self.catalog.book()
        out: list[Reminder] = []
        for sub in self.subscriptions(platform):
            unit = next((u for u in book.units.units if u.key == sub["unit_key"]), None)
            if unit is None:
                continue
            since = date.fromisoformat(sub["created_day"])
            handled = {r["reminder_key"] for r in self.state.query(
                "SELECT reminder_key FROM duty_reminders_sent WHERE platform = ? AND chat_id = ?",
                (platform, sub["chat_id"]))}
            for due_day, entry in book.dated(unit):
                if due_day < today - timedelta(days=LATE_GRACE_DAYS):
                    continue  # long past: a reminder now would only be noise
                owed = []
                for offset in self.offsets:
                    fire = due_day - timedelta(days=offset)
                    moment = datetime(fire.year, fire.month, fire.day, self.remind_hour, tzinfo=VIETNAM)
                    if since <= fire and moment <= now:
                        owed.append((f"{entry.key}:{due_day.isoformat()}:{offset}", offset, fire))
                if not owed:
                    continue
                key, offset, fire = owed[-1]  # the latest moment: the one that still matters
                if key in handled:
                    continue
                older = [o for o in owed[:-1] if o[0] not in handled]
                out.append(Reminder(platform, sub["chat_id"], key, entry, due_day, offset, fire,
                                    late=fire < today, superseded=older, days_left=(due_day - today).days))
        return out

    def record(self, reminder: Reminder, status: str) -> None:
        rows = [(reminder.key, reminder.offset, reminder.fire_day, status)]
        rows += [(k, o, f, "superseded") for k, o, f in reminder.superseded]
        with self.state.transaction() as db:
            for key, offset, fire, st in rows:
                db["duty_reminders_sent"].insert({
                    "platform": reminder.platform, "chat_id": reminder.chat_id, "reminder_key": key,
                    "duty_key": reminder.entry.row.key, "unit_key": reminder.entry.unit.key,
                    "due_date": reminder.due.isoformat(), "offset_days": offset, "fire_day": fire.isoformat(),
                    "status": st, "late": int(reminder.late and st != "superseded"), "ts": time.time()},
                    replace=True)

    def blocked(self, platform: str, chat_id: str, detail: str) -> None:
        units = self.unsubscribe(platform, chat_id, reason="blocked")
        self.state.audit(platform, chat_id, "reminders_unsubscribed_blocked",
                         f"{', '.join(units)}: {detail}"[:300], True)


def chat_messages(reminders: list[Reminder], limit: int = MAX_REMINDER_CHARS) -> list[tuple[str, list[Reminder]]]:
    """One chat's reminders as few messages as fit the limit, each with the reminders it carries."""
    out: list[tuple[str, list[Reminder]]] = []
    for r in sorted(reminders, key=lambda r: (r.due, r.entry.unit.name)):
        text = r.text()
        if out and len(out[-1][0]) + 2 + len(text) <= limit:
            out[-1] = (out[-1][0] + "\n\n" + text, out[-1][1] + [r])
        else:
            out.append((text, [r]))
    return out


async def send_due(reminders: Reminders, platform: str,
                   deliver: Callable[[str, str], Awaitable[tuple[Outcome, str]]],
                   pause: float = SEND_PAUSE_SECONDS) -> int:
    """Send what is owed now on `platform` through `deliver(chat_id, text) -> (outcome, detail)`;
    returns the number of messages sent. Never raises: a failure is logged and retried next round."""
    try:
        owed = await asyncio.to_thread(reminders.due, platform)
    except Exception:
        log.exception("could not compute the reminders owed")
        return 0
    by_chat: dict[str, list[Reminder]] = {}
    for r in owed:
        by_chat.setdefault(r.chat_id, []).append(r)
    sent = 0
    for chat_id, items in by_chat.items():
        for text, carried in chat_messages(items):
            try:
                outcome, detail = await deliver(chat_id, text)
            except Exception as exc:  # a channel bug must not stop the other chats' reminders
                log.exception("reminder to %s:%s failed", platform, chat_id)
                outcome, detail = "retry", type(exc).__name__
            if outcome == "blocked":
                await asyncio.to_thread(reminders.blocked, platform, chat_id, detail)
                log.info("chat %s:%s blocked the bot: unsubscribed from reminders", platform, chat_id)
                break
            if outcome == "retry":
                log.warning("reminder to %s:%s not sent (%s); retried next round", platform, chat_id, detail)
                break
            for r in carried:
                await asyncio.to_thread(reminders.record, r, "sent" if outcome == "sent" else "failed")
            sent += outcome == "sent"
            if pause:
                await asyncio.sleep(pause)
    return sent


async def remind_forever(reminders: Reminders, platform: str,
                         deliver: Callable[[str, str], Awaitable[tuple[Outcome, str]]],
                         interval: float, stop: asyncio.Event | None = None, first: float = 0.0) -> None:
    """The scheduler of a channel without a job queue (Zalo): a round after `first` seconds, then
    every `interval`."""
    if first > 0:
        await asyncio.sleep(first)
    while stop is None or not stop.is_set():
        await send_due(reminders, platform, deliver)
        if stop is None:
            await asyncio.sleep(interval)
        else:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass

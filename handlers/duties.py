"""Duties and deadlines, the same on every channel: `/viec`, `/hanchot`, `/nhacviec`, `/huynhac`.

Free text reaches the same answers only when it is clearly one of these questions ("phòng TCHC
phải làm gì", "tháng này có hạn gì", "khi nào nộp báo cáo quý 4"): the question must be made of a
known unit or a deadline phrase plus question words and nothing else, so a question about a plan's
content ("các phòng ... có trách nhiệm gì trong kế hoạch tuyên truyền") still goes to the plans.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from handlers.dispatch import Command, Dispatcher
from handlers.duties_book import (
    DutyBook,
    DutyCatalog,
    UnitDuty,
    citation_line,
    day,
    duty_block,
    short,
)
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Button, Incoming, Reply
from handlers.reminders import PUSH_PLATFORMS, Reminders
from handlers.state_db import StateDB
from knowledge.text import fold
from retrieval.units import Unit, UnitIndex, UnitMatch

DEFAULT_DAYS = 30
MAX_DAYS = 366
LIST_LIMIT = 15      # duties shown per /viec answer (the longest seed unit has 9); the rest counted
UPCOMING_LIMIT = 20  # deadlines shown per /hanchot answer
UNITS_SHOWN = 40
CHOICES_SHOWN = 6    # several units fitting: at most this many buttons

# Words a duty or deadline question may hold besides the unit / time phrase (folded).
_FILLER = set("""
a ah a. ak vay oi cho hoi minh em toi anh chi ban bot tro ly oi nhe nha the nao nhu the la gi nhung
cac co can phai lam viec nhiem vu trach duoc giao nao gi ve dang se con ngay nhung dieu cong chu tri
phu trach phoi hop don vi nay toi sap den han chot het nop gui bao cao khi bao gio luc va trong
thoi han hang quy nam thang tuan 6 sau cua ke hoach khong chua ko k hay nhi nhe
""".split())
_DUTY_PHRASE = re.compile(r"\b(?:lam gi|lam nhung gi|viec gi|nhung viec|nhiem vu|trach nhiem|duoc giao|phu trach"
                          r"|chu tri (?:gi|nhung)|viec cua)\b")
_TIME_PHRASE = re.compile(r"\b(?:thang nay|tuan nay|tuan toi|tuan sau|thang toi|thang sau|sap toi|sap den"
                          r"|hom nay|ngay mai|quy nay|(\d{1,3}) ngay toi)\b")
_DEADLINE_WORD = re.compile(r"\b(?:han|han chot|het han|den han|thoi han)\b")
_REPORT_WHEN = re.compile(r"\b(?:khi nao|bao gio|ngay nao|luc nao|han)\b.*\b(?:nop|gui)\b.*\bbao cao\b"
                          r"(?: (?:quy ([1-4]|i{1,3}|iv)|hang quy|nam|6 thang|dinh ky))?")
_ROMAN = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}


def _only_filler(words: list[str]) -> bool:
    return all(w in _FILLER or w.isdigit() for w in words)


class DutyService:
    """The duties commands over the serving knowledge base and the state DB."""

    def __init__(self, holder: KnowledgeHolder, state: StateDB, remind_days: tuple[int, ...] = (7, 1),
                 remind_hour: int = 8, clock: Callable[[], datetime] | None = None) -> None:
        self.catalog = DutyCatalog(lambda: holder.kb_path, holder.refresh_if_changed)
        self.reminders = Reminders(state, self.catalog, remind_days, remind_hour, clock)

    def book(self) -> DutyBook:
        return self.catalog.book()

    def today(self) -> date:
        return self.reminders.now().date()

    # -- /viec -----------------------------------------------------------------------------------
    def cmd_viec(self, incoming: Incoming, args: str) -> list[Reply]:
        """/viec [đơn vị]: a unit's tasks across the plans."""
        book = self.book()
        if not args:
            return [self._unit_list(book, "Gõ /viec kèm tên đơn vị, ví dụ: /viec phòng TCHC.")]
        return self._for_match(book, book.units.match(args), args, "viec", self.unit_duties)

    def on_viec(self, incoming: Incoming, slug: str) -> list[Reply]:
        unit = self.book().units.by_slug(slug)
        if unit is None:
            return [Reply("Không còn đơn vị này trong các kế hoạch. Gõ /viec để xem danh sách.")]
        return self.unit_duties(unit)

    def unit_duties(self, unit: Unit) -> list[Reply]:
        entries = self.book().for_unit(unit)
        if not entries:
            return [Reply(f"Các kế hoạch hiện có không giao việc nào cho {unit.name}.")]
        lead = sum(e.role == "lead" for e in entries)
        head = (f"Việc của {unit.name}: {len(entries)} việc ({lead} chủ trì, {len(entries) - lead} phối hợp).")
        blocks = [duty_block(e, i) for i, e in enumerate(entries[:LIST_LIMIT], 1)]
        tail = [f"… và {len(entries) - LIST_LIMIT} việc khác."] if len(entries) > LIST_LIMIT else []
        tail.append(f"Gõ /nhacviec {unit.name} để được nhắc trước mỗi hạn.")
        return [Reply("\n\n".join([head, *blocks, *tail]))]

    # -- /hanchot ----------------------------------------------------------------------------------
    def cmd_hanchot(self, incoming: Incoming, args: str) -> list[Reply]:
        """/hanchot [số ngày] [đơn vị]: what falls due soon, soonest first."""
        days, rest = DEFAULT_DAYS, args
        m = re.match(r"\s*(\d{1,6})\b\s*(.*)", args)
        if m:
            days, rest = int(m.group(1)), m.group(2)
            if not 1 <= days <= MAX_DAYS:
                return [Reply(f"Số ngày phải từ 1 đến {MAX_DAYS}, ví dụ: /hanchot 30.")]
        book = self.book()
        if rest.strip():
            match = book.units.match(rest)
            return self._for_match(book, match, rest, f"hc:{days}", lambda u: self.upcoming(days, u))
        return self.upcoming(days)

    def on_hanchot(self, incoming: Incoming, rest: str) -> list[Reply]:
        days_text, _, slug = rest.partition(":")
        unit = self.book().units.by_slug(slug)
        days = int(days_text) if days_text.isdigit() else DEFAULT_DAYS
        return self.upcoming(min(days, MAX_DAYS), unit) if unit else self.upcoming(DEFAULT_DAYS)

    def upcoming(self, days: int, unit: Unit | None = None, start: date | None = None,
                 end: date | None = None, title: str | None = None) -> list[Reply]:
        today = self.today()
        start, end = start or today, end or today + timedelta(days=days)
        book = self.book()
        items = [(d, e) for d, e in book.dated(unit) if start <= d <= end]
        who = f" của {unit.name}" if unit else ""
        title = title or f"Hạn trong {days} ngày tới{who} (từ {day(today)})"
        if not items:
            later = [(d, e) for d, e in book.dated(unit) if d > end]
            text = f"{title}: không có hạn nào."
            if later:
                d, e = later[0]
                text += f"\n\nHạn gần nhất sau đó: {day(d)} — {e.unit.name}: {short(e.row.task, 160)}\n   " \
                        f"{citation_line(e.row)}"
            return [Reply(text)]
        grouped: dict[tuple[date, str], list[UnitDuty]] = {}
        for d, e in items:
            grouped.setdefault((d, e.row.key), []).append(e)
        lines = [f"{title}: {len(grouped)} hạn."]
        for i, ((d, _), entries) in enumerate(list(grouped.items())[:UPCOMING_LIMIT], 1):
            left = (d - today).days
            when = "hôm nay" if left == 0 else (f"còn {left} ngày" if left > 0 else f"đã qua {-left} ngày")
            units = "; ".join(f"{e.unit.name} ({'chủ trì' if e.role == 'lead' else 'phối hợp'})" for e in entries)
            row = entries[0].row
            lines.append(f"{i}. {day(d)} ({when}) — {short(row.task, 200)}\n   Đơn vị: {units}\n"
                         f"   Thời hạn: {short(row.deadline.text, 140)}\n   {citation_line(row)}")
        if len(grouped) > UPCOMING_LIMIT:
            lines.append(f"… và {len(grouped) - UPCOMING_LIMIT} hạn khác.")
        return [Reply("\n\n".join(lines))]

    # -- /nhacviec, /huynhac -----------------------------------------------------------------------
    def cmd_nhacviec(self, incoming: Incoming, args: str) -> list[Reply]:
        """/nhacviec đơn vị: this chat gets a reminder before each of the unit's deadlines."""
        if incoming.platform not in PUSH_PLATFORMS:
            return [Reply("Nhắc việc chỉ gửi được qua Telegram hoặc Zalo. Bạn hãy dùng /nhacviec trong "
                          "chat Telegram hoặc Zalo với trợ lý.")]
        book = self.book()
        if not args:
            subs = self.reminders.subscriptions(incoming.platform, incoming.chat_id)
            now = ("Chat này đang nhận nhắc việc của: " + "; ".join(s["unit_name"] for s in subs) + "."
                   if subs else "Chat này chưa đăng ký nhắc việc nào.")
            return [self._unit_list(book, f"{now}\nGõ /nhacviec kèm tên đơn vị, ví dụ: /nhacviec phòng TCHC.")]
        return self._for_match(book, book.units.match(args), args, "nv",
                               lambda u: self.subscribe(incoming, u))

    def on_nhacviec(self, incoming: Incoming, slug: str) -> list[Reply]:
        unit = self.book().units.by_slug(slug)
        if unit is None:
            return [Reply("Không còn đơn vị này trong các kế hoạch. Gõ /nhacviec để xem danh sách.")]
        if incoming.platform not in PUSH_PLATFORMS:
            return self.cmd_nhacviec(incoming, "")
        return self.subscribe(incoming, unit)

    def subscribe(self, incoming: Incoming, unit: Unit) -> list[Reply]:
        new = self.reminders.subscribe(incoming.platform, incoming.chat_id, unit)
        offsets = [o for o in self.reminders.offsets if o]
        when = ", ".join(f"{o} ngày" for o in offsets)
        head = (f"Đã đăng ký nhắc việc của {unit.name} cho chat này." if new
                else f"Chat này đã đăng ký nhắc việc của {unit.name} từ trước.")
        text = (f"{head}\nTrợ lý sẽ nhắc trước {when} và đúng ngày hạn, từ {self.reminders.remind_hour} giờ sáng. "
                "Gõ /huynhac để thôi nhận nhắc.")
        upcoming = [(d, e) for d, e in self.book().dated(unit) if d >= self.today()][:3]
        if upcoming:
            text += "\n\nCác hạn sắp tới:\n" + "\n".join(
                f"• {day(d)} — {short(e.row.task, 120)} ({citation_line(e.row)[7:]})" for d, e in upcoming)
        else:
            text += "\n\nHiện đơn vị chưa có hạn nào sắp tới trong các kế hoạch."
        return [Reply(text)]

    def cmd_huynhac(self, incoming: Incoming, args: str) -> list[Reply]:
        """/huynhac [đơn vị]: this chat stops getting reminders (of one unit, when named)."""
        subs = self.reminders.subscriptions(incoming.platform, incoming.chat_id)
        if not subs:
            return [Reply("Chat này chưa đăng ký nhắc việc nào.")]
        unit_key = None
        if args:
            mine = UnitIndex(s["unit_name"] for s in subs).match(args)
            if mine.unit is None:
                names = "; ".join(s["unit_name"] for s in subs)
                return [Reply(f"Chat này không đăng ký nhắc việc của “{short(args, 60)}”. Đang nhận nhắc của: {names}. "
                              "Gõ /huynhac để huỷ tất cả.")]
            unit_key = mine.unit.key  # a unit's key is its name's key: the one stored with the subscription
        units = self.reminders.unsubscribe(incoming.platform, incoming.chat_id, unit_key=unit_key)
        return [Reply("Đã huỷ nhắc việc của: " + "; ".join(units) + ".")]

    # -- free text -----------------------------------------------------------------------------------
    def intercept(self, incoming: Incoming) -> list[Reply] | None:
        """Route a question that is clearly about duties or deadlines; None for anything else."""
        if incoming.kind != "text" or incoming.text.startswith("/") or len(incoming.text) > 200:
            return None
        return self.route(incoming.text)

    def route(self, text: str) -> list[Reply] | None:
        folded = fold(text)
        words = folded.split()
        if not words or len(words) > 25:
            return None
        m = _REPORT_WHEN.search(folded)
        if m and _only_filler(_without(words, ["quy", m.group(1) or ""])):
            return self._report_deadlines(int(_ROMAN[m.group(1)]) if m.group(1) else None)
        t = _TIME_PHRASE.search(folded)
        if t and _DEADLINE_WORD.search(folded):
            rest = _without(words, t.group(0).split())
            if _only_filler(rest):
                return self._in_time(t.group(0), t.group(1))
            named = self.book().units.find_in(text)  # "phòng TCHC tháng này có hạn gì"
            if named.unit is not None and _only_filler(_without(rest, list(named.span))):
                return self._in_time(t.group(0), t.group(1), named.unit)
            return None
        if not _DUTY_PHRASE.search(folded):
            return None
        book = self.book()
        match = book.units.find_in(text)
        if match.unit is None:
            return None
        if not _only_filler(_without(words, list(match.span))):
            return None
        return self.unit_duties(match.unit)

    def _in_time(self, phrase: str, n_days: str | None, unit: Unit | None = None) -> list[Reply]:
        today = self.today()
        start = today
        if n_days:
            end, title = today + timedelta(days=min(int(n_days), MAX_DAYS)), f"Hạn trong {n_days} ngày tới"
        elif phrase == "hom nay":
            end, title = today, f"Hạn hôm nay ({day(today)})"
        elif phrase == "ngay mai":
            start = end = today + timedelta(days=1)
            title = f"Hạn ngày mai ({day(end)})"
        elif phrase in ("tuan nay", "tuan toi", "tuan sau", "sap toi", "sap den"):
            days = 7 if phrase == "tuan nay" else 14
            end, title = today + timedelta(days=days), f"Hạn trong {days} ngày tới (từ {day(today)})"
        elif phrase == "quy nay":
            q_end_month = ((today.month - 1) // 3 + 1) * 3
            end = (date(today.year, q_end_month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            title = f"Hạn từ nay đến hết quý (đến {day(end)})"
        else:  # tháng này, tháng tới, tháng sau
            month = today.month if phrase == "thang nay" else today.month % 12 + 1
            year = today.year if phrase == "thang nay" or today.month < 12 else today.year + 1
            first = date(year, month, 1)
            end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            start = max(first, today)
            title = f"Hạn trong tháng {month}/{year} (từ {day(start)})"
        if unit is not None:
            title += f" của {unit.name}"
        return self.upcoming((end - start).days, unit, start=start, end=end, title=title)

    def _report_deadlines(self, quarter: int | None) -> list[Reply]:
        book = self.book()
        dated = [(d, e) for d, e in book.dated() if "bao cao" in fold(e.row.task + " " + e.row.deadline.text)]
        if quarter:
            dated = [(d, e) for d, e in dated if (d.month - 1) // 3 + 1 == quarter]
        today = self.today()
        future = [(d, e) for d, e in dated if d >= today]
        dated = future or dated
        if not dated:
            what = f"quý {quarter}" if quarter else "định kỳ"
            return [Reply(f"Các kế hoạch hiện có không ghi hạn nộp báo cáo {what} nào có ngày cụ thể.")]
        seen: dict[tuple[str, date], UnitDuty] = {}
        for d, e in dated:
            seen.setdefault((e.row.key, d), e)
        title = f"Hạn nộp báo cáo{f' quý {quarter}' if quarter else ''} theo các kế hoạch"
        lines = [f"{title}:"]
        for i, ((_, d), e) in enumerate(list(seen.items())[:UPCOMING_LIMIT], 1):
            lines.append(f"{i}. {day(d)} — {short(e.row.deadline.text, 160)}\n   Đơn vị: {e.unit.name}\n"
                         f"   {citation_line(e.row)}")
        return [Reply("\n\n".join(lines))]

    # -- shared pieces --------------------------------------------------------------------------------
    def _unit_list(self, book: DutyBook, tail: str) -> Reply:
        units = book.units.units
        if not units:
            return Reply("Các kế hoạch hiện có chưa ghi việc của đơn vị nào.")
        counts = {u.key: 0 for u in units}
        for e in book.entries:
            counts[e.unit.key] += 1
        lines = [f"• {u.name} ({counts[u.key]} việc)" for u in units[:UNITS_SHOWN]]
        more = [f"… và {len(units) - UNITS_SHOWN} đơn vị khác."] if len(units) > UNITS_SHOWN else []
        return Reply("\n".join([f"Các đơn vị được giao việc trong kế hoạch ({len(units)}):", *lines, *more, "", tail]))

    def _for_match(self, book: DutyBook, match: UnitMatch, typed: str, prefix: str,
                   answer: Callable[[Unit], list[Reply]]) -> list[Reply]:
        if match.unit is not None:
            return answer(match.unit)
        typed = short(typed, 60)
        if not match.units:
            return [self._unit_list(book, f"Không tìm thấy đơn vị “{typed}” trong các kế hoạch.")]
        choices = match.units[:CHOICES_SHOWN]
        buttons = tuple(Button(short(u.name, 60), f"{prefix}:{u.slug}"[:64]) for u in choices)
        names = "\n".join(f"• {u.name}" for u in choices)
        return [Reply(f"Có {len(match.units)} đơn vị khớp với “{typed}”:\n{names}\nBạn chọn một đơn vị "
                      "(hoặc gõ tên đầy đủ hơn).", buttons=buttons)]


def _without(words: list[str], remove: list[str]) -> list[str]:
    out = list(words)
    for w in remove:
        if w in out:
            out.remove(w)
    return out


def register(dispatcher: Dispatcher, holder: KnowledgeHolder, state: StateDB, settings: Any,
             clock: Callable[[], datetime] | None = None) -> DutyService:
    """Wire the duties commands, their buttons and the free-text routing into `dispatcher`."""
    service = DutyService(holder, state, tuple(getattr(settings, "remind_days", (7, 1))),
                          int(getattr(settings, "remind_hour", 8)), clock)
    dispatcher.add_command(Command("viec", "Việc của một đơn vị trong các kế hoạch: /viec phòng TCHC",
                                   service.cmd_viec), "nhiemvu")
    dispatcher.add_command(Command("hanchot", "Các hạn trong 30 ngày tới (hoặc /hanchot 60)",
                                   service.cmd_hanchot), "han")
    dispatcher.add_command(Command("nhacviec", "Nhận nhắc trước mỗi hạn của một đơn vị: /nhacviec phòng TCHC",
                                   service.cmd_nhacviec))
    dispatcher.add_command(Command("huynhac", "Thôi nhận nhắc việc", service.cmd_huynhac))
    dispatcher.add_callback("viec", service.on_viec)
    dispatcher.add_callback("nv", service.on_nhacviec)
    dispatcher.add_callback("hc", service.on_hanchot)
    dispatcher.add_interceptor(service.intercept)
    return service

"""Deadlines on the web: `/lich/<unit-slug>.ics` to subscribe a calendar, and the dashboard's
"Hạn chót" page (each unit's next deadlines, its calendar link, who gets reminders).

The calendar is the same file `cchc viec ics --unit U` writes (handlers/duties_calendar.py), so
Outlook or Google Calendar subscribed to the URL follow every reload of the plans. It is public on
purpose, like the plans themselves: it holds the plans' tasks and dates, never who subscribed.
The page is server-rendered like the rest of the dashboard, every text through `h()`.
"""

from __future__ import annotations

import asyncio
from datetime import date

from aiohttp import web

from bot.web.admin import SESSION_KEY, h
from bot.web.features import Site
from handlers.duties_book import DutyBook, citation_line, day, short
from handlers.duties_calendar import calendar

ALL_SLUG = "tat-ca"        # /lich/tat-ca.ics: every unit's deadlines in one calendar
NEXT_PER_UNIT = 3          # deadlines listed per unit on the page
CARD_DAYS = 30             # the overview card counts the deadlines of the next 30 days (as /hanchot)
CHANNELS = {"telegram": "Telegram", "zalo": "Zalo"}


def _masked(chat_id: str) -> str:
    """A chat is named by its last digits only: the page is for counting, not for contacting."""
    return f"···{chat_id[-4:]}" if len(chat_id) > 4 else "···"


def unit_rows(book: DutyBook, today: date, subscribed: dict[str, int]) -> str:
    """One table row per unit, the unit with the soonest deadline first."""
    rows = []
    for unit in book.units.units:
        upcoming = [(d, e) for d, e in book.dated(unit) if d >= today][:NEXT_PER_UNIT]
        duties = len(book.for_unit(unit))
        rows.append((upcoming[0][0] if upcoming else date.max, unit.name, unit, upcoming, duties))
    rows.sort(key=lambda r: (r[0], r[1]))
    html = []
    for _, _, unit, upcoming, duties in rows:
        items = "".join(
            f"<li><time datetime=\"{d.isoformat()}\">{h(day(d))}</time> — {h(short(e.row.task, 140))} "
            f"<small>({h(citation_line(e.row)[7:])})</small></li>" for d, e in upcoming)
        nexts = f"<ul>{items}</ul>" if items else "<p>Không có hạn nào sắp tới.</p>"
        html.append(f'<tr><th scope="row">{h(unit.name)}</th><td>{duties}</td><td>{nexts}</td>'
                    f'<td>{subscribed.get(unit.key, 0)}</td>'
                    f'<td><a href="/lich/{h(unit.slug)}.ics">{h(unit.slug)}.ics</a></td></tr>')
    return "".join(html)


def setup(site: Site) -> None:
    channel = site.channel

    def service():
        return getattr(channel.assistant, "duties", None)

    async def ics(request: web.Request) -> web.Response:
        duties = service()
        slug = request.match_info["slug"]
        book = await asyncio.to_thread(duties.book) if duties is not None else DutyBook([])
        unit = None if slug == ALL_SLUG else book.units.by_slug(slug)
        if unit is None and slug != ALL_SLUG:
            return web.Response(status=404, text="Không có đơn vị này trong các kế hoạch.\n",
                                content_type="text/plain", charset="utf-8")
        text = await asyncio.to_thread(calendar, book, unit)
        return web.Response(body=text.encode("utf-8"), content_type="text/calendar", charset="utf-8",
                            headers={"Content-Disposition": f'inline; filename="{slug}.ics"',
                                     "Cache-Control": "public, max-age=300"})

    async def page(request: web.Request) -> web.Response:
        duties = service()
        if duties is None:
            body = "<p>Tính năng việc và hạn chót chưa được bật trên bot này.</p>"
            return site.admin.html(request, "Hạn chót", body, request[SESSION_KEY])
        book = await asyncio.to_thread(duties.book)
        subs = await asyncio.to_thread(duties.reminders.subscriptions)
        per_unit: dict[str, int] = {}
        for s in subs:
            per_unit[s["unit_key"]] = per_unit.get(s["unit_key"], 0) + 1
        today = duties.today()
        table = ('<table><caption>Các đơn vị và hạn sắp tới (từ ' + h(day(today)) + ')</caption>'
                 '<thead><tr><th scope="col">Đơn vị</th><th scope="col">Số việc</th>'
                 '<th scope="col">Hạn sắp tới</th><th scope="col">Chat nhận nhắc</th>'
                 '<th scope="col">Lịch (.ics)</th></tr></thead><tbody>'
                 + unit_rows(book, today, per_unit) + "</tbody></table>") if book.units.units else \
            "<p>Các kế hoạch hiện có chưa ghi việc của đơn vị nào.</p>"
        sub_rows = "".join(
            f'<tr><td>{h(CHANNELS.get(s["platform"], s["platform"]))}</td><td>{h(_masked(s["chat_id"]))}</td>'
            f'<td>{h(s["unit_name"])}</td><td>{h(s["created_day"])}</td></tr>' for s in subs)
        subs_html = ('<table><caption>Đăng ký nhắc việc (/nhacviec)</caption><thead><tr><th scope="col">Kênh</th>'
                     '<th scope="col">Chat</th><th scope="col">Đơn vị</th><th scope="col">Từ ngày</th></tr></thead>'
                     f"<tbody>{sub_rows}</tbody></table>") if subs else "<p>Chưa có chat nào đăng ký nhắc việc.</p>"
        body = (f'<p>Lịch của mọi đơn vị: <a href="/lich/{ALL_SLUG}.ics">/lich/{ALL_SLUG}.ics</a>. '
                "Thêm địa chỉ lịch vào Outlook hoặc Google Calendar (“Thêm lịch từ URL”) để lịch tự cập nhật "
                "khi kế hoạch thay đổi.</p>" + table + "<h2>Chat nhận nhắc việc</h2>" + subs_html)
        return site.admin.html(request, "Hạn chót", body, request[SESSION_KEY])

    def card(_request: web.Request) -> str:
        duties = service()
        book = duties.catalog.peek() if duties is not None else None
        if book is None:  # not read yet: the card must not hold the event loop while it is read
            return ('<ul class="cards"><li><a href="/admin/han-chot">Hạn chót</a> của các đơn vị</li></ul>'
                    if duties is not None else "")
        today = duties.today()
        soon = {(e.row.key, d) for d, e in book.upcoming(today, CARD_DAYS)}
        return (f'<ul class="cards"><li><strong>{len(soon)}</strong> hạn chót trong {CARD_DAYS} ngày tới '
                '(<a href="/admin/han-chot">xem</a>)</li></ul>')

    site.route("GET", "/lich/{slug}.ics", ics)
    site.admin_page("/admin/han-chot", "Hạn chót", page)
    site.admin_card(card)

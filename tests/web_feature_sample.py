"""A made-up web feature registered the way real ones are (bot/web/features.py): a public page, a
dashboard page in the menu, a dashboard form, and an overview card. Used by tests/test_web_features.py."""

from __future__ import annotations

from aiohttp import web

from bot.web.admin import FORM_KEY, SESSION_KEY, h
from bot.web.features import Site

CARD_TEXT = "Lịch tiếp dân <thứ Năm>"


def setup(site: Site) -> None:
    async def public(_request: web.Request) -> web.Response:
        return web.Response(text="<!doctype html><title>Lịch</title><p>Lịch tiếp công dân</p>",
                            content_type="text/html")

    async def calendar(request: web.Request) -> web.Response:
        return web.Response(text=f"BEGIN:VCALENDAR\r\nX-SLUG:{request.match_info['slug']}\r\nEND:VCALENDAR\r\n",
                            content_type="text/calendar")

    async def page(request: web.Request) -> web.Response:
        return site.admin.html(request, "Lịch tiếp dân", "<p>Trang lịch tiếp dân</p>", request[SESSION_KEY])

    async def save(request: web.Request) -> web.Response:
        note = str(request[FORM_KEY].get("note", ""))
        return site.admin.html(request, "Đã lưu", f"<p>{h(note)}</p>", request[SESSION_KEY])

    site.route("GET", "/lich-tiep-dan", public)
    site.route("GET", "/lich/{slug}.ics", calendar)
    site.admin_page("/admin/lich", "Lịch tiếp dân", page)
    site.admin_page("/admin/lich/luu", "", save, method="POST", form=True)
    site.admin_card(lambda _request: f'<p class="card">{h(CARD_TEXT)}</p>')
    site.admin_card(lambda _request: 1 / 0)  # a broken card must not break the overview

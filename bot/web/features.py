"""Where the web channel's own features register: one list of modules, one `setup` function each.

A feature (a "Thủ tục" page, a "Hạn chót" page, a documents card, a `/lich/<slug>.ics` calendar)
is its own module under bot/web/, so app.py and admin.py stay small and several people can add
features without editing the same lines. The module defines

    def setup(site: Site) -> None:
        site.route("GET", "/thu-tuc", page)                      # a public page or file
        site.admin_page("/admin/han-chot", "Hạn chót", page)     # a dashboard page, in its menu
        site.admin_card(card)                                    # a card on the dashboard overview

and is named once in FEATURES below. What every route gets without asking: security headers and
the Content-Security-Policy, per-address rate limits, the body size and time limits, the JSON
500 for an unexpected error (bot/web/app.py). Admin pages are behind the login like every /admin
URL (a POST also needs our origin and, with `form=True`, the session's CSRF token). Render admin
pages with `site.admin.html(request, title, body, request[SESSION_KEY])` and escape every text
with `h()` (bot/web/admin.py); a card is a function of the request returning HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.web.admin import AdminSite, Card, Handler
    from bot.web.app import WebChannel

# Module names, in the order their routes are added (a module may be outside bot/web/: tests).
FEATURES: list[str] = [
    "bot.web.procedures_page",
    "bot.web.document_card",
    "bot.web.deadlines",  # /lich/<unit-slug>.ics, the "Hạn chót" page (issue 21)
]


@dataclass
class Site:
    """What a feature's `setup` may touch: the application's router, the channel, the dashboard."""

    app: web.Application
    channel: WebChannel

    @property
    def admin(self) -> AdminSite:
        return self.channel.admin

    def route(self, method: str, path: str, handler: Handler) -> None:
        """A public route (no login), e.g. ("GET", "/lich/{slug}.ics", calendar)."""
        self.app.router.add_route(method, path, handler)

    def admin_page(self, path: str, label: str, handler: Handler, *, in_menu: bool = True,
                   method: str = "GET", form: bool | None = None) -> None:
        """A dashboard page under /admin, listed in the menu under `label` unless `in_menu` is False."""
        self.admin.add_page(path, label if in_menu else "", handler, method=method, form=form)

    def admin_card(self, card: Card) -> None:
        """A card on the dashboard's overview, after the built-in ones."""
        self.admin.cards.append(card)


def set_up(app: web.Application, channel: WebChannel, modules: list[str] | None = None) -> None:
    """Run every listed feature's `setup` (before the dashboard adds its catch-all route)."""
    for name in FEATURES if modules is None else modules:
        setup: Callable[[Site], None] = import_module(name).setup
        setup(Site(app, channel))

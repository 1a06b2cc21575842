"""Features register on the web channel in one place (bot/web/features.py) and get the channel's
duties for free: headers, limits, the login for dashboard pages, CSRF for their forms. Real HTTP on
127.0.0.1 against a server running the made-up feature of tests/web_feature_sample.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.web.features import FEATURES
from tests.web_feature_sample import CARD_TEXT
from tests.web_support import ADMIN_PASSWORD, ServerThread, copy_seed, web_settings


@pytest.fixture(scope="module")
def server(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    data = copy_seed(seed_data_dir, tmp_path_factory.mktemp("web-features") / "data")
    with ServerThread(web_settings(data), features=["tests.web_feature_sample"]).start() as srv:
        yield srv


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, trust_env=False, follow_redirects=False, timeout=30) as client:
        yield client


def test_every_listed_feature_module_exists_and_has_setup() -> None:
    import importlib

    for name in FEATURES:
        assert callable(importlib.import_module(name).setup), name


def test_a_feature_public_route_gets_the_channel_headers(http: httpx.Client) -> None:
    page = http.get("/lich-tiep-dan")
    assert page.status_code == 200 and "Lịch tiếp công dân" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    ics = http.get("/lich/ho-tich.ics")
    assert ics.status_code == 200 and "X-SLUG:ho-tich" in ics.text


def test_a_feature_dashboard_page_is_behind_the_login_and_in_the_menu(http: httpx.Client) -> None:
    assert http.get("/admin/lich").headers.get("location") == "/admin/login"
    assert http.post("/admin/lich/luu", data={"note": "x"}).headers.get("location") == "/admin/login"
    assert http.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 303
    overview = http.get("/admin")
    assert overview.status_code == 200
    assert '<a href="/admin/lich">Lịch tiếp dân</a>' in overview.text
    assert "/admin/lich/luu" not in overview.text  # not in the menu
    assert "Lịch tiếp dân &lt;thứ Năm&gt;" in overview.text and CARD_TEXT not in overview.text
    page = http.get("/admin/lich")
    assert page.status_code == 200 and "Trang lịch tiếp dân" in page.text
    assert 'aria-current="page"' in page.text
    assert http.get("/admin/khong-co").status_code == 404  # the catch-all still comes last
    # A feature's form needs the session's CSRF token like every dashboard form.
    assert http.post("/admin/lich/luu", data={"note": "<b>ghi chú</b>"}).status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    saved = http.post("/admin/lich/luu", data={"note": "<b>ghi chú</b>", "csrf": csrf.group(1)})
    assert saved.status_code == 200 and "&lt;b&gt;ghi chú&lt;/b&gt;" in saved.text


def test_admin_pages_must_live_under_admin(server: ServerThread) -> None:
    async def page(_request: object) -> None:
        raise AssertionError

    with pytest.raises(ValueError):
        server.channel.admin.add_page("/lich", "Lịch", page)  # type: ignore[arg-type]

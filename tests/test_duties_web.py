"""Deadlines on the web channel (bot/web/deadlines.py): `/lich/<unit-slug>.ics` over real HTTP,
parsed by `icalendar`, and the dashboard's "Hạn chót" page — over HTTP and in headless Chromium.

The knowledge base is the seed plans plus a made-up plan giving "Phòng Văn hóa - Xã hội" a report
due on 15/10/2025; the duties' clock is set to 01/10/2025.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest

from bot.app import build_assistant
from handlers.duties_book import VIETNAM
from handlers.messages import Incoming
from tests.test_duties_support import HOA_BINH_UNIT, plan_data_dir
from tests.web_support import (
    ADMIN_PASSWORD,
    ServerThread,
    browser_missing,
    make_driver,
    quit_driver,
    screenshot,
    wait_for,
    web_settings,
)

FEATURE = "bot.web.deadlines"
TODAY = datetime(2025, 10, 1, 9, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def server(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    data = plan_data_dir(seed_data_dir, tmp_path_factory.mktemp("duties-web") / "data")
    settings = web_settings(data)
    assistant = build_assistant(settings)
    assistant.duties.reminders.clock = lambda: TODAY
    subscribe = Incoming("telegram", "5551234", "5551234", f"/nhacviec {HOA_BINH_UNIT}")
    assert assistant.dispatcher.dispatch(subscribe)[0].text.startswith("Đã đăng ký")
    with ServerThread(settings, assistant=assistant, features=[FEATURE]).start() as srv:
        yield srv
    assistant.close()


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, trust_env=False, follow_redirects=False, timeout=30) as client:
        yield client


def slug_of(server: ServerThread, typed: str) -> str:
    return server.assistant.duties.book().units.match(typed).unit.slug


def test_unit_calendar_is_served_and_parses(server: ServerThread, http: httpx.Client) -> None:
    slug = slug_of(server, HOA_BINH_UNIT)
    got = http.get(f"/lich/{slug}.ics")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/calendar") and "charset=utf-8" in got.headers["content-type"]
    assert got.headers["x-content-type-options"] == "nosniff"
    events = [c for c in icalendar.Calendar.from_ical(got.text).walk() if c.name == "VEVENT"]
    days = [e.decoded("DTSTART") for e in events]
    assert date(2025, 10, 15) in days
    report = next(e for e in events if e.decoded("DTSTART") == date(2025, 10, 15))
    assert "Nguồn: Kế hoạch số 45/KH-UBND" in str(report["DESCRIPTION"])
    assert http.get(f"/lich/{slug}.ics").text.count("UID:") == len(events)       # same file each time
    everything = http.get("/lich/tat-ca.ics")
    all_events = [c for c in icalendar.Calendar.from_ical(everything.text).walk() if c.name == "VEVENT"]
    assert len(all_events) > len(events)
    assert {str(e["UID"]) for e in events} <= {str(e["UID"]) for e in all_events}


def test_the_web_channel_serves_the_feature() -> None:
    from bot.web.features import FEATURES

    assert FEATURE in FEATURES


def test_unknown_unit_calendar_is_a_vietnamese_404(http: httpx.Client) -> None:
    got = http.get("/lich/khong-co-don-vi-nay.ics")
    assert got.status_code == 404 and got.text.startswith("Không có đơn vị này")
    assert http.get("/lich/..%2F..%2Fetc%2Fpasswd.ics").status_code == 404


def test_deadlines_page_is_behind_the_login_and_lists_units(server: ServerThread, http: httpx.Client) -> None:
    assert http.get("/admin/han-chot").headers.get("location") == "/admin/login"
    assert http.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 303
    overview = http.get("/admin")
    assert '<a href="/admin/han-chot">Hạn chót</a>' in overview.text
    assert re.search(r"<strong>\d+</strong> hạn chót trong 30 ngày tới", overview.text)
    page = http.get("/admin/han-chot")
    assert page.status_code == 200
    text = page.text
    row = re.search(r'<tr><th scope="row">Phòng Văn hóa - Xã hội</th>.*?</tr>', text)
    assert row, text[:2000]
    assert "15/10/2025" in row.group(0) and f'href="/lich/{slug_of(server, HOA_BINH_UNIT)}.ics"' in row.group(0)
    assert "<td>1</td>" in row.group(0)                     # one chat gets its reminders
    assert "···1234" in text and "5551234" not in text     # the chat is not shown in full
    # the unit with the soonest deadline comes first (15/10 is the first after 01/10 in these plans)
    assert re.search(r'<tbody><tr><th scope="row">([^<]+)</th>', text).group(1) == "Phòng Văn hóa - Xã hội"


BROWSER = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "browser available")


@BROWSER
def test_deadlines_page_in_chromium(server: ServerThread) -> None:
    driver: Any = make_driver()
    try:
        driver.get(f"{server.url}/admin/login")
        field = driver.find_element("id", "password")
        field.send_keys(ADMIN_PASSWORD)
        field.submit()
        # The dashboard loads after the login's redirect: its navigation is waited for.
        wait_for(driver, lambda d: d.find_element("link text", "Hạn chót")).click()
        wait_for(driver, lambda d: d.title.startswith("Hạn chót"))  # the page the link opens
        assert driver.title.startswith("Hạn chót")
        assert driver.find_element("css selector", "main h1").text == "Hạn chót"
        row = driver.find_element("xpath", "//tr[th[normalize-space()='Phòng Văn hóa - Xã hội']]")
        assert "15/10/2025" in row.text
        link = row.find_element("css selector", "a[href$='.ics']")
        assert link.get_attribute("href").startswith(f"{server.url}/lich/")
        current = driver.find_element("css selector", "nav a[aria-current='page']")
        assert current.text == "Hạn chót"
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert severe == []                                 # no CSP violation, no missing file
        screenshot(driver, "han-chot")
    finally:
        quit_driver(driver)

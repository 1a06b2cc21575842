"""The chat page on a phone, in a real headless Chromium emulating phone screens (issue 22: the
quick buttons were cut at the screen's edge, "Thi th…", behind a scrollbar a phone does not show).

Skipped — with the reason — only where Chromium or its driver is not installed; `.ci/run` installs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web_support import (
    ServerThread,
    browser_missing,
    copy_seed,
    make_driver,
    quit_driver,
    screenshot,
    web_settings,
)

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "browser available")

# 320: the narrowest phones still sold (iPhone SE 1st gen, small Androids); 360 and 390: the most
# common Android and iPhone widths; 400 × 560: the widget's panel on a portal.
PHONES = [(320, 640), (360, 740), (390, 844)]
MAX_QUICK_HEIGHT = 100  # px: two rows of 40 px buttons and their gaps, never more of a small screen

MEASURE = """
const quick = document.querySelector('.quick');
const box = quick.getBoundingClientRect();
const input = document.getElementById('cchc-input');
return {
  placeholder_hidden: input.scrollHeight - input.clientHeight,
  viewport: document.documentElement.clientWidth,
  page_overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  quick_hidden: quick.scrollWidth - quick.clientWidth,
  quick_height: box.height,
  buttons: [...quick.querySelectorAll('button')].map(b => {
    const r = b.getBoundingClientRect();
    return {text: b.textContent, left: r.left, right: r.right,
            clipped: Math.max(b.scrollWidth - b.clientWidth, b.scrollHeight - b.clientHeight)};
  }),
};
"""


@pytest.fixture(scope="module")
def server(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    data = copy_seed(seed_data_dir, tmp_path_factory.mktemp("web-mobile") / "data")
    srv = ServerThread(web_settings(data)).start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def phone() -> Iterator[Any]:
    driver = make_driver()
    yield driver
    quit_driver(driver)


def measure(driver: Any, url: str, width: int, height: int) -> dict[str, Any]:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    driver.get(url)
    return driver.execute_script(MEASURE)


@pytest.mark.parametrize(("width", "height"), PHONES)
@pytest.mark.parametrize("path", ["/", "/embed"])
def test_quick_buttons_are_whole_on_a_phone(server: ServerThread, phone: Any, width: int, height: int,
                                            path: str) -> None:
    got = measure(phone, server.url + path, width, height)
    screenshot(phone, f"mobile-{width}{path.replace('/', '-')}")
    assert got["viewport"] == width
    assert len(got["buttons"]) == 4
    for button in got["buttons"]:
        assert button["left"] >= 0 and button["right"] <= width + 0.5, (width, button)  # on screen
        assert button["clipped"] <= 0, (width, button)  # and its label whole
    assert got["quick_hidden"] <= 0 and got["page_overflow"] <= 0, got  # nothing behind a scrollbar
    assert got["quick_height"] <= MAX_QUICK_HEIGHT, got
    assert got["placeholder_hidden"] <= 0, got  # the empty box's hint is not cut either


def test_a_quick_button_on_a_phone_sends_its_command(server: ServerThread, phone: Any) -> None:
    """The last button, the one that was cut, is pressable and answers."""
    from selenium.webdriver.support.ui import WebDriverWait

    measure(phone, server.url + "/", 320, 640)
    before = len(phone.find_elements("css selector", "#cchc-log .msg.bot"))
    phone.find_element("css selector", ".quick button[data-send='/help']").click()
    WebDriverWait(phone, 20, poll_frequency=0.05).until(
        lambda d: len(d.find_elements("css selector", "#cchc-log .msg.bot")) > before)
    assert "/hotline" in phone.find_elements("css selector", "#cchc-log .msg.bot")[-1].text

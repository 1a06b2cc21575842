"""`cchc run web` in a real headless Chromium (Debian's chromium + chromium-driver, via Selenium).

One server on a copy of the seed knowledge base and one browser serve the whole module; a second
tiny server on another port plays the office's portal that embeds the widget. Skipped — with the
reason — only where Chromium or its driver is not installed; `.ci/run` installs them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.docs_factory import NEW_PLAN_LINES, make_docx
from tests.web_support import (
    ADMIN_PASSWORD,
    ServerThread,
    browser_missing,
    copy_seed,
    make_driver,
    page_left,
    quit_driver,
    screenshot,
    wait_for,
    web_settings,
)

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "browser available")

XSS_QUESTION = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> hỏi thử'
XSS_TITLE = "<script>window.__xss=3</script>"
XSS_BODY = '<img src=x onerror="window.__xss=4">'
# The plan of tests/docs_factory.py with script in its title and in the sentence that answers.
DOC_LINES = [line.replace("Tổ chức Ngày hội cải cách hành chính xã An Lạc năm 2024",
                          f"Tổ chức Ngày hội cải cách hành chính xã An Lạc năm 2024 {XSS_TITLE}")
             .replace("Giải nhất hội thi được thưởng 3.000.000 đồng",
                      f"Giải nhất hội thi được thưởng 3.000.000 đồng {XSS_BODY}")
             for line in NEW_PLAN_LINES]
DOC_QUESTION = "Giải nhất hội thi tìm hiểu thủ tục hành chính xã An Lạc được thưởng bao nhiêu tiền?"


class Portal:
    """Another origin (another port on 127.0.0.1): a page that pastes the widget's script line."""

    def __init__(self) -> None:
        self.bot_url = ""
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = ("<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Cổng thông tin xã"
                        "</title></head><body><h1>Cổng thông tin điện tử xã An Lạc</h1>"
                        f"<script src='{portal.bot_url}/widget.js' data-title='Hỏi đáp CCHC' defer></script>"
                        "</body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def portals() -> Iterator[tuple[Portal, Portal]]:
    allowed, other = Portal(), Portal()
    yield allowed, other
    allowed.close()
    other.close()


@pytest.fixture(scope="module")
def server(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
           portals: tuple[Portal, Portal]) -> Iterator[ServerThread]:
    data = copy_seed(seed_data_dir, tmp_path_factory.mktemp("web-browser") / "data")
    srv = ServerThread(web_settings(data, web_allowed_origins=(portals[0].url,))).start()
    for portal in portals:
        portal.bot_url = srv.url
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = make_driver()
    yield driver
    quit_driver(driver)


# -- helpers ------------------------------------------------------------------------------------------
def bot_messages(driver: Any) -> list[Any]:
    return driver.find_elements("css selector", "#cchc-log .msg.bot")


def settled(driver: Any, count: int) -> bool:
    """More bot messages than `count` and nothing pending."""
    typing = driver.find_element("id", "cchc-typing")
    return len(bot_messages(driver)) > count and not typing.is_displayed()


def open_chat(driver: Any, url: str) -> Any:
    driver.get(url)
    wait_for(driver, lambda d: settled(d, 0))
    return bot_messages(driver)[0]


def ask(driver: Any, text: str) -> list[Any]:
    """Type a question, press Enter, return the new bot messages."""
    before = len(bot_messages(driver))
    box = driver.find_element("id", "cchc-input")
    box.send_keys(text)
    box.send_keys("\n")
    wait_for(driver, lambda d: settled(d, before))
    return bot_messages(driver)[before:]


def press(driver: Any, button: Any) -> list[Any]:
    before = len(bot_messages(driver))
    button.click()
    wait_for(driver, lambda d: settled(d, before))
    return bot_messages(driver)[before:]


def no_script_ran(driver: Any) -> bool:
    return driver.execute_script("return typeof window.__xss === 'undefined';")


def login(driver: Any, url: str, password: str) -> None:
    driver.get(f"{url}/admin/login")
    field = driver.find_element("id", "password")
    field.send_keys(password)
    field.submit()


def seed_usage(server: ServerThread) -> None:
    """Two weeks of questions on three channels, as the state DB of a bot in service holds them."""
    now = time.time()
    gaps = ["Thủ tục cấp đổi căn cước công dân cần giấy tờ gì?", "thu tuc cap doi can cuoc cong dan can giay to gi",
            "Giá vé xe buýt nội thành là bao nhiêu?"]
    for day in range(1, 14):
        for i in range(3 + (day * 7) % 9):
            platform = ("telegram", "zalo", "web")[(day + i) % 3]
            found = (day + i) % 5 != 0
            server.assistant.state.insert("questions_log", {
                "ts": now - day * 86400 + i * 60, "platform": platform, "user_id": f"u{i}", "chat_id": f"u{i}",
                "question": "Số đường dây nóng là gì?" if found else gaps[(day + i) % 3], "found": int(found)})


# -- the chat page -------------------------------------------------------------------------------------
def test_chat_page_loads_accessible_and_greets(server: ServerThread, browser: Any) -> None:
    greeting = open_chat(browser, server.url)
    assert "Xin chào" in greeting.text and "Trợ lý CCHC" in greeting.text
    assert browser.find_element("css selector", "html").get_attribute("lang") == "vi"
    label = browser.find_element("css selector", "label[for='cchc-input']")
    assert label.get_attribute("textContent") == "Câu hỏi của bạn"
    log = browser.find_element("id", "cchc-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    cookie = browser.get_cookie("cchc_uid")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert browser.execute_script("return document.cookie") == ""  # HttpOnly: invisible to scripts
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe  # no script error, no Content-Security-Policy violation
    screenshot(browser, "chat-greeting")


def test_question_with_and_without_diacritics_gets_a_cited_answer(server: ServerThread, browser: Any) -> None:
    open_chat(browser, server.url)
    for question in ("Số đường dây nóng hỗ trợ dịch vụ công là gì?", "sdt hotline dvc la j"):
        answer = ask(browser, question)[-1]
        assert "1800" in answer.text, answer.text
        cite = answer.find_element("css selector", ".cite")
        assert cite.text.startswith("Nguồn:") and "Kế hoạch" in cite.text
        labels = [b.text for b in answer.find_elements("css selector", ".actions button")]
        assert labels[0] == "Xem nguyên văn" and "Kết quả khác" in labels
        user = browser.find_elements("css selector", "#cchc-log .msg.user")[-1]
        assert question in user.text
    screenshot(browser, "chat-answer")


def test_view_source_and_more_results_buttons(server: ServerThread, browser: Any) -> None:
    open_chat(browser, server.url)
    answer = ask(browser, "Chủ đề năm 2018 của thành phố Hải Phòng là gì?")[-1]
    buttons = {b.text: b for b in answer.find_elements("css selector", ".actions button")}
    source = press(browser, buttons["Xem nguyên văn"])[-1]
    assert source.text.split("\n")[1].startswith("Nguyên văn:"), source.text  # after the sr-only "Trợ lý:"
    assert source.find_element("css selector", ".cite").text.startswith("Nguồn:")
    more = press(browser, buttons["Kết quả khác"])
    assert more and "Kết quả 2:" in more[0].text


def test_quiz_question_is_answered_by_clicking(server: ServerThread, browser: Any) -> None:
    open_chat(browser, server.url)
    quick = browser.find_element("css selector", "button[data-send='/quiz']")
    card = press(browser, quick)[-1]
    options = card.find_elements("css selector", ".options button")
    assert len(options) >= 2 and options[0].text.startswith("A. ")
    assert card.find_element("css selector", ".options").get_attribute("role") == "group"
    feedback = press(browser, options[1])[-1]
    assert "Chính xác!" in feedback.text or "Chưa đúng." in feedback.text, feedback.text
    assert all(not o.is_enabled() for o in card.find_elements("css selector", ".options button"))
    assert options[1].get_attribute("aria-pressed") == "true"
    assert [b.text for b in feedback.find_elements("css selector", ".actions button")] == ["Câu tiếp theo"]
    screenshot(browser, "chat-quiz")


def test_xss_in_a_question_is_shown_as_text(server: ServerThread, browser: Any) -> None:
    open_chat(browser, server.url)
    ask(browser, XSS_QUESTION)
    user = browser.find_elements("css selector", "#cchc-log .msg.user")[-1]
    assert XSS_QUESTION in user.text
    assert not browser.find_elements("css selector", "#cchc-log img, #cchc-log script")
    assert no_script_ran(browser)


# -- the widget on another origin -----------------------------------------------------------------------
def test_widget_opens_the_chat_inside_a_page_from_another_origin(server: ServerThread, browser: Any,
                                                                 portals: tuple[Portal, Portal]) -> None:
    browser.get(portals[0].url)
    button = wait_for(browser, lambda d: d.find_elements("id", "cchc-widget-button"))[0]
    assert button.text == "Hỏi đáp CCHC" and button.get_attribute("aria-expanded") == "false"
    button.click()
    frame = wait_for(browser, lambda d: d.find_elements("id", "cchc-widget-frame"))[0]
    assert frame.get_attribute("src") == f"{server.url}/embed" and frame.is_displayed()
    browser.switch_to.frame(frame)
    try:
        wait_for(browser, lambda d: d.find_elements("id", "cchc-log") and settled(d, 0))
        assert "embed" in browser.find_element("tag name", "body").get_attribute("class")
        answer = ask(browser, "so duong day nong ho tro dich vu cong")[-1]
        assert "1800" in answer.text and answer.find_element("css selector", ".cite").text.startswith("Nguồn:")
    finally:
        browser.switch_to.default_content()
    screenshot(browser, "widget")
    button.click()
    assert button.get_attribute("aria-expanded") == "false" and not frame.is_displayed()


def test_widget_is_refused_on_an_origin_not_allowed(server: ServerThread, browser: Any,
                                                    portals: tuple[Portal, Portal]) -> None:
    browser.get(portals[1].url)
    wait_for(browser, lambda d: d.find_elements("id", "cchc-widget-button"))[0].click()
    frame = wait_for(browser, lambda d: d.find_elements("id", "cchc-widget-frame"))[0]
    time.sleep(1.0)  # give a wrongly allowed frame time to load the chat
    browser.switch_to.frame(frame)
    try:
        assert not browser.find_elements("id", "cchc-log")  # frame-ancestors blocked the chat
    finally:
        browser.switch_to.default_content()


# -- the admin dashboard ---------------------------------------------------------------------------------
def test_admin_without_session_is_redirected_and_wrong_password_refused(server: ServerThread,
                                                                        browser: Any) -> None:
    browser.delete_all_cookies()
    for path in ("/admin", "/admin/usage", "/admin/documents"):
        browser.get(server.url + path)
        assert browser.current_url == f"{server.url}/admin/login"
    login(browser, server.url, "mat-khau-sai")
    error = wait_for(browser, lambda d: d.find_elements("id", "login-error"))[0]
    assert error.text == "Mật khẩu không đúng." and browser.current_url.endswith("/admin/login")
    assert browser.get_cookie("cchc_admin") is None
    browser.get(server.url + "/admin/gaps")
    assert browser.current_url == f"{server.url}/admin/login"


def test_admin_uploads_a_docx_reloads_and_the_chat_answers_from_it(server: ServerThread, browser: Any,
                                                                   tmp_path: Path) -> None:
    seed_usage(server)
    login(browser, server.url, ADMIN_PASSWORD)
    wait_for(browser, lambda d: d.current_url == f"{server.url}/admin")
    cookie = browser.get_cookie("cchc_admin")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
    chart = browser.find_element("css selector", "svg.chart")
    assert chart.get_attribute("role") == "img" and {"Telegram", "Zalo", "Trang web"} <= set(chart.text.split("\n"))
    screenshot(browser, "admin-overview")

    docx = tmp_path / "Kế hoạch ngày hội CCHC An Lạc.docx"
    docx.write_bytes(make_docx(DOC_LINES))
    browser.get(f"{server.url}/admin/documents")
    browser.find_element("id", "file").send_keys(str(docx))
    browser.find_element("css selector", "form.upload button[type='submit']").click()
    flash = wait_for(browser, lambda d: d.find_elements("css selector", ".flash"), timeout=60)[0]
    assert "flash ok" in flash.get_attribute("class") and flash.text.startswith("Đã thêm tài liệu"), flash.text
    assert "77/KH-UBND" in flash.text
    table = browser.find_element("css selector", "main table").text
    assert XSS_TITLE in table and "77/KH-UBND" in table  # the document's script shown as text
    assert no_script_ran(browser)
    screenshot(browser, "admin-documents")

    browser.find_element("id", "reload").click()
    wait_for(browser, page_left(flash), timeout=60)  # the page after the upload is gone
    flash = wait_for(browser, lambda d: d.find_elements("css selector", ".flash"), timeout=60)[0]
    assert flash.text.startswith("Đã dựng lại cơ sở tri thức"), flash.text

    open_chat(browser, server.url)
    answer = ask(browser, DOC_QUESTION)[-1]
    assert "3.000.000" in answer.text and "77/KH-UBND" in answer.find_element("css selector", ".cite").text
    source = press(browser, answer.find_element("css selector", ".actions button"))[-1]
    assert XSS_BODY in source.text  # the document's markup shown as text
    assert not browser.find_elements("css selector", "#cchc-log img, #cchc-log script")
    assert no_script_ran(browser)

    # The question with script in it is a knowledge gap now: escaped on the dashboard too.
    open_chat(browser, server.url)
    ask(browser, XSS_QUESTION)
    browser.get(f"{server.url}/admin/gaps")
    assert "<script>window.__xss=2</script>" in browser.find_element("css selector", "table.gaps").text
    assert no_script_ran(browser)
    browser.get(f"{server.url}/admin/audit")
    audit = browser.find_element("css selector", "main table").text
    assert "upload" in audit and "reload" in audit and "login" in audit
    browser.get(f"{server.url}/admin/usage")
    screenshot(browser, "admin-usage")

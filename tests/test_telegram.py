"""The Telegram channel end to end: python-telegram-bot's own HTTP stack against a fake Bot API.

The fake (tests/fake_telegram.py) runs on 127.0.0.1 on a random port and enforces Telegram's
limits; the bot is the real application from `build_application(build_assistant(settings))`,
started the way `run_polling`/`run_webhook` start it (and once as the real `cchc run telegram`
subprocess). Nothing here asserts on speed: waits only have generous time-outs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Poll
from telegram.error import BadRequest

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from bot.telegram_channel import (
    ALLOWED_UPDATES,
    TelegramChannel,
    build_application,
    run_telegram,
)
from bot.telegram_render import render_reply, utf16_len
from handlers.messages import Button, Citation, Incoming, QuizCard, Reply
from tests.fake_telegram import FakeTelegram, html_visible_text
from tests.telegram_app import running

pytestmark = pytest.mark.filterwarnings(  # raised inside PTB's own RetryAfter constructor
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "5512345678:AAHq-Fake_TokenForTests_x9ZqW3e"
SECRET = "s3cret_Webhook-token"
HOTLINE = "1800 1096"
# Seed 001's line "e) Ping tai cong khai sb hotline 1800.1096; dia  chi" as people read it (issue 11's
# acceptance: "Đăng tải công khai số hotline 1800.1096 …").
RESTORED_HOTLINE = re.compile(r"Đăng tải công khai số hotline 1800\.1096")
RAW_HOTLINE = "Ping tai cong khai sb hotline 1800.1096"
QUESTION = "Số hotline hỗ trợ dịch vụ công là gì?"
QUESTION_ASCII = "so hotline ho tro dich vu cong la gi"
USER = 111
GROUP = -100777


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the knowledge DB once per session; each test gets a copy of this data dir."""
    data = tmp_path_factory.mktemp("kb_template")
    build_assistant(Settings(data_dir=data, docs_dir=data / "documents")).close()
    return data


@pytest.fixture
def fake() -> FakeTelegram:
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, kb_template: Path, fake: FakeTelegram) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(kb_template, data)
    (data / "state.db").unlink(missing_ok=True)
    return Settings(data_dir=data, docs_dir=data / "documents", telegram_token=TOKEN,
                    telegram_api_base=fake.base_url, telegram_file_base=fake.file_base_url,
                    flood_per_minute=1000, admins=frozenset({"telegram:999"}))


@pytest.fixture
def assistant(settings: Settings) -> Assistant:
    a = build_assistant(settings)
    yield a
    a.close()


async def exchange(fake: FakeTelegram, update: dict, chat_id: int, expect: int = 1) -> list[str]:
    """Push `update` and return the texts of the `expect` messages it caused in `chat_id`."""
    before = len(fake.sent("sendMessage", chat_id))
    fake.push_update(update)
    calls = await fake.wait("sendMessage", before + expect, chat_id)
    return [c.result["text"] for c in calls[before:]]


def assert_no_token(caplog: pytest.LogCaptureFixture) -> None:
    """No captured line shows the token; and lines with URLs were captured (redacted)."""
    lines = [r.getMessage() for r in caplog.records] + [caplog.text]
    assert all(TOKEN not in line and TOKEN.split(":")[1] not in line for line in lines)
    assert any("/bot***/" in r.getMessage() for r in caplog.records if r.name == "httpx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_listener(port: int, timeout: float = 30.0) -> None:
    """Until something accepts connections on 127.0.0.1:`port`. The bot registers its webhook and
    opens its listener concurrently; Telegram retries an update the listener was not up for, a
    test posting at once must wait instead (CI once met "connection refused" there)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# -- the fake itself and rendering ---------------------------------------------------------------

async def test_fake_enforces_telegram_limits(fake: FakeTelegram) -> None:
    """The fake refuses what Telegram refuses, so the other tests can trust its silence."""
    fake.push_update(fake.message("xin chào", user_id=USER))
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_base_url) as bot:
        updates = await bot.get_updates(timeout=1)
        assert updates[0].message.text == "xin chào"
        ok = await bot.send_message(USER, "<b>a</b> &amp; " + "x" * 4092, parse_mode="HTML")
        assert len(ok.text) == 4096  # counted after entity parsing, as Telegram does
        bad_calls = [
            bot.send_message(USER, "x" * 4097),
            bot.send_message(USER, "📄" * 2049),  # UTF-16: 4098 code units
            bot.send_message(USER, "a < b", parse_mode="HTML"),
            bot.send_message(USER, "<b>unclosed", parse_mode="HTML"),
            bot.send_message(USER, "ok", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Xem", callback_data="ệ" * 22)]])),  # 66 bytes
            bot.send_message(424242, "no such chat"),
            bot.send_poll(USER, "q" * 301, ["A", "B"]),
            bot.send_poll(USER, "Câu hỏi?", ["A", "b" * 101]),
            bot.send_poll(USER, "Câu hỏi?", ["A", "B"], type=Poll.QUIZ, correct_option_ids=[0],
                          explanation="e" * 201),
        ]
        for call in bad_calls:
            with pytest.raises(BadRequest):
                await call
        poll = await bot.send_poll(USER, "Câu hỏi?", ["A", "B"], type=Poll.QUIZ,
                                   correct_option_ids=[1], explanation="Vì B đúng.", is_anonymous=False)
        assert poll.poll.correct_option_ids == (1,)
        assert await bot.set_my_commands([("start", "Bắt đầu")])
    assert [c.status for c in fake.calls if c.method == "sendMessage"].count(400) == 6


async def test_long_replies_and_quiz_render_within_limits(fake: FakeTelegram) -> None:
    """Split pieces stay ≤ 4096 with valid HTML, lose no text, and the fake accepts them all."""
    line = "Điều 5 <quy định> & “trích dẫn” 📄 — " * 6
    body = "\n".join(f"{i}. {line}" for i in range(60)) + "\n" + "&<>" * 3000  # 9000 chars, no breaks
    citation = Citation("d1", "Kế hoạch <CCHC>", "155/KH-SYT", "08/08/2025", "Sở Y tế", "II.1",
                        "Một đoạn trích khác với nội dung trả lời & có ký tự đặc biệt.")
    reply = Reply(body, citation=citation,
                  buttons=(Button("Xem nguyên văn", "src:1"), Button("Kết quả khác", "more:2")))
    out = render_reply(reply)
    assert len(out) >= 4
    for piece in out:
        assert utf16_len(piece.html) <= 4096
        html_visible_text(piece.html)  # raises on broken markup
    assert all(p.keyboard is None for p in out[:-1]) and out[-1].keyboard is not None
    visible = "".join(html_visible_text(p.html) for p in out)
    assert "".join(visible.split()).startswith("".join(body.split()))
    assert "📄 Nguồn: Kế hoạch <CCHC> số 155/KH-SYT" in visible

    quiz = QuizCard("a1", "Chủ đề năm 2018 là gì?", ("Một", "Hai", "Ba", "Bốn"), 1, "", None, "Câu 3/20")
    quiz_reply = Reply("", quiz=quiz, buttons=tuple(Button(x, f"qa:a1:{i}") for i, x in enumerate("ABCD")))
    [quiz_out] = render_reply(quiz_reply)
    assert html_visible_text(quiz_out.html) == \
        "Câu 3/20\n\nChủ đề năm 2018 là gì?\n\nA. Một\nB. Hai\nC. Ba\nD. Bốn"
    assert [[b.callback_data for b in row] for row in quiz_out.keyboard.inline_keyboard] == \
        [["qa:a1:0", "qa:a1:1", "qa:a1:2", "qa:a1:3"]]

    # The same replies through the real Bot: every piece accepted, keyboard on the last one.
    fake.chats[USER] = {"id": USER, "type": "private"}
    channel = TelegramChannel(SimpleNamespace(settings=Settings(data_dir=Path("."), docs_dir=Path("."))))
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_base_url) as bot:
        await channel.send(bot, USER, [reply, quiz_reply])
    calls = fake.sent("sendMessage", USER)
    assert len(calls) == len(out) + 1
    assert not [c for c in fake.calls if c.status != 200]
    assert calls[-1].params["reply_markup"]["inline_keyboard"][0][2]["callback_data"] == "qa:a1:2"


# -- private chat, groups, non-text, duplicates ------------------------------------------------

async def test_private_chat_end_to_end(fake: FakeTelegram, assistant: Assistant,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="httpx")
    app = build_application(assistant)
    async with running(app):
        # Start-up published the dispatcher's own menu (whatever features registered).
        menu = [{"command": c, "description": d} for c, d in assistant.dispatcher.menu()]
        assert fake.sent("setMyCommands")[0].params["commands"] == menu
        assert {"command": "hoi", "description": dict(assistant.dispatcher.menu())["hoi"]} in menu

        [greeting] = await exchange(fake, fake.message("/start", user_id=USER, first_name="Lan"), USER)
        assert "Xin chào, Lan" in greeting
        polls = fake.sent("getUpdates")
        assert polls and all(c.params["allowed_updates"] == ["message", "callback_query"] for c in polls)

        for question in (QUESTION, QUESTION_ASCII):
            [answer] = await exchange(fake, fake.message(question, user_id=USER), USER)
            assert HOTLINE in answer and "📄 Nguồn:" in answer
            assert RESTORED_HOTLINE.search(answer) and RAW_HOTLINE not in answer, answer  # restored
        call = fake.sent("sendMessage", USER)[-1]
        assert call.params["parse_mode"] == "HTML" and "<b>Nguồn:</b>" in call.params["text"]
        buttons = {b["text"]: b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"]
                   for b in row}
        assert buttons["Xem nguyên văn"].startswith("src:")

        press = fake.callback(buttons["Xem nguyên văn"], user_id=USER, message_id=call.result["message_id"])
        [passage] = await exchange(fake, press, USER)
        assert passage.startswith("Nguyên văn:") and "18001096" in re.sub(r"\D", "", passage)
        answered = fake.sent("answerCallbackQuery")
        assert [c.params["callback_query_id"] for c in answered] == [press["callback_query"]["id"]]
        # The passage is shown restored, says so in one line, and leads to the scan it comes from.
        assert RESTORED_HOTLINE.search(passage) and "đã được máy tự động khôi phục dấu tiếng Việt" in passage
        call = fake.sent("sendMessage", USER)[-1]
        buttons = {b["text"]: b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"]
                   for b in row}
        press = fake.callback(buttons["Xem bản quét gốc"], user_id=USER, message_id=call.result["message_id"])
        [scan] = await exchange(fake, press, USER)
        assert scan.startswith("Bản quét gốc") and RAW_HOTLINE in scan and "📄 Nguồn:" in scan

        [hotline] = await exchange(fake, fake.message("/hotline", user_id=USER), USER)
        assert HOTLINE in hotline
        [unknown] = await exchange(fake, fake.message("/khongcolenhnay", user_id=USER), USER)
        assert "Tôi chưa hiểu lệnh /khongcolenhnay" in unknown and "/help" in unknown
        [too_long] = await exchange(fake, fake.message("hỏi " * 1250, user_id=USER), USER)
        assert "dài quá" in too_long
        sticker = {"file_id": "st1", "file_unique_id": "ust1", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False}
        [polite] = await exchange(fake, fake.message(user_id=USER, sticker=sticker), USER)
        assert "nhãn dán" in polite
        photo = [{"file_id": "ph1", "file_unique_id": "uph1", "width": 90, "height": 90}]
        [polite] = await exchange(fake, fake.message(user_id=USER, photo=photo), USER)
        assert "hình ảnh" in polite

        # Delivered twice, plus an edit and a channel post (both ignored): exactly one answer.
        twice = fake.message("/hotline", user_id=USER)
        edited = fake.message("/start", user_id=USER)
        post = fake.message("/start", chat_id=-100999, chat_type="channel")
        del post["message"]["from"]
        fake.push_updates([twice, twice,
                           {"update_id": edited["update_id"], "edited_message": edited["message"]},
                           {"update_id": post["update_id"], "channel_post": post["message"]}])
        texts = await exchange(fake, fake.message("/help", user_id=USER), USER, expect=2)
        assert HOTLINE in texts[0] and texts[1].startswith("Các lệnh")
        await asyncio.sleep(0.2)
        assert len(fake.sent("sendMessage", USER)) == 12  # 11, and the scan behind "Xem nguyên văn"
    # The only refusal: the admin's own menu, since admin 999 never opened a chat with the bot.
    [refused] = [c for c in fake.calls if c.status >= 400]
    assert refused.method == "setMyCommands" and refused.params["scope"]["chat_id"] == 999
    assert_no_token(caplog)


async def test_group_chat_answers_only_when_addressed(fake: FakeTelegram, assistant: Assistant) -> None:
    app = build_application(assistant)
    group = {"chat_id": GROUP, "chat_type": "supergroup"}
    async with running(app):
        # Not for the bot: plain chatter, a command for another bot. Then /hoi is answered.
        fake.push_update(fake.message(QUESTION, user_id=USER, **group))
        fake.push_update(fake.message("/hoi@other_bot " + QUESTION, user_id=USER, **group))
        hoi = fake.message("/hoi " + QUESTION_ASCII, user_id=USER, **group)
        [answer] = await exchange(fake, hoi, GROUP)
        assert HOTLINE in answer
        assert len(fake.sent("sendMessage", GROUP)) == 1
        first = fake.sent("sendMessage", GROUP)[0]
        assert first.params["reply_parameters"]["message_id"] == hoi["message"]["message_id"]

        [answer] = await exchange(fake, fake.message(f"@{fake.username} {QUESTION}", user_id=USER,
                                                     **group), GROUP)
        assert HOTLINE in answer
        logged = assistant.state.query("SELECT question FROM questions_log ORDER BY id DESC LIMIT 1")
        assert logged[0]["question"] == QUESTION  # mention stripped before dispatch

        bot_message = {"message_id": first.result["message_id"], "date": 0, "from": fake.bot_user(),
                       "chat": {"id": GROUP, "type": "supergroup"}, "text": "…"}
        [answer] = await exchange(fake, fake.message("/hotline@" + fake.username, user_id=222, **group),
                                  GROUP)
        assert HOTLINE in answer
        [answer] = await exchange(fake, fake.message(QUESTION_ASCII, user_id=222, reply_to=bot_message,
                                                     **group), GROUP)
        assert HOTLINE in answer
        assert len(fake.sent("sendMessage", GROUP)) == 4


# -- failures: 429, 500, webhook secret ------------------------------------------------------------

async def test_rate_limit_retry_and_server_error(fake: FakeTelegram, assistant: Assistant,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = build_application(assistant)
    async with running(app):
        fake.fail_next("sendMessage", 1, status=429, retry_after=1)
        [answer] = await exchange(fake, fake.message(QUESTION, user_id=USER), USER)
        assert HOTLINE in answer
        statuses = [c.status for c in fake.calls if c.method == "sendMessage"]
        assert statuses == [429, 200]

        fake.fail_next("sendMessage", 1, status=500)
        [sorry] = await exchange(fake, fake.message("/hotline", user_id=USER), USER)
        assert "Xin lỗi" in sorry  # the error handler apologised
        assert any(r.levelno == logging.ERROR and r.name == "bot.telegram_channel"
                   and "Internal Server Error" in r.getMessage() for r in caplog.records)
        [answer] = await exchange(fake, fake.message(QUESTION_ASCII, user_id=USER), USER)
        assert HOTLINE in answer  # still running, still answering
        assert app.running and app.updater.running
    assert_no_token(caplog)


async def test_webhook_checks_secret_token(fake: FakeTelegram, settings: Settings,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()
    settings = replace(settings, telegram_webhook_url="https://bot.example.gov.vn",
                       telegram_webhook_secret=SECRET, telegram_path="tg/hook",
                       telegram_listen="127.0.0.1", telegram_port=port)
    assistant = build_assistant(settings)
    app = build_application(assistant)
    try:
        async with running(app, webhook=True), \
                httpx.AsyncClient(trust_env=False, timeout=10) as client:
            [hook] = fake.sent("setWebhook")
            assert hook.params["url"] == "https://bot.example.gov.vn/tg/hook"
            assert hook.params["secret_token"] == SECRET
            assert hook.params["allowed_updates"] == ALLOWED_UPDATES
            url = f"http://127.0.0.1:{port}/tg/hook"
            forged = fake.message("/hotline", user_id=USER)
            fake.chats[USER] = forged["message"]["chat"]
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                response = await client.post(url, json=forged, headers=headers)
                assert response.status_code == 403
            genuine = fake.message("/start", user_id=USER)
            for _ in range(2):  # Telegram re-delivers when it did not see our answer in time
                response = await client.post(url, json=genuine,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert response.status_code == 200
            following = fake.message("/help", user_id=USER)
            response = await client.post(url, json=following,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert response.status_code == 200
            replies = await fake.wait("sendMessage", 2, USER)
            assert "Xin chào" in replies[0].result["text"]
            assert replies[1].result["text"].startswith("Các lệnh")
            await asyncio.sleep(0.2)
            # The forged /hotline was never processed and the re-delivered /start answered once.
            assert len(fake.sent("sendMessage")) == 2
    finally:
        assistant.close()
    assert all(SECRET not in r.getMessage() and TOKEN not in r.getMessage() for r in caplog.records)


# -- admin documents and the typing indicator ---------------------------------------------------------

async def test_documents_downloaded_for_admins_only_and_typing_shown(
        fake: FakeTelegram, assistant: Assistant) -> None:
    seen: list[Incoming] = []
    real_dispatch = assistant.dispatcher.dispatch

    def slow_spy(incoming: Incoming) -> list[Reply]:
        seen.append(incoming)
        time.sleep(0.4)  # runs in a worker thread: a slow answer, the loop stays free
        return real_dispatch(incoming)

    assistant.dispatcher.dispatch = slow_spy  # type: ignore[method-assign]
    fake.add_file("doc1", b"Ke hoach so 1", "documents/file_1.txt")
    document = {"file_id": "doc1", "file_unique_id": "udoc1", "file_name": "kehoach.txt",
                "mime_type": "text/plain", "file_size": 13}
    app = build_application(assistant, typing_delay=0.05)
    async with running(app):
        [polite] = await exchange(fake, fake.message(user_id=USER, document=document), USER)
        assert "tệp" in polite
        assert not fake.sent("getFile")  # a citizen's file is never downloaded
        [_] = await exchange(fake, fake.message(user_id=999, document=document, caption="/them"), 999)
        assert [c.params["file_id"] for c in fake.sent("getFile")] == ["doc1"]
    assert seen[0].kind == "file" and seen[0].attachment is None and not seen[0].is_admin
    assert seen[1].is_admin and seen[1].text == "/them"
    assert seen[1].attachment is not None
    assert (seen[1].attachment.filename, seen[1].attachment.data) == ("kehoach.txt", b"Ke hoach so 1")
    actions = fake.sent("sendChatAction", USER)
    assert actions and actions[0].params["action"] == "typing"
    assert actions[0].ts < fake.sent("sendMessage", USER)[0].ts


# -- the real command line ------------------------------------------------------------------------------

def test_run_telegram_refuses_bad_configuration(settings: Settings, fake: FakeTelegram,
                                                capsys: pytest.CaptureFixture) -> None:
    cases = [
        (replace(settings, telegram_token=""), False, "TELEGRAM_BOT_TOKEN"),
        (settings, True, "TELEGRAM_WEBHOOK_URL"),
        (replace(settings, telegram_webhook_url="http://x.vn"), True, "https://"),
        (replace(settings, telegram_webhook_url="https://x.vn"), True, "TELEGRAM_WEBHOOK_SECRET"),
    ]
    for case, webhook, needle in cases:
        assert run_telegram(case, webhook=webhook) == 2
        err = capsys.readouterr().err
        assert needle in err
    assert not fake.calls  # refused before touching the network
    assert run_telegram(replace(settings, telegram_token="1:wrong"), webhook=False) == 1
    assert "Telegram từ chối TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_cli_run_telegram_subprocess(fake: FakeTelegram, settings: Settings, mode: str) -> None:
    """`cchc run telegram [--webhook]` as an operator runs it: answers, publishes the command menu,
    refuses forged webhook posts, stops cleanly on SIGINT/SIGTERM and never prints the token."""
    port = free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url,
           "TELEGRAM_FILE_BASE": fake.file_base_url, "CCHC_DATA_DIR": str(settings.data_dir),
           "CCHC_DOCS_DIR": str(settings.docs_dir), "CCHC_LOG_LEVEL": "DEBUG",
           "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn", "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_LISTEN": "127.0.0.1", "TELEGRAM_PORT": str(port),
           "NO_PROXY": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "bot", "run", "telegram"] + (["--webhook"] if mode == "webhook" else [])
    proc = subprocess.Popen(argv, cwd=settings.data_dir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        question = fake.message(QUESTION_ASCII, user_id=USER)
        if mode == "polling":
            fake.push_update(question)
        else:
            fake.chats[USER] = question["message"]["chat"]
            fake.wait_sync("setWebhook", 1, timeout=60)
            wait_for_listener(port)
            url = f"http://127.0.0.1:{port}/telegram"
            with httpx.Client(trust_env=False, timeout=10) as client:
                forged = client.post(url, json=fake.message("/start", user_id=USER))
                assert forged.status_code == 403
                ok = client.post(url, json=question, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert ok.status_code == 200
        [reply] = fake.wait_sync("sendMessage", 1, USER, timeout=60)
        assert HOTLINE in reply.result["text"]
        assert fake.sent("setMyCommands")
        proc.send_signal(signal.SIGINT if mode == "polling" else signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert len(fake.sent("sendMessage")) == 1
    assert TOKEN not in err + out and TOKEN.split(":")[1] not in err and SECRET not in err
    assert "/bot***" in err  # DEBUG logging was on, so there was something to leak

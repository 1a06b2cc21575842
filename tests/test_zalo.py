"""`cchc run zalo` (long polling) end to end: the real client, channel and dispatcher against the
fake Zalo Bot API — once as a real subprocess, otherwise through the same `serve_polling` coroutine
in-process (faster), sharing one real assistant.
"""

# Fixtures are imported from tests/test_zalo_support.py, so parameters "redefine" them:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import Assistant
from bot.zalo_channel import parse_update, render_burst, run_zalo, serve_polling
from bot.zalo_client import DEFAULT_RETRIES
from handlers.dispatch import Command
from handlers.messages import Button, Incoming, QuizCard, Reply
from tests.fake_zalo import TOKEN, FakeZalo
from tests.test_zalo_support import (  # noqa: F401 - fixtures
    _zalo_env_and_log_check,
    assert_no_secret,
    fresh_data_dir,
    kb_root,
    make_settings,
    zalo_assistant,
)

REPO = Path(__file__).resolve().parents[1]
Q_DIACRITICS = "Số hotline hỗ trợ dịch vụ công là gì?"
Q_PLAIN = "so hotline ho tro dich vu cong la gi"
HOTLINE = re.compile(r"1800\W?1096")  # "1800 1096" (some documents write 1800.1096)
# The seed's "Ping tai cong khai sb hotline 1800.1096" as people read it (see tests/test_telegram.py).
RESTORED_HOTLINE = re.compile(r"Đăng tải công khai số hotline 1800\.1096")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo(idle_wait=0.1)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeZalo, zalo_assistant: Assistant) -> AsyncIterator[FakeZalo]:
    """`serve_polling` running against the fake; the test talks to it through `fake`."""
    settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings, stop, assistant=zalo_assistant))
    await fake.wait_for(lambda: fake.count("getUpdates") >= 1 or task.done())
    assert not task.done(), "serve_polling stopped at start-up"
    yield fake
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0


def replied(fake: FakeZalo, chat: str, n: int = 1) -> Callable[[], bool]:
    return lambda: len(fake.texts_to(chat)) >= n


# -- the real process --------------------------------------------------------------------------
async def test_cchc_run_zalo_subprocess(fake: FakeZalo, kb_root: Path, tmp_path: Path) -> None:
    """`python -m bot run zalo`: questions with/without diacritics, /hotline, an image, a
    re-delivered update answered once, SIGTERM → exit 0, and no token in its DEBUG output."""
    data = fresh_data_dir(kb_root, tmp_path / "data")
    env = {**os.environ, "ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE": fake.base_url, "CCHC_DATA_DIR": str(data),
           "CCHC_LOG_LEVEL": "DEBUG", "ZALO_RETRY_DELAY": "0.01", "ZALO_POLL_TIMEOUT": "5",
           "CCHC_FLOOD_PER_MINUTE": "1000", "NO_PROXY": "127.0.0.1,localhost",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    log_path = tmp_path / "bot.log"
    fake.redeliver_every = 2  # after every 2nd delivery, Zalo hands the same update out again
    with log_path.open("wb") as log_file:  # a file, not a pipe: DEBUG output must never block the bot
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "zalo", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=log_file, stderr=log_file)
        try:
            fake.push_text(Q_DIACRITICS, user_id="s1")
            fake.push_text(Q_PLAIN, user_id="s2")
            fake.push_text("/hotline", user_id="s3")
            fake.push(fake.message(event="message.image.received", user_id="s4",
                                   photo="https://example.org/a.jpg", caption="ảnh giấy tờ"))
            await fake.wait_for(lambda: all(fake.texts_to(c) for c in ("s1", "s2", "s3", "s4")), 90)
            fake.push_text("/hotline", user_id="s5")  # anything re-delivered before it is handled first
            await fake.wait_for(replied(fake, "s5"))
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 20)
    output = log_path.read_text("utf-8", "replace")
    assert code == 0, output[-3000:]
    assert fake.redelivered >= 2
    for chat in ("s1", "s2", "s3", "s4", "s5"):
        assert len(fake.texts_to(chat)) == 1, (chat, fake.texts_to(chat))  # one answer, never two
    assert HOTLINE.search(fake.texts_to("s1")[0]) and HOTLINE.search(fake.texts_to("s2")[0])
    assert "📄 Nguồn:" in fake.texts_to("s1")[0]
    assert RESTORED_HOTLINE.search(fake.texts_to("s1")[0]) and RESTORED_HOTLINE.search(fake.texts_to("s2")[0])
    assert "cong khai sb hotline" not in fake.texts_to("s1")[0]  # the raw scan is not what people read
    assert HOTLINE.search(fake.texts_to("s3")[0]) and HOTLINE.search(fake.texts_to("s5")[0])
    assert "hình ảnh" in fake.texts_to("s4")[0]
    assert "long polling started" in output and "DEBUG" in output  # the log really was captured
    assert_no_secret(output)


def test_run_zalo_refuses_while_a_webhook_is_set(zalo_assistant: Assistant,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI entry point itself (asyncio.run + signal handlers): refused, nothing polled."""
    with FakeZalo.in_thread() as fake:
        fake.webhook_url, fake.webhook_ever_set = "https://example.org/zalo/webhook", True
        settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
        assert run_zalo(settings, webhook=False, force=False) == 2
        assert fake.count("getUpdates") == 0 and fake.count("deleteWebhook") == 0
    err = capsys.readouterr().err
    assert "webhook" in err and "--force" in err and "long polling" in err


def test_run_zalo_without_token(zalo_assistant: Assistant, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(zalo_assistant.settings.data_dir, zalo_token="")
    assert run_zalo(settings) == 2
    assert "ZALO_BOT_TOKEN" in capsys.readouterr().err


# -- in-process: the same serve_polling coroutine ------------------------------------------------
async def test_force_deletes_the_webhook_then_polls(fake: FakeZalo, zalo_assistant: Assistant,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fake.webhook_url, fake.webhook_ever_set = "https://example.org/zalo/webhook", True
    settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
    assert await serve_polling(settings, asyncio.Event(), assistant=zalo_assistant) == 2
    assert fake.count("getUpdates") == 0 and fake.webhook_url
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings, stop, force=True, assistant=zalo_assistant))
    fake.push_text("/hotline", user_id="f1")
    await fake.wait_for(replied(fake, "f1"))
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
    assert fake.webhook_url == "" and fake.count("deleteWebhook") == 1
    assert "Đã xoá webhook" in capsys.readouterr().err


async def test_typed_digit_presses_the_numbered_choice(bot: FakeZalo) -> None:
    bot.push_text(Q_DIACRITICS, user_id="d1")
    await bot.wait_for(replied(bot, "d1"))
    answer = bot.texts_to("d1")[0]
    assert "Gõ 1 để xem nguyên văn" in answer
    chat = [c.method for c in bot.calls if c.payload.get("chat_id") == "d1"]
    assert chat[:1] == ["sendMessage"]  # a quick answer needs no "typing…" (tests/test_zalo_concurrency.py)
    bot.push_text("1", user_id="d1")
    await bot.wait_for(lambda: any(t.startswith("Nguyên văn:") for t in bot.texts_to("d1")))
    assert all(len(t) <= 2000 for t in bot.texts_to("d1"))
    source = bot.texts_to("d1")[-1]  # restored from a scan: it says so and offers the scan itself
    assert RESTORED_HOTLINE.search(source) and "Gõ 1 để xem bản quét gốc" in source
    bot.push_text("1", user_id="d1")
    await bot.wait_for(lambda: bot.texts_to("d1")[-1].startswith("Bản quét gốc"))
    assert "cong khai sb hotline 1800.1096" in bot.texts_to("d1")[-1]
    before = len(bot.texts_to("d1"))
    bot.push_text("1", user_id="d1")  # the last reply offered no choices: "1" is just text now
    await bot.wait_for(replied(bot, "d1", before + 1))
    assert not bot.texts_to("d1")[-1].startswith(("Nguyên văn:", "Bản quét gốc"))


async def test_long_reply_is_split_into_pieces_of_at_most_2000(bot: FakeZalo,
                                                               zalo_assistant: Assistant) -> None:
    lines = [f"Dòng {i:03d}: nội dung cải cách hành chính rất dài để kiểm tra việc chia tin nhắn."
             for i in range(80)]

    def long_reply(_incoming: Incoming, _args: str) -> list[Reply]:
        return [Reply("\n".join(lines), buttons=(Button("Xem nguyên văn", "src:1"),))]

    zalo_assistant.dispatcher.add_command(Command("zalodai", "thử tin dài", long_reply, in_menu=False))
    bot.push_text("/zalodai", user_id="l1")
    await bot.wait_for(lambda: any("Gõ 1 để xem nguyên văn" in t for t in bot.texts_to("l1")))
    pieces = bot.texts_to("l1")
    assert len(pieces) >= 3 and all(1 <= len(p) <= 2000 for p in pieces)
    joined = "\n".join(pieces)
    assert all(line in joined for line in lines)
    assert not [c for c in bot.calls if c.method == "sendMessage" and c.status != 200]


async def test_rate_limited_then_delivered(bot: FakeZalo) -> None:
    bot.fail_next_sends(429, 2)
    bot.push_text("/hotline", user_id="r1")
    await bot.wait_for(replied(bot, "r1"))
    statuses = [c.status for c in bot.calls if c.method == "sendMessage" and c.payload["chat_id"] == "r1"]
    assert statuses == [429, 429, 200]
    assert HOTLINE.search(bot.texts_to("r1")[0])


async def test_server_errors_do_not_stop_the_bot(bot: FakeZalo) -> None:
    bot.fail_next_sends(500, DEFAULT_RETRIES + 1)  # more than the client retries: this reply is lost
    bot.push_text(Q_PLAIN, user_id="e1")
    await bot.wait_for(lambda: not bot.send_failures)
    bot.push_text("/hotline", user_id="e1")
    await bot.wait_for(replied(bot, "e1"))
    texts = bot.texts_to("e1")
    assert len(texts) == 1 and texts[0].startswith("Đường dây nóng")


async def test_redelivered_update_is_answered_once(bot: FakeZalo) -> None:
    bot.push_text(Q_PLAIN, user_id="p1")
    await bot.wait_for(replied(bot, "p1"))
    bot.redeliver_pending = 2
    await bot.wait_for(lambda: bot.redelivered == 2)
    bot.push_text("/hotline", user_id="p2")
    await bot.wait_for(replied(bot, "p2"))
    assert len(bot.texts_to("p1")) == 1


async def test_other_events_get_a_polite_reply_and_bots_are_ignored(bot: FakeZalo) -> None:
    for chat, event in (("n-img", "image"), ("n-stk", "sticker"), ("n-voice", "voice"),
                        ("n-doc", "unsupported")):
        bot.push(bot.message(event=f"message.{event}.received", user_id=chat))
    bot.push({"event_name": "bot.added.to.group"})  # no message at all
    bot.push_text("/hotline", user_id="n-bot", is_bot=True)
    bot.push_text("/hotline", user_id="n-group", chat_id="g1", chat_type="GROUP")
    await bot.wait_for(lambda: all(bot.texts_to(c) for c in ("n-img", "n-stk", "n-voice", "n-doc", "g1")))
    assert "hình ảnh" in bot.texts_to("n-img")[0]
    assert "nhãn dán" in bot.texts_to("n-stk")[0]
    assert "tin nhắn thoại" in bot.texts_to("n-voice")[0]
    assert "Cảm ơn bạn" in bot.texts_to("n-doc")[0]
    assert HOTLINE.search(bot.texts_to("g1")[0]) and not bot.texts_to("n-group")  # reply to chat.id
    assert not bot.texts_to("n-bot")


async def test_polling_survives_a_network_outage(bot: FakeZalo, caplog: pytest.LogCaptureFixture) -> None:
    port = bot.port
    await bot.stop()
    await asyncio.sleep(0.3)  # polls fail with connection errors meanwhile, and back off
    await bot.start(port=port)
    bot.push_text("/hotline", user_id="o1")
    await bot.wait_for(replied(bot, "o1"), 20)
    assert any("polling again" in r.getMessage() for r in caplog.records)


# -- units of the channel ----------------------------------------------------------------------------
def test_parse_update(zalo_assistant: Assistant) -> None:
    fake = FakeZalo()
    group = parse_update(fake.message("chào", user_id="u9", chat_id="g9", chat_type="GROUP"), zalo_assistant)
    assert group is not None and (group.platform, group.user_id, group.chat_id) == ("zalo", "u9", "g9")
    assert group.is_group and group.kind == "text" and group.user_name == "Nguyễn Văn A" and group.message_id
    named = fake.message("a")
    named["message"]["from"] = {"id": "u1", "name": "Lê B"}
    del named["message"]["chat"]
    parsed = parse_update(named, zalo_assistant)
    assert parsed is not None and parsed.user_name == "Lê B"
    assert parsed.chat_id == "u1" and not parsed.is_group
    first = fake.message("a")
    first["message"]["from"] = {"id": "u1", "first_name": "C"}
    assert parse_update(first, zalo_assistant).user_name == "C"  # type: ignore[union-attr]
    image = parse_update(fake.message(event="message.image.received", caption="ảnh"), zalo_assistant)
    assert image is not None and (image.kind, image.text) == ("image", "ảnh")
    assert parse_update(fake.message("a", is_bot=True), zalo_assistant) is None
    assert parse_update({"event_name": "x"}, zalo_assistant) is None
    assert parse_update(["not", "a", "dict"], zalo_assistant) is None


def test_render_burst_numbers_choices_across_replies() -> None:
    src = (Button("Xem nguyên văn", "src:1"),)
    texts, choices = render_burst([Reply("Kết quả 2", buttons=src), Reply("Kết quả 3", buttons=(
        Button("Xem nguyên văn", "src:2"),))])
    assert "Gõ 1 để xem nguyên văn" in texts[0] and "Gõ 2 để xem nguyên văn" in texts[1]
    assert [b.payload for b in choices] == ["src:1", "src:2"]
    quiz = QuizCard("a1", "Câu hỏi?", ("x", "y", "z", "t"), 0, "", None)
    texts, choices = render_burst([Reply("", quiz=quiz, buttons=(Button("A", "qa:1"),))])
    assert choices == () and "A. x" in texts[0] and "Gõ 1" not in texts[0]

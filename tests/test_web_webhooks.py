"""The Zalo webhook under the attack run of issue 22: deeply nested JSON is a 400 with one log line,
and wrong-secret calls are summarised (one line per source per minute, with a count) instead of one
WARNING each. Real aiohttp server on 127.0.0.1, real httpx client, the fake Zalo Bot API."""

# Fixtures are imported from tests/test_zalo_support.py, so parameters "redefine" them:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import logging
import math
import re
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot import refusal_log, zalo_webhook
from bot.app import Assistant
from bot.refusal_log import RefusalLog
from bot.settings import Settings
from bot.telegram_channel import build_application
from bot.zalo_webhook import SECRET_HEADER, serve_webhook
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.telegram_app import running
from tests.test_zalo_support import (  # noqa: F401 - fixtures
    SECRET,
    _zalo_env_and_log_check,
    kb_root,
    make_settings,
    zalo_assistant,
)
from tests.web_support import copy_seed

PATH = "/zalo/webhook"
WINDOW = 1.0  # seconds: the summary window, shortened from a minute


@pytest.fixture
async def hook(zalo_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(refusal_log, "WINDOW_SECONDS", WINDOW)
    monkeypatch.setattr(zalo_webhook, "HEADER_TIMEOUT", 1.0)
    monkeypatch.setattr(zalo_webhook, "BODY_TIMEOUT", 1.0)
    fake = FakeZalo()
    await fake.start()
    settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
    stop = asyncio.Event()
    ports: list[int] = []
    task = asyncio.create_task(serve_webhook(settings, stop, assistant=zalo_assistant, on_started=ports.append))
    await fake.wait_for(lambda: bool(ports) or task.done())
    assert ports, "the webhook server did not start"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", trust_env=False, timeout=30) as http:
        yield http
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
    await fake.stop()


def lines(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("bot.", "aiohttp")) and r.levelno >= level]


async def test_deeply_nested_json_on_the_zalo_webhook_is_a_400_and_one_line(
        hook: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    answer = await hook.post(PATH, content=b"[" * 20_000, headers={SECRET_HEADER: SECRET,
                                                                   "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["description"] == "invalid JSON"
    nested = [r for r in lines(caplog) if "nested" in r.getMessage()]
    assert len(nested) == 1 and nested[0].exc_info is None
    assert not lines(caplog, logging.ERROR)


async def test_half_sent_requests_on_the_zalo_webhook_time_out(hook: httpx.AsyncClient,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    port = hook.base_url.port
    head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n{SECRET_HEADER}: {SECRET}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n").encode()

    async def talk(data: bytes, close_early: bool = False) -> tuple[bytes, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(data)
        await writer.drain()
        if close_early:
            writer.close()
            await writer.wait_closed()
            return b"", 0.0
        received = await asyncio.wait_for(reader.read(), 8)  # until the server closes the connection
        writer.close()
        return received, time.monotonic() - started

    received, took = await talk(b"POST /zalo/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers stall
    assert received == b"" and took < 5
    received, took = await talk(head + b'{"event_name"')  # body stalls
    assert received.startswith(b"HTTP/1.1 408") and took < 5
    await talk(head + b'{"event_name"', close_early=True)  # sender goes away
    await asyncio.sleep(0.5)
    gone = [r for r in lines(caplog) if "disconnected" in r.getMessage()]
    assert len(gone) == 1 and gone[0].levelno == logging.INFO and gone[0].exc_info is None
    assert not lines(caplog, logging.ERROR)


async def test_wrong_secret_calls_are_summarised_per_source_per_minute(
        hook: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    def refused() -> list[str]:
        return [r.getMessage() for r in lines(caplog, logging.WARNING) if "secret" in r.getMessage()]

    body = {"event_name": "message.text.received", "message": {"text": "x"}}
    started = time.monotonic()
    for n in range(30):
        answer = await hook.post(PATH, json=body, headers={SECRET_HEADER: f"sai-{n}"})
        assert answer.status_code == 403
        if n == 0:
            assert len(refused()) == 1 and "127.0.0.1" in refused()[0]  # the first is logged at once
    windows = math.ceil((time.monotonic() - started) / WINDOW)
    await asyncio.sleep(WINDOW * 1.5)
    summaries = refused()[1:]
    # One line per window at most, and together they count every refusal.
    assert 1 <= len(summaries) <= windows + 1, summaries
    counts = [int(re.search(r": (\d+) more refused", m).group(1)) for m in summaries]  # type: ignore[union-attr]
    assert 1 + sum(counts) == 30, summaries
    await asyncio.sleep(WINDOW * 1.5)  # a quiet window: nothing more, and the source is forgotten
    assert len(refused()) == 1 + len(summaries)
    await hook.post(PATH, json=body, headers={SECRET_HEADER: "sai-lai"})
    assert len(refused()) == 2 + len(summaries)  # logged at once again


async def test_refusal_log_keeps_sources_apart_and_flushes_on_close(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    log = logging.getLogger("bot.test_refusals")
    summary = RefusalLog(log, "test calls with a wrong key", window=60.0)
    for _ in range(5):
        summary.refused("10.0.0.1")
    for _ in range(3):
        summary.refused("10.0.0.2")
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.test_refusals"]
    assert len(messages) == 2  # one line per source so far
    summary.close()  # the counts of the unfinished window are not lost
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.test_refusals"]
    assert len(messages) == 4 and any("10.0.0.1" in m and " 4 " in m for m in messages) \
        and any("10.0.0.2" in m and " 2 " in m for m in messages), messages


async def test_telegram_webhook_logs_no_warning_per_wrong_secret(seed_data_dir: Path, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """The Telegram webhook (python-telegram-bot's server) refuses wrong secrets with 403 and logs
    them at DEBUG only: nothing to summarise, and nothing reaches an INFO log."""
    from bot.app import build_assistant

    caplog.set_level(logging.INFO)
    fake = FakeTelegram("5512345678:AAHq-Fake_TokenForTests_x9ZqW3e").start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = copy_seed(seed_data_dir, tmp_path / "data")
    settings = Settings(data_dir=data, docs_dir=data / "documents", telegram_token=fake.token,
                        telegram_api_base=fake.base_url, telegram_file_base=fake.file_base_url,
                        telegram_webhook_url="https://bot.example.gov.vn", telegram_webhook_secret="s3cret_Hook-1",
                        telegram_path="tg/hook", telegram_listen="127.0.0.1", telegram_port=port)
    assistant = build_assistant(settings)
    try:
        async with running(build_application(assistant), webhook=True), \
                httpx.AsyncClient(trust_env=False, timeout=10) as client:
            for n in range(30):
                answer = await client.post(f"http://127.0.0.1:{port}/tg/hook", json={"update_id": n},
                                           headers={"X-Telegram-Bot-Api-Secret-Token": f"sai-{n}"})
                assert answer.status_code == 403
    finally:
        assistant.close()
        fake.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], \
        [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if "sai-" in r.getMessage()]

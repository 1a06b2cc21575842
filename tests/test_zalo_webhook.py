"""`cchc run zalo --webhook` and `cchc zalo set-webhook`: the aiohttp server fed with real HTTP
requests, replies going through the real client to the fake Zalo Bot API."""

# Fixtures are imported from tests/test_zalo_support.py, so parameters "redefine" them:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.app import Assistant
from bot.zalo_channel import set_webhook
from bot.zalo_webhook import SECRET_HEADER, serve_webhook
from tests.fake_zalo import FakeZalo
from tests.test_zalo_support import (  # noqa: F401 - fixtures
    SECRET,
    _zalo_env_and_log_check,
    kb_root,
    make_settings,
    zalo_assistant,
)

HOTLINE = re.compile(r"1800\W?1096")  # "1800 1096" (some documents write 1800.1096)
PATH = "/zalo/webhook"


@dataclass
class Hook:
    fake: FakeZalo
    http: httpx.AsyncClient

    async def post(self, body: object, secret: str | None = SECRET,
                   raw: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        content = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        return await self.http.post(PATH, content=content, headers=headers)


@pytest.fixture
async def hook(zalo_assistant: Assistant) -> AsyncIterator[Hook]:
    fake = FakeZalo()
    await fake.start()
    settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
    stop = asyncio.Event()
    ports: list[int] = []
    task = asyncio.create_task(
        serve_webhook(settings, stop, assistant=zalo_assistant, on_started=ports.append))
    await fake.wait_for(lambda: bool(ports) or task.done())
    assert ports, "the webhook server did not start"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", trust_env=False) as http:
        yield Hook(fake, http)
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
    await fake.stop()


async def test_missing_or_wrong_secret_is_refused_and_not_processed(hook: Hook) -> None:
    update = hook.fake.message("/hotline", user_id="w-sec")
    assert (await hook.post(update, secret=None)).status_code == 403
    assert (await hook.post(update, secret="wrong")).status_code == 403
    assert (await hook.post(update, secret=SECRET[:-1] + "X")).status_code == 403  # same length
    await asyncio.sleep(0.3)  # give a wrongly accepted update time to show up
    assert not [c for c in hook.fake.calls if c.method.startswith("send")]  # not even "typing…"
    # Not even remembered as seen: the genuine delivery of the same message is answered.
    assert (await hook.post(update)).status_code == 200
    await hook.fake.wait_for(lambda: bool(hook.fake.texts_to("w-sec")))
    assert HOTLINE.search(hook.fake.texts_to("w-sec")[0])


async def test_flat_and_wrapped_bodies_are_answered_once(hook: Hook) -> None:
    flat = hook.fake.message("/hotline", user_id="w-flat")
    question = "so hotline ho tro dich vu cong la gi"
    wrapped = {"ok": True, "result": hook.fake.message(question, user_id="w-wrap")}
    hook.fake.send_gate = asyncio.Event()  # replies wait: the webhook must answer 200 before them
    response = await hook.post(flat)
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert (await hook.post(wrapped)).status_code == 200
    assert (await hook.post(wrapped)).status_code == 200  # Zalo delivering the same message again
    assert hook.fake.sent == []
    hook.fake.send_gate.set()
    await hook.fake.wait_for(lambda: bool(hook.fake.texts_to("w-flat") and hook.fake.texts_to("w-wrap")))
    await asyncio.sleep(0.2)  # a duplicate answer would arrive now
    assert len(hook.fake.texts_to("w-flat")) == 1 and len(hook.fake.texts_to("w-wrap")) == 1
    assert HOTLINE.search(hook.fake.texts_to("w-flat")[0])
    assert HOTLINE.search(hook.fake.texts_to("w-wrap")[0])


async def test_bad_bodies_get_400_and_the_server_keeps_working(hook: Hook) -> None:
    for raw in (b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b""):
        assert (await hook.post(None, raw=raw)).status_code == 400, raw
    assert (await hook.post({"ok": True, "result": {"event_name": "user.joined"}})).status_code == 200
    health = await hook.http.get("/healthz")
    assert health.status_code == 200 and health.json()["ok"] is True
    assert (await hook.http.get(PATH)).status_code == 405
    sticker = hook.fake.message(event="message.sticker.received", user_id="w-stk")
    assert (await hook.post(sticker)).status_code == 200
    await hook.fake.wait_for(lambda: bool(hook.fake.texts_to("w-stk")))
    assert "nhãn dán" in hook.fake.texts_to("w-stk")[0]
    assert hook.fake.texts_to("w-stk") == [t for m in hook.fake.sent for t in [m["text"]]]


@pytest.mark.parametrize("secret", ["", "short"])
async def test_webhook_refuses_to_start_without_a_proper_secret(secret: str, zalo_assistant: Assistant,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(zalo_assistant.settings.data_dir, zalo_webhook_secret=secret)
    assert await serve_webhook(settings, asyncio.Event(), assistant=zalo_assistant) == 2
    assert "ZALO_WEBHOOK_SECRET" in capsys.readouterr().err


async def test_webhook_refuses_to_start_with_a_rejected_token(zalo_assistant: Assistant,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeZalo(token="1111111111:someOtherTokenOfAnotherBot00000")
    await fake.start()
    try:
        settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
        assert await serve_webhook(settings, asyncio.Event(), assistant=zalo_assistant) == 1  # refused by Zalo: 1
    finally:
        await fake.stop()
    assert "ZALO_BOT_TOKEN" in capsys.readouterr().err


def test_set_webhook_command(zalo_assistant: Assistant, capsys: pytest.CaptureFixture[str]) -> None:
    data = zalo_assistant.settings.data_dir
    with FakeZalo.in_thread() as fake:
        settings = make_settings(data, fake.base_url)
        assert set_webhook(settings, "http://example.org/zalo/webhook") == 2
        assert "https://" in capsys.readouterr().err
        assert set_webhook(make_settings(data, fake.base_url, zalo_webhook_secret="1234567"),
                           "https://example.org/zalo/webhook") == 2
        assert "8" in capsys.readouterr().err
        assert fake.count("setWebhook") == 0  # refused before any call
        assert set_webhook(settings, "https://example.org/zalo/webhook") == 0
        assert "Đã đăng ký webhook" in capsys.readouterr().out
        assert (fake.webhook_url, fake.webhook_secret) == ("https://example.org/zalo/webhook", SECRET)

"""The httpx Zalo client against the fake Zalo Bot API: envelope, error mapping, retries, redaction."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest

from bot.zalo_client import (
    DEFAULT_RETRIES,
    ZaloBadRequest,
    ZaloClient,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
)
from tests.fake_zalo import TOKEN, FakeZalo
from tests.test_zalo_support import _zalo_env_and_log_check, assert_no_secret  # noqa: F401


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo(idle_wait=0.05)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(TOKEN, fake.base_url, poll_timeout=2, retry_delay=0.01, trust_env=False) as c:
        yield c


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_get_updates_returns_a_list_in_every_case(fake: FakeZalo, client: ZaloClient) -> None:
    assert await client.get_updates() == []  # idle poll: HTTP 408 means "no message"
    assert fake.calls[-1].status == 408
    fake.errors_as_http_200 = True  # the same 408 inside an HTTP 200 envelope
    assert await client.get_updates() == []
    first = fake.push_text("xin chào")
    assert await client.get_updates() == [first]  # Zalo sends ONE object, not a list
    fake.result_as_list = True
    second = fake.push_text("tạm biệt")
    assert await client.get_updates() == [second]
    assert fake.calls[-1].payload == {"timeout": 2}


async def test_get_me_and_webhook_info(fake: FakeZalo, client: ZaloClient) -> None:
    assert (await client.get_me())["display_name"] == "Trợ lý CCHC"
    assert (await client.get_webhook_info())["url"] == ""  # never set: the fake answers 404
    assert fake.calls[-1].status == 404
    await client.set_webhook("https://example.org/zalo/webhook", "secret-123456")
    assert (await client.get_webhook_info())["url"] == "https://example.org/zalo/webhook"
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""
    with pytest.raises(ZaloBadRequest):
        await client.set_webhook("http://example.org/x", "secret-123456")


async def test_rate_limit_and_server_errors_are_retried(fake: FakeZalo, client: ZaloClient) -> None:
    fake.fail_next_sends(429, 2)
    assert "message_id" in await client.send_message("c1", "chào")
    assert [c.status for c in fake.calls if c.method == "sendMessage"] == [429, 429, 200]
    fake.fail_next_sends(500, DEFAULT_RETRIES + 1)
    with pytest.raises(ZaloServerError) as err:
        await client.send_message("c1", "lần hai")
    assert err.value.error_code == 500
    assert fake.count("sendMessage") == 3 + DEFAULT_RETRIES + 1
    fake.fail_next_sends(429, DEFAULT_RETRIES + 1)
    fake.errors_as_http_200 = True  # ok:false decides, not the HTTP status
    with pytest.raises(ZaloRateLimited):
        await client.send_message("c1", "lần ba")
    assert fake.sent == [{"chat_id": "c1", "text": "chào"}]


async def test_bad_request_is_not_retried(fake: FakeZalo, client: ZaloClient) -> None:
    with pytest.raises(ZaloBadRequest) as err:
        await client.send_message("c1", "x" * 2001)
    assert err.value.error_code == 400 and "2000" in err.value.description
    assert fake.count("sendMessage") == 1


async def test_wrong_token_raises_unauthorized_without_the_token(fake: FakeZalo) -> None:
    other = "9876543210:zyxwvutsrqponmlkjihgfedcba987654"
    async with ZaloClient(other, fake.base_url, retry_delay=0.01, trust_env=False) as c:
        with pytest.raises(ZaloUnauthorized) as err:
            await c.get_me()
    assert other not in str(err.value) and other not in repr(c)
    assert_no_secret(str(err.value))


async def test_network_errors_are_retried_then_raised_without_the_url(
        caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    async with ZaloClient(TOKEN, f"http://127.0.0.1:{port}/bot", retry_delay=0.01, trust_env=False) as c:
        with pytest.raises(ZaloNetworkError) as err:
            await c.send_message("c1", "chào")
    assert err.value.error_code == 0 and err.value.__cause__ is None and err.value.__suppress_context__
    assert_no_secret(str(err.value))
    retries = [r for r in caplog.records if r.name == "bot.zalo_client" and "retry" in r.getMessage()]
    assert len(retries) == DEFAULT_RETRIES


async def test_httpx_debug_lines_are_redacted(fake: FakeZalo, client: ZaloClient,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")
    await client.get_me()
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx" and "HTTP Request" in r.getMessage()]
    assert lines, "httpx should have logged the request line (at INFO)"
    assert all("/bot***/getMe" in line for line in lines), lines
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore DEBUG lines expected"

"""A fake Zalo Bot API on 127.0.0.1 for tests and benchmarks: real HTTP, Zalo's quirks included.

It speaks the envelope (`{"ok": true, "result": ...}` / `{"ok": false, "error_code", "description"}`),
answers an idle getUpdates with 408 after a short wait, hands out ONE update per getUpdates, can
re-deliver an update it already delivered, refuses texts over 2000 characters (400), refuses
polling while a webhook is set, can fail the next N sendMessage calls with 429 or 500, and records
every call so tests can assert on what the bot really sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "1234567890:abcdefGHIJKLmnopQRSTuvwxYZ0123456789_-xyz"
MAX_TEXT = 2000


@dataclass
class Call:
    method: str
    payload: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)


class FakeZalo:
    """Start with `await fake.start()` (or `with FakeZalo.in_thread() as fake:` from sync code)."""

    def __init__(self, token: str = TOKEN, idle_wait: float = 0.2) -> None:
        self.token = token
        self.idle_wait = idle_wait  # how long an empty getUpdates waits before its 408
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []  # accepted sendMessage payloads
        self.queue: deque[dict[str, Any]] = deque()
        self.delivered: list[dict[str, Any]] = []
        self.redeliver_pending = 0  # the next N polls re-deliver the last delivered update
        self.redeliver_every = 0  # >0: every Nth delivery repeats the previous update first
        self.redelivered = 0  # how many re-deliveries actually happened
        self.send_gate: asyncio.Event | None = None  # set: sendMessage waits until the event is set
        self.result_as_list = False  # answer getUpdates with a one-element list instead
        self.send_failures: deque[int] = deque()  # statuses for the next sendMessage calls
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_ever_set = False  # like a bot that never had one: getWebhookInfo → 404
        self.errors_as_http_200 = False  # some deployments answer errors with HTTP 200 + ok:false
        self._ids = itertools.count(1)
        self._last_repeat: dict[str, Any] | None = None
        self._wake: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1 (a random free port, or `port` to come back after `stop`)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._route)
        # No access log: it would print request paths, and those carry the token.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @classmethod
    @contextmanager
    def in_thread(cls, **kw: Any) -> Iterator[FakeZalo]:
        """Run the fake on its own event loop in a thread, for code that calls asyncio.run itself."""
        fake = cls(**kw)
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(fake.start())
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        ready.wait(10)
        try:
            yield fake
        finally:
            asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # -- test controls ---------------------------------------------------------------------------
    def _threadsafe(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is not None and running is not loop:
            loop.call_soon_threadsafe(fn)
        else:
            fn()

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for the next getUpdates."""
        def add() -> None:
            self.queue.append(update)
            if self._wake is not None:
                self._wake.set()
        self._threadsafe(add)
        return update

    def message(self, text: str = "", *, event: str = "message.text.received", user_id: str = "u1",
                chat_id: str | None = None, name: str = "Nguyễn Văn A", chat_type: str = "PRIVATE",
                is_bot: bool = False, message_id: str | None = None, **extra: Any) -> dict[str, Any]:
        """Build (without queueing) an update shaped like Zalo's."""
        msg: dict[str, Any] = {
            "message_id": message_id or f"{next(self._ids):032x}",
            "date": int(time.time() * 1000),
            "from": {"id": user_id, "display_name": name, "is_bot": is_bot},
            "chat": {"id": chat_id or user_id, "chat_type": chat_type},
        }
        if event == "message.text.received":
            msg["text"] = text
        msg.update(extra)
        return {"event_name": event, "message": msg}

    def push_text(self, text: str, **kw: Any) -> dict[str, Any]:
        return self.push(self.message(text, **kw))

    def fail_next_sends(self, status: int, count: int = 1) -> None:
        self.send_failures.extend([status] * count)

    def texts_to(self, chat_id: str) -> list[str]:
        return [m["text"] for m in self.sent if m["chat_id"] == chat_id]

    def count(self, method: str) -> int:
        return sum(1 for c in self.calls if c.method == method)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll `predicate` until it holds (the bot works in other tasks or processes)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s; sent so far: {self.sent!r}")
            await asyncio.sleep(0.02)

    def wait_for_sync(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s; sent so far: {self.sent!r}")
            time.sleep(0.02)

    # -- the API ----------------------------------------------------------------------------------
    def _error(self, code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description},
                                 status=200 if self.errors_as_http_200 else code)

    @staticmethod
    def _ok(result: Any = None) -> web.Response:
        body: dict[str, Any] = {"ok": True}
        if result is not None:
            body["result"] = result
        return web.json_response(body)

    async def _route(self, request: web.Request) -> web.Response:
        path = request.path
        prefix = f"/bot{self.token}/"
        if request.method != "POST":
            return self._error(405, "Method Not Allowed")
        if not path.startswith("/bot"):
            return self._error(404, "Not Found")
        if not path.startswith(prefix):
            return self._error(401, "Unauthorized")
        method = path[len(prefix):]
        try:
            payload = json.loads((await request.read()) or b"{}")
        except ValueError:
            return self._error(400, "Bad Request: invalid JSON")
        if not isinstance(payload, dict):
            return self._error(400, "Bad Request: body must be an object")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            response = self._error(404, "Not Found: unknown method")
        else:
            response = await handler(payload)
        self.calls.append(Call(method, payload, response.status))
        return response

    async def _m_getMe(self, _p: dict[str, Any]) -> web.Response:
        return self._ok({"id": self.token.split(":")[0], "account_name": "bot.cchc", "account_type": "BASIC",
                         "can_join_groups": True, "display_name": "Trợ lý CCHC"})

    async def _m_getUpdates(self, p: dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return self._error(400, "Bad Request: webhook is set, getUpdates is not allowed")
        try:
            timeout = float(p.get("timeout", 30))
        except (TypeError, ValueError):
            return self._error(400, "Bad Request: timeout")
        if self.redeliver_pending > 0 and self.delivered:
            self.redeliver_pending -= 1
            return self._deliver(self.delivered[-1], again=True)
        if (self.redeliver_every and self.delivered and len(self.delivered) % self.redeliver_every == 0
                and self.delivered[-1] is not self._last_repeat):
            self._last_repeat = self.delivered[-1]
            return self._deliver(self.delivered[-1], again=True)
        if not self.queue:
            assert self._wake is not None
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(timeout, self.idle_wait))
            except asyncio.TimeoutError:
                pass
        if not self.queue:
            return self._error(408, "Request timeout")
        update = self.queue.popleft()
        self.delivered.append(update)
        return self._deliver(update)

    def _deliver(self, update: dict[str, Any], again: bool = False) -> web.Response:
        self.redelivered += again
        return self._ok([update] if self.result_as_list else update)

    async def _m_sendMessage(self, p: dict[str, Any]) -> web.Response:
        text, chat_id = p.get("text"), p.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return self._error(400, "Bad Request: chat_id")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return self._error(400, f"Bad Request: text must be 1-{MAX_TEXT} characters")
        if self.send_gate is not None:
            await self.send_gate.wait()
        if self.send_failures:
            status = self.send_failures.popleft()
            return self._error(status, "Quota exceeded" if status == 429 else "Internal Server Error")
        self.sent.append({"chat_id": chat_id, "text": text})
        return self._ok({"message_id": f"{next(self._ids):032x}", "date": int(time.time() * 1000)})

    async def _m_sendChatAction(self, p: dict[str, Any]) -> web.Response:
        if not p.get("chat_id") or p.get("action") not in ("typing", "upload_photo"):
            return self._error(400, "Bad Request: chat action")
        return self._ok()

    async def _m_setWebhook(self, p: dict[str, Any]) -> web.Response:
        url, secret = str(p.get("url") or ""), str(p.get("secret_token") or "")
        if not url.startswith("https://"):
            return self._error(400, "Bad Request: url must be https")
        if not 8 <= len(secret) <= 256:
            return self._error(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret, self.webhook_ever_set = url, secret, True
        return self._ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _m_deleteWebhook(self, _p: dict[str, Any]) -> web.Response:
        self.webhook_url = ""
        return self._ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _m_getWebhookInfo(self, _p: dict[str, Any]) -> web.Response:
        if not self.webhook_ever_set:
            return self._error(404, "Not Found")
        return self._ok({"url": self.webhook_url, "updated_at": int(time.time() * 1000)})

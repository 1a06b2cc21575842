"""`cchc run zalo --webhook`: an aiohttp server that receives Zalo updates pushed to us.

Zalo proves a request is its own with the `X-Bot-Api-Secret-Token` header (the secret given to
setWebhook): anything else is refused before its body is read. Zalo expects a fast 200, so the
update is handed to the shared `ZaloBot` (which answers in a background task) and the request
returns at once. Bodies come wrapped (`{"ok":true,"result":{...}}`, as documented) or flat
(`{event_name, message}`, as seen live): both are accepted.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.app import Assistant
from bot.heartbeat import beat_forever
from bot.refusal_log import RefusalLog
from bot.settings import Settings
from bot.web.bodies import BODY_TIMEOUT_SECONDS, HEADER_TIMEOUT_SECONDS, LINGER_SECONDS
from bot.zalo_channel import SECRET_MAX, SECRET_MIN, ZaloBot, _fail, make_client, open_assistant, start_reminders
from bot.zalo_client import MISSING_TOKEN_TEXT, ZaloClient, ZaloError, ZaloUnauthorized, protect_secret

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20
# A half-sent request must not hold a connection open (issue 22): the same bounds as the web channel.
HEADER_TIMEOUT = HEADER_TIMEOUT_SECONDS
BODY_TIMEOUT = BODY_TIMEOUT_SECONDS


def _updates_in(body: Any) -> list[Any] | None:
    """The update(s) in a webhook body, wrapped or flat; None when the body is not an update."""
    if not isinstance(body, dict):
        return None
    if "result" in body and "message" not in body and "event_name" not in body:
        result = body["result"]
        if isinstance(result, list):
            return result
        return [result] if isinstance(result, dict) else None
    return [body]


def make_app(bot: ZaloBot, secret: str, path: str) -> web.Application:
    """The webhook route (POST `path`) and `GET /healthz`."""
    expected = secret.encode("utf-8")
    refusals = RefusalLog(log, "Zalo webhook calls with a missing or wrong secret")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            refusals.refused(request.remote or "?")  # one line per source per minute, not one per call
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            raw = await asyncio.wait_for(request.read(), BODY_TIMEOUT)
        except asyncio.TimeoutError:
            log.info("Zalo webhook body from %s arrived too slowly: 408", request.remote)
            return web.json_response({"ok": False, "description": "request timeout"}, status=408)
        except ConnectionError:  # the sender went away mid-body: nothing to answer
            log.info("Zalo webhook sender %s disconnected before its body was complete", request.remote)
            return web.json_response({"ok": False, "description": "incomplete"}, status=400)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "description": "invalid JSON"}, status=400)
        except RecursionError:  # "[[[[…" thousands deep, even with the right secret: one line, no traceback
            log.warning("Zalo webhook body with JSON nested too deeply from %s refused", request.remote)
            return web.json_response({"ok": False, "description": "invalid JSON"}, status=400)
        updates = _updates_in(body)
        if updates is None:
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        for update in updates:
            bot.submit(update)  # cheap and never raises: the reply is sent in the background
        return web.json_response({"ok": True})

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "platform": "zalo", "mode": "webhook",
                                  "pending": len(bot.tasks), "handled": bot.handled})

    async def flush_refusals(_app: web.Application) -> None:
        refusals.close()

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.on_cleanup.append(flush_refusals)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", healthz)
    return app


def _webhook_problem(settings: Settings) -> str | None:
    if not settings.zalo_token:
        return MISSING_TOKEN_TEXT
    secret = settings.zalo_webhook_secret
    if not secret:
        return ("Thiếu ZALO_WEBHOOK_SECRET: webhook không chạy khi không có chuỗi bí mật "
                "(nếu không, ai cũng có thể gửi tin giả tới bot). Hãy đặt một chuỗi dài 8–256 ký tự.")
    if not SECRET_MIN <= len(secret) <= SECRET_MAX:
        return f"ZALO_WEBHOOK_SECRET phải dài từ {SECRET_MIN} đến {SECRET_MAX} ký tự (hiện có {len(secret)})."
    return None


async def _token_accepted(client: ZaloClient) -> bool:
    """False only for a rejected token; a network hiccup must not keep the webhook from starting."""
    try:
        await client.get_me()
        info = await client.get_webhook_info()
    except ZaloUnauthorized:
        return False
    except ZaloError as exc:
        log.warning("Không kiểm tra được bot với Zalo lúc khởi động (%s); webhook vẫn chạy, hãy xem lại "
                    "kết nối mạng tới Zalo.", exc)
        return True
    if not info["url"]:
        print("Lưu ý: bot chưa đăng ký webhook với Zalo nên sẽ chưa nhận được tin nào. "
              "Hãy chạy `cchc zalo set-webhook https://.../zalo/webhook`.", file=sys.stderr, flush=True)
    return True


async def serve_webhook(settings: Settings, stop: asyncio.Event, *, assistant: Assistant | None = None,
                        on_started: Callable[[int], None] | None = None) -> int:
    """Serve until `stop` is set; `on_started(port)` tells tests which port was bound (ZALO_PORT=0)."""
    problem = _webhook_problem(settings)
    if problem:
        return _fail(problem)
    protect_secret(settings.zalo_token)
    protect_secret(settings.zalo_webhook_secret)
    owned = assistant is None
    if assistant is None:
        assistant = await open_assistant(settings)
        if assistant is None:
            return 2
    path = settings.zalo_path if settings.zalo_path.startswith("/") else "/" + settings.zalo_path
    try:
        async with make_client(settings) as client:
            if not await _token_accepted(client):
                return _fail("Zalo từ chối token (401): hãy kiểm tra lại ZALO_BOT_TOKEN.", 1)
            bot = ZaloBot(assistant, client)
            # keepalive_timeout is armed when a connection opens: it is also the header read timeout.
            runner = web.AppRunner(make_app(bot, settings.zalo_webhook_secret, path), shutdown_timeout=5.0,
                                   keepalive_timeout=HEADER_TIMEOUT, lingering_time=LINGER_SECONDS)
            await runner.setup()
            try:
                site = web.TCPSite(runner, settings.zalo_listen, settings.zalo_port)
                try:
                    await site.start()
                except OSError as exc:
                    return _fail(f"Không mở được cổng {settings.zalo_listen}:{settings.zalo_port} "
                                 f"cho webhook Zalo ({exc.strerror or exc}). Hãy đổi ZALO_PORT.")
                sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port
                port = sockets[0].getsockname()[1] if sockets else settings.zalo_port
                log.info("Zalo webhook listening on %s:%s%s", settings.zalo_listen, port, path)
                if on_started is not None:
                    on_started(port)
                heart = asyncio.create_task(beat_forever(settings.data_dir, "zalo"))  # for `cchc health`
                reminders = start_reminders(assistant, client, settings)  # deadline reminders (issue 21)
                try:
                    await stop.wait()
                finally:
                    heart.cancel()
                    if reminders is not None:
                        reminders.cancel()
            finally:
                await runner.cleanup()  # stop accepting first, then let replies in flight finish
                await bot.drain()
            log.info("Zalo webhook stopped (%d messages handled)", bot.handled)
            return 0
    finally:
        if owned:
            assistant.close()

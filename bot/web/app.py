"""`cchc run web`: the office's web portal channel — a chat page, an embeddable widget, an admin
dashboard and a JSON API, served by one aiohttp server.

  GET  /                 the citizen chat page (plain HTML, CSS and a small script; no build step)
  GET  /embed            the same page sized for the widget's iframe (framable by allowed origins)
  GET  /widget.js        the line an office pastes into its portal: a corner button and panel
  POST /api/chat         {"text": …} or {"button": payload} → {"replies": [...]}: handlers.dispatch
  POST /api/ask          {"question": …, "k": 3} → the `cchc ask --json` object (rate-limited)
  GET  /healthz          liveness for the reverse proxy
  /admin…                the dashboard (bot/web/admin.py)

Like every channel it only turns requests into `Incoming` (platform `web`, a random user id kept in
a signed, HttpOnly, SameSite cookie) and renders `Reply` objects (bot/web/render.py). What the web
adds is the web's own duties, all in middlewares here so no route can forget them: security
headers and a Content-Security-Policy on every response, request size limits per route, per-address
rate limits, same-origin checks on every state-changing request.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from multidict import MultiDictProxy

from bot.app import Assistant
from bot.heartbeat import beat_forever
from bot.settings import Settings
from bot.web.bodies import (
    BODY_TIMEOUT_SECONDS,
    HEADER_TIMEOUT_SECONDS,
    LINGER_SECONDS,
    BodyTooLarge,
    client_of,
    parse_form,
    read_body,
)
from bot.web.features import set_up as set_up_features
from bot.web.render import replies_json
from bot.web.security import RateLimiter, Signer
from handlers.core import MAX_QUESTION_CHARS
from handlers.messages import Incoming

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
UID_COOKIE = "cchc_uid"
UID_MAX_AGE = 365 * 86400
SMALL_BODY = 64 * 1024  # every request but an upload: a question is at most a few kilobytes
MAX_CHAT_CHARS = 4000
MAX_K = 20
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The chat page runs only our own script and style; nothing may frame it except where allowed.
BASE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".html": "text/html", ".svg": "image/svg+xml"}

CLIENT_KEY = web.RequestKey("client", str)
BODY_KEY = web.RequestKey("body", bytes)
CHANNEL_KEY: web.AppKey[WebChannel] = web.AppKey("channel")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _json_error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status, headers=headers)


class KeyedLocks:
    """One asyncio lock per user while that user has a message in flight: a user's messages are
    answered in the order sent (a quiz answer never overtakes the question), others never wait."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[Any]]) -> Any:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                return await work()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def page_tagline(settings: Settings) -> str:
    """The line under the page's title, HTML-escaped: the office and its hotline (CCHC_OFFICE_*), so
    a citizen sees whose assistant this is and whom to call; the generic line when they are unset."""
    parts = [settings.office_name, f"Đường dây nóng: {settings.office_hotline}" if settings.office_hotline else "",
             settings.office_portal]
    shown = " · ".join(p for p in parts if p)
    return escape(shown) if shown else "Hỏi đáp về cải cách hành chính, có trích dẫn văn bản"


class WebChannel:
    """Everything the web server shares between requests: the assistant, keys, limits, pages."""

    def __init__(self, assistant: Assistant, settings: Settings, features: list[str] | None = None) -> None:
        self.assistant = assistant
        self.settings = settings
        self.features = features  # None: bot/web/features.py's FEATURES
        secret = settings.web_secret
        if not secret:
            log.warning("Chưa đặt CCHC_WEB_SECRET: đang dùng khóa tạm, nên mỗi lần khởi động lại người dân "
                        "nhận mã mới và quản trị viên phải đăng nhập lại; hãy đặt CCHC_WEB_SECRET "
                        "(một chuỗi ngẫu nhiên dài, ví dụ từ `openssl rand -hex 32`).")
            secret = secrets.token_urlsafe(32)
        self.signer = Signer(secret.encode("utf-8"))
        self.requests = RateLimiter(settings.web_rate_per_minute)
        self.questions = RateLimiter(settings.web_api_per_minute)
        self.user_locks = KeyedLocks()
        self.static = {p.name: p.read_bytes() for p in STATIC_DIR.iterdir() if p.is_file()}
        # A digest of the files: browsers fetch new CSS and JS after an upgrade, never stale ones.
        self.version = hashlib.sha256(b"".join(self.static[k] for k in sorted(self.static))).hexdigest()[:10]
        self.upload_limit = settings.max_upload_mb * 1024 * 1024 + SMALL_BODY
        self.upload_paths = {"/admin/documents/upload"}  # streamed multipart uploads; features add theirs
        self.header_timeout = HEADER_TIMEOUT_SECONDS  # attributes, so a test can shorten them
        self.body_timeout = BODY_TIMEOUT_SECONDS
        self.frame_ancestors = " ".join(["'self'", *settings.web_allowed_origins])
        from bot.web.admin import AdminSite  # the dashboard needs the channel's keys and limits

        self.admin = AdminSite(self)

    # -- who is asking ----------------------------------------------------------------------------
    def client_address(self, request: web.Request) -> str:
        """The client's address: the socket peer, or behind a trusted reverse proxy the address
        that proxy appended last to X-Forwarded-For (the ones before it are client-supplied)."""
        if self.settings.web_trust_proxy:
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.split(",")[-1].strip()
            if last:
                return last[:64]
        return request.remote or "?"

    def same_origin(self, request: web.Request) -> bool:
        """A browser's state-changing request must come from our own pages (CSRF defence).

        Browsers always send Origin on a cross-origin POST; its host must be ours. Requests without
        Origin (curl, scripts) carry no ambient cookies of a victim, so they are not CSRF.
        """
        origin = request.headers.get("Origin")
        if origin is None:
            return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")
        return urlsplit(origin).netloc == request.host

    def user_id(self, request: web.Request) -> tuple[str, bool]:
        """(the citizen's id from the signed cookie, whether it is new and must be set)."""
        raw = request.cookies.get(UID_COOKIE, "")
        uid = self.signer.unsign(raw) if raw else None
        if uid:
            return uid, False
        return "w" + secrets.token_hex(8), True

    def set_uid_cookie(self, response: web.StreamResponse, uid: str) -> None:
        response.set_cookie(UID_COOKIE, self.signer.sign(uid), max_age=UID_MAX_AGE, path="/", httponly=True,
                            samesite="Lax", secure=self.settings.web_https)

    # -- middlewares ------------------------------------------------------------------------------
    @web.middleware
    async def headers_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Security headers on every response, errors included."""
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and errors raised by handlers or the router
            self._secure(request, exc)
            raise
        except ConnectionError:  # the client went away mid-request (a phone lost its signal): normal
            log.info("client %s disconnected before its request was complete (%s %s)", client_of(request),
                     request.method, request.path[:100])
            return web.Response(status=400)  # never reaches anyone; aiohttp drops it with the connection
        except Exception:
            log.exception("web request %s %s failed", request.method, request.path)
            response = _json_error(500, "Lỗi máy chủ. Bạn vui lòng thử lại sau ít phút.")
        self._secure(request, response)
        return response

    def _secure(self, request: web.Request, response: web.StreamResponse) -> None:
        h = response.headers
        embed = request.path == "/embed"
        h.setdefault("Content-Security-Policy",
                     f"{BASE_CSP}; frame-ancestors {self.frame_ancestors if embed else chr(39) + 'none' + chr(39)}")
        if not embed:
            h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")  # "no-referrer" would make forms send Origin: null
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Cross-Origin-Resource-Policy",
                     "cross-origin" if request.path in ("/widget.js", "/api/ask") else "same-origin")
        if request.path.startswith(("/admin", "/api/")):
            h["Cache-Control"] = "no-store"
        if self.settings.web_https:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

    @web.middleware
    async def limits_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Per-address request rate and per-route body size, before any handler reads anything."""
        client = self.client_address(request)
        request[CLIENT_KEY] = client
        if request.path != "/healthz":
            wait = self.requests.retry_after(client)
            if wait:
                return _json_error(429, f"Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {wait} giây.",
                                   **{"Retry-After": str(wait)})
        limit = self.upload_limit if request.path in self.upload_paths else SMALL_BODY
        if request.content_length is not None and request.content_length > limit:
            return _json_error(413, "Dữ liệu gửi lên quá lớn.")
        if request.body_exists and limit == SMALL_BODY:
            # Read once, here, with or without a length: handlers use this copy (bot/web/bodies.py).
            try:
                request[BODY_KEY] = await read_body(request, limit, self.body_timeout)
            except BodyTooLarge:
                return _json_error(413, "Dữ liệu gửi lên quá lớn.")
        return await handler(request)

    async def form(self, request: web.Request) -> MultiDictProxy[str]:
        """The fields of a small form (login, admin actions), parsed from the body read once."""
        body = request.get(BODY_KEY, b"")
        return parse_form(body, request.headers.get("Content-Type", ""))

    # -- pages and files ----------------------------------------------------------------------------
    def _page(self, embed: bool) -> bytes:
        html = self.static["chat.html"].decode("utf-8")
        html = html.replace("{{TAGLINE}}", page_tagline(self.settings))
        return html.replace("{{MODE}}", "embed" if embed else "page").replace("{{V}}", self.version).encode()

    async def chat_page(self, request: web.Request) -> web.Response:
        response = web.Response(body=self._page(request.path == "/embed"), content_type="text/html",
                                charset="utf-8", headers={"Cache-Control": "no-cache"})
        uid, new = self.user_id(request)
        if new:
            self.set_uid_cookie(response, uid)
        return response

    async def static_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        data = self.static.get(name)
        if data is None or name == "chat.html":
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type=STATIC_TYPES.get(Path(name).suffix, "application/octet-stream"),
                            charset="utf-8", headers={"Cache-Control": "public, max-age=300"})

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "platform": "web",
                                  "documents": len(self.assistant.holder.engine.docs)})

    # -- chat -----------------------------------------------------------------------------------------
    async def _json_body(self, request: web.Request) -> Any:
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text=json.dumps({"ok": False, "error": "Cần gửi JSON."}),
                                               content_type="application/json")
        raw = request.get(BODY_KEY, b"")
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            pass
        except RecursionError:  # "[[[[…" twenty thousand deep: refused, one line, no traceback
            log.warning("JSON nested too deeply from %s refused (%s)", request[CLIENT_KEY], request.path)
        raise web.HTTPBadRequest(text=json.dumps({"ok": False, "error": "JSON không hợp lệ."}),
                                 content_type="application/json")

    def _question_quota(self, request: web.Request) -> web.Response | None:
        wait = self.questions.retry_after(request[CLIENT_KEY])
        if wait:
            return _json_error(429, f"Bạn hỏi nhanh quá. Vui lòng thử lại sau {wait} giây.",
                               **{"Retry-After": str(wait)})
        return None

    async def chat(self, request: web.Request) -> web.Response:
        """One message or button press from the chat page → the replies to draw."""
        if not self.same_origin(request):
            return _json_error(403, "Yêu cầu không đến từ trang của trợ lý.")
        body = await self._json_body(request)
        if not isinstance(body, dict):
            return _json_error(400, "JSON không hợp lệ.")
        button, text = body.get("button"), body.get("text")
        if isinstance(button, str) and button:
            if len(button) > 64 or not button.isascii():
                return _json_error(400, "Nút không hợp lệ.")
            kind, content = "callback", button
        elif isinstance(text, str) and text.strip():
            kind, content = "text", text[:MAX_CHAT_CHARS]
        else:
            return _json_error(400, "Tin nhắn trống.")
        limited = self._question_quota(request)
        if limited is not None:
            return limited
        uid, new = self.user_id(request)
        incoming = Incoming(platform="web", user_id=uid, chat_id=uid, text=content, kind=kind,  # type: ignore[arg-type]
                            is_admin=self.settings.is_admin("web", uid))
        dispatch = self.assistant.dispatcher.dispatch
        replies = await self.user_locks.run(uid, lambda: asyncio.to_thread(dispatch, incoming))
        response = web.json_response({"ok": True, "replies": replies_json(replies)}, dumps=_dumps)
        if new:
            self.set_uid_cookie(response, uid)
        return response

    # -- the JSON API -----------------------------------------------------------------------------------
    def _cors(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        origin = request.headers.get("Origin", "")
        if origin and origin in self.settings.web_allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    async def ask_preflight(self, request: web.Request) -> web.StreamResponse:
        response = web.Response(status=204, headers={"Access-Control-Allow-Methods": "POST",
                                                     "Access-Control-Allow-Headers": "Content-Type",
                                                     "Access-Control-Max-Age": "600"})
        return self._cors(request, response)

    async def api_ask(self, request: web.Request) -> web.StreamResponse:
        """`cchc ask --json` over HTTP: one question, one object; logged as channel `api`."""
        limited = self._question_quota(request)
        if limited is not None:
            return self._cors(request, limited)
        body = await self._json_body(request)
        question = body.get("question") if isinstance(body, dict) else None
        k = body.get("k", 3) if isinstance(body, dict) else 3
        if not isinstance(question, str) or not question.strip():
            return self._cors(request, _json_error(400, "Thiếu câu hỏi: gửi {\"question\": \"…\", \"k\": 3}."))
        if isinstance(k, bool) or not isinstance(k, int):
            return self._cors(request, _json_error(400, "k phải là số nguyên từ 1 đến 20."))
        k = max(1, min(k, MAX_K))
        result = await asyncio.to_thread(self._ask_and_log, question[: MAX_QUESTION_CHARS * 4], k,
                                         request[CLIENT_KEY])
        return self._cors(request, web.json_response(result, dumps=_dumps))

    def _ask_and_log(self, question: str, k: int, client: str) -> dict[str, Any]:
        result = self.assistant.ask.ask(question, k=k)
        top = result.citations[0] if result.found and result.citations else None
        try:
            self.assistant.state.log_question("api", client, client, result.question[:MAX_QUESTION_CHARS],
                                              result.found, top.doc_id if top else "",
                                              str(top.passage_id) if top else "", top.score if top else 0.0)
        except Exception:  # the answer matters more than its statistics
            log.exception("logging an API question failed")
        return result.to_json()

    # -- the application ----------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=self.upload_limit,
                              middlewares=[self.headers_middleware, self.limits_middleware])
        app[CHANNEL_KEY] = self
        app.router.add_get("/", self.chat_page)
        app.router.add_get("/embed", self.chat_page)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/static/{name}", self.static_file)
        app.router.add_get("/widget.js", self.widget)
        app.router.add_get("/favicon.ico", self.favicon)
        app.router.add_post("/api/chat", self.chat)
        app.router.add_post("/api/ask", self.api_ask)
        app.router.add_route("OPTIONS", "/api/ask", self.ask_preflight)
        set_up_features(app, self, self.features)  # new pages register in bot/web/features.py
        self.admin.add_routes(app)
        return app

    async def favicon(self, _request: web.Request) -> web.Response:
        return web.Response(body=self.static["icon.svg"], content_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    async def widget(self, _request: web.Request) -> web.Response:
        return web.Response(body=self.static["widget.js"], content_type="text/javascript", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=300"})


async def serve_web(settings: Settings, stop: asyncio.Event, *, assistant: Assistant | None = None,
                    channel: WebChannel | None = None, on_started: Callable[[int], None] | None = None) -> int:
    """Serve until `stop` is set; `on_started(port)` tells tests which port was bound (port 0), and
    a test may pass its own `channel` to look at its sessions and limits."""
    from bot.zalo_channel import _fail, open_assistant

    if channel is not None:
        assistant = channel.assistant
    owned = assistant is None
    if assistant is None:
        assistant = await open_assistant(settings)
        if assistant is None:
            return 2
    try:
        channel = channel or WebChannel(assistant, settings)
        # keepalive_timeout is armed when a connection opens: it is also the header read timeout.
        runner = web.AppRunner(channel.make_app(), access_log=None, shutdown_timeout=5.0,
                               keepalive_timeout=channel.header_timeout, lingering_time=LINGER_SECONDS)
        await runner.setup()
        try:
            site = web.TCPSite(runner, settings.web_listen, settings.web_port)
            try:
                await site.start()
            except OSError as exc:
                return _fail(f"Không mở được cổng {settings.web_listen}:{settings.web_port} cho trang web "
                             f"({exc.strerror or exc}). Hãy đổi CCHC_WEB_PORT.")
            sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port
            port = sockets[0].getsockname()[1] if sockets else settings.web_port
            log.info("Trang web đang chạy tại http://%s:%s/ (trang quản trị %s).", settings.web_listen, port,
                     "đang bật" if settings.web_admin_password_hash else "tắt: chưa đặt CCHC_WEB_ADMIN_PASSWORD")
            if on_started is not None:
                on_started(port)
            heart = asyncio.create_task(beat_forever(settings.data_dir, "web"))  # for `cchc health`
            try:
                await stop.wait()
            finally:
                heart.cancel()
        finally:
            await runner.cleanup()
        return 0
    finally:
        if owned:
            assistant.close()


def run_web(settings: Settings) -> int:
    """`cchc run web`; returns the process exit code."""
    from bot.zalo_channel import _run

    if not settings.web_admin_password_hash:
        print("Lưu ý: chưa đặt CCHC_WEB_ADMIN_PASSWORD nên trang quản trị /admin bị tắt.", flush=True)
    print(f"Trợ lý CCHC trên web: http://{settings.web_listen}:{settings.web_port}/", flush=True)
    return _run(lambda stop: serve_web(settings, stop))


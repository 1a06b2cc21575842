"""An async client for the Zalo Bot API over httpx, written here because no SDK fits.

Every method is `POST {base}{token}/{method}` with a JSON body and answers with an envelope
`{"ok": bool, "result" | "error_code" + "description"}`. The client checks `ok` (not only the HTTP
status), maps errors to exceptions, retries what is worth retrying (429, 5xx, network errors) with
bounded exponential backoff, and makes sure the token — which sits in the URL path — never reaches
a log line or an exception message: httpx logs request URLs itself, so its loggers get a redacting
filter as soon as a client exists.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx

from bot.logging_setup import RedactingFilter

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://bot-api.zaloplatforms.com/bot"
DEFAULT_RETRIES = 3  # retries after the first attempt: at most 4 requests per call
DEFAULT_POLL_TIMEOUT = 30
MAX_TEXT_CHARS = 2000
# Where a token comes from, said where it is missing: an office's IT person meets this line first.
MISSING_TOKEN_TEXT = ("Thiếu ZALO_BOT_TOKEN: trong ứng dụng Zalo, mở Zalo Bot Creator (quét mã QR trên "
                      "bot.zaloplatforms.com) và tạo bot, rồi chép Bot Token Zalo gửi về (dạng 1234567890:abc...) "
                      "vào ZALO_BOT_TOKEN trong tệp .env hoặc biến môi trường.")

# Every logger that may print a request URL (httpx at INFO, httpcore traces at DEBUG) or one of
# our exceptions. Logger-level filters run before any handler (root, pytest's caplog, a user's
# own), which root-handler filters alone would not guarantee.
_PROTECTED_LOGGERS = (
    "httpx", "httpcore", "httpcore.connection", "httpcore.connection_pool", "httpcore.http11",
    "httpcore.http2", "httpcore.proxy", "httpcore.socks", "bot.zalo_client", "bot.zalo_channel",
    "bot.zalo_webhook", "aiohttp.access", "aiohttp.server", "aiohttp.web", "asyncio",
)
_redactor = RedactingFilter([])


def protect_secret(secret: str) -> None:
    """Redact `secret` from every record of the loggers that could ever carry it."""
    if secret and len(secret) >= 4:
        _redactor.add(secret)  # the token, its URL-encoded form and its secret half
    for name in _PROTECTED_LOGGERS:
        logger = logging.getLogger(name)
        if _redactor not in logger.filters:
            logger.addFilter(_redactor)


def redact(text: str) -> str:
    """The text with every protected secret (and anything shaped like a bot token) replaced."""
    return _redactor.redact(text)


class ZaloError(Exception):
    """An API call failed. `error_code` follows Zalo's codes (HTTP-like); 0 means a network error."""

    def __init__(self, error_code: int, description: str, method: str = "") -> None:
        self.error_code = error_code
        self.description = redact(description or "")
        self.method = method
        code = f"{error_code} " if error_code else ""
        super().__init__(f"Zalo {method or 'API'} failed: {code}{self.description}".strip())


class ZaloBadRequest(ZaloError):
    """400: the request was malformed (e.g. text longer than 2000 characters)."""


class ZaloUnauthorized(ZaloError):
    """401: the token is wrong or revoked — retrying cannot help."""


class ZaloForbidden(ZaloError):
    """403: the bot may not do this (e.g. the user blocked it)."""


class ZaloNotFound(ZaloError):
    """404: unknown method or object."""


class ZaloRateLimited(ZaloError):
    """429: quota exceeded."""


class ZaloServerError(ZaloError):
    """5xx: Zalo's side failed."""


class ZaloNetworkError(ZaloError):
    """No answer at all (connection refused, timeout, broken response)."""


_BY_CODE: dict[int, type[ZaloError]] = {
    400: ZaloBadRequest, 401: ZaloUnauthorized, 403: ZaloForbidden, 404: ZaloNotFound,
    429: ZaloRateLimited,
}


def error_for(code: int, description: str, method: str) -> ZaloError:
    cls = _BY_CODE.get(code) or (ZaloServerError if 500 <= code < 600 else ZaloError)
    return cls(code, description, method)


def _retryable(exc: ZaloError) -> bool:
    return isinstance(exc, (ZaloRateLimited, ZaloServerError, ZaloNetworkError))


class ZaloClient:
    """One bot token, one connection pool. Use `async with ZaloClient(...)` or call `aclose()`."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE, *, poll_timeout: int = DEFAULT_POLL_TIMEOUT,
                 request_timeout: float = 15.0, retries: int = DEFAULT_RETRIES, retry_delay: float = 1.0,
                 max_retry_delay: float = 30.0, trust_env: bool = True,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        protect_secret(token)
        self._token = token
        self.base_url = base_url
        self.poll_timeout = max(1, int(poll_timeout))
        self.request_timeout = request_timeout
        self.retries = max(0, retries)
        self.retry_delay = max(0.0, retry_delay)
        self.max_retry_delay = max(self.retry_delay, max_retry_delay)
        self.retry_log_level = logging.WARNING  # start-up checks lower it: their failure is reported once
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(request_timeout, connect=10.0), trust_env=trust_env, transport=transport,
            headers={"User-Agent": "tro-ly-cchc"},
            # A poller holds one connection for the whole poll; senders need their own.
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    def __repr__(self) -> str:  # never show the token, even in a debugger or a traceback's locals
        return f"ZaloClient(base_url={self.base_url!r}, token=***)"

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- transport -----------------------------------------------------------------------------
    async def call(self, method: str, payload: dict[str, Any] | None = None, *,
                   timeout: float | None = None, retries: int | None = None) -> Any:
        """POST one method and return its `result`; raises a `ZaloError` subclass on failure.

        `getUpdates` answering 408 ("no message within the timeout") returns None: that is the
        normal idle case of long polling, not an error.
        """
        attempts = 1 + (self.retries if retries is None else max(0, retries))
        for attempt in range(attempts):
            try:
                return await self._call_once(method, payload or {}, timeout)
            except ZaloError as exc:
                if not _retryable(exc) or attempt + 1 >= attempts:
                    raise
                delay = self._backoff(attempt)
                log.log(self.retry_log_level, "Zalo %s failed (%s), retry %d/%d in %.2fs", method,
                        exc.error_code or exc.description, attempt + 1, attempts - 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        """Exponential with jitter (50–100 %), capped: many bots retrying never stampede together."""
        raw = min(self.max_retry_delay, self.retry_delay * (2 ** attempt))
        return raw * random.uniform(0.5, 1.0)

    async def _call_once(self, method: str, payload: dict[str, Any], timeout: float | None) -> Any:
        url = f"{self.base_url}{self._token}/{method}"
        try:
            response = await self._http.post(
                url, json=payload, timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout)
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            # `from None`: the httpx exception carries the request (and so the URL with the token).
            # InvalidURL: a malformed ZALO_API_BASE; its message quotes the URL, so it is redacted too.
            raise ZaloNetworkError(0, f"{type(exc).__name__}: {redact(str(exc))}", method) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if method == "getUpdates" and response.status_code == 408:
                return None
            code = response.status_code if response.status_code >= 400 else 502
            raise error_for(code, f"invalid response (HTTP {response.status_code})", method)
        if body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        if not isinstance(code, int):
            code = response.status_code if response.status_code >= 400 else 500
        if method == "getUpdates" and code == 408:
            return None
        description = str(body.get("description") or "")
        raise error_for(code, description, method)

    # -- methods -------------------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int | None = None) -> list[dict[str, Any]]:
        """Wait up to `timeout` seconds for updates; always a list ([] when nothing came).

        Zalo answers with ONE update object; a list is accepted too, in case that changes.
        """
        poll = self.poll_timeout if timeout is None else max(1, int(timeout))
        # The HTTP read timeout must outlast the server's own wait, or every idle poll would fail.
        result = await self.call("getUpdates", {"timeout": poll}, timeout=poll + 15.0)
        if result is None:
            return []
        items = result if isinstance(result, list) else [result]
        return [u for u in items if isinstance(u, dict)]

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        result = await self.call("setWebhook", {"url": url, "secret_token": secret_token})
        return result if isinstance(result, dict) else {}

    async def delete_webhook(self) -> dict[str, Any]:
        result = await self.call("deleteWebhook")
        return result if isinstance(result, dict) else {}

    async def get_webhook_info(self) -> dict[str, Any]:
        """`{"url": ...}`; a bot that never had a webhook may get 404, which means "none"."""
        try:
            result = await self.call("getWebhookInfo")
        except ZaloNotFound:
            return {"url": ""}
        info = dict(result) if isinstance(result, dict) else {}
        info["url"] = str(info.get("url") or "")
        return info

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Send plain text (1–2000 characters: callers split longer texts first)."""
        result = await self.call("sendMessage", {"chat_id": str(chat_id), "text": text})
        return result if isinstance(result, dict) else {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        """Best effort and never retried: a missing "typing…" is not worth a delay or quota."""
        await self.call("sendChatAction", {"chat_id": str(chat_id), "action": action},
                        timeout=min(self.request_timeout, 5.0), retries=0)

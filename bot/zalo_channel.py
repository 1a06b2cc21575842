"""The Zalo channel: long polling (`cchc run zalo`), shared update handling, `cchc zalo set-webhook`.

Zalo has no buttons, no offsets and may deliver an update twice, so this module turns each update
into an `Incoming`, drops repeats by `message_id`, renders replies as plain text of at most 2000
characters, and turns a typed "1".."n" back into the button the previous reply offered. The
webhook server (bot/zalo_webhook.py) feeds the very same `ZaloBot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from bot.app import Assistant, build_assistant
from bot.heartbeat import beat_forever
from bot.reminder_delivery import first_reminder_delay, zalo_deliverer, zalo_reminders
from bot.settings import Settings
from bot.zalo_client import (
    MAX_TEXT_CHARS,
    MISSING_TOKEN_TEXT,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloUnauthorized,
    protect_secret,
)
from handlers.messages import Button, Incoming, Reply
from handlers.numbers import parse_int
from handlers.reminders import remind_forever
from handlers.render_text import render_plain, split_text

log = logging.getLogger(__name__)

EVENT_KINDS: dict[str, str] = {
    "message.text.received": "text",
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "unsupported",
}
SECRET_MIN, SECRET_MAX = 8, 256
DRAIN_SECONDS = 10.0
TYPING_DELAY = 0.3  # seconds: an answer back sooner needs no "typing…" (as on Telegram): one request less
DISPATCH_THREADS = 32  # answers computed at once; more than the cores so that slow ones never starve quick ones
ACTIVE_ANSWERS = 1  # quick answers computed at a time (long polling, 20 users: 1 → 222 msg/s, 2 → 201, 32 → 159)


def _fail(message: str, code: int = 2) -> int:
    """A start-up problem: one clear Vietnamese line on stderr (redacted), and a non-zero exit code:
    2 for configuration, 1 when the platform refused or could not be reached (bot/failures.py)."""
    from bot.failures import fail

    return fail(message, code)


class _LRU:
    """A bounded set that forgets the oldest keys: enough memory to catch Zalo's re-deliveries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """True if `key` is new (and is now remembered), False if it was seen before."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return True


def _display_name(sender: dict[str, Any]) -> str:
    for key in ("display_name", "name", "first_name"):
        value = sender.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def parse_update(update: Any, assistant: Assistant) -> Incoming | None:
    """An update as an `Incoming`, or None for what is ignored (no message, bots, no sender)."""
    if not isinstance(update, dict):
        return None
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    if sender.get("is_bot") is True:
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id = str(sender.get("id") or "")
    chat_id = str(chat.get("id") or user_id)
    if not user_id or not chat_id:
        return None
    event = str(update.get("event_name") or "")
    kind = EVENT_KINDS.get(event)
    text = message.get("text")
    if kind is None:  # an event this code does not know yet: read its text if it has any
        kind = "text" if isinstance(text, str) and text.strip() else "unsupported"
    if kind != "text":
        text = message.get("caption") if kind == "image" else ""
    return assistant.incoming(
        "zalo", user_id, chat_id, text if isinstance(text, str) else "", kind=kind,
        user_name=_display_name(sender), is_group=str(chat.get("chat_type") or "").upper() == "GROUP",
        message_id=str(message.get("message_id") or ""),
    )


def _choice_line(number: int, button: Button) -> str:
    """Same wording as `render_plain`, numbered across the whole burst of replies."""
    return f"Gõ {number} để {button.label[:1].lower()}{button.label[1:]}"


def render_burst(replies: list[Reply]) -> tuple[list[str], tuple[Button, ...]]:
    """The texts to send (each ≤ 2000 characters) and the buttons a typed digit may choose.

    A burst with several replies that each offer a button ("Kết quả khác") numbers them 1, 2, 3…
    in order, so every digit the user may type is unambiguous. Quiz options are answered by
    letter by the quiz feature itself and are not offered as numbers.
    """
    texts: list[str] = []
    choices: list[Button] = []
    for reply in replies:
        buttons = () if reply.quiz is not None else reply.buttons
        if buttons and not choices:
            body = render_plain(reply)  # the common case: exactly render_plain's text
        else:
            body = render_plain(reply, numbered_buttons=False)
            if buttons:
                lines = [_choice_line(len(choices) + i, b) for i, b in enumerate(buttons, 1)]
                body = f"{body}\n\n" + "\n".join(lines) if body else "\n".join(lines)
        choices.extend(buttons)
        texts.extend(split_text(body, MAX_TEXT_CHARS))
    return texts, tuple(choices)


class ZaloBot:
    """Turns Zalo updates into dispatcher calls and replies; shared by long polling and webhook.

    `submit` is synchronous and cheap (parse, de-duplicate, start a task), so a webhook can
    answer 200 at once; each chat's updates are handled in arrival order behind a per-chat lock,
    while different chats are answered concurrently (issue 13: one slow user must not hold up the
    others). Answers are computed in the bot's own thread pool — not asyncio's default one (6
    threads on 2 cores), where a few slow answers (an admin's rebuild, a long question) would make
    every other user wait — and "typing…" is sent only when an answer takes a while.

    Answering is CPU work under the GIL: twenty answers computed at once in twenty threads only
    fight over it (and starve the event loop that sends the replies). So ACTIVE_ANSWERS quick
    answers run at a time; an answer still running after TYPING_DELAY counts as slow and gives its
    turn to the next one, so a slow user never holds up the others for more than that delay.
    """

    def __init__(self, assistant: Assistant, client: ZaloClient, *, dedup_size: int = 10_000,
                 chats_remembered: int = 5_000, typing_delay: float = TYPING_DELAY,
                 threads: int = DISPATCH_THREADS) -> None:
        self.assistant = assistant
        self.client = client
        self.typing_delay = typing_delay
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="zalo-answer")
        self._turns = asyncio.Semaphore(ACTIVE_ANSWERS)
        self._seen = _LRU(dedup_size)
        self._choices: OrderedDict[str, tuple[Button, ...]] = OrderedDict()
        self._chats_remembered = chats_remembered
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # chat → (lock, holders + waiters)
        self.tasks: set[asyncio.Task[None]] = set()
        self.handled = 0  # messages answered (or attempted): for logs and benchmarks

    def submit(self, update: Any) -> asyncio.Task[None] | None:
        """Accept one update; returns the background task, or None when it is ignored."""
        try:
            incoming = parse_update(update, self.assistant)
        except Exception:
            log.exception("unreadable Zalo update ignored")
            return None
        if incoming is None:
            log.debug("Zalo update without a user message ignored")
            return None
        if incoming.message_id and not self._seen.add(f"{incoming.chat_id}:{incoming.message_id}"):
            log.info("Zalo message %s delivered again: ignored", incoming.message_id)
            return None
        task = asyncio.get_running_loop().create_task(self._handle(incoming))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Let replies in flight finish (bounded), then cancel what is left."""
        pending = set(self.tasks)
        if pending:
            _done, still = await asyncio.wait(pending, timeout=timeout)
            for task in still:
                task.cancel()
            if still:
                await asyncio.gather(*still, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _handle(self, incoming: Incoming) -> None:
        chat = incoming.chat_id
        lock, users = self._locks.get(chat) or (asyncio.Lock(), 0)
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                await self._answer(incoming)
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad update must never stop the channel
            log.exception("Zalo message %s from chat %s failed", incoming.message_id, chat)
        finally:
            lock, users = self._locks[chat]
            if users <= 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)

    def _as_choice(self, incoming: Incoming) -> Incoming:
        """A typed "2" right after a reply offering choices means pressing its second button."""
        if incoming.kind != "text":
            return incoming
        number = parse_int(incoming.text.strip().rstrip(".)"))  # "２", "₂" and "2." choose 2 as well
        choices = self._choices.get(incoming.chat_id, ())
        if number is not None and choices and 1 <= number <= len(choices):
            return replace(incoming, kind="callback", text=choices[number - 1].payload)
        return incoming

    def _remember(self, chat_id: str, choices: tuple[Button, ...]) -> None:
        self._choices.pop(chat_id, None)
        if choices:
            self._choices[chat_id] = choices
            while len(self._choices) > self._chats_remembered:
                self._choices.popitem(last=False)

    async def _dispatch(self, incoming: Incoming) -> list[Reply]:
        """The dispatcher's replies, computed in the pool in turn; a slow answer gives up its turn
        and shows "typing…" once."""
        loop = asyncio.get_running_loop()
        await self._turns.acquire()
        holding = True
        try:
            future = loop.run_in_executor(self._pool, self.assistant.dispatcher.dispatch, incoming)
            done, _ = await asyncio.wait({future}, timeout=self.typing_delay)
            if not done:
                self._turns.release()  # slow: let the next answers run beside it
                holding = False
                try:
                    await self.client.send_chat_action(incoming.chat_id, "typing")
                except ZaloError as exc:
                    log.debug("sendChatAction failed: %s", exc)
            return await future
        finally:
            if holding:
                self._turns.release()

    async def _answer(self, incoming: Incoming) -> None:
        incoming = self._as_choice(incoming)
        self.handled += 1
        replies = await self._dispatch(incoming)
        texts, choices = render_burst(replies)
        # One burst per incoming message, never re-sent as a whole: the free plan counts messages.
        for i, text in enumerate(texts):
            try:
                await self.client.send_message(incoming.chat_id, text)
            except ZaloError as exc:
                log.error("reply %d/%d to chat %s not delivered: %s",
                          i + 1, len(texts), incoming.chat_id, exc)
                self._remember(incoming.chat_id, ())  # the user never saw these choices
                return
        self._remember(incoming.chat_id, choices)


# -- long polling ------------------------------------------------------------------------------
def start_reminders(assistant: Assistant, client: ZaloClient, settings: Settings) -> asyncio.Task | None:
    """The deadline reminders' loop (issue 21), beside polling or the webhook server."""
    reminders = zalo_reminders(assistant)
    if reminders is None:
        return None
    return asyncio.create_task(remind_forever(reminders, "zalo", zalo_deliverer(client),
                                              settings.remind_check_seconds, first=first_reminder_delay(settings)))


def make_client(settings: Settings) -> ZaloClient:
    return ZaloClient(settings.zalo_token, settings.zalo_api_base, poll_timeout=settings.zalo_poll_timeout,
                      retry_delay=settings.zalo_retry_delay)


async def _stop_or_sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _until_stopped(stop: asyncio.Event, work: Awaitable[int]) -> int:
    """Run `work` until it ends or `stop` is set (then cancel it): SIGTERM never waits for a poll."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if not task.done():
        task.cancel()
    try:
        return await task
    except asyncio.CancelledError:
        return 0


async def _poll_forever(client: ZaloClient, bot: ZaloBot, stop: asyncio.Event, settings: Settings) -> int:
    failures = 0
    while not stop.is_set():
        try:
            updates = await client.get_updates()
        except ZaloUnauthorized:
            return _fail("Zalo từ chối token (401): hãy kiểm tra lại ZALO_BOT_TOKEN.", 1)
        except ZaloError as exc:
            failures += 1
            delay = min(60.0, max(0.05, settings.zalo_retry_delay) * (2 ** min(failures, 6)))
            level = logging.WARNING if isinstance(exc, ZaloNetworkError) or failures < 5 else logging.ERROR
            log.log(level, "getUpdates failed (%s); polling again in %.1fs", exc, delay)
            await _stop_or_sleep(stop, delay)
            continue
        failures = 0
        for update in updates:
            bot.submit(update)
    return 0


async def serve_polling(settings: Settings, stop: asyncio.Event, *, force: bool = False,
                        assistant: Assistant | None = None) -> int:
    """`cchc run zalo`: check the token, refuse while a webhook is set (unless `force`), poll."""
    if not settings.zalo_token:
        return _fail(MISSING_TOKEN_TEXT)
    protect_secret(settings.zalo_token)
    owned = assistant is None
    async with make_client(settings) as client:
        try:
            code = await _until_stopped(stop, _start_checks(client, force))
            if code or stop.is_set():
                return code
            if assistant is None:
                assistant = await open_assistant(settings)
                if assistant is None:
                    return 2
            bot = ZaloBot(assistant, client)
            log.info("Zalo long polling started")
            heart = asyncio.create_task(beat_forever(settings.data_dir, "zalo"))  # for `cchc health`
            reminders = start_reminders(assistant, client, settings)
            try:
                code = await _until_stopped(stop, _poll_forever(client, bot, stop, settings))
            finally:
                heart.cancel()
                if reminders is not None:
                    reminders.cancel()
            await bot.drain()
            log.info("Zalo long polling stopped (%d messages handled)", bot.handled)
            return code
        finally:
            if owned and assistant is not None:
                assistant.close()


async def open_assistant(settings: Settings) -> Assistant | None:
    """build_assistant off the event loop; a broken knowledge base is a clear message, not a traceback."""
    try:
        return await asyncio.to_thread(build_assistant, settings)
    except Exception as exc:
        from bot.failures import explain

        log.debug("build_assistant failed", exc_info=True)
        _fail(explain(exc, settings.data_dir), 1)
        return None


async def _start_checks(client: ZaloClient, force: bool) -> int:
    """getMe (is the token valid?) and getWebhookInfo (Zalo refuses polling while a webhook is set).

    Their retries are logged at DEBUG: a failed start is reported once, in Vietnamese, below."""
    client.retry_log_level = logging.DEBUG
    try:
        me = await client.get_me()
        info = await client.get_webhook_info()
    except ZaloUnauthorized:
        return _fail("Zalo từ chối token (401): hãy kiểm tra lại ZALO_BOT_TOKEN.", 1)
    except ZaloError as exc:
        return _fail(f"Không kết nối được Zalo Bot API ({exc.error_code or 'mạng'}: {exc.description}).\n"
                     f"Hãy kiểm tra mạng, proxy và ZALO_API_BASE ({client.base_url}).", 1)
    finally:
        client.retry_log_level = logging.WARNING
    log.info("Zalo bot: %s", me.get("display_name") or me.get("account_name") or me.get("id") or "?")
    if info["url"]:
        if not force:
            return _fail(
                f"Bot Zalo đang đặt webhook ({info['url']}), nên Zalo không cho nhận tin bằng long polling. "
                "Hãy chạy `cchc run zalo --webhook`, hoặc thêm --force để xoá webhook rồi dùng long polling.")
        try:
            await client.delete_webhook()
        except ZaloError as exc:
            return _fail(f"Không xoá được webhook đang đặt ({exc.error_code}: {exc.description}).", 1)
        print(f"Đã xoá webhook {info['url']} (--force); chuyển sang long polling.",
              file=sys.stderr, flush=True)
    return 0


# -- entry points used by bot/cli.py ------------------------------------------------------------
def _run(main: Callable[[asyncio.Event], Awaitable[int]]) -> int:
    """asyncio.run with SIGINT/SIGTERM setting a stop event, so shutdown is always clean."""

    async def runner() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        return await main(stop)

    try:
        return asyncio.run(runner())
    except KeyboardInterrupt:
        return 130


def run_zalo(settings: Settings, webhook: bool = False, force: bool = False) -> int:
    """`cchc run zalo [--webhook] [--force]`; returns the process exit code."""
    if webhook:
        from bot.zalo_webhook import serve_webhook

        return _run(lambda stop: serve_webhook(settings, stop))
    return _run(lambda stop: serve_polling(settings, stop, force=force))


def check_webhook_request(settings: Settings, url: str) -> str | None:
    """The Vietnamese reason `url`/secret cannot be registered, or None when they are fine."""
    if not settings.zalo_token:
        return MISSING_TOKEN_TEXT
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        return f"Địa chỉ webhook phải bắt đầu bằng https:// và có tên miền, nhận được: {url[:200]!r}."
    secret = settings.zalo_webhook_secret
    if not secret:
        return "Thiếu ZALO_WEBHOOK_SECRET: hãy đặt một chuỗi bí mật dài 8–256 ký tự."
    if not SECRET_MIN <= len(secret) <= SECRET_MAX:
        return f"ZALO_WEBHOOK_SECRET phải dài từ {SECRET_MIN} đến {SECRET_MAX} ký tự (hiện có {len(secret)})."
    return None


async def set_webhook_async(settings: Settings, url: str) -> int:
    problem = check_webhook_request(settings, url)
    if problem:
        return _fail(problem)
    async with make_client(settings) as client:
        try:
            await client.set_webhook(url.strip(), settings.zalo_webhook_secret)
        except ZaloUnauthorized:
            return _fail("Zalo từ chối token (401): hãy kiểm tra lại ZALO_BOT_TOKEN.", 1)
        except ZaloError as exc:
            reason = exc.description or "lỗi không rõ"
            return _fail(f"Zalo không nhận webhook ({exc.error_code}: {reason}).", 1)
    print(f"Đã đăng ký webhook Zalo: {url.strip()}")
    return 0


def set_webhook(settings: Settings, url: str) -> int:
    """`cchc zalo set-webhook URL`: register `url` with ZALO_WEBHOOK_SECRET as its secret token."""
    return asyncio.run(set_webhook_async(settings, url))

"""Telegram channel (python-telegram-bot 22.8): updates → `Incoming` → dispatcher → HTML replies.

This module only translates. Every decision about what to answer is the dispatcher's, so commands
are routed generically (a feature that registers `/quiz` or an admin command works here with no
change) and the menu shown by Telegram comes from `dispatcher.menu()`.

Telegram specifics handled here: groups (answer only commands, @mentions and replies to the bot),
inline buttons, the 4096-character limit, duplicate deliveries, flood-control retries (429),
polite answers when anything fails, and never printing the token (it is part of every API URL).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.heartbeat import BEAT_SECONDS, beat
from bot.logging_setup import register_secrets
from bot.reminder_delivery import first_reminder_delay, telegram_reminders
from bot.settings import Settings
from bot.telegram_render import render_reply
from handlers.messages import Attachment, Incoming, Kind, Reply

log = logging.getLogger(__name__)

PLATFORM = "telegram"
# Only what the bot handles is requested from Telegram; anything else that still arrives
# (edited messages, channel posts, ...) is ignored by the handlers below.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
TYPING_DELAY = 0.3  # seconds: answers faster than this need no "typing…" (it would cost a request)
TYPING_REPEAT = 4.5  # Telegram shows "typing…" for 5 s
RECENT_UPDATE_IDS = 4096
MAX_CONCURRENT_UPDATES = 64
RATE_LIMIT_RETRIES = 3
BOOTSTRAP_RETRIES = 3
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")

SORRY_TEXT = "Xin lỗi, tôi gặp sự cố khi trả lời tin nhắn của bạn. Bạn vui lòng thử lại sau ít phút."
FILE_TOO_BIG_TEXT = "Tệp quá lớn ({size:.1f} MB). Tôi chỉ nhận tệp tối đa {limit} MB."
FILE_FAILED_TEXT = "Xin lỗi, tôi không tải được tệp này từ Telegram. Bạn vui lòng gửi lại sau ít phút."


class RecentIds:
    """A bounded set of recently seen update ids: a re-delivered update is answered only once."""

    def __init__(self, size: int = RECENT_UPDATE_IDS) -> None:
        self.size = size
        self._order: deque[int] = deque()
        self._seen: set[int] = set()

    def add(self, update_id: int) -> bool:
        """True the first time `update_id` is seen (and remembers it); False for a duplicate."""
        if update_id in self._seen:
            return False
        self._seen.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self.size:
            self._seen.discard(self._order.popleft())
        return True


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats are answered concurrently, messages of one chat strictly in order.

    WHY: with PTB's default (one update at a time) one slow answer or one 429 back-off delays
    every other user; with plain concurrency two quick questions in one chat could be answered in
    the wrong order.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # nobody else waits on this chat: forget its lock
                del self._users[chat.id]
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class TelegramChannel:
    """The handlers PTB calls; holds the assistant and the duplicate-update memory."""

    def __init__(self, assistant: Any, typing_delay: float = TYPING_DELAY) -> None:
        self.assistant = assistant
        self.settings: Settings = assistant.settings
        self.typing_delay = typing_delay
        self.recent = RecentIds()
        self.mode = ""  # "long polling" / "webhook on …", for the log line once connected
        self.on_ready: Callable[[], None] | None = None  # run_telegram: start-up is over

    # -- start-up --------------------------------------------------------------------------
    async def post_init(self, application: Application) -> None:
        """Publish the Vietnamese command menu (and the admin menu in each admin's chat)."""
        bot = application.bot
        dispatcher = self.assistant.dispatcher
        try:
            await bot.set_my_commands(_bot_commands(dispatcher.menu(admin=False)))
        except TelegramError as exc:
            log.warning("Không cập nhật được menu lệnh của bot trên Telegram (%s); bot vẫn chạy, menu sẽ "
                        "được cập nhật ở lần khởi động sau.", exc)
        admin_menu = _bot_commands(dispatcher.menu(admin=True))
        for admin in sorted(self.settings.admins):
            platform, _, user_id = admin.partition(":")
            if platform != PLATFORM or not user_id.lstrip("-").isdigit():
                continue
            try:
                await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(int(user_id)))
            except TelegramError as exc:  # e.g. the admin has not opened a chat with the bot yet
                log.info("admin menu for %s not set: %s", user_id, exc)
        beat(self.settings.data_dir, PLATFORM, mode=self.mode)  # the heartbeat `cchc health` reads
        if application.job_queue is not None:
            application.job_queue.run_repeating(self._beat, interval=BEAT_SECONDS, first=BEAT_SECONDS,
                                                name="heartbeat")
            if getattr(self.assistant, "duties", None) is not None:  # deadline reminders (issue 21)
                application.job_queue.run_repeating(telegram_reminders, interval=self.settings.remind_check_seconds,
                                                    first=first_reminder_delay(self.settings), name="reminders")
        log.info("Telegram bot @%s ready%s", bot.username, f" ({self.mode})" if self.mode else "")
        if self.on_ready is not None:
            self.on_ready()

    async def _beat(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        beat(self.settings.data_dir, PLATFORM, mode=self.mode)

    # -- handlers ----------------------------------------------------------------------------
    async def drop_duplicates(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every other handler: a second delivery of an update stops here."""
        if not self.recent.add(update.update_id):
            log.info("duplicate update %s ignored", update.update_id)
            raise ApplicationHandlerStop

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        user, chat = message.from_user, message.chat
        is_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        kind = message_kind(message)
        text = message.text if message.text is not None else (message.caption or "")
        if is_group:
            addressed = addressed_text(message, context.bot.username or "", context.bot.id)
            if addressed is None:
                return
            text = addressed
        thread_id = message.message_thread_id if message.is_topic_message else None
        reply_to = message.message_id if is_group else None
        is_admin = self.settings.is_admin(PLATFORM, str(user.id))
        attachment = None
        if kind == "file" and is_admin and message.document is not None:
            attachment, problem = await self._download(message)
            if problem is not None:
                await self.send(context.bot, chat.id, [problem], thread_id, reply_to)
                return
        incoming = self.assistant.incoming(
            PLATFORM, str(user.id), str(chat.id), text, kind=kind, user_name=user.first_name or "",
            is_group=is_group, message_id=str(message.message_id), attachment=attachment)
        replies = await self.answer(context.bot, chat.id, incoming, thread_id)
        await self.send(context.bot, chat.id, replies, thread_id, reply_to)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stops the spinner on the button; must happen even if we fail later
        except TelegramError as exc:  # e.g. "query is too old": still act on the press
            log.info("answerCallbackQuery failed: %s", exc)
        if not query.data:
            return
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        is_group = query.message is not None and query.message.chat.type in (ChatType.GROUP,
                                                                                ChatType.SUPERGROUP)
        thread_id = None
        if isinstance(query.message, Message) and query.message.is_topic_message:
            thread_id = query.message.message_thread_id
        incoming = self.assistant.incoming(
            PLATFORM, str(query.from_user.id), str(chat_id), query.data, kind="callback",
            user_name=query.from_user.first_name or "", is_group=is_group,
            message_id=str(query.message.message_id) if query.message is not None else "")
        replies = await self.answer(context.bot, chat_id, incoming, thread_id)
        await self.send(context.bot, chat_id, replies, thread_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one place errors end up: log (the token is redacted by logging) and apologise."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed: %s: %s", update_id, type(error).__name__, error,
                  exc_info=error if not isinstance(error, NetworkError) else None)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None or isinstance(error, Forbidden):  # blocked by the user: nobody to tell
            return
        try:
            await context.bot.send_message(chat.id, SORRY_TEXT)
        except TelegramError as exc:
            log.warning("could not tell chat %s about the error: %s", chat.id, exc)

    # -- helpers -----------------------------------------------------------------------------
    async def answer(self, bot: Any, chat_id: int, incoming: Incoming,
                     thread_id: int | None = None) -> list[Reply]:
        """Dispatch in a worker thread; show "typing…" only if the answer is not back quickly."""
        task = asyncio.ensure_future(asyncio.to_thread(self.assistant.dispatcher.dispatch, incoming))
        delay = self.typing_delay
        while True:
            done, _ = await asyncio.wait({task}, timeout=delay)
            if done:
                return task.result()
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
            except TelegramError as exc:  # cosmetic: never let it stop the answer
                log.info("sendChatAction failed: %s", exc)
            delay = TYPING_REPEAT

    async def send(self, bot: Any, chat_id: int, replies: list[Reply], thread_id: int | None = None,
                   reply_to: int | None = None) -> None:
        """Send every reply (split to fit), quoting the user's message once in groups."""
        for reply in replies:
            for out in render_reply(reply):
                params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
                await bot.send_message(chat_id, out.html, parse_mode=ParseMode.HTML,
                                       reply_markup=out.keyboard, link_preview_options=NO_PREVIEW,
                                       message_thread_id=thread_id, reply_parameters=params)
                reply_to = None

    async def _download(self, message: Message) -> tuple[Attachment | None, Reply | None]:
        """An admin's document as bytes (for adding documents), or a Vietnamese reason why not."""
        document = message.document
        assert document is not None
        limit_mb = self.settings.max_upload_mb
        if document.file_size and document.file_size > limit_mb * 1024 * 1024:
            size = document.file_size / 1024 / 1024
            return None, Reply(FILE_TOO_BIG_TEXT.format(size=size, limit=limit_mb))
        try:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("download of document %s failed: %s", document.file_unique_id, exc)
            return None, Reply(FILE_FAILED_TEXT)
        name = document.file_name or f"{document.file_unique_id}.bin"
        return Attachment(name, data, document.mime_type or ""), None


def message_kind(message: Message) -> Kind:
    """Which `Incoming.kind` a Telegram message is (status updates never get here)."""
    if message.text is not None:
        return "text"
    if message.sticker is not None:
        return "sticker"
    if message.photo:
        return "image"
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return "voice"
    if message.document is not None:
        return "file"
    return "unsupported"


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """In a group: the text meant for the bot (mention removed), or None if not meant for it.

    A group message is for the bot when it is a command (not addressed to another bot), mentions
    @username, or replies to one of the bot's messages.
    """
    text = message.text if message.text is not None else (message.caption or "")
    entities = message.parse_entities() if message.text is not None else message.parse_caption_entities()
    name = username.lower()
    mentioned = False
    for entity, value in entities.items():
        if entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0:
            _, _, target = value.partition("@")
            return text if not target or target.lower() == name else None
        if entity.type == MessageEntityType.MENTION and value.lower() == f"@{name}":
            mentioned = True
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        mentioned = True
    if not mentioned:
        return None
    if name:
        text = re.sub(rf"(?i)@{re.escape(name)}\b", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _bot_commands(menu: list[tuple[str, str]]) -> list[BotCommand]:
    """Telegram accepts 1–32 chars [a-z0-9_] and a 1–256 char description, at most 100 commands."""
    commands = []
    for name, description in menu:
        if _COMMAND_NAME.fullmatch(name) and description.strip():
            commands.append(BotCommand(name, description.strip()[:256]))
    return commands[:100]


def build_application(assistant: Any, *, rate_limited: bool = True,
                      typing_delay: float = TYPING_DELAY) -> Application:
    """The PTB application serving `assistant`, pointed at TELEGRAM_API_BASE / TELEGRAM_FILE_BASE.

    `run_telegram` runs it with `run_polling`/`run_webhook`; tests and benchmarks drive the same
    object with initialize/start. `rate_limited=False` exists only for the benchmark.
    """
    settings: Settings = assistant.settings
    register_secrets([settings.telegram_token, settings.telegram_webhook_secret])
    channel = TelegramChannel(assistant, typing_delay=typing_delay)
    builder = (ApplicationBuilder()
               .token(settings.telegram_token)
               .base_url(settings.telegram_api_base)
               .base_file_url(settings.telegram_file_base)
               .concurrent_updates(PerChatUpdateProcessor())
               .post_init(channel.post_init))
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    application = builder.build()
    application.bot_data["channel"] = channel
    application.add_handler(TypeHandler(Update, channel.drop_duplicates), group=-1)
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL,
                                           channel.on_message))
    application.add_handler(CallbackQueryHandler(channel.on_callback))
    application.add_error_handler(channel.on_error)
    return application


def webhook_target(settings: Settings) -> tuple[str, str]:
    """(path the local server listens on, public URL given to Telegram).

    TELEGRAM_WEBHOOK_URL may be the bare public origin (the path is appended) or the full URL.
    """
    path = settings.telegram_path.strip("/")
    url = settings.telegram_webhook_url.rstrip("/")
    if not urlparse(url).path.rstrip("/").endswith(f"/{path}"):
        url = f"{url}/{path}"
    return path, url


def polling_options() -> dict[str, Any]:
    """Arguments for `run_polling` / `updater.start_polling` (shared with the tests)."""
    return {"allowed_updates": ALLOWED_UPDATES}


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for `run_webhook` / `updater.start_webhook` (shared with the tests).

    `secret_token` makes PTB's webhook server refuse (403) any POST without Telegram's
    X-Telegram-Bot-Api-Secret-Token header: the URL alone must not let anyone inject updates.
    """
    path, url = webhook_target(settings)
    return {"listen": settings.telegram_listen, "port": settings.telegram_port, "url_path": path,
            "webhook_url": url, "secret_token": settings.telegram_webhook_secret,
            "allowed_updates": ALLOWED_UPDATES}


def settings_problem(settings: Settings, webhook: bool) -> str | None:
    """A Vietnamese explanation of why the bot cannot start with these settings, or None."""
    if not settings.telegram_token:
        return ("Thiếu TELEGRAM_BOT_TOKEN. Hãy lấy token từ @BotFather trên Telegram, đặt vào biến "
                "môi trường TELEGRAM_BOT_TOKEN (hoặc tệp .env) rồi chạy lại.")
    if not webhook:
        return None
    if not settings.telegram_webhook_url:
        return ("Chế độ webhook cần TELEGRAM_WEBHOOK_URL: địa chỉ HTTPS công khai mà Telegram gửi "
                "tin nhắn tới, ví dụ https://bot.example.gov.vn. Hoặc chạy không có --webhook.")
    if urlparse(settings.telegram_webhook_url).scheme != "https":
        return "TELEGRAM_WEBHOOK_URL phải bắt đầu bằng https:// (Telegram chỉ gửi webhook qua HTTPS)."
    if not settings.telegram_webhook_secret:
        return ("Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET (1–256 ký tự A–Z, a–z, 0–9, _ hoặc -) "
                "để chỉ Telegram mới gửi được tin nhắn tới bot.")
    if not _SECRET_SHAPE.fullmatch(settings.telegram_webhook_secret):
        return "TELEGRAM_WEBHOOK_SECRET chỉ được gồm 1–256 ký tự A–Z, a–z, 0–9, _ hoặc -."
    return None


class QuietStartup(logging.Filter):
    """Until the bot is connected, python-telegram-bot's own report of a failed start-up (ERROR
    with a 50–100-line traceback) is held back: `run_telegram` says what failed in one Vietnamese
    line instead. With CCHC_LOG_LEVEL=DEBUG nothing is held back (the traceback is for developers).
    Installed on the root handlers, so it sees PTB's records whichever logger they come from."""

    def __init__(self) -> None:
        super().__init__()
        self.starting = True

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.starting and record.name.startswith("telegram") and record.levelno >= logging.ERROR)


def _quiet_startup(settings: Settings) -> QuietStartup | None:
    if settings.log_level == "DEBUG":
        return None
    quiet = QuietStartup()
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet)
    return quiet


def run_telegram(settings: Settings, webhook: bool) -> int:
    """`cchc run telegram [--webhook]`: serve until SIGINT/SIGTERM; 0 on a clean stop.

    Every start-up failure is one or two Vietnamese lines and an exit code (2: configuration,
    1: the bot could not start), never a traceback unless CCHC_LOG_LEVEL=DEBUG."""
    from bot.failures import EXIT_CONFIG, EXIT_FAILED, explain, fail

    problem = settings_problem(settings, webhook)
    if problem:
        return fail(problem, EXIT_CONFIG)
    register_secrets([settings.telegram_token, settings.telegram_webhook_secret])
    from bot.app import build_assistant

    try:
        assistant = build_assistant(settings)
    except Exception as exc:
        log.debug("build_assistant failed", exc_info=True)
        return fail(explain(exc, settings.data_dir), EXIT_FAILED)
    quiet = _quiet_startup(settings)
    application = build_application(assistant)
    channel: TelegramChannel = application.bot_data["channel"]
    channel.on_ready = (lambda: setattr(quiet, "starting", False)) if quiet is not None else None
    # PTB closes the loop it runs on; a fresh one keeps run_telegram callable more than once.
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        if webhook:
            options = webhook_options(settings)
            channel.mode = f"webhook on {options['listen']}:{options['port']}/{options['url_path']}"
            application.run_webhook(**options, bootstrap_retries=BOOTSTRAP_RETRIES)
        else:
            channel.mode = "long polling"
            application.run_polling(**polling_options(), bootstrap_retries=BOOTSTRAP_RETRIES)
    except InvalidToken:
        return fail("Telegram từ chối TELEGRAM_BOT_TOKEN (token sai hoặc đã bị thu hồi). "
                    "Hãy kiểm tra lại token với @BotFather.")
    except NetworkError as exc:
        return fail(f"Không kết nối được tới Telegram ({type(exc).__name__}) qua {settings.telegram_api_base}.\n"
                    "Hãy kiểm tra mạng, proxy (HTTPS_PROXY) và TELEGRAM_API_BASE rồi chạy lại.")
    except TelegramError as exc:  # e.g. setWebhook refused: Telegram's reason carries no token
        return fail(f"Telegram từ chối yêu cầu khi khởi động: {exc.message}")
    except OSError as exc:
        return fail(f"Không mở được cổng {settings.telegram_listen}:{settings.telegram_port} cho webhook "
                    f"({exc.strerror or exc}). Hãy đổi TELEGRAM_LISTEN/TELEGRAM_PORT.", EXIT_CONFIG)
    finally:
        assistant.close()
        if quiet is not None:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(quiet)
    return 0

"""A fake Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

It speaks the real wire protocol python-telegram-bot uses (`POST /bot<token>/<method>`, form or
multipart bodies whose nested values are JSON strings, `{"ok": ..., "result": ...}` answers, HTTP
status codes that PTB maps to its exceptions) and ENFORCES Telegram's limits, because PTB checks
none of them on the client side: a bot that would be refused by Telegram is refused here too.

It runs in its own thread with its own event loop, so a test can drive it while the bot runs in
the test's loop, in a subprocess, or while the main thread is blocked in `run_polling`.
Every call is recorded (`calls`) so tests can assert on what the bot sent.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
POLL_QUESTION = 300
POLL_OPTION = 100
POLL_EXPLANATION = 200
POLL_MAX_OPTIONS = 12
LONG_POLL_CAP = 10.0

# Form fields that PTB sends as JSON strings.
JSON_FIELDS = {
    "reply_markup", "entities", "caption_entities", "allowed_updates", "options", "commands",
    "reply_parameters", "link_preview_options", "scope", "correct_option_ids", "explanation_entities",
    "question_entities", "media", "results", "description_entities",
}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "tg-spoiler", "span", "blockquote", "tg-emoji"}
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                "upload_voice", "upload_document", "choose_sticker", "find_location",
                "record_video_note", "upload_video_note"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ApiError(Exception):
    """Answered as `{"ok": false, "error_code": status, "description": ...}`."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def html_visible_text(text: str) -> str:
    """The text Telegram would show for `parse_mode=HTML`, or ApiError like Telegram's parser."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if not m:
                raise bad(f"can't parse entities: Unexpected character at byte offset "
                          f"{len(text[:i].encode())}")
            closing, name = m.group(1), m.group(2).lower()
            if name not in HTML_TAGS:
                raise bad(f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                          f"{len(text[:i].encode())}")
            if closing:
                if not stack or stack[-1] != name:
                    raise bad(f'can\'t parse entities: Unmatched end tag at byte offset '
                              f'{len(text[:i].encode())}, expected "</{stack[-1] if stack else ""}>"')
                stack.pop()
            else:
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise bad(f"can't parse entities: Unsupported HTML entity at byte offset "
                          f"{len(text[:i].encode())}")
            out.append(html.unescape(m.group()))
            i = m.end()
        elif ch == ">":
            raise bad(f"can't parse entities: Unexpected character at byte offset {len(text[:i].encode())}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise bad(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


@dataclass
class Call:
    """One request the bot made: method, decoded parameters, HTTP status answered, time."""

    method: str
    params: dict[str, Any]
    status: int
    ts: float
    description: str = ""
    result: Any = None


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    description: str
    remaining: int


@dataclass
class FakeTelegram:
    """The fake server. `start()` it, point the bot at `base_url`/`file_base_url`, push updates."""

    token: str
    username: str = "cchc_test_bot"
    bot_id: int = 7_000_001
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._updates: list[dict] = []
        self._new_update: asyncio.Event | None = None
        self._poll_generation = 0
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self.chats: dict[int, dict] = {}
        self.messages: dict[tuple[int, int], str] = {}  # (chat_id, message_id) → text, bot's messages
        self.callback_ids: set[str] = set()
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, data)
        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict]] = {}  # scope JSON → commands
        self.pushed_at: dict[int, float] = {}  # update_id → time it was pushed

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeTelegram:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="fake-telegram",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(10) or not self.port:
            raise RuntimeError("fake Telegram server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        loop.run_until_complete(self._runner.setup())
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        loop.run_until_complete(web.SockSite(self._runner, sock).start())
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        self._poll_generation += 1  # release any waiting long poll
        assert self._new_update is not None
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests do -------------------------------------------------------------------------
    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Trợ lý CCHC", "username": self.username}

    def push_updates(self, updates: list[dict]) -> None:
        """Queue several updates at once, so one getUpdates answer carries them all (a duplicate
        pushed separately could land after the bot confirmed its id and be dropped, as Telegram does).
        """
        for update in updates:
            self._note(update)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._enqueue, *updates)

    def push_update(self, update: dict) -> int:
        """Queue one update for getUpdates."""
        self._note(update)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._enqueue, update)
        return update["update_id"]

    def _note(self, update: dict) -> None:
        """Remember the chats and callback ids an update introduces (the bot may answer them)."""
        message = update.get("message") or update.get("edited_message") or {}
        if "chat" in message:
            self.chats[message["chat"]["id"]] = message["chat"]
        cb = update.get("callback_query")
        if cb:
            self.callback_ids.add(cb["id"])
            if "message" in cb:
                self.chats[cb["message"]["chat"]["id"]] = cb["message"]["chat"]
        with self._lock:
            self.pushed_at.setdefault(update["update_id"], time.perf_counter())

    def _enqueue(self, *updates: dict) -> None:
        self._updates.extend(updates)
        assert self._new_update is not None
        self._new_update.set()

    def message(self, text: str | None = None, *, user_id: int = 111, chat_id: int | None = None,
                chat_type: str = "private", first_name: str = "Lan", reply_to: dict | None = None,
                **content: Any) -> dict:
        """An update with a new message, with the entities Telegram would detect in `text`."""
        chat_id = user_id if chat_id is None else chat_id
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Nhóm CCHC"
        msg: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                               "chat": chat, "from": {"id": user_id, "is_bot": False,
                                                      "first_name": first_name}}
        if text is not None:
            msg["text"] = text
            entities = self.detect_entities(text)
            if entities:
                msg["entities"] = entities
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        msg.update(content)
        return {"update_id": next(self._update_ids), "message": msg}

    def callback(self, data: str, *, user_id: int = 111, chat_id: int | None = None,
                 chat_type: str = "private", message_id: int = 1) -> dict:
        """An update for a press on an inline button of the bot's message `message_id`."""
        chat_id = user_id if chat_id is None else chat_id
        return {"update_id": next(self._update_ids), "callback_query": {
            "id": f"cbq{next(self._callback_ids)}", "chat_instance": f"ci{chat_id}", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Lan"},
            "message": {"message_id": message_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": chat_type}, "from": self.bot_user(),
                        "text": "…"}}}

    def detect_entities(self, text: str) -> list[dict]:
        """bot_command at offset 0 and @mentions, with UTF-16 offsets as Telegram gives them."""
        entities = []
        start = 0
        m = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if m:  # "/hoi@cchc_bot" is one command entity, not a command plus a mention
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(m.group())})
            start = m.end()
        for m in re.finditer(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{5,32}", text[start:]):
            entities.append({"type": "mention", "offset": utf16_len(text[:start + m.start()]),
                             "length": utf16_len(m.group())})
        return entities

    def add_file(self, file_id: str, data: bytes, file_path: str = "documents/file_0.docx") -> None:
        self.files[file_id] = (file_path, data)

    def fail_next(self, method: str, times: int = 1, status: int = 500, retry_after: int | None = None,
                  description: str | None = None) -> None:
        """The next `times` calls of `method` get `status` (429 carries `retry_after`)."""
        if description is None:
            description = ({429: f"Too Many Requests: retry after {retry_after}",
                            500: "Internal Server Error"}.get(status, "Error"))
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(status, retry_after, description, times))

    def sent(self, method: str = "sendMessage", chat_id: int | None = None,
             ok_only: bool = True) -> list[Call]:
        """Recorded calls of `method` (successful ones unless ok_only=False), optionally per chat."""
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if c.method == method and (not ok_only or c.status == 200)
                and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """The visible text of every message sent successfully (to `chat_id`)."""
        return [c.result["text"] for c in self.sent("sendMessage", chat_id)]

    def wait_sync(self, method: str, count: int, chat_id: int | None = None,
                  timeout: float = 20.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            calls = self.sent(method, chat_id)
            if len(calls) >= count:
                return calls
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {count} {method} (got {len(calls)}); "
                                     f"calls: {[c.method for c in self.calls][-20:]}")
            time.sleep(0.01)

    async def wait(self, method: str, count: int, chat_id: int | None = None,
                   timeout: float = 20.0, poll: float = 0.01) -> list[Call]:
        """Wait (without blocking the caller's loop) until `count` successful calls were made."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.sent(method, chat_id)
            if len(calls) >= count:
                return calls
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {count} {method} (got {len(calls)}); "
                                     f"calls: {[c.method for c in self.calls][-20:]}")
            await asyncio.sleep(poll)

    # -- HTTP ----------------------------------------------------------------------------------
    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                self._record("file:" + path, {}, 200)
                return web.Response(body=data)
        return web.Response(status=404, text="Not Found")

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(method, {}, ApiError(401, "Unauthorized"))
        try:
            params = await self._params(request)
        except ValueError as exc:
            return self._error(method, {}, bad(f"can't parse request: {exc}"))
        failure = self._take_failure(method)
        if failure is not None:
            return self._error(method, params, ApiError(failure.status, failure.description,
                                                        failure.retry_after))
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return self._error(method, params, ApiError(404, "Not Found"))
        try:
            result = await handler(params)
        except ApiError as exc:
            return self._error(method, params, exc)
        self._record(method, params, 200, result=result)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw: dict[str, Any] = await request.json() if request.can_read_body else {}
            return dict(raw or {})
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if hasattr(value, "file"):  # an uploaded file in a multipart body
                    params[key] = {"filename": value.filename, "size": len(value.file.read())}
                else:
                    params[key] = value
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
            return failure

    def _record(self, method: str, params: dict, status: int, description: str = "",
                result: Any = None) -> None:
        with self._lock:
            self.calls.append(Call(method, params, status, time.perf_counter(), description, result))

    def _error(self, method: str, params: dict, exc: ApiError) -> web.Response:
        self._record(method, params, exc.status, exc.description)
        body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
        if exc.retry_after is not None:
            body["parameters"] = {"retry_after": exc.retry_after}
        return web.json_response(body, status=exc.status)

    # -- validation helpers --------------------------------------------------------------------
    def _chat(self, params: dict) -> dict:
        raw = params.get("chat_id")
        if raw in (None, ""):
            raise bad("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad("chat not found") from None
        if chat_id not in self.chats:
            raise bad("chat not found")
        return self.chats[chat_id]

    @staticmethod
    def _visible(params: dict, key: str = "text", limit: int = TEXT_LIMIT,
                 too_long: str = "message is too long") -> str:
        text = params.get(key)
        if text is None or str(text).strip() == "":
            raise bad("message text is empty")
        text = str(text)
        mode = str(params.get("parse_mode") or "")
        visible = html_visible_text(text) if mode.upper() == "HTML" else text
        if not visible.strip():
            raise bad("message text is empty")
        if utf16_len(visible) > limit:
            raise bad(too_long)
        return visible

    @staticmethod
    def _check_markup(params: dict) -> None:
        markup = params.get("reply_markup")
        if not markup:
            return
        if "inline_keyboard" not in markup:
            return
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("field \"inline_keyboard\" must be an Array of Arrays")
        for row in rows:
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise bad("BUTTON_TEXT_EMPTY")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= CALLBACK_DATA_BYTES:
                        raise bad("BUTTON_DATA_INVALID")
                elif not any(k in button for k in ("url", "switch_inline_query", "web_app",
                                                    "login_url", "pay", "copy_text", "callback_game",
                                                    "switch_inline_query_current_chat")):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in "
                              "the inline keyboard")

    def _new_message(self, chat: dict, **content: Any) -> dict:
        message_id = next(self._message_ids)
        msg = {"message_id": message_id, "date": int(time.time()), "chat": chat,
               "from": self.bot_user(), **content}
        if "text" in content:
            self.messages[(chat["id"], message_id)] = content["text"]
        return msg

    # -- Bot API methods ---------------------------------------------------------------------
    async def api_getMe(self, _params: dict) -> dict:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def api_logOut(self, _params: dict) -> bool:
        return True

    async def api_getWebhookInfo(self, _params: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def api_setWebhook(self, params: dict) -> bool:
        url = str(params.get("url", ""))
        secret = params.get("secret_token")
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise bad("secret token contains unallowed characters")
        self.webhook = dict(params) if url else {}
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = {}
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def api_getUpdates(self, params: dict) -> list[dict]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        self._poll_generation += 1
        generation = self._poll_generation
        assert self._new_update is not None
        deadline = time.monotonic() + timeout
        while True:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if self._updates:
                return self._updates[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except asyncio.TimeoutError:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                    "that only one bot instance is running")

    async def api_sendMessage(self, params: dict) -> dict:
        chat = self._chat(params)
        text = self._visible(params)
        self._check_markup(params)
        extra: dict[str, Any] = {}
        if params.get("reply_markup"):
            extra["reply_markup"] = params["reply_markup"]
        return self._new_message(chat, text=text, **extra)

    async def api_editMessageText(self, params: dict) -> dict:
        chat = self._chat(params)
        key = (chat["id"], int(params.get("message_id") or 0))
        if key not in self.messages:
            raise bad("message to edit not found")
        text = self._visible(params)
        self._check_markup(params)
        if self.messages[key] == text:
            raise bad("message is not modified: specified new message content and reply markup are "
                      "exactly the same as a current content and reply markup of the message")
        self.messages[key] = text
        return {"message_id": key[1], "date": int(time.time()), "chat": chat, "from": self.bot_user(),
                "text": text, "edit_date": int(time.time())}

    async def api_answerCallbackQuery(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_ids:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text", ""))) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self.callback_ids.discard(query_id)  # a query can be answered once
        return True

    async def api_sendChatAction(self, params: dict) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    async def api_setMyCommands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands are empty")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat" and int(scope.get("chat_id", 0)) not in self.chats:
            raise bad("chat not found")
        self.commands[json.dumps(scope, sort_keys=True)] = commands
        return True

    async def api_getFile(self, params: dict) -> dict:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise bad("invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                "file_path": path}

    async def api_sendPoll(self, params: dict) -> dict:
        chat = self._chat(params)
        question = str(params.get("question", ""))
        if not 1 <= len(question) <= POLL_QUESTION:
            raise bad("poll question length must not exceed 300" if question
                      else "poll question must be non-empty")
        options = params.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= POLL_MAX_OPTIONS:
            raise bad("poll must have at least 2 option and at most 12 options")
        texts = [str(o["text"]) if isinstance(o, dict) else str(o) for o in options]
        for text in texts:
            if not 1 <= len(text) <= POLL_OPTION:
                raise bad("poll options length must not exceed 100")
        explanation = str(params.get("explanation") or "")
        if len(explanation) > POLL_EXPLANATION or explanation.count("\n") > 2:
            raise bad("explanation length must not exceed 200 characters and 2 line feeds")
        poll_type = params.get("type") or "regular"
        correct = params.get("correct_option_ids")
        if correct is None and params.get("correct_option_id") is not None:
            correct = [int(params["correct_option_id"])]
        if poll_type == "quiz" and (not correct or not all(0 <= int(i) < len(texts) for i in correct)):
            raise bad("wrong correct option specified")
        poll_id = f"poll{next(self._message_ids)}"
        poll = {"id": poll_id, "question": question,
                "options": [{"text": t, "voter_count": 0, "persistent_id": f"{poll_id}o{i}"}
                            for i, t in enumerate(texts)],
                "total_voter_count": 0, "is_closed": False,
                "is_anonymous": str(params.get("is_anonymous", "true")).lower() != "false",
                "type": poll_type, "allows_multiple_answers": False, "allows_revoting": False,
                "members_only": False}
        if correct:
            poll["correct_option_ids"] = [int(i) for i in correct]
        if explanation:
            poll["explanation"] = explanation
        return self._new_message(chat, poll=poll)

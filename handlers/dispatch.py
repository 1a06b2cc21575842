"""The one path every message takes: `Dispatcher.dispatch(Incoming) -> list[Reply]`.

Features (core Q&A, quiz, admin) register commands, button-payload prefixes and text interceptors
here, so each feature lives in its own module and the dispatcher stays small. Nothing a user sends
may crash it: any exception becomes a polite Vietnamese reply and is logged.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from handlers.flood import FLOOD_TEXT, FloodGuard
from handlers.messages import Incoming, Reply
from handlers.numbers import MAX_DIGITS, ascii_digits, is_number

log = logging.getLogger(__name__)

CommandHandler = Callable[[Incoming, str], list[Reply]]
CallbackHandler = Callable[[Incoming, str], list[Reply]]
TextInterceptor = Callable[[Incoming], "list[Reply] | None"]

ERROR_TEXT = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Bạn vui lòng thử lại sau ít phút."
NOT_ADMIN_TEXT = "Xin lỗi, lệnh này chỉ dành cho quản trị viên. Yêu cầu của bạn không được thực hiện."
MAX_COMMAND_CHARS = 4000
EXPIRED_BUTTON_TEXT = "Nút này đã hết hạn. Bạn hãy gửi lại câu hỏi nhé."
LONE_NUMBER_TEXT = ("Bạn vừa gõ số “{number}”, nhưng lúc này không có lựa chọn đánh số nào đang chờ. "
                    "Bạn hãy gõ câu hỏi bằng chữ, ví dụ: “Số đường dây nóng hỗ trợ dịch vụ công là gì?”, "
                    "hoặc gõ /help để xem các lệnh.")
_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


@dataclass(frozen=True)
class Command:
    """A slash command: `/name args`. `description` is the Vietnamese line shown in menus and /help."""

    name: str
    description: str
    handler: CommandHandler
    admin_only: bool = False
    in_menu: bool = True


class Dispatcher:
    """Routes an `Incoming` to the command, button or free-text handler that owns it."""

    def __init__(self, flood: FloodGuard | None = None) -> None:
        self.flood = flood
        self.commands: dict[str, Command] = {}
        self.aliases: dict[str, str] = {}
        self.callbacks: dict[str, CallbackHandler] = {}
        self.interceptors: list[TextInterceptor] = []
        self.free_text: CommandHandler | None = None
        self.non_text: Callable[[Incoming], list[Reply]] | None = None
        self.audit: Callable[[Incoming, str, str, bool], None] | None = None

    # -- registration -------------------------------------------------------------------------
    def add_command(self, command: Command, *aliases: str) -> None:
        self.commands[command.name] = command
        for alias in aliases:
            self.aliases[alias] = command.name

    def add_callback(self, prefix: str, handler: CallbackHandler) -> None:
        """Handle button payloads `prefix:...` (the handler receives the part after the colon)."""
        self.callbacks[prefix] = handler

    def add_interceptor(self, interceptor: TextInterceptor) -> None:
        """Free text is offered to interceptors first (e.g. 'B' while a quiz question is open)."""
        self.interceptors.append(interceptor)

    def menu(self, admin: bool = False) -> list[tuple[str, str]]:
        """(command, description) pairs for setMyCommands and /help."""
        return [(c.name, c.description) for c in self.commands.values()
                if c.in_menu and (admin or not c.admin_only)]

    # -- dispatch -------------------------------------------------------------------------------
    def dispatch(self, incoming: Incoming) -> list[Reply]:
        """Answer one user action; never raises."""
        try:
            return self._dispatch(incoming)
        except Exception:
            log.exception("handler failed for %s user %s", incoming.platform, incoming.user_id)
            return [Reply(ERROR_TEXT)]

    def _dispatch(self, incoming: Incoming) -> list[Reply]:
        if self.flood is not None and not incoming.is_admin:
            wait = self.flood.wait_seconds(f"{incoming.platform}:{incoming.user_id}")
            if wait:
                return [Reply(FLOOD_TEXT.format(seconds=wait))]
        if incoming.kind == "callback":
            # Payloads are ASCII by construction (Button); a forged one may hold any digits.
            payload = ascii_digits(incoming.text)
            prefix, _, rest = payload.partition(":")
            handler = self.callbacks.get(prefix)
            if handler is None or _LONG_NUMBER.search(rest):
                return [Reply(EXPIRED_BUTTON_TEXT)]
            return handler(incoming, rest)
        if incoming.kind != "text" and not (incoming.kind == "file" and incoming.text.startswith("/")):
            if self.non_text is not None:
                return self.non_text(incoming)
            return [Reply("Xin lỗi, hiện tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi nhé.")]
        text = clean_text(incoming.text)
        if text.startswith("/"):
            return self._command(incoming, text)
        for interceptor in self.interceptors:
            replies = interceptor(incoming)
            if replies is not None:
                return replies
        if is_number(text):  # "2" with no numbered choice waiting (the channel would have mapped it)
            return [Reply(LONE_NUMBER_TEXT.format(number=text[:20]))]
        if self.free_text is None:
            return [Reply("Xin lỗi, tôi chưa sẵn sàng trả lời câu hỏi.")]
        return self.free_text(incoming, text)

    def _command(self, incoming: Incoming, text: str) -> list[Reply]:
        head, _, args = text[:MAX_COMMAND_CHARS].partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        name = self.aliases.get(name, name)
        command = self.commands.get(name)
        if command is None:
            return [Reply(f"Tôi chưa hiểu lệnh /{name[:30]}. Gõ /help để xem các lệnh có thể dùng.")]
        if command.admin_only and not incoming.is_admin:
            if self.audit is not None:
                self.audit(incoming, name, args.strip()[:200], False)
            return [Reply(NOT_ADMIN_TEXT)]
        return command.handler(incoming, ascii_digits(args.strip()))  # "/quiz １５５" is /quiz 155


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def clean_text(text: str) -> str:
    """NFC, terminal escapes and control characters dropped, whitespace collapsed: what every
    handler may assume."""
    text = _ANSI.sub(" ", unicodedata.normalize("NFC", text or ""))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())

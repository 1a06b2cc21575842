"""The terminal channel: `cchc chat` talks to the bot on the embedded knowledge base.

It is the simplest channel and the model for the others: read a line, make an `Incoming`, dispatch,
render the replies as plain text. Buttons become numbered choices; typing the number presses it.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from handlers.messages import Reply
from handlers.numbers import parse_int
from handlers.render_text import render_plain

EXIT_WORDS = {"/exit", "/quit", "/thoat", "exit", "quit", "thoat", "thoát", "/thoát"}
MAX_LINE_CHARS = 20_000


class ConsoleSession:
    """One terminal user: remembers the last numbered choices so that '1' presses the first one."""

    def __init__(self, assistant: Assistant, user_id: str = "console") -> None:
        self.assistant = assistant
        self.user_id = user_id
        self.pending: list[str] = []

    def handle(self, line: str) -> list[str]:
        """One typed line → the texts to print."""
        line = line.strip()[:MAX_LINE_CHARS]
        number = parse_int(line.rstrip(".)"))  # any digit form: "２" and "₂" choose 2 as well
        if number is not None and self.pending and 1 <= number <= len(self.pending):
            incoming = self.assistant.incoming("console", self.user_id, self.user_id,
                                               self.pending[number - 1], kind="callback")
        else:
            incoming = self.assistant.incoming("console", self.user_id, self.user_id, line)
        replies = self.assistant.dispatcher.dispatch(incoming)
        return self._render(replies)

    def _render(self, replies: list[Reply]) -> list[str]:
        self.pending = []
        texts = []
        for reply in replies:
            if reply.buttons and reply.quiz is None:
                self.pending = [b.payload for b in reply.buttons]
            texts.append(render_plain(reply))
        return texts


def run_console(settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Interactive loop until EOF or /thoat."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    if interactive:
        print("Đang nạp cơ sở tri thức…", file=stdout, flush=True)
    assistant = build_assistant(settings)
    # One local user at their own keyboard: the per-user flood limit protects a shared bot from
    # its users, not the terminal from its owner (issue 13: pasting 20 questions got "please wait").
    assistant.dispatcher.flood = None
    session = ConsoleSession(assistant)
    try:
        for text in session.handle("/start"):
            print(f"Trợ lý: {text}\n", file=stdout)
        print("(Gõ /thoat để thoát.)", file=stdout, flush=True)
        while True:
            if interactive:
                print("Bạn: ", end="", file=stdout, flush=True)
            line = stdin.readline()
            if not line:
                break
            if line.strip().lower() in EXIT_WORDS:
                break
            if not line.strip():
                continue
            for text in session.handle(line):
                print(f"Trợ lý: {text}\n", file=stdout, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        assistant.close()
    print("Tạm biệt!", file=stdout, flush=True)
    return 0

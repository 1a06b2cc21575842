"""Platform-neutral messages: what a channel hands to the handlers and what it gets back.

Every channel (terminal, Telegram, Zalo, ...) turns its own payloads into an `Incoming`, calls
`Dispatcher.dispatch`, and renders the returned `Reply` objects in its own way. Nothing here knows
about a platform, so a new channel is one new module in `bot/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "callback", "image", "sticker", "voice", "file", "unsupported"]


@dataclass(frozen=True)
class Attachment:
    """A file a user sent (only Telegram can deliver files); admins use it to add documents."""

    filename: str
    data: bytes
    mime_type: str = ""


@dataclass(frozen=True)
class Incoming:
    """One user action, whatever the platform.

    `kind="callback"` means the user pressed a button (or, on channels without buttons, typed the
    number of a numbered choice); `text` then holds the button's payload.
    """

    platform: str
    user_id: str
    chat_id: str
    text: str = ""
    is_admin: bool = False
    kind: Kind = "text"
    user_name: str = ""
    is_group: bool = False
    message_id: str = ""
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from: enough for a citizen to find the sentence in the plan."""

    doc_id: str
    title: str
    number: str
    date: str
    issuer: str
    section: str
    quote: str

    def label(self) -> str:
        """One line in Vietnamese: 'Kế hoạch số 155/KH-SYT ngày 08/08/2025 — Sở Y tế ... — mục II.1.a'."""
        head = self.title or "Tài liệu"
        bits = [head]
        if self.number:
            bits.append(f"số {self.number}")
        if self.date and self.date.count("/") == 2:
            bits.append(f"ngày {self.date}")
        elif self.date and self.date not in head:  # "… năm 2025" needs no second "năm 2025"
            bits.append(f"năm {self.date}")
        line = " ".join(bits)
        if self.issuer:
            line += f" — {self.issuer}"
        if self.section:
            line += f" — mục {self.section}"
        return line


@dataclass(frozen=True)
class Button:
    """A choice the user can make. `payload` is ASCII and at most 64 bytes (Telegram's limit)."""

    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode("utf-8")) > 64 or not self.payload.isascii():
            raise ValueError(f"button payload must be ASCII and at most 64 bytes: {self.payload!r}")


@dataclass(frozen=True)
class QuizCard:
    """A multiple-choice question as shown to a user, ready to render as a poll or lettered text."""

    attempt_id: str
    stem: str
    options: tuple[str, ...]
    correct_index: int
    explanation: str
    citation: Citation | None
    header: str = ""  # e.g. "Câu 3/20 — còn 17 phút"


@dataclass(frozen=True)
class Reply:
    """One message to send back. `text` is plain Vietnamese text without markup: channels escape it.

    `citation` is rendered under the text; `buttons` become inline buttons where the platform has
    them and numbered lines ("Gõ 1 để ...") where it does not; `quiz` is set for quiz questions.
    """

    text: str
    citation: Citation | None = None
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    quiz: QuizCard | None = None

"""`Reply` → Telegram messages: HTML text of at most 4096 characters plus an inline keyboard.

Kept apart from the channel so the rendering rules can be tested without any network. Every
piece of document or user text is escaped here and nowhere else; long texts are split as PLAIN
text first and each piece escaped afterwards, so a split can never cut a tag or an `&amp;` in two.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.messages import Button, Reply
from handlers.render_text import short_quote, split_text

TEXT_LIMIT = 4096  # Telegram's limit for one message (counted in UTF-16 code units, entities parsed)
LETTERS = "ABCDEFGHIJKL"
QUOTE_CHARS = 300  # a citation's quote is shown only as a short excerpt
ONE_ROW_LABEL_CHARS = 36  # buttons fit on one row below this total label length


@dataclass(frozen=True)
class OutMessage:
    """One Telegram message ready for `send_message(parse_mode=HTML)`."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class _Block:
    """A paragraph: fixed HTML prefix, plain text to escape, optional wrapping tag."""

    plain: str
    prefix: str = ""
    tag: str = ""

    def html(self, plain: str, first: bool = True) -> str:
        opening, closing = (f"<{self.tag}>", f"</{self.tag}>") if self.tag else ("", "")
        return (self.prefix if first else "") + opening + escape(plain) + closing


def escape(text: str) -> str:
    """NFC-normalised and HTML-escaped (Telegram's HTML mode needs <, > and & escaped)."""
    return html.escape(unicodedata.normalize("NFC", text), quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji such as 📄 counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def render_reply(reply: Reply, limit: int = TEXT_LIMIT) -> list[OutMessage]:
    """The reply as one or more messages, each at most `limit`; the keyboard goes on the last.

    The HTML source itself is kept within `limit` (stricter than Telegram, which counts the text
    after parsing), so no message can be refused as too long whatever the markup.
    """
    pieces: list[str] = []
    for block in _blocks(reply):
        pieces.extend(_split_block(block, limit))
    messages: list[str] = []
    for piece in pieces:
        if messages and utf16_len(messages[-1]) + 2 + utf16_len(piece) <= limit:
            messages[-1] += "\n\n" + piece
        else:
            messages.append(piece)
    keyboard = keyboard_for(reply.buttons, one_row=reply.quiz is not None)
    out = [OutMessage(m) for m in messages]
    if out and keyboard is not None:
        out[-1] = OutMessage(out[-1].html, keyboard)
    elif keyboard is not None:  # buttons but no text: Telegram needs some text to hang them on
        out = [OutMessage("👇", keyboard)]
    return out


def keyboard_for(buttons: tuple[Button, ...], one_row: bool = False) -> InlineKeyboardMarkup | None:
    """Inline keyboard whose callback_data is each button's payload (already ≤ 64 bytes ASCII)."""
    if not buttons:
        return None
    keys = [InlineKeyboardButton(unicodedata.normalize("NFC", b.label), callback_data=b.payload)
            for b in buttons]
    if one_row or (len(keys) <= 3 and sum(len(b.label) for b in buttons) <= ONE_ROW_LABEL_CHARS):
        return InlineKeyboardMarkup([keys])
    return InlineKeyboardMarkup([[k] for k in keys])


def _blocks(reply: Reply) -> list[_Block]:
    blocks: list[_Block] = []
    if reply.quiz is not None:
        quiz = reply.quiz
        if quiz.header:
            blocks.append(_Block(quiz.header, tag="b"))
        blocks.append(_Block(quiz.stem))
        blocks.append(_Block("\n".join(f"{LETTERS[i]}. {opt}" for i, opt in enumerate(quiz.options))))
    if reply.text.strip():
        blocks.append(_Block(reply.text.strip()))
    if reply.citation is not None:
        citation = reply.citation
        blocks.append(_Block(citation.label(), prefix="📄 <b>Nguồn:</b> "))
        quote = short_quote(citation.quote, reply.text, QUOTE_CHARS)
        if quote:
            blocks.append(_Block(quote, tag="i"))
    return blocks


def _split_block(block: _Block, limit: int) -> list[str]:
    """HTML pieces of one block, each within `limit`, cut at line breaks of the plain text."""
    whole = block.html(block.plain)
    if utf16_len(whole) <= limit:
        return [whole]
    overhead = utf16_len(block.html("")) + 1
    out: list[str] = []
    for i, piece in enumerate(_split_plain(block.plain, block, limit - overhead, limit)):
        out.append(block.html(piece, first=i == 0))
    return out


def _split_plain(plain: str, block: _Block, budget: int, limit: int) -> list[str]:
    """Plain pieces whose escaped HTML fits; pieces that escaping made too long are cut again."""
    out: list[str] = []
    for piece in split_text(plain, max(budget, 16)):
        size = utf16_len(block.html(piece))
        if size <= limit or len(piece) <= 16:
            out.append(piece)
        else:  # escaping (&amp; …) or wide characters grew it: retry this piece with a smaller budget
            smaller = max(16, len(piece) * limit // size - 16)
            out.extend(_split_plain(piece, block, min(smaller, len(piece) - 1), limit))
    return out

"""`Reply` → JSON for the chat page: plain strings only, rendered by chat.js with `textContent`.

The page never receives HTML from the server, so no question, document or user name can inject
markup: escaping is not something a template may forget, it simply has nothing to escape. A quiz
card never carries its correct option or explanation (they come with the feedback after an
answer), so reading the page's traffic cannot reveal the answer.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from handlers.messages import Reply
from handlers.render_text import short_quote

LETTERS = "ABCDEFGHIJKL"
QUOTE_CHARS = 300


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def reply_json(reply: Reply) -> dict[str, Any]:
    """One reply as the chat page draws it: text, citation (label and excerpt), buttons or quiz."""
    out: dict[str, Any] = {"text": _nfc(reply.text).strip(), "citation": None, "buttons": [], "quiz": None}
    if reply.citation is not None:
        out["citation"] = {"label": _nfc(reply.citation.label()), "doc_id": reply.citation.doc_id,
                           "quote": _nfc(short_quote(reply.citation.quote, reply.text, QUOTE_CHARS))}
    if reply.quiz is not None:
        quiz = reply.quiz
        out["quiz"] = {
            "header": _nfc(quiz.header),
            "stem": _nfc(quiz.stem),
            "options": [{"letter": LETTERS[i], "text": _nfc(option),
                         "payload": reply.buttons[i].payload if i < len(reply.buttons) else ""}
                        for i, option in enumerate(quiz.options)],
        }
    else:
        out["buttons"] = [{"label": _nfc(b.label), "payload": b.payload} for b in reply.buttons]
    return out


def replies_json(replies: list[Reply]) -> list[dict[str, Any]]:
    return [reply_json(r) for r in replies]

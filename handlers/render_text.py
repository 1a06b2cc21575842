"""Plain-text rendering for channels without markup or buttons (terminal, Zalo).

Buttons become numbered lines ("Gõ 1 để xem nguyên văn"), quiz options become lettered lines
answered by typing A–D; the channel keeps the numbered payloads to turn a typed digit back into a
button press.
"""

from __future__ import annotations

from handlers.messages import Reply

LETTERS = "ABCD"


def render_plain(reply: Reply, numbered_buttons: bool = True) -> str:
    """The whole reply as plain text: body, citation, quiz options, numbered choices.

    The numbers match `reply.buttons` order (1-based): a channel maps a typed digit back to
    `reply.buttons[n-1].payload` and dispatches it as a callback.
    """
    parts: list[str] = []
    if reply.quiz is not None:
        q = reply.quiz
        if q.header:
            parts.append(q.header)
        parts.append(q.stem)
        parts.append("\n".join(f"{LETTERS[i]}. {opt}" for i, opt in enumerate(q.options)))
        parts.append("Gõ A, B, C hoặc D để trả lời.")
    if reply.text:
        parts.append(reply.text)
    if reply.citation is not None:
        c = reply.citation
        parts.append(f"📄 Nguồn: {c.label()}")
    # A quiz is answered by typing A–D, so its buttons (the options) are not listed as numbers.
    if reply.buttons and numbered_buttons and reply.quiz is None:
        parts.append("\n".join(f"Gõ {i} để {_verb(b.label)}" for i, b in enumerate(reply.buttons, 1)))
    return "\n\n".join(p for p in parts if p)


def _verb(label: str) -> str:
    """'Xem nguyên văn' → 'xem nguyên văn'; 'Kết quả khác' → 'xem kết quả khác'."""
    text = label[:1].lower() + label[1:]
    return text if text.split(" ", 1)[0] in ("xem", "làm", "thi", "trả", "bắt", "hủy", "huỷ", "tiếp") else f"xem {text}"


def split_text(text: str, limit: int) -> list[str]:
    """Split at line breaks (then spaces) so that every piece is at most `limit` characters."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 3:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 3:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def short_quote(quote: str, body: str, limit: int = 300) -> str:
    """A short excerpt of a cited passage in quotation marks, or "" when the body already shows it.

    Channels that show the citation under the answer (Telegram, the web page) use it, so the
    excerpt is cut the same way everywhere: at a space, with an ellipsis.
    """
    quote = " ".join(quote.split())
    flat_body = " ".join(body.split())
    if not quote or quote[:80] in flat_body:
        return ""
    if len(quote) > limit:
        cut = quote.rfind(" ", 0, limit)
        quote = quote[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
    return f"“{quote}”"


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word boundary with "…" — titles must never end
    mid-word ("… Mai Châu 6 th")."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    head = text[:cut] if cut > limit // 2 else text[:limit - 1]
    words = head.split(" ")
    if len(words) > 2 and words[-1].isdigit() and len(words[-1]) <= 2:  # "… Phú Thái 6" → "… Phú Thái"
        head = " ".join(words[:-1])
    return head.rstrip(" ,;:-–—") + "…"

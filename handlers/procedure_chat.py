"""Procedure cards in a chat: the card, choices between procedures of one name, and follow-ups.

- A question the catalogue answers (handlers/procedure_answer.py decides) gets the card of the best
  procedure; the procedures sharing its name at other levels (or with a foreign element) and the
  next candidates are offered as buttons (numbered lines where a channel has no buttons).
- Right after a card, "còn lệ phí thì sao?" or "nộp online được không?" is about that procedure:
  the chat's last card is kept in the state DB for FOLLOW_UP_SECONDS, and a question that names
  something else (another procedure, a plan) is answered as a new question instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handlers.dispatch import Dispatcher, clean_text
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Button, Incoming, Reply
from handlers.procedure_card import card_text
from handlers.state_db import StateDB
from retrieval.procedure_terms import question_terms
from retrieval.procedures import (
    MIN_STRENGTH,
    asked_field,
    base_name,
    matcher_for,
    name_strength,
    names_documents,
    same_name_choices,
)
from retrieval.results import AskResult

FOLLOW_UP_SECONDS = 300  # "a few minutes": after that a bare "lệ phí?" is a new question
FOLLOW_UP_MAX_WORDS = 14  # a follow-up is short; a long message is a new question
MAX_CHOICES = 4
OTHER_SHARE = 0.6  # another candidate is offered when it scores at least this share of the one shown
CALLBACK = "tthc"
TABLE = "procedure_context"
GONE_TEXT = "Thủ tục này không còn trong cơ sở dữ liệu (có thể vừa được cập nhật). Bạn hãy hỏi lại nhé."

Clock = Callable[[], float]


class ProcedureChat:
    """The chat side of procedures; `intercept` sees free text before the core answer does."""

    def __init__(self, holder: KnowledgeHolder, state: StateDB, ask: Callable[[str], AskResult],
                 clock: Clock = time.time) -> None:
        self.holder = holder
        self.state = state
        self.ask = ask
        self.clock = clock
        state.ensure_table(TABLE, {"chat": str, "code": str, "shown_at": float}, pk="chat")

    # -- context ------------------------------------------------------------------------------------
    @staticmethod
    def _chat(incoming: Incoming) -> str:
        return f"{incoming.platform}:{incoming.chat_id or incoming.user_id}"

    def _remember(self, incoming: Incoming, code: str) -> None:
        with self.state.transaction() as db:
            db[TABLE].upsert({"chat": self._chat(incoming), "code": code, "shown_at": self.clock()}, pk="chat")

    def _forget(self, incoming: Incoming) -> None:
        with self.state.transaction() as db:
            db.execute(f"DELETE FROM {TABLE} WHERE chat = ?", [self._chat(incoming)])

    def context(self, incoming: Incoming) -> str | None:
        """The code of the chat's last card, while it is recent enough to be asked about."""
        rows = self.state.query(f"SELECT code, shown_at FROM {TABLE} WHERE chat = ?", (self._chat(incoming),))
        if not rows or self.clock() - rows[0]["shown_at"] > FOLLOW_UP_SECONDS:
            return None
        return rows[0]["code"]

    # -- replies ------------------------------------------------------------------------------------
    def card(self, incoming: Incoming, code: str, asked: str = "", others: tuple[str, ...] = ()) -> list[Reply]:
        """The card of `code` (the asked field first) with its choices, remembered as the context."""
        matcher = matcher_for(self.holder.engine)
        rec = matcher.record(code)
        if rec is None:
            return [Reply(GONE_TEXT)]
        choices = same_name_choices(matcher, code)[:MAX_CHOICES]
        note = ""
        if choices:
            note = (f"Đang hiển thị thủ tục thực hiện ở {rec.get('cap_thuc_hien') or 'cấp không ghi'}. "
                    f"Có {len(choices)} thủ tục cùng tên khác (cấp khác hoặc có yếu tố nước ngoài): chọn bên dưới.")
        buttons = []
        for other in choices + [c for c in others if c not in choices and c != code]:
            other_rec = matcher.record(other)
            if other_rec is None or len(buttons) >= MAX_CHOICES:
                continue
            label = other_rec["ten_thu_tuc"]
            if other in choices:
                label = f"{other_rec.get('cap_thuc_hien') or other}: {label}"
            buttons.append(Button(_short(label, 60), f"{CALLBACK}:{other}:{asked}"[:64]))
        self._remember(incoming, code)
        return [Reply(card_text(rec, asked, note), buttons=tuple(buttons))]

    def intercept(self, incoming: Incoming) -> list[Reply] | None:
        text = clean_text(incoming.text)
        if not text or text.startswith("/"):
            return None
        code = self.context(incoming)
        if code is not None:
            if self._follows_up(text, code):
                return self.card(incoming, code, asked_field(text))
            self._forget(incoming)
        result = self.ask(text)
        if result.reason != "procedure" or not result.citations:
            return None
        top = result.citations[0]
        self.state.log_question(incoming.platform, incoming.user_id, incoming.chat_id, text[:1000], True,
                                top.doc_id, "", top.score)
        others = tuple(h.doc_id for h in result.citations[1:] if h.score >= OTHER_SHARE * top.score)
        return self.card(incoming, top.doc_id, getattr(top, "field", ""), others)

    def _follows_up(self, text: str, code: str) -> bool:
        """A short question asking for a field ("còn lệ phí thì sao?") that names no other procedure."""
        if len(text.split()) > FOLLOW_UP_MAX_WORDS or not asked_field(text) or names_documents(text):
            return False
        matcher = matcher_for(self.holder.engine)
        ranked = matcher.rank(text, 1)
        if not ranked or ranked[0].code == code:
            return True
        weights = question_terms(text)
        if name_strength(matcher, weights, ranked[0].code) < MIN_STRENGTH:
            return True
        i = matcher.codes.index(code) if code in matcher.codes else -1
        return i >= 0 and base_name(ranked[0].name) == base_name(matcher.names[i])

    def on_choice(self, incoming: Incoming, rest: str) -> list[Reply]:
        code, _, asked = rest.partition(":")
        return self.card(incoming, code, asked)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def register_procedures(dispatcher: Dispatcher, holder: KnowledgeHolder, state: StateDB,
                        ask: Callable[[str], AskResult], clock: Clock = time.time) -> ProcedureChat:
    """Offer free text to the procedure cards first, and wire the choice buttons."""
    chat = ProcedureChat(holder, state, ask, clock)
    dispatcher.add_interceptor(chat.intercept)
    dispatcher.add_callback(CALLBACK, chat.on_choice)
    return chat

"""Contest practice: practice questions, exams in the contest's format, review of mistakes, scores.

The CCHC contest asks timed multiple-choice questions about the plans, then a prediction ("how many
people will answer everything right?") that breaks ties. This module trains for it on every
channel: Telegram shows the options as buttons (payload `qa:<attempt>:<shown index>`), Zalo and the
terminal show lettered options and the user types the letter, which the interceptor here reads.

All state is in the state DB (see `handlers.quiz_store`), written as each answer arrives, so a
restart never loses an answer and an exam simply continues with the next message. Time limits are
enforced lazily — whenever the user (or anyone asking for scores) interacts — so no timers are
needed and a stopped bot cannot "miss" an expiry.
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.dispatch import LONE_NUMBER_TEXT, Command, Dispatcher, clean_text
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Button, Citation, Incoming, QuizCard, Reply
from handlers.numbers import is_number
from handlers.quiz_answers import LETTERS, PREDICTION_HELP, parse_choice, parse_prediction
from handlers.quiz_store import LIVE_EXAM, Attempt, Card, Exam, QuizStore
from handlers.render_text import shorten
from handlers.state_db import StateDB
from knowledge.text import fold

log = logging.getLogger(__name__)

PREDICTION_QUESTION = "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi?"
NO_BANK_TEXT = "Hiện chưa có câu hỏi trắc nghiệm nào trong cơ sở tri thức. Bạn vui lòng quay lại sau nhé."
# A practice question left open reminds the user once, and only while it is fresh.
REMIND_PRACTICE_SECONDS = 30 * 60
MAX_SCOPE_CHARS = 200
LEADERBOARD_SIZE = 10
WRONG_SHOWN_IN_RESULT = 5


def clock() -> float:
    """Wall-clock seconds. Tests replace this module attribute (or pass `clock=`) to travel in time."""
    return time.time()


# -- the bank as the quiz sees it ---------------------------------------------------------------
@dataclass(frozen=True)
class Bank:
    """The questions of one knowledge-DB snapshot, indexed for picking and for document filters."""

    questions: dict[str, dict[str, Any]]
    by_doc: dict[str, list[str]]
    docs: dict[str, dict[str, Any]]
    meta: dict[str, str]  # doc_id → folded title, issuer (restored and as scanned), number, date, kind
    body: dict[str, str]  # doc_id → folded text of its questions (clean Vietnamese, unlike OCR titles)

    @classmethod
    def from_engine(cls, engine: Any) -> Bank:
        questions: dict[str, dict[str, Any]] = {}
        by_doc: dict[str, list[str]] = {}
        for q in engine.questions():
            options = list(q.get("options") or [])
            if not options or not isinstance(q.get("answer"), int) or not 0 <= q["answer"] < len(options):
                log.warning("quiz question %s skipped: bad options/answer", q.get("id"))
                continue
            questions[q["id"]] = q
            by_doc.setdefault(q["doc_id"], []).append(q["id"])
        docs = {d: dict(engine.docs.get(d) or {"doc_id": d}) for d in by_doc}
        fields = ("title", "issuer", "title_source", "issuer_source", "number", "date", "kind")
        meta = {d: fold(" ".join(str(doc.get(k) or "") for k in fields)) for d, doc in docs.items()}
        body = {d: fold(" ".join(questions[q]["question"] + " " + (questions[q].get("explanation") or "")
                                 for q in qids)) for d, qids in by_doc.items()}
        return cls(questions, by_doc, docs, meta, body)

    def citation(self, question_id: str) -> Citation | None:
        q = self.questions.get(question_id)
        if q is None:
            return None
        doc = self.docs.get(q["doc_id"], {})
        return Citation(doc_id=q["doc_id"], title=doc.get("title") or "", number=doc.get("number") or "",
                        date=doc.get("date") or "", issuer=doc.get("issuer") or "",
                        section=q.get("section") or "", quote=q.get("quote_display") or q.get("quote") or "")

    def doc_label(self, doc_id: str) -> str:
        """A short human name: 'Kế hoạch 155/KH-SYT', or the issuer and year when there is no number."""
        doc = self.docs.get(doc_id)
        if not doc:
            return "Văn bản đã gỡ khỏi cơ sở tri thức"
        kind = doc.get("kind") or "Kế hoạch"
        if doc.get("number"):
            return f"{kind} {doc['number']}"
        issuer = str(doc.get("issuer") or "")
        if issuer:
            issuer = issuer.title() if sum(c.isupper() for c in issuer) <= 1 else issuer
            year = f" ({doc['date']})" if doc.get("date") else ""
            return f"{kind} của {issuer}{year}"
        return shorten(doc.get("title") or doc_id, 80)

    def doc_hint(self, doc_id: str) -> str:
        """What to type after /quiz to pick this document."""
        number = str(self.docs.get(doc_id, {}).get("number") or "")
        return number.split("/")[0] if number else doc_id[:3]

    def match(self, query: str) -> list[str]:
        """Documents a user means by `query`: a number ('155', '155/KH-SYT'), a doc_id prefix ('000'),
        or words of the title/issuer/date ('mai chau', '2018'), then words of its questions."""
        q = fold(query)
        if not q:
            return []
        numbered = [d for d in self.by_doc if (n := fold(str(self.docs[d].get("number") or "")))
                    and (n == q or n.startswith(q + " "))]
        if numbered:
            return numbered
        raw = query.strip().lower()
        if len(raw) >= 3 and re.fullmatch(r"[0-9a-z_]+", raw):
            prefixed = [d for d in self.by_doc if d.lower().startswith(raw)]
            if prefixed:
                return prefixed
        tokens = q.split()
        for texts in (self.meta, self.body):
            found = [d for d in self.by_doc if all(f" {t} " in f" {texts[d]} " for t in tokens)]
            if found:
                return found
        return []


def fmt_duration(seconds: float | None) -> str:
    seconds = max(0, int(round(seconds or 0)))
    minutes, secs = divmod(seconds, 60)
    if minutes and secs:
        return f"{minutes} phút {secs:02d} giây"
    return f"{minutes} phút" if minutes else f"{secs} giây"


def mask_user(user_id: str) -> str:
    tail = user_id[-3:] if len(user_id) > 3 else ""
    return f"Thí sinh ···{tail}" if tail else "Thí sinh ẩn danh"


def percent(ok: int, total: int) -> str:
    return f"{round(100 * ok / total)}%" if total else "0%"


def review_pending(history: list[dict[str, Any]]) -> list[str]:
    """Questions answered wrong and not yet answered right twice since the last wrong answer.

    Oldest first (by last answer), so review works through mistakes in the order they age.
    """
    streak: dict[str, int] = {}
    last: dict[str, float] = {}
    for row in history:
        qid = row["question_id"]
        if row["correct"]:
            if qid in streak:
                streak[qid] += 1
        else:
            streak[qid] = 0
        last[qid] = row["answered"] or 0.0
    pending = [q for q, n in streak.items() if n < 2]
    return sorted(pending, key=lambda q: last[q])


@dataclass(frozen=True)
class Standing:
    """One user's place on the leaderboard: their best finished exam."""

    rank: int
    name: str  # the name they gave, or a masked id
    exam: Exam
    distance: int | None  # |prediction − perfect exams so far|, None without a prediction


# -- the feature --------------------------------------------------------------------------------
class QuizService:
    """Practice, exams, review and scores for every user, backed by `QuizStore`."""

    def __init__(self, dispatcher: Dispatcher, holder: KnowledgeHolder, state: StateDB, settings: Any,
                 clock_fn: Callable[[], float] | None = None) -> None:
        self.dispatcher = dispatcher
        self.holder = holder
        self.store = QuizStore(state)
        self.exam_questions = max(1, int(getattr(settings, "exam_questions", 20) or 20))
        self.exam_minutes = max(1, int(getattr(settings, "exam_minutes", 20) or 20))
        self._clock = clock_fn
        self._bank: tuple[Any, Bank] | None = None
        self.rng = random.Random()

    # -- basics ---------------------------------------------------------------------------------
    def now(self) -> float:
        return self._clock() if self._clock is not None else clock()

    def bank(self) -> Bank:
        """The bank of the serving knowledge DB; rebuilt only when a reload swapped the engine."""
        self.holder.refresh_if_changed()
        engine = self.holder.engine
        cached = self._bank
        if cached is not None and cached[0] is engine:
            return cached[1]
        bank = Bank.from_engine(engine)
        self._bank = (engine, bank)
        return bank

    def make_card(self, q: dict[str, Any]) -> Card:
        """The question with its options shuffled for this one attempt."""
        options = list(q["options"])
        perm = list(range(len(options)))
        self.rng.shuffle(perm)
        return Card(q["id"], q["doc_id"], q["question"], tuple(options[i] for i in perm), tuple(perm),
                    perm.index(q["answer"]))

    @staticmethod
    def card_reply(attempt_id: int, stem: str, options: tuple[str, ...], correct: int, bank: Bank,
                   question_id: str, header: str) -> Reply:
        q = bank.questions.get(question_id) or {}
        card = QuizCard(str(attempt_id), stem, options, correct, q.get("explanation") or "",
                        bank.citation(question_id), header)
        buttons = tuple(Button(LETTERS[i], f"qa:{attempt_id}:{i}") for i in range(len(options)))
        return Reply("", buttons=buttons, quiz=card)

    def _minutes_left(self, exam: Exam) -> int:
        return max(1, math.ceil((exam.deadline - self.now()) / 60))

    # -- exams: lazy expiry ---------------------------------------------------------------------
    def _check_exam(self, incoming: Incoming, late_answer: bool = False) -> tuple[Exam | None, list[Reply]]:
        """The user's live exam, after closing it if its time is up; plus any result not yet shown.

        `late_answer`: the message is an answer, so the result starts by saying it did not count.
        """
        exam = self.store.live_exam(incoming.platform, incoming.user_id)
        if exam is not None and self.now() > exam.deadline:
            self.store.close_exam(exam.id, "finished", self.now(), expired=True, notified=True)
            return None, self._result(exam.id, self._expired_headline(exam, late_answer))
        if exam is not None:
            return exam, []
        late = self.store.unnotified_exam(incoming.platform, incoming.user_id)
        if late is not None and self.store.mark_notified(late.id):
            return None, self._result(late.id, self._expired_headline(late, late_answer))
        return None, []

    @staticmethod
    def _expired_headline(exam: Exam, late_answer: bool) -> str:
        minutes = max(1, round((exam.deadline - exam.started) / 60))
        if late_answer:
            return (f"⏰ Đã hết giờ làm bài ({minutes} phút) nên câu trả lời này không được tính. "
                    "Bài thi đã được chấm với các câu bạn trả lời trong giờ.")
        return (f"⏰ Bài thi của bạn đã hết giờ ({minutes} phút) và đã được chấm với các câu "
                "bạn trả lời trong giờ.")

    def sweep_expired(self) -> None:
        """Close every exam past its deadline (before scores and rankings are shown)."""
        now = self.now()
        for exam in self.store.overdue_exams(now):
            self.store.close_exam(exam.id, "finished", now, expired=True, notified=False)

    def _exam_prompt(self, exam: Exam) -> list[Reply]:
        """Whatever the live exam is waiting for: the current question or the prediction."""
        current = self.store.current_exam_attempt(exam.id)
        if exam.status == "predict" or current is None:
            self.store.to_prediction(exam.id)
            return [self._prediction_prompt()]
        return [self._exam_card(exam, current)]

    def _exam_card(self, exam: Exam, att: Attempt) -> Reply:
        header = f"Câu {att.seq}/{exam.n_questions} — còn {self._minutes_left(exam)} phút"
        return self.card_reply(att.id, att.stem, att.options, att.correct_choice, self.bank(),
                               att.question_id, header)

    @staticmethod
    def _prediction_prompt() -> Reply:
        return Reply(f"🔮 Câu hỏi dự đoán: {PREDICTION_QUESTION}\n{PREDICTION_HELP}")

    def _busy_exam(self, exam: Exam) -> list[Reply]:
        if exam.status == "predict":
            where = "còn câu hỏi dự đoán"
        else:
            current = self.store.current_exam_attempt(exam.id)
            where = f"đang ở câu {current.seq}/{exam.n_questions}" if current else "còn câu hỏi dự đoán"
        text = (f"Bạn đang làm bài thi ({where}, còn {self._minutes_left(exam)} phút). Hãy làm tiếp, "
                "hoặc gõ /huythi để hủy bài thi.")
        return [Reply(text), *self._exam_prompt(exam)]

    # -- practice -------------------------------------------------------------------------------
    def cmd_quiz(self, incoming: Incoming, args: str) -> list[Reply]:
        exam, notice = self._check_exam(incoming)
        if exam is not None:
            return self._busy_exam(exam)
        bank = self.bank()
        if not bank.questions:
            return notice + [Reply(NO_BANK_TEXT)]
        args = args.strip()
        if len(args) > MAX_SCOPE_CHARS:
            return notice + [Reply(f"Tên văn bản bạn gõ dài quá ({len(args)} ký tự). Bạn hãy gõ số hiệu, "
                                   "ví dụ: /quiz 155, hoặc vài chữ trong tên, ví dụ: /quiz mai chau.")]
        doc_ids = bank.match(args) if args else []
        if args and not doc_ids:
            return notice + [Reply(self._no_match_text(bank, args))]
        replies = list(notice)
        if doc_ids:
            names = "; ".join(bank.doc_label(d) for d in doc_ids)
            count = sum(len(bank.by_doc[d]) for d in doc_ids)
            replies.append(Reply(f"Luyện tập với câu hỏi của: {names} ({count} câu). "
                                 "Gõ /quiz (không kèm tên) để luyện tất cả các văn bản."))
        return replies + self._serve_practice(incoming, ",".join(doc_ids))

    def _no_match_text(self, bank: Bank, args: str) -> str:
        lines = [f"Không tìm thấy văn bản nào khớp với “{args[:60]}”. Các văn bản có câu hỏi luyện tập:"]
        for d, qids in bank.by_doc.items():
            lines.append(f"• {bank.doc_label(d)} ({len(qids)} câu) — gõ /quiz {bank.doc_hint(d)}")
        lines.append("Hoặc gõ /quiz để luyện câu hỏi của tất cả các văn bản.")
        return "\n".join(lines)

    def _serve_practice(self, incoming: Incoming, scope: str) -> list[Reply]:
        bank = self.bank()
        pool = [q for d in scope.split(",") if d for q in bank.by_doc.get(d, [])] if scope else []
        if not pool:  # no filter, or the filtered documents left the knowledge base
            scope, pool = "", list(bank.questions)
        if not pool:
            return [Reply(NO_BANK_TEXT)]
        history = self.store.history(incoming.platform, incoming.user_id)
        last = self.store.last_attempt(incoming.platform, incoming.user_id)
        qid = self._pick(pool, history, last.question_id if last else None)
        card = self.make_card(bank.questions[qid])
        attempt_id = self.store.new_practice(incoming.platform, incoming.user_id, incoming.chat_id,
                                             "practice", scope, card, self.now())
        header = f"Luyện tập — {bank.doc_label(card.doc_id)}"
        return [self.card_reply(attempt_id, card.stem, card.options, card.correct_choice, bank, qid, header)]

    def _pick(self, pool: list[str], history: list[dict[str, Any]], avoid: str | None) -> str:
        """Unseen questions first, then the ones last answered wrong, then the least recently seen."""
        last: dict[str, tuple[float, bool]] = {}
        for row in history:
            last[row["question_id"]] = (row["answered"] or 0.0, bool(row["correct"]))
        candidates = [q for q in pool if q != avoid] or pool
        unseen = [q for q in candidates if q not in last]
        if unseen:
            return self.rng.choice(unseen)
        wrong = [q for q in candidates if not last[q][1]]
        return min(wrong or candidates, key=lambda q: last[q][0])

    # -- review ---------------------------------------------------------------------------------
    def cmd_review(self, incoming: Incoming, _args: str = "") -> list[Reply]:
        exam, notice = self._check_exam(incoming)
        if exam is not None:
            return self._busy_exam(exam)
        return notice + self._serve_review(incoming)

    def _serve_review(self, incoming: Incoming) -> list[Reply]:
        bank = self.bank()
        history = self.store.history(incoming.platform, incoming.user_id)
        pending = [q for q in review_pending(history) if q in bank.questions]
        if not pending:
            if any(not row["correct"] for row in history):
                return [Reply("🎉 Bạn đã ôn xong: mỗi câu từng trả lời sai, bạn đều đã trả lời đúng hai lần. "
                              "Gõ /quiz để luyện thêm câu mới.")]
            return [Reply("Bạn chưa có câu nào trả lời sai để ôn lại. Gõ /quiz để luyện tập "
                          "hoặc /thi để thi thử.")]
        last = self.store.last_attempt(incoming.platform, incoming.user_id)
        choices = [q for q in pending if not last or q != last.question_id] or pending
        card = self.make_card(bank.questions[choices[0]])
        attempt_id = self.store.new_practice(incoming.platform, incoming.user_id, incoming.chat_id,
                                             "review", "", card, self.now())
        header = f"Ôn lại câu sai — còn {len(pending)} câu"
        return [self.card_reply(attempt_id, card.stem, card.options, card.correct_choice, bank,
                                card.question_id, header)]

    # -- answering ------------------------------------------------------------------------------
    def answer(self, incoming: Incoming, attempt_id: int, choice: int) -> list[Reply]:
        """Grade `choice` (shown index) for one attempt, whichever way it arrived (button or text)."""
        att = self.store.attempt(attempt_id)
        if att is None:
            return [Reply("Không tìm thấy câu hỏi này. Gõ /quiz để nhận câu hỏi mới.")]
        if (att.platform, att.user_id) != (incoming.platform, incoming.user_id):
            return [Reply("Câu hỏi này là của người khác. Gõ /quiz để nhận câu hỏi của riêng bạn.")]
        if att.mode == "exam":
            return self._answer_exam(incoming, att, choice)
        if att.status == "answered":
            return [Reply(self._already_text(att))]
        if att.status != "open":
            return [Reply("Câu hỏi này đã đóng vì bạn đã chuyển sang câu khác. Gõ /quiz để nhận câu mới.")]
        if not 0 <= choice < len(att.options):
            return [Reply(self._range_text(att))]
        if not self.store.record_answer(att.id, choice, self.now()):
            return [Reply(self._already_text(att))]
        return [self._feedback(incoming, att, choice)]

    @staticmethod
    def _already_text(att: Attempt) -> str:
        chosen = f" (bạn đã chọn {LETTERS[att.chosen]})" if att.chosen is not None and att.chosen < 4 else ""
        return f"Câu này bạn đã trả lời rồi{chosen}."

    @staticmethod
    def _range_text(att: Attempt) -> str:
        letters = ", ".join(LETTERS[: len(att.options)])
        return f"Câu này chỉ có {len(att.options)} phương án: {letters}. Bạn hãy chọn lại."

    def _feedback(self, incoming: Incoming, att: Attempt, choice: int) -> Reply:
        bank = self.bank()
        right = att.correct_choice
        correct_text = f"{LETTERS[right]}. {att.options[right]}"
        if choice == right:
            lines = [f"✅ Chính xác! Đáp án: {correct_text}"]
        else:
            lines = [f"❌ Chưa đúng. Bạn chọn {LETTERS[choice]}; đáp án đúng là {correct_text}"]
        explanation = (bank.questions.get(att.question_id) or {}).get("explanation") or ""
        if explanation:
            lines.append(explanation)
        if att.mode == "review":
            pending = len([q for q in review_pending(self.store.history(incoming.platform, incoming.user_id))
                           if q in bank.questions])
            if pending:
                lines.append(f"Còn {pending} câu cần ôn lại (mỗi câu cần trả lời đúng hai lần).")
                buttons = (Button("Câu tiếp theo", f"qn:r:{att.id}"),)
            else:
                lines.append("🎉 Bạn đã ôn xong tất cả các câu từng trả lời sai!")
                buttons = (Button("Làm câu mới", "qn:p:0"),)
        else:
            buttons = (Button("Câu tiếp theo", f"qn:p:{att.id}"),)
        return Reply("\n".join(lines), citation=bank.citation(att.question_id), buttons=buttons)

    def _answer_exam(self, incoming: Incoming, att: Attempt, choice: int) -> list[Reply]:
        exam = self.store.exam(att.exam_id)
        if exam is None:
            return [Reply("Không tìm thấy bài thi này. Gõ /thi để bắt đầu bài thi mới.")]
        now = self.now()
        if exam.status in LIVE_EXAM and now > exam.deadline:
            self.store.close_exam(exam.id, "finished", now, expired=True, notified=True)
            return self._result(exam.id, self._expired_headline(exam, late_answer=True))
        if att.status == "answered":
            replies = [Reply(self._already_text(att))]
            return replies + (self._exam_prompt(exam) if exam.status in LIVE_EXAM else [])
        if exam.status not in LIVE_EXAM or att.status != "open":
            return [Reply("Bài thi này đã kết thúc nên câu trả lời không được tính. Gõ /diem để xem kết quả, "
                          "/thi để thi lại.")]
        current = self.store.current_exam_attempt(exam.id)
        if current is None or current.id != att.id:
            return [Reply("Bạn hãy trả lời câu hiện tại của bài thi:"), *self._exam_prompt(exam)]
        if not 0 <= choice < len(att.options):
            return [Reply(self._range_text(att))]
        if not self.store.record_answer(att.id, choice, now):
            return [Reply("Câu này bạn đã trả lời rồi."), *self._exam_prompt(exam)]
        ack = Reply(f"Đã ghi nhận câu {att.seq}/{exam.n_questions}: {LETTERS[choice]}.")
        nxt = self.store.current_exam_attempt(exam.id)
        if nxt is None:
            self.store.to_prediction(exam.id)
            return [ack, self._prediction_prompt()]
        return [ack, self._exam_card(exam, nxt)]

    def _predict(self, incoming: Incoming, exam: Exam, value: int) -> list[Reply]:
        now = self.now()
        if now > exam.deadline:
            self.store.close_exam(exam.id, "finished", now, expired=True, notified=True)
            return self._result(exam.id, self._expired_headline(exam, late_answer=True))
        if not self.store.close_exam(exam.id, "finished", now, prediction=value, notified=True):
            return [Reply("Bài thi này đã được chấm rồi.")] + self._result(exam.id)
        return self._result(exam.id)

    # -- the typed-answer interceptor -----------------------------------------------------------
    def intercept(self, incoming: Incoming) -> list[Reply] | None:
        """Typed answers ('B', 'đáp án b', '2', a prediction) while a question is waiting.

        Anything else still goes to the normal Q&A, followed by a one-line reminder of the waiting
        exam question (always: the clock runs) or practice question (once, while fresh).
        """
        if incoming.kind != "text":
            return None
        text = clean_text(incoming.text)
        if not text or text.startswith("/"):
            return None
        is_answer = parse_choice(text) is not None or _is_number(text)
        exam, notice = self._check_exam(incoming, late_answer=is_answer)
        if notice:
            return notice if is_answer else self._qa_then(incoming, text, notice)
        if exam is not None:
            if exam.status == "predict":
                prediction = parse_prediction(text)
                if prediction is None:
                    return self._qa_then(incoming, text, [Reply(
                        "⏳ Bài thi của bạn còn câu dự đoán: gõ một số nguyên không âm, ví dụ 25 "
                        "(gõ /huythi để hủy bài thi).")])
                if prediction.value is None:
                    return [Reply(prediction.error)]
                return self._predict(incoming, exam, prediction.value)
            current = self.store.current_exam_attempt(exam.id)
            if current is None:
                self.store.to_prediction(exam.id)
                return [self._prediction_prompt()]
            choice = parse_choice(text)
            if choice is None and is_number(text):  # "7" (or "₇") for a question with options A–D
                return [Reply(self._range_text(current))]
            if choice is None:
                return self._qa_then(incoming, text, [Reply(
                    f"⏳ Bạn đang thi: câu {current.seq}/{exam.n_questions} đang chờ trả lời (còn "
                    f"{self._minutes_left(exam)} phút). Gõ A–D để trả lời, /thi để xem lại câu hỏi, "
                    "/huythi để hủy.")])
            return self._answer_exam(incoming, current, choice)
        att = self.store.open_practice(incoming.platform, incoming.user_id)
        if att is None:
            return None
        choice = parse_choice(text)
        if choice is not None:
            return self.answer(incoming, att.id, choice)
        if att.reminded or self.now() - att.created > REMIND_PRACTICE_SECONDS:
            return None
        self.store.mark_reminded(att.id)
        return self._qa_then(incoming, text, [Reply(
            "💡 Câu luyện tập vẫn đang chờ bạn: gõ A, B, C hoặc D để trả lời, /quiz để đổi câu khác.")])

    def _qa_then(self, incoming: Incoming, text: str, after: list[Reply]) -> list[Reply]:
        """Answer `text` as the bot would without a quiz (other interceptors, then Q&A), then `after`."""
        for interceptor in self.dispatcher.interceptors:
            if interceptor == self.intercept:
                continue
            replies = interceptor(incoming)
            if replies is not None:
                return replies + after
        if is_number(text):  # a lone number is no question: never answer it with a random passage
            return [Reply(LONE_NUMBER_TEXT.format(number=text[:20]))] + after
        if self.dispatcher.free_text is None:
            return after
        return self.dispatcher.free_text(incoming, text) + after

    # -- exam commands --------------------------------------------------------------------------
    def cmd_exam(self, incoming: Incoming, _args: str = "") -> list[Reply]:
        exam, notice = self._check_exam(incoming)
        if exam is not None:
            return [Reply(f"Bạn đang làm dở bài thi (còn {self._minutes_left(exam)} phút). Làm tiếp nhé:"),
                    *self._exam_prompt(exam)]
        bank = self.bank()
        if not bank.questions:
            return notice + [Reply(NO_BANK_TEXT)]
        n = min(self.exam_questions, len(bank.questions))
        cards = [self.make_card(bank.questions[q]) for q in self._draw_exam(bank, n)]
        name = " ".join(incoming.user_name.split())[:40]
        exam, created = self.store.new_exam(incoming.platform, incoming.user_id, incoming.chat_id, name,
                                            cards, self.now(), self.exam_minutes)
        if not created:
            return notice + self._busy_exam(exam)
        intro = (f"📝 Bài thi thử gồm {exam.n_questions} câu, làm trong {self.exam_minutes} phút. Trả lời "
                 "lần lượt từng câu; hết giờ, bài thi tự đóng với các câu đã trả lời. Sau câu cuối, bạn "
                 "dự đoán số người trả lời đúng tất cả các câu hỏi. Gõ /huythi để hủy bài thi.")
        return notice + [Reply(intro), *self._exam_prompt(exam)]

    def _draw_exam(self, bank: Bank, n: int) -> list[str]:
        """`n` questions spread over the documents in turn, like the contest, then shuffled."""
        groups = {d: self.rng.sample(qids, len(qids)) for d, qids in bank.by_doc.items()}
        order = list(groups)
        self.rng.shuffle(order)
        picked: list[str] = []
        while len(picked) < n and any(groups.values()):
            for d in order:
                if groups[d] and len(picked) < n:
                    picked.append(groups[d].pop())
        self.rng.shuffle(picked)
        return picked

    def cmd_abandon(self, incoming: Incoming, _args: str = "") -> list[Reply]:
        exam, notice = self._check_exam(incoming)
        if exam is None:
            return notice or [Reply("Bạn không có bài thi nào đang làm. Gõ /thi để bắt đầu bài thi thử.")]
        if not self.store.close_exam(exam.id, "abandoned", self.now(), notified=True):
            return [Reply("Bài thi này vừa kết thúc.")] + self._result(exam.id)
        done = self.store.exam(exam.id)
        answered = done.answered_count if done else 0
        return [Reply(f"Đã hủy bài thi (bạn đã trả lời {answered}/{exam.n_questions} câu). Bài thi đã hủy "
                      "không được xếp hạng. Gõ /thi để thi lại.")]

    # -- results, scores and ranking ------------------------------------------------------------
    def _standings(self) -> tuple[int, list[tuple[tuple[float, float, float], Exam, int | None]]]:
        """(perfect-score exams so far, every finished exam with its rank key and prediction distance).

        The distance is |prediction − number of finished exams with a perfect score|, computed now,
        so it changes as more people finish — exactly like the contest's tie-break.
        """
        finished = self.store.finished_exams()
        perfect = sum(1 for e in finished if e.n_questions > 0 and e.score == e.n_questions)
        out = []
        for e in finished:
            dist = abs(e.prediction - perfect) if e.prediction is not None else None
            key = (-float(e.score), math.inf if dist is None else float(dist), round(e.duration or 0.0, 3))
            out.append((key, e, dist))
        return perfect, out

    def _result(self, exam_id: int, headline: str = "") -> list[Reply]:
        exam = self.store.exam(exam_id)
        if exam is None:
            return [Reply("Không tìm thấy bài thi này.")]
        bank = self.bank()
        perfect, standings = self._standings()
        lines = [headline] if headline else []
        lines.append(f"🏁 Kết quả bài thi: {exam.score}/{exam.n_questions} câu đúng.")
        if exam.answered_count < exam.n_questions:
            lines.append(f"Bạn đã trả lời {exam.answered_count}/{exam.n_questions} câu.")
        lines.append(f"Thời gian làm bài: {fmt_duration(exam.duration)}.")
        if exam.prediction is not None:
            lines.append(f"Dự đoán của bạn: {exam.prediction} người (hiện có {perfect} bài thi đúng tất cả).")
        else:
            lines.append("Bạn chưa kịp trả lời câu dự đoán.")
        mine = next((k for k, e, _d in standings if e.id == exam.id), None)
        if mine is not None:
            rank = 1 + sum(1 for k, _e, _d in standings if k < mine)
            lines.append(f"Xếp hạng: thứ {rank} trên {len(standings)} bài thi đã hoàn thành.")
        wrong = [a for a in self.store.exam_attempts(exam.id) if not a.correct]
        for a in wrong[:WRONG_SHOWN_IN_RESULT]:
            what = "chưa trả lời" if a.status != "answered" else f"bạn chọn {LETTERS[a.chosen or 0]}"
            right = f"{LETTERS[a.correct_choice]}. {a.options[a.correct_choice]}"
            lines.append(f"• Câu {a.seq} ({what}): đáp án đúng là {right}")
        if len(wrong) > WRONG_SHOWN_IN_RESULT:
            lines.append(f"… và {len(wrong) - WRONG_SHOWN_IN_RESULT} câu khác.")
        buttons = [Button("Xem bảng xếp hạng", "qb:")]
        if any(a.status == "answered" and not a.correct for a in wrong) and any(
                q in bank.questions for q in review_pending(self.store.history(exam.platform, exam.user_id))):
            buttons.append(Button("Làm lại câu sai", "qn:r:0"))
        return [Reply("\n".join(lines), buttons=tuple(buttons))]

    def leaderboard(self) -> tuple[int, list[Standing]]:
        """(perfect-score exams so far, each user's best finished exam in rank order).

        Shared by /bxh and the web dashboard, so both rank the same way: score, then distance of
        the prediction, then time taken.
        """
        self.sweep_expired()
        perfect, standings = self._standings()
        best: dict[tuple[str, str], tuple[tuple[float, float, float], Exam, int | None]] = {}
        names: dict[tuple[str, str], str] = {}
        for key, e, dist in standings:
            user = (e.platform, e.user_id)
            if user not in best or (key, e.finished or 0.0) < (best[user][0], best[user][1].finished or 0.0):
                best[user] = (key, e, dist)
        for e in self.store.finished_exams():
            if e.user_name:
                names[(e.platform, e.user_id)] = e.user_name
        ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[1][1].finished or 0.0, kv[1][1].id))
        return perfect, [Standing(i, names.get(user) or mask_user(user[1]), e, dist)
                         for i, (user, (_key, e, dist)) in enumerate(ranked, 1)]

    def cmd_leaderboard(self, incoming: Incoming, _args: str = "") -> list[Reply]:
        _exam, notice = self._check_exam(incoming)
        perfect, ranked = self.leaderboard()
        if not ranked:
            return notice + [Reply("Chưa có bài thi nào hoàn thành. Gõ /thi để trở thành người đầu tiên!")]
        lines = ["🏆 Bảng xếp hạng thi thử",
                 "(xếp theo số câu đúng, rồi độ lệch dự đoán, rồi thời gian làm bài)",
                 f"Số bài thi đúng tất cả các câu đến nay: {perfect}."]
        me = (incoming.platform, incoming.user_id)
        mine = next((s for s in ranked if (s.exam.platform, s.exam.user_id) == me), None)
        for s in ranked[:LEADERBOARD_SIZE]:
            lines.append(f"{s.rank}. {s.name} — {self._exam_summary(s.exam, s.distance)}")
        if mine is not None:
            lines.append(f"Hạng của bạn: {mine.rank}/{len(ranked)} — "
                         f"{self._exam_summary(mine.exam, mine.distance)}.")
        else:
            lines.append("Bạn chưa có bài thi nào hoàn thành. Gõ /thi để thi thử.")
        return notice + [Reply("\n".join(lines))]

    @staticmethod
    def _exam_summary(e: Exam, dist: int | None) -> str:
        guess = f"lệch dự đoán {dist}" if dist is not None else "không dự đoán"
        return f"{e.score}/{e.n_questions} câu · {guess} · {fmt_duration(e.duration)}"

    def cmd_scores(self, incoming: Incoming, _args: str = "") -> list[Reply]:
        exam, notice = self._check_exam(incoming)
        self.sweep_expired()
        bank = self.bank()
        history = self.store.history(incoming.platform, incoming.user_id, exam.id if exam is not None else 0)
        exams = self.store.user_exams(incoming.platform, incoming.user_id)
        if not history and not exams:
            return notice + [Reply("Bạn chưa trả lời câu hỏi nào. Gõ /quiz để luyện tập "
                                   "hoặc /thi để thi thử.")]
        total = len(history)
        ok = sum(1 for r in history if r["correct"])
        lines = ["📊 Kết quả của bạn", f"• Đã trả lời {total} câu, đúng {ok} ({percent(ok, total)})."]
        per_doc: dict[str, list[int]] = {}
        for r in history:
            counts = per_doc.setdefault(r["doc_id"], [0, 0])
            counts[0] += 1
            counts[1] += 1 if r["correct"] else 0
        if per_doc:
            lines.append("• Theo văn bản:")
            for d, (n, good) in sorted(per_doc.items()):
                lines.append(f"   – {bank.doc_label(d)}: đúng {good}/{n} ({percent(good, n)})")
        _perfect, standings = self._standings()
        mine = [(k, e, dist) for k, e, dist in standings if (e.platform, e.user_id)
                == (incoming.platform, incoming.user_id)]
        if mine:
            _k, e, dist = min(mine, key=lambda t: (t[0], t[1].finished or 0.0))
            lines.append(f"• Bài thi đã hoàn thành: {len(mine)}. Tốt nhất: {e.score}/{e.n_questions} câu, "
                         f"thời gian {fmt_duration(e.duration)}"
                         + (f", dự đoán {e.prediction} (lệch {dist})." if dist is not None else "."))
        else:
            lines.append("• Bạn chưa hoàn thành bài thi nào. Gõ /thi để thi thử.")
        if exam is not None:
            lines.append(f"• Bạn đang làm dở một bài thi (còn {self._minutes_left(exam)} phút) — gõ /thi "
                         "để làm tiếp. Các câu của bài thi này chưa được tính ở trên: kết quả có khi "
                         "bài thi kết thúc.")
        pending = [q for q in review_pending(history) if q in bank.questions]
        if pending:
            lines.append(f"• Câu sai cần ôn lại: {len(pending)} — gõ /onlai.")
        return notice + [Reply("\n".join(lines))]

    # -- buttons --------------------------------------------------------------------------------
    def on_answer(self, incoming: Incoming, rest: str) -> list[Reply]:
        """`qa:<attempt>:<shown index>` — an option button."""
        attempt, _, choice = rest.partition(":")
        if not (attempt.isdigit() and choice.isdigit() and len(attempt) <= 15 and len(choice) <= 2):
            return [Reply("Nút này không hợp lệ. Gõ /quiz để nhận câu hỏi mới.")]
        return self.answer(incoming, int(attempt), int(choice))

    def on_next(self, incoming: Incoming, rest: str) -> list[Reply]:
        """`qn:p:<attempt>` next practice question (same document filter), `qn:r:<attempt>` next review."""
        mode, _, attempt = rest.partition(":")
        exam, notice = self._check_exam(incoming)
        if exam is not None:
            return self._busy_exam(exam)
        if mode == "r":
            return notice + self._serve_review(incoming)
        scope = ""
        if attempt.isdigit() and len(attempt) <= 15 and int(attempt) > 0:
            att = self.store.attempt(int(attempt))
            if att is not None and (att.platform, att.user_id) == (incoming.platform, incoming.user_id):
                scope = att.scope
        return notice + self._serve_practice(incoming, scope)

    def on_leaderboard(self, incoming: Incoming, _rest: str) -> list[Reply]:
        return self.cmd_leaderboard(incoming, "")


def _is_number(text: str) -> bool:
    prediction = parse_prediction(text)
    return prediction is not None and prediction.value is not None


def register(dispatcher: Dispatcher, holder: KnowledgeHolder, state: StateDB, settings: Any,
             clock: Callable[[], float] | None = None) -> QuizService:
    """Wire the quiz commands, buttons and typed-answer interceptor into `dispatcher`."""
    service = QuizService(dispatcher, holder, state, settings, clock)
    dispatcher.add_command(Command("quiz", "Luyện câu hỏi trắc nghiệm (có thể kèm số hoặc tên văn bản)",
                                   service.cmd_quiz), "luyentap")
    dispatcher.add_command(Command("thi", f"Thi thử như cuộc thi: {service.exam_questions} câu trong "
                                          f"{service.exam_minutes} phút", service.cmd_exam), "thithu")
    dispatcher.add_command(Command("huythi", "Hủy bài thi đang làm", service.cmd_abandon))
    dispatcher.add_command(Command("diem", "Xem điểm, tỷ lệ trả lời đúng và bài thi tốt nhất của bạn",
                                   service.cmd_scores), "ketqua")
    dispatcher.add_command(Command("bxh", "Bảng xếp hạng thi thử", service.cmd_leaderboard), "bangxephang")
    dispatcher.add_command(Command("onlai", "Ôn lại các câu đã trả lời sai", service.cmd_review))
    dispatcher.add_callback("qa", service.on_answer)
    dispatcher.add_callback("qn", service.on_next)
    dispatcher.add_callback("qb", service.on_leaderboard)
    dispatcher.add_interceptor(service.intercept)
    return service

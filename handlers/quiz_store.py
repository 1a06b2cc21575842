"""Quiz state in the state DB: every question shown, every answer given, every exam.

Everything the quiz knows about a user lives in two tables, written in short transactions, so a
restart (or a crash) loses nothing already answered and a second bot process on the same DB sees
the same state. Each shown question is an *attempt* row holding its own shuffled option order: the
grade of an answer never depends on memory, on the bank still having the question, or on which
process shows the next question.

quiz_attempts — one row per question shown (practice, review or exam):
    status: open (awaiting an answer) | answered | skipped (replaced, abandoned or out of time)
    options/perm: the options as shown and, for each, its index in the bank (JSON lists)
    correct_choice: the shown index of the right option; chosen: the shown index picked
quiz_exams — one row per exam: status active | predict | finished | abandoned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from handlers.state_db import StateDB

ATTEMPTS = "quiz_attempts"
EXAMS = "quiz_exams"
LIVE_EXAM = ("active", "predict")


@dataclass(frozen=True)
class Card:
    """A bank question with its options in the order one attempt shows them."""

    question_id: str
    doc_id: str
    stem: str
    options: tuple[str, ...]
    perm: tuple[int, ...]  # perm[shown index] = index in the bank
    correct_choice: int


@dataclass(frozen=True)
class Attempt:
    id: int
    platform: str
    user_id: str
    mode: str  # practice | review | exam
    exam_id: int
    seq: int
    question_id: str
    doc_id: str
    scope: str
    stem: str
    options: tuple[str, ...]
    correct_choice: int
    status: str
    chosen: int | None
    correct: int | None
    created: float
    reminded: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Attempt:
        return cls(row["id"], row["platform"], row["user_id"], row["mode"], row["exam_id"] or 0,
                   row["seq"] or 0, row["question_id"], row["doc_id"], row["scope"] or "", row["stem"],
                   tuple(json.loads(row["options"])), row["correct_choice"], row["status"], row["chosen"],
                   row["correct"], row["created"], row["reminded"] or 0)


@dataclass(frozen=True)
class Exam:
    id: int
    platform: str
    user_id: str
    user_name: str
    n_questions: int
    started: float
    deadline: float
    status: str
    score: int
    answered_count: int
    prediction: int | None
    finished: float | None
    duration: float | None
    expired: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Exam:
        return cls(row["id"], row["platform"], row["user_id"], row["user_name"] or "", row["n_questions"],
                   row["started"], row["deadline"], row["status"], row["score"] or 0,
                   row["answered_count"] or 0, row["prediction"], row["finished"], row["duration"],
                   row["expired"] or 0)


class QuizStore:
    """All quiz reads and writes; every write is one transaction (atomic and restart-safe)."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        state.ensure_table(ATTEMPTS, {
            "id": int, "platform": str, "user_id": str, "chat_id": str, "mode": str, "exam_id": int,
            "seq": int, "question_id": str, "doc_id": str, "scope": str, "stem": str, "options": str,
            "perm": str, "correct_choice": int, "status": str, "chosen": int, "correct": int,
            "created": float, "answered": float, "reminded": int,
        }, pk="id", indexes=[["platform", "user_id", "status"], ["exam_id", "seq"],
                             ["platform", "user_id", "question_id"]])
        state.ensure_table(EXAMS, {
            "id": int, "platform": str, "user_id": str, "chat_id": str, "user_name": str,
            "n_questions": int, "started": float, "deadline": float, "status": str, "score": int,
            "answered_count": int, "prediction": int, "finished": float, "duration": float, "expired": int,
            "notified": int,
        }, pk="id", indexes=[["platform", "user_id", "status"], ["status"]])

    # -- reading ----------------------------------------------------------------------------------
    def attempt(self, attempt_id: int) -> Attempt | None:
        rows = self.state.query(f"SELECT * FROM {ATTEMPTS} WHERE id = ?", (attempt_id,))
        return Attempt.from_row(rows[0]) if rows else None

    def open_practice(self, platform: str, user_id: str) -> Attempt | None:
        """The practice or review question the user has not answered yet (at most one)."""
        rows = self.state.query(
            f"SELECT * FROM {ATTEMPTS} WHERE platform = ? AND user_id = ? AND status = 'open' "
            "AND mode != 'exam' ORDER BY id DESC LIMIT 1", (platform, user_id))
        return Attempt.from_row(rows[0]) if rows else None

    def live_exam(self, platform: str, user_id: str) -> Exam | None:
        rows = self.state.query(
            f"SELECT * FROM {EXAMS} WHERE platform = ? AND user_id = ? AND status IN ('active', 'predict') "
            "ORDER BY id DESC LIMIT 1", (platform, user_id))
        return Exam.from_row(rows[0]) if rows else None

    def exam(self, exam_id: int) -> Exam | None:
        rows = self.state.query(f"SELECT * FROM {EXAMS} WHERE id = ?", (exam_id,))
        return Exam.from_row(rows[0]) if rows else None

    def current_exam_attempt(self, exam_id: int) -> Attempt | None:
        """The first question of the exam still waiting for an answer (exams go in order)."""
        rows = self.state.query(f"SELECT * FROM {ATTEMPTS} WHERE exam_id = ? AND mode = 'exam' "
                                "AND status = 'open' ORDER BY seq LIMIT 1", (exam_id,))
        return Attempt.from_row(rows[0]) if rows else None

    def exam_attempts(self, exam_id: int) -> list[Attempt]:
        rows = self.state.query(f"SELECT * FROM {ATTEMPTS} WHERE exam_id = ? AND mode = 'exam' ORDER BY seq",
                                (exam_id,))
        return [Attempt.from_row(r) for r in rows]

    def history(self, platform: str, user_id: str, hide_exam: int = 0) -> list[dict[str, Any]]:
        """Every answer of the user, oldest first: (question_id, doc_id, correct, answered).

        `hide_exam` leaves out the answers of that exam: while it runs, whether they were right is
        told by nothing, not even /diem's counts (issue 22).
        """
        return self.state.query(
            f"SELECT question_id, doc_id, correct, answered FROM {ATTEMPTS} WHERE platform = ? "
            "AND user_id = ? AND status = 'answered' AND NOT (mode = 'exam' AND exam_id = ?) "
            "ORDER BY answered, id", (platform, user_id, hide_exam or -1))

    def last_attempt(self, platform: str, user_id: str) -> Attempt | None:
        rows = self.state.query(f"SELECT * FROM {ATTEMPTS} WHERE platform = ? AND user_id = ? "
                                "AND mode != 'exam' ORDER BY id DESC LIMIT 1", (platform, user_id))
        return Attempt.from_row(rows[0]) if rows else None

    def finished_exams(self) -> list[Exam]:
        rows = self.state.query(f"SELECT * FROM {EXAMS} WHERE status = 'finished' ORDER BY id")
        return [Exam.from_row(r) for r in rows]

    def user_exams(self, platform: str, user_id: str) -> list[Exam]:
        rows = self.state.query(f"SELECT * FROM {EXAMS} WHERE platform = ? AND user_id = ? ORDER BY id",
                                (platform, user_id))
        return [Exam.from_row(r) for r in rows]

    def unnotified_exam(self, platform: str, user_id: str) -> Exam | None:
        """An exam closed for being late while the user was away, whose result they have not seen."""
        rows = self.state.query(f"SELECT * FROM {EXAMS} WHERE platform = ? AND user_id = ? "
                                "AND status = 'finished' AND notified = 0 ORDER BY id DESC LIMIT 1",
                                (platform, user_id))
        return Exam.from_row(rows[0]) if rows else None

    def mark_notified(self, exam_id: int) -> bool:
        """True for the one request that gets to show the result (two at once must not both)."""
        with self.state.transaction() as db:
            cur = db.conn.execute(f"UPDATE {EXAMS} SET notified = 1 WHERE id = ? AND notified = 0",
                                  (exam_id,))
            return cur.rowcount == 1

    def overdue_exams(self, now: float) -> list[Exam]:
        rows = self.state.query(f"SELECT * FROM {EXAMS} WHERE status IN ('active', 'predict') "
                                "AND deadline < ?", (now,))
        return [Exam.from_row(r) for r in rows]

    # -- writing ----------------------------------------------------------------------------------
    def new_practice(self, platform: str, user_id: str, chat_id: str, mode: str, scope: str,
                     card: Card, now: float) -> int:
        """Show a new practice/review question: the one still open (if any) is skipped."""
        with self.state.transaction() as db:
            db.conn.execute(f"UPDATE {ATTEMPTS} SET status = 'skipped' WHERE platform = ? AND user_id = ? "
                            "AND status = 'open' AND mode != 'exam'", (platform, user_id))
            return self._insert_attempt(db, platform, user_id, chat_id, mode, 0, 0, scope, card, now)

    @staticmethod
    def _insert_attempt(db: Any, platform: str, user_id: str, chat_id: str, mode: str, exam_id: int,
                        seq: int, scope: str, card: Card, now: float) -> int:
        cur = db.conn.execute(
            f"INSERT INTO {ATTEMPTS} (platform, user_id, chat_id, mode, exam_id, seq, question_id, doc_id, "
            "scope, stem, options, perm, correct_choice, status, created, reminded) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, 0)",
            (platform, user_id, chat_id, mode, exam_id, seq, card.question_id, card.doc_id, scope, card.stem,
             json.dumps(card.options, ensure_ascii=False), json.dumps(card.perm), card.correct_choice, now))
        return int(cur.lastrowid)

    def new_exam(self, platform: str, user_id: str, chat_id: str, user_name: str, cards: list[Card],
                 now: float, minutes: int) -> tuple[Exam, bool]:
        """Create an exam with all its questions at once; (exam, created). A live exam wins a race."""
        with self.state.transaction() as db:
            live = db.conn.execute(f"SELECT id FROM {EXAMS} WHERE platform = ? AND user_id = ? "
                                   "AND status IN ('active', 'predict')", (platform, user_id)).fetchone()
            if live is None:
                db.conn.execute(f"UPDATE {ATTEMPTS} SET status = 'skipped' WHERE platform = ? "
                                "AND user_id = ? AND status = 'open' AND mode != 'exam'", (platform, user_id))
                cur = db.conn.execute(
                    f"INSERT INTO {EXAMS} (platform, user_id, chat_id, user_name, n_questions, started, "
                    "deadline, status, score, answered_count, expired, notified) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'active', 0, 0, 0, 1)",
                    (platform, user_id, chat_id, user_name, len(cards), now, now + minutes * 60))
                exam_id = int(cur.lastrowid)
                for seq, card in enumerate(cards, 1):
                    self._insert_attempt(db, platform, user_id, chat_id, "exam", exam_id, seq, "", card, now)
                created = True
            else:
                exam_id, created = live[0], False
        exam = self.exam(exam_id)
        assert exam is not None
        return exam, created

    def record_answer(self, attempt_id: int, choice: int, now: float) -> bool:
        """Grade and store one answer; False when the attempt was no longer open (a double press)."""
        with self.state.transaction() as db:
            cur = db.conn.execute(
                f"UPDATE {ATTEMPTS} SET status = 'answered', chosen = ?, answered = ?, "
                "correct = (correct_choice = ?) WHERE id = ? AND status = 'open'",
                (choice, now, choice, attempt_id))
            return cur.rowcount == 1

    def mark_reminded(self, attempt_id: int) -> None:
        with self.state.transaction() as db:
            db.conn.execute(f"UPDATE {ATTEMPTS} SET reminded = 1 WHERE id = ?", (attempt_id,))

    def to_prediction(self, exam_id: int) -> None:
        with self.state.transaction() as db:
            db.conn.execute(f"UPDATE {EXAMS} SET status = 'predict' WHERE id = ? AND status = 'active'",
                            (exam_id,))

    def close_exam(self, exam_id: int, status: str, now: float, prediction: int | None = None,
                   expired: bool = False, notified: bool = True) -> bool:
        """Finish or abandon a live exam: unanswered questions are skipped, the score is counted.

        `notified=False` when the user is not the one asking (a sweep before /bxh): their next
        message then shows the result. Returns False when another request closed it first.
        """
        with self.state.transaction() as db:
            row = db.conn.execute(f"SELECT started, deadline FROM {EXAMS} WHERE id = ? "
                                  "AND status IN ('active', 'predict')", (exam_id,)).fetchone()
            if row is None:
                return False
            started, deadline = row
            db.conn.execute(f"UPDATE {ATTEMPTS} SET status = 'skipped' WHERE exam_id = ? AND mode = 'exam' "
                            "AND status = 'open'", (exam_id,))
            score, answered = db.conn.execute(
                f"SELECT COALESCE(SUM(correct), 0), COUNT(*) FROM {ATTEMPTS} WHERE exam_id = ? "
                "AND mode = 'exam' AND status = 'answered'", (exam_id,)).fetchone()
            end = deadline if expired else min(now, deadline)
            db.conn.execute(
                f"UPDATE {EXAMS} SET status = ?, score = ?, answered_count = ?, prediction = ?, "
                "finished = ?, duration = ?, expired = ?, notified = ? WHERE id = ?",
                (status, score, answered, prediction, now, max(0.0, end - started), int(expired),
                 int(notified), exam_id))
            return True

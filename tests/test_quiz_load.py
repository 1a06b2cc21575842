"""50 people practising (and then sitting an exam) at the same moment, in-process, on one real state DB.

Each thread is one user calling `dispatcher.dispatch` the way the channels do (they call it from
worker threads). Every user must get their own questions and their own, correct, scores, and no
request may fail on a locked database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from handlers.dispatch import ERROR_TEXT
from handlers.messages import Reply
from handlers.quiz_answers import LETTERS
from tests.test_quiz import EXAM_SIZE, quiz_env, quiz_kb_root  # noqa: F401 - fixtures

USERS = 50
QUESTIONS_EACH = 5


@pytest.fixture
def assistant(quiz_env: Path) -> Iterator[Assistant]:  # noqa: F811 - shadows nothing here
    a = build_assistant(Settings.from_env(env_file=None))
    yield a
    a.close()


def plan(user: int, n: int) -> bool:
    """Whether `user` answers their n-th question right: a different pattern for each user."""
    return (user >> (n % 5)) & 1 == 0 or n == 0


def test_fifty_users_practise_and_sit_exams_at_once(assistant: Assistant,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    start = threading.Barrier(USERS)
    failures: list[str] = []
    seen_attempts: dict[str, list[str]] = {}
    lock = threading.Lock()

    def dispatch(user: str, text: str, kind: str = "text") -> list[Reply]:
        replies = assistant.dispatcher.dispatch(assistant.incoming("zalo", user, f"chat-{user}", text,
                                                                   kind=kind, user_name=f"Người {user}"))
        if not replies or any(r.text == ERROR_TEXT for r in replies):
            raise AssertionError(f"{user} {text!r} → {replies}")
        return replies

    def card_of(replies: list[Reply]) -> Reply:
        cards = [r for r in replies if r.quiz is not None]
        if len(cards) != 1:
            raise AssertionError(f"expected one question, got {replies}")
        return cards[0]

    def one_user(i: int) -> None:
        user = f"u{i:02d}"
        try:
            start.wait(timeout=30)
            attempts = []
            replies = dispatch(user, "/quiz")
            for n in range(QUESTIONS_EACH):
                card = card_of(replies).quiz
                assert card is not None
                attempts.append(card.attempt_id)
                choice = card.correct_index if plan(i, n) else (card.correct_index + 1) % len(card.options)
                if n % 2:  # half typed (Zalo/terminal), half pressed (Telegram)
                    feedback = dispatch(user, f"đáp án {LETTERS[choice].lower()}")
                else:
                    feedback = dispatch(user, f"qa:{card.attempt_id}:{choice}", kind="callback")
                expected = "✅ Chính xác!" if plan(i, n) else "❌ Chưa đúng"
                assert feedback[0].text.startswith(expected), feedback
                replies = dispatch(user, feedback[0].buttons[0].payload, kind="callback")
            right = sum(plan(i, n) for n in range(QUESTIONS_EACH))
            scores = dispatch(user, "/diem")[0].text
            assert f"Đã trả lời {QUESTIONS_EACH} câu, đúng {right} " in scores, scores

            replies = dispatch(user, "/thi")
            for _ in range(EXAM_SIZE):
                card = card_of(replies).quiz
                assert card is not None
                choice = card.correct_index if i % 3 else (card.correct_index + 1) % len(card.options)
                replies = dispatch(user, LETTERS[choice])
            result = dispatch(user, str(i))[0].text
            assert f"Kết quả bài thi: {EXAM_SIZE if i % 3 else 0}/{EXAM_SIZE} câu đúng" in result, result
            with lock:
                seen_attempts[user] = attempts
        except BaseException as exc:  # collected: an assertion in a thread would otherwise be lost
            with lock:
                failures.append(f"{user}: {exc!r}")

    threads = [threading.Thread(target=one_user, args=(i,)) for i in range(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not failures, "\n".join(failures[:5])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    # The DB agrees: each user's attempts are theirs, distinct questions, the right score.
    state = assistant.state
    for i in range(USERS):
        user = f"u{i:02d}"
        rows = state.query("SELECT id, user_id, chat_id, question_id, correct FROM quiz_attempts "
                           "WHERE mode = 'practice' AND status = 'answered' AND user_id = ? ORDER BY id", (user,))
        assert [str(r["id"]) for r in rows] == seen_attempts[user]
        assert {r["chat_id"] for r in rows} == {f"chat-{user}"}
        assert len({r["question_id"] for r in rows}) == QUESTIONS_EACH, "unseen questions first"
        assert [r["correct"] for r in rows] == [int(plan(i, n)) for n in range(QUESTIONS_EACH)]
    all_ids = [a for ids in seen_attempts.values() for a in ids]
    assert len(all_ids) == len(set(all_ids)) == USERS * QUESTIONS_EACH
    exams = state.query("SELECT user_id, score, prediction, status FROM quiz_exams ORDER BY user_id")
    assert len(exams) == USERS
    for i, exam in enumerate(exams):
        assert exam == {"user_id": f"u{i:02d}", "score": EXAM_SIZE if i % 3 else 0, "prediction": i,
                        "status": "finished"}
    board = assistant.dispatcher.dispatch(assistant.incoming("zalo", "u01", "chat-u01", "/bxh"))[0].text
    perfect = sum(1 for i in range(USERS) if i % 3)
    assert f"Số bài thi đúng tất cả các câu đến nay: {perfect}." in board
    # u33 predicted 33 exactly but scored 0; u32 and u34 (perfect, off by one) share the lead.
    assert perfect == 33
    first = next(line for line in board.splitlines() if line.startswith("1. "))
    assert first.startswith(("1. Người u32 — ", "1. Người u34 — ")) and "3/3 câu · lệch dự đoán 1 ·" in first

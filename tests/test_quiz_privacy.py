"""What the scores and the leaderboard tell during an exam (issue 22): /diem must not reveal which
exam answers were right while the exam hides it, and /bxh's own line must not read like a prompt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.console_channel import ConsoleSession
from bot.settings import Settings
from tests.test_quiz import (  # noqa: F401  (fixtures)
    EXAM_SIZE,
    bank_by_stem,
    card_text,
    letter,
    quiz_env,
    quiz_kb_root,
    shown_question,
)


@pytest.fixture
def assistant(quiz_env: Path) -> Iterator[Assistant]:  # noqa: F811
    a = build_assistant(Settings.from_env(env_file=None))
    yield a
    a.close()


def _answer_shown(session: ConsoleSession, texts: list[str], bank: dict, right: bool) -> list[str]:
    question, options = shown_question(card_text(texts), bank)
    return session.handle(letter(question, options, right))


def test_scores_during_an_exam_hide_the_exams_answers(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    hoa = ConsoleSession(assistant, "hoa")
    _answer_shown(hoa, hoa.handle("/quiz"), bank, right=True)  # one practice answer, right

    texts = hoa.handle("/thi")
    texts = _answer_shown(hoa, texts, bank, right=False)
    assert texts[0].startswith(f"Đã ghi nhận câu 1/{EXAM_SIZE}") and "sai" not in texts[0].lower()
    texts = _answer_shown(hoa, texts, bank, right=True)

    during = "\n".join(hoa.handle("/diem"))
    assert "Đã trả lời 1 câu, đúng 1 (100%)" in during, during
    assert "Câu sai cần ôn lại" not in during, "a wrong exam answer must not show as one to review"
    assert "Bạn đang làm dở một bài thi" in during and "chưa được tính" in during

    texts = hoa.handle("/thi")  # back to the exam: the third question, then the prediction
    texts = _answer_shown(hoa, texts, bank, right=True)
    hoa.handle("2")
    after = "\n".join(hoa.handle("/diem"))
    assert f"Đã trả lời {1 + EXAM_SIZE} câu, đúng {EXAM_SIZE}" in after, after
    assert "Câu sai cần ôn lại: 1" in after and "chưa được tính" not in after


def test_leaderboard_line_of_the_asker_does_not_start_like_a_prompt(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    lan = ConsoleSession(assistant, "lan")
    texts = lan.handle("/thi")
    for _ in range(EXAM_SIZE):
        texts = _answer_shown(lan, texts, bank, right=True)
    lan.handle("1")
    board = "\n".join(lan.handle("/bxh"))
    assert "Hạng của bạn: 1/1 — " in board, board
    assert not any(line.startswith("Bạn:") for line in board.splitlines()), board

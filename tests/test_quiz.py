"""Contest practice end to end: practice, exams, review, scores and ranking over the terminal channel.

Real knowledge DB (built once per session, copied per test), real state DB file per test, the real
`build_assistant(Settings.from_env())` wiring. The right answer of a shown question is found the way
a person with the plan in hand would: read the options the reply shows and look the question up in
the bank — never by reading the quiz's own tables. The clock is the module's `clock` function,
replaced in the tests that need time to pass.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import handlers.quiz as quiz_module
from bot.app import Assistant, build_assistant
from bot.console_channel import ConsoleSession, run_console
from bot.settings import Settings
from handlers.dispatch import ERROR_TEXT
from handlers.messages import Incoming, Reply
from handlers.quiz_answers import parse_choice, parse_prediction

EXAM_SIZE = 3
OPTION_LINE = re.compile(r"^([A-D])\. (.+)$", re.M)


# -- fixtures shared with test_quiz_load.py and test_quiz_channels.py ----------------------------
@cache
def _template(root: str) -> Path:
    """Build the knowledge DB once per session; every test copies it (a build takes seconds)."""
    data = Path(root) / "quiz-template"
    build_assistant(Settings(data_dir=data, docs_dir=data / "documents")).close()
    return data


def fresh_data_dir(tmp_root: Path, target: Path) -> Path:
    shutil.copytree(_template(str(tmp_root)), target, ignore=shutil.ignore_patterns("state.db*"))
    return target


@pytest.fixture(scope="session")
def quiz_kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "quiz-kb"


@pytest.fixture
def quiz_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, quiz_kb_root: Path) -> Path:
    """CCHC_* variables pointing at a fresh data dir; returns that dir."""
    data = fresh_data_dir(quiz_kb_root, tmp_path / "data")
    monkeypatch.setenv("CCHC_DATA_DIR", str(data))
    monkeypatch.delenv("CCHC_DOCS_DIR", raising=False)
    monkeypatch.delenv("CCHC_ADMINS", raising=False)
    monkeypatch.setenv("CCHC_EXAM_QUESTIONS", str(EXAM_SIZE))
    monkeypatch.setenv("CCHC_EXAM_MINUTES", "20")
    monkeypatch.setenv("CCHC_FLOOD_PER_MINUTE", "100000")
    return data


@pytest.fixture
def assistant(quiz_env: Path) -> Iterator[Assistant]:
    a = build_assistant(Settings.from_env(env_file=None))
    yield a
    a.close()


class FakeClock:
    """Stands in for `handlers.quiz.clock`: time moves only when a test says so."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(quiz_module, "clock", clock)
    return clock


# -- reading what the user sees -------------------------------------------------------------------
def bank_by_stem(assistant: Assistant) -> dict[str, dict[str, Any]]:
    return {q["question"]: q for q in assistant.holder.engine.questions()}


def shown_question(text: str, bank: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The bank question a rendered card shows, and its lettered options as shown."""
    question = next((bank[line] for line in text.splitlines() if line in bank), None)
    assert question is not None, f"no bank question in:\n{text}"
    options = dict(OPTION_LINE.findall(text))
    assert sorted(options.values()) == sorted(question["options"]), text
    return question, options


def letter(question: dict[str, Any], options: dict[str, str], right: bool = True) -> str:
    """The letter a user would type to answer right (or some wrong letter)."""
    correct = question["options"][question["answer"]]
    return next(k for k, v in sorted(options.items()) if (v == correct) == right)


def card_text(texts: list[str]) -> str:
    cards = [t for t in texts if OPTION_LINE.search(t) and "Gõ A, B, C hoặc D" in t]
    assert len(cards) == 1, texts
    return cards[0]


def quiz_reply(replies: list[Reply]) -> Reply:
    cards = [r for r in replies if r.quiz is not None]
    assert len(cards) == 1, replies
    return cards[0]


def send(assistant: Assistant, user: str, text: str, kind: str = "text", name: str = "") -> list[Reply]:
    incoming = assistant.incoming("console", user, user, text, kind=kind, user_name=name)
    replies = assistant.dispatcher.dispatch(incoming)
    assert replies and all(r.text != ERROR_TEXT for r in replies), replies
    return replies


def answer_card(assistant: Assistant, user: str, replies: list[Reply], right: bool) -> list[Reply]:
    """Press the option button of the shown card (the Telegram way)."""
    card = quiz_reply(replies).quiz
    assert card is not None
    choice = card.correct_index if right else (card.correct_index + 1) % len(card.options)
    return send(assistant, user, f"qa:{card.attempt_id}:{choice}", kind="callback")


def rows(assistant: Assistant, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    return assistant.state.query(sql, params)


# -- typed answers --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("A", 0), ("b", 1), ("C.", 2), ("d)", 3), ("1", 0), ("4", 3), ("đáp án B", 1), ("dap an b", 1),
    ("Đáp án: c", 2), ("chọn C", 2), ("Chon d", 3), ("Em chọn đáp án D ạ", 3), ("phương án A", 0),
    ("  B  ", 1), ("câu b", 1), ("tôi chọn 2", 1),
])
def test_parse_choice_accepts_typed_answers(text: str, expected: int) -> None:
    assert parse_choice(text) == expected


@pytest.mark.parametrize("text", ["", "E", "5", "0", "AB", "A và B", "B là gì?", "đáp án", "hotline",
                                  "chọn", "a" * 100, "số hotline là gì"])
def test_parse_choice_refuses_other_text(text: str) -> None:
    assert parse_choice(text) is None


@pytest.mark.parametrize("text, value", [("0", 0), ("25", 25), ("25 người", 25), ("dự đoán 7", 7),
                                         ("1.000", 1000), ("1 000", 1000), ("12,345", 12345),
                                         ("không ai", 0), ("Khoảng 40 người.", 40)])
def test_parse_prediction_values(text: str, value: int) -> None:
    prediction = parse_prediction(text)
    assert prediction is not None and prediction.value == value and not prediction.error


@pytest.mark.parametrize("text, why", [("-5", "âm"), ("2,5", "số nguyên"), ("3.7", "số nguyên"),
                                       ("99999999999", "quá lớn"), ("mười", "không phải là một con số"),
                                       ("abc", "không phải"), ("5 hay 6", "chưa đọc được")])
def test_parse_prediction_errors_are_explained(text: str, why: str) -> None:
    prediction = parse_prediction(text)
    assert prediction is not None and prediction.value is None
    assert why in prediction.error and "số nguyên không âm" in prediction.error


def test_parse_prediction_leaves_real_questions_alone() -> None:
    assert parse_prediction("kế hoạch tuyên truyền cải cách hành chính năm 2018 có chủ đề gì vậy") is None
    assert parse_prediction("số đường dây nóng hỗ trợ dịch vụ công là gì") is None


# -- practice -------------------------------------------------------------------------------------
def test_practice_right_then_wrong_in_the_terminal(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    session = ConsoleSession(assistant, "alice")

    first = card_text(session.handle("/quiz"))
    assert first.startswith("Luyện tập — ")
    question, options = shown_question(first, bank)
    feedback = "\n".join(session.handle(f"đáp án {letter(question, options).lower()}"))
    assert "✅ Chính xác!" in feedback
    assert question["explanation"] in feedback
    assert "📄 Nguồn:" in feedback and "Gõ 1 để xem câu tiếp theo" in feedback

    second = card_text(session.handle("1"))  # the "Câu tiếp theo" button, typed as its number
    question2, options2 = shown_question(second, bank)
    assert question2["id"] != question["id"]
    wrong = letter(question2, options2, right=False)
    feedback = "\n".join(session.handle(wrong))
    right = letter(question2, options2)
    assert "❌ Chưa đúng" in feedback
    assert f"Bạn chọn {wrong}; đáp án đúng là {right}. {options2[right]}" in feedback
    assert question2["explanation"] in feedback

    graded = rows(assistant, "SELECT question_id, correct FROM quiz_attempts WHERE user_id = 'alice' "
                             "AND status = 'answered' ORDER BY id")
    assert [(r["question_id"], r["correct"]) for r in graded] == [(question["id"], 1), (question2["id"], 0)]

    # an old button pressed again, and a letter typed when nothing is open
    first_attempt = rows(assistant, "SELECT id FROM quiz_attempts WHERE user_id = 'alice' ORDER BY id")[0]["id"]
    again = "\n".join(session.handle("B"))  # nothing is open: an ordinary message for the Q&A
    assert "Chính xác" not in again and "Chưa đúng" not in again and "Đã ghi nhận" not in again
    replies = send(assistant, "alice", f"qa:{first_attempt}:0", kind="callback")
    assert "Câu này bạn đã trả lời rồi" in replies[0].text
    assert len(rows(assistant, "SELECT id FROM quiz_attempts WHERE user_id = 'alice' "
                               "AND status = 'answered'")) == 2


def test_options_are_shuffled_per_attempt_and_graded_by_the_shown_order(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    orders = set()
    for _ in range(12):
        replies = send(assistant, "shuffler", "/quiz 155")
        card = quiz_reply(replies).quiz
        assert card is not None
        question = bank[card.stem]
        assert card.options[card.correct_index] == question["options"][question["answer"]]
        orders.add(card.options)
        answer_card(assistant, "shuffler", replies, right=True)
    assert len(orders) > 1, "options should be shuffled per attempt"
    assert rows(assistant, "SELECT COUNT(*) AS n FROM quiz_attempts WHERE user_id = 'shuffler' "
                           "AND correct = 1")[0]["n"] == 12


@pytest.mark.parametrize("query, doc_prefix", [("155/KH-SYT", "000"), ("155", "000"), ("000", "000"),
                                               ("mai chau", "004"), ("Mai Châu", "004"), ("phu thai", "001"),
                                               ("2018", "003"), ("24/KH-UBND", "003"), ("148", "002")])
def test_quiz_document_filter(assistant: Assistant, query: str, doc_prefix: str) -> None:
    bank = bank_by_stem(assistant)
    replies = send(assistant, "filter", f"/quiz {query}")
    assert "Luyện tập với câu hỏi của" in replies[0].text
    for _ in range(3):  # the "Câu tiếp theo" button keeps the filter
        card = quiz_reply(replies).quiz
        assert card is not None and bank[card.stem]["doc_id"].startswith(doc_prefix)
        feedback = answer_card(assistant, "filter", replies, right=False)
        replies = send(assistant, "filter", feedback[0].buttons[0].payload, kind="callback")


def test_quiz_unknown_document_lists_the_documents(assistant: Assistant) -> None:
    text = send(assistant, "lost", "/quiz không có văn bản này")[0].text
    assert "Không tìm thấy văn bản nào khớp" in text
    assert "/quiz 155" in text and "/quiz 139" in text
    long = send(assistant, "lost", "/quiz " + "x" * 500)[0].text
    assert "dài quá" in long


def test_practice_prefers_unseen_then_wrong(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    doc_questions = [q["id"] for q in bank.values() if q["doc_id"].startswith("004")]
    seen: list[str] = []
    wrong: list[str] = []
    replies = send(assistant, "learner", "/quiz 139")
    for i in range(len(doc_questions)):
        card = quiz_reply(replies).quiz
        assert card is not None
        seen.append(bank[card.stem]["id"])
        if i < 3:
            wrong.append(seen[-1])
        answer_card(assistant, "learner", replies, right=i >= 3)
        replies = send(assistant, "learner", "/quiz 139")
    assert sorted(seen) == sorted(doc_questions), "every unseen question comes before any repeat"
    again = []
    for _ in range(3):
        card = quiz_reply(replies).quiz
        assert card is not None
        again.append(bank[card.stem]["id"])
        answer_card(assistant, "learner", replies, right=True)
        replies = send(assistant, "learner", "/quiz 139")
    assert again == wrong, "then the ones answered wrong, oldest first"


def test_open_question_does_not_block_questions(assistant: Assistant) -> None:
    session = ConsoleSession(assistant, "curious")
    session.handle("/quiz")
    texts = session.handle("Số hotline hỗ trợ dịch vụ công là gì?")
    assert re.search(r"1800\W?1096", texts[0])
    assert "Câu luyện tập vẫn đang chờ" in texts[-1]
    texts = session.handle("so hotline ho tro dich vu cong la gi")
    assert not any("đang chờ" in t for t in texts), "the reminder is said once"
    assert any(re.search(r"1800\W?1096", t) for t in texts)
    graded = session.handle("A")[0]  # the waiting question is still answerable
    assert "Chính xác" in graded or "Chưa đúng" in graded


# -- exams ----------------------------------------------------------------------------------------
def take_exam(session: ConsoleSession, bank: dict[str, dict[str, Any]], rights: list[bool],
              prediction: str) -> str:
    """Start an exam, answer each question right/wrong as told, predict; return the result text."""
    texts = session.handle("/thi")
    assert f"gồm {EXAM_SIZE} câu" in texts[0]
    for n, right in enumerate(rights, 1):
        card = card_text(texts)
        assert f"Câu {n}/{EXAM_SIZE} — còn " in card
        question, options = shown_question(card, bank)
        texts = session.handle(letter(question, options, right))
        assert texts[0].startswith(f"Đã ghi nhận câu {n}/{EXAM_SIZE}")
    assert "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi?" in texts[-1]
    return "\n".join(session.handle(prediction))


def test_exam_prediction_result_scores_and_leaderboard(assistant: Assistant, fake_clock: FakeClock) -> None:
    bank = bank_by_stem(assistant)
    lan = ConsoleSession(assistant, "lan-id")
    result = take_exam(lan, bank, [True, False, True], "0")
    assert "Kết quả bài thi: 2/3 câu đúng" in result
    assert "Thời gian làm bài: 0 giây" in result
    assert "Xếp hạng: thứ 1 trên 1 bài thi" in result
    assert "• Câu 2 (bạn chọn" in result

    scores = "\n".join(lan.handle("/diem"))
    assert "Đã trả lời 3 câu, đúng 2 (67%)" in scores
    assert "Tốt nhất: 2/3 câu" in scores and "Câu sai cần ôn lại: 1" in scores
    assert "Theo văn bản:" in scores

    # Three more people: perfect scores. The tie-break is |prediction - perfect exams| (3 at the end),
    # then time. Names come from Incoming.user_name; a user without one is shown masked.
    def exam_as(user: str, name: str, prediction: str, seconds: float) -> None:
        replies = send(assistant, user, "/thi", name=name)
        while quiz_reply_or_none(replies) is not None:
            fake_clock.advance(seconds / EXAM_SIZE)
            replies = answer_card(assistant, user, replies, right=True)
        send(assistant, user, prediction, name=name)

    exam_as("u-binh", "Bình", "3", 90)  # distance 0 at the end
    exam_as("u-chi", "", "9", 30)  # distance 6 but fastest
    exam_as("u-dung", "Dũng", "3", 120)  # distance 0 but slower than Bình

    board = "\n".join(lan.handle("/bxh"))
    assert "Số bài thi đúng tất cả các câu đến nay: 3." in board
    order = [line.split(" — ")[0] for line in board.splitlines() if re.match(r"^\d+\. ", line)]
    assert order == ["1. Bình", "2. Dũng", "3. Thí sinh ···chi", "4. Thí sinh ···-id"]
    assert "Hạng của bạn: 4/4 — 2/3 câu · lệch dự đoán 3 · 0 giây." in board
    assert "3. Thí sinh ···chi — 3/3 câu · lệch dự đoán 6 · 30 giây" in board
    assert "1. Bình — 3/3 câu · lệch dự đoán 0 · 1 phút 30 giây" in board


def quiz_reply_or_none(replies: list[Reply]) -> Reply | None:
    return next((r for r in replies if r.quiz is not None), None)


def test_exam_through_run_console(quiz_env: Path, assistant: Assistant) -> None:
    """`cchc chat` as a user sees it: the answers typed blind, the score checked from what was shown."""
    bank = bank_by_stem(assistant)
    assistant.close()
    stdin = io.StringIO("/thi\nA\nb\nđáp án C\n-1\n7\n/diem\n/bxh\n/thoat\n")
    stdout = io.StringIO()
    assert run_console(Settings.from_env(env_file=None), stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    blocks = out.split("Trợ lý: ")
    cards = [b for b in blocks if re.search(r"Câu \d/3 — còn 20 phút", b)]
    assert len(cards) == 3
    expected = sum(letter(*shown_question(card, bank)) == typed for card, typed in zip(cards, "ABC"))
    assert f"Kết quả bài thi: {expected}/3 câu đúng" in out
    assert "Số dự đoán không được âm" in out
    assert "Dự đoán của bạn: 7 người" in out
    assert "Bài thi đã hoàn thành: 1" in out and "Hạng của bạn: 1/1" in out
    assert out.rstrip().endswith("Tạm biệt!")


def test_exam_survives_a_restart(quiz_env: Path, assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    session = ConsoleSession(assistant, "restarter")
    texts = session.handle("/thi")
    q1, o1 = shown_question(card_text(texts), bank)
    texts = session.handle(letter(q1, o1, right=True))
    q2, o2 = shown_question(card_text(texts), bank)
    assistant.close()  # the bot is killed with question 2 on the user's screen

    again = build_assistant(Settings.from_env(env_file=None))
    try:
        session = ConsoleSession(again, "restarter")
        texts = session.handle(letter(q2, o2, right=False))  # the next message continues the exam
        assert texts[0].startswith("Đã ghi nhận câu 2/3")
        q3, o3 = shown_question(card_text(texts), bank)
        assert "Câu 3/3" in card_text(texts)
        texts = session.handle(letter(q3, o3, right=True))
        result = "\n".join(session.handle("4"))
        assert "Kết quả bài thi: 2/3 câu đúng" in result
        assert "• Câu 2 (bạn chọn" in result and "• Câu 1" not in result
        kept = again.state.query("SELECT seq, question_id, correct FROM quiz_attempts WHERE user_id = 'restarter' "
                                 "ORDER BY seq")
        assert [(r["seq"], r["question_id"], r["correct"]) for r in kept] == [
            (1, q1["id"], 1), (2, q2["id"], 0), (3, q3["id"], 1)]
    finally:
        again.close()


def test_exam_restart_then_thi_shows_the_current_question(quiz_env: Path, assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    texts = ConsoleSession(assistant, "r2").handle("/thi")
    q1, o1 = shown_question(card_text(texts), bank)
    ConsoleSession(assistant, "r2").handle(letter(q1, o1))
    assistant.close()
    again = build_assistant(Settings.from_env(env_file=None))
    try:
        texts = ConsoleSession(again, "r2").handle("/thi")
        assert "Bạn đang làm dở bài thi" in texts[0]
        assert "Câu 2/3 — còn 20 phút" in card_text(texts)
    finally:
        again.close()


def test_exam_expires(assistant: Assistant, fake_clock: FakeClock) -> None:
    bank = bank_by_stem(assistant)
    session = ConsoleSession(assistant, "slow")
    texts = session.handle("/thi")
    q1, o1 = shown_question(card_text(texts), bank)
    fake_clock.advance(60)
    texts = session.handle(letter(q1, o1))
    assert "Câu 2/3 — còn 19 phút" in card_text(texts)
    q2, o2 = shown_question(card_text(texts), bank)
    fake_clock.advance(19 * 60 + 1)  # 20 minutes and a second after the start
    texts = session.handle(letter(q2, o2))
    result = "\n".join(texts)
    assert "Đã hết giờ làm bài (20 phút) nên câu trả lời này không được tính" in result
    assert "Kết quả bài thi: 1/3 câu đúng" in result and "Bạn đã trả lời 1/3 câu" in result
    assert "Thời gian làm bài: 20 phút" in result and "chưa kịp trả lời câu dự đoán" in result
    exam = assistant.state.query("SELECT status, score, expired, duration FROM quiz_exams")[0]
    assert exam == {"status": "finished", "score": 1, "expired": 1, "duration": 1200.0}
    statuses = [r["status"] for r in assistant.state.query("SELECT status FROM quiz_attempts ORDER BY seq")]
    assert statuses == ["answered", "skipped", "skipped"]
    # The exam is over: a letter now is an ordinary message, not an exam answer.
    assert "Đã ghi nhận" not in "\n".join(session.handle("B"))


def test_expired_exam_closed_by_someone_elses_leaderboard(assistant: Assistant, fake_clock: FakeClock) -> None:
    bank = bank_by_stem(assistant)
    session = ConsoleSession(assistant, "away")
    q1, o1 = shown_question(card_text(session.handle("/thi")), bank)
    fake_clock.advance(21 * 60)
    board = send(assistant, "other", "/bxh")[0].text
    assert "1. Thí sinh ···way — 0/3 câu · không dự đoán · 20 phút" in board
    texts = session.handle(letter(q1, o1))
    result = "\n".join(texts)
    assert "Đã hết giờ làm bài (20 phút) nên câu trả lời này không được tính" in result
    assert "Kết quả bài thi: 0/3" in result
    assert "Đã ghi nhận" not in result and "Chính xác" not in result
    assert "hết giờ" not in "\n".join(session.handle("/diem")), "the result is told once"


def test_prediction_is_validated(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    session = ConsoleSession(assistant, "predictor")
    texts = session.handle("/thi")
    for _ in range(EXAM_SIZE):
        q, o = shown_question(card_text(texts), bank)
        texts = session.handle(letter(q, o))
    for bad, why in [("-5", "không được âm"), ("2,5", "số nguyên"), ("mười", "không phải là một con số"),
                     ("99999999999", "quá lớn")]:
        reply = session.handle(bad)
        assert len(reply) == 1 and why in reply[0], (bad, reply)
    texts = session.handle("Số hotline hỗ trợ dịch vụ công là gì?")
    assert re.search(r"1800\W?1096", texts[0]) and "còn câu dự đoán" in texts[-1]
    busy = session.handle("/quiz")
    assert "Bạn đang làm bài thi (còn câu hỏi dự đoán" in busy[0] and "Dự đoán có bao nhiêu" in busy[-1]
    result = "\n".join(session.handle("1.000"))
    assert "Kết quả bài thi: 3/3 câu đúng" in result and "Dự đoán của bạn: 1000 người" in result


def test_quiz_and_review_wait_for_a_live_exam_and_huythi_abandons(assistant: Assistant) -> None:
    session = ConsoleSession(assistant, "busy")
    session.handle("/thi")
    for command in ("/quiz", "/onlai", "/thi"):
        texts = session.handle(command)
        assert "Bạn đang làm" in texts[0] and "Câu 1/3" in card_text(texts)
    assert "Đã hủy bài thi (bạn đã trả lời 0/3 câu)" in session.handle("/huythi")[0]
    assert "không có bài thi nào đang làm" in session.handle("/huythi")[0]
    assert "Chưa có bài thi nào hoàn thành" in session.handle("/bxh")[0]
    assert assistant.state.query("SELECT status FROM quiz_exams")[0]["status"] == "abandoned"


# -- review ---------------------------------------------------------------------------------------
def test_review_until_right_twice(assistant: Assistant) -> None:
    bank = bank_by_stem(assistant)
    assert "chưa có câu nào trả lời sai" in send(assistant, "rev", "/onlai")[0].text
    wrong: list[str] = []
    replies = send(assistant, "rev", "/quiz 148")
    for right in (False, True, False):
        card = quiz_reply(replies).quiz
        assert card is not None
        if not right:
            wrong.append(bank[card.stem]["id"])
        answer_card(assistant, "rev", replies, right=right)
        replies = send(assistant, "rev", "/quiz 148")

    served = []
    replies = send(assistant, "rev", "/onlai")
    assert quiz_reply(replies).quiz.header == "Ôn lại câu sai — còn 2 câu"  # type: ignore[union-attr]
    # wrong again once: that question needs two more right answers after it
    card = quiz_reply(replies).quiz
    assert card is not None
    served.append(bank[card.stem]["id"])
    feedback = answer_card(assistant, "rev", replies, right=False)
    for left in (2, 2, 2, 1):  # each of the two needs two right answers after its last wrong one
        assert f"Còn {left} câu cần ôn lại" in feedback[0].text
        replies = send(assistant, "rev", feedback[0].buttons[0].payload, kind="callback")
        card = quiz_reply(replies).quiz
        assert card is not None
        served.append(bank[card.stem]["id"])
        feedback = answer_card(assistant, "rev", replies, right=True)
    assert set(served) == set(wrong) and len(served) == 5
    assert served[1:] == [served[1], served[0], served[1], served[0]], "they alternate"
    assert "Bạn đã ôn xong tất cả" in feedback[0].text
    assert "Bạn đã ôn xong" in send(assistant, "rev", "/onlai")[0].text
    assert "Câu sai cần ôn lại" not in send(assistant, "rev", "/diem")[0].text


# -- robustness -----------------------------------------------------------------------------------
def test_bad_payloads_and_other_users_questions(assistant: Assistant) -> None:
    replies = send(assistant, "owner", "/quiz")
    card = quiz_reply(replies).quiz
    assert card is not None
    assert "của người khác" in send(assistant, "intruder", f"qa:{card.attempt_id}:0", kind="callback")[0].text
    out_of_range = send(assistant, "owner", f"qa:{card.attempt_id}:7", kind="callback")[0].text
    assert f"Câu này chỉ có {len(card.options)} phương án" in out_of_range
    assert "không hợp lệ" in send(assistant, "owner", "qa:abc", kind="callback")[0].text
    assert "Không tìm thấy câu hỏi" in send(assistant, "owner", "qa:99999999:0", kind="callback")[0].text
    assert "Chính xác" in answer_card(assistant, "owner", replies, right=True)[0].text  # still open
    for payload in ("qa:", "qa:1:x", "qa:" + "9" * 40 + ":1", "qn:", "qn:zz:1", "qn:p:-1", "qb:",
                    "qn:p:" + "1" * 60):
        for reply in send(assistant, "owner", payload, kind="callback"):
            assert reply.text or reply.quiz
    for command in ("/diem", "/bxh", "/onlai", "/huythi", "/diem x y z", "/thi ???", "/quiz \u0000"):
        for reply in send(assistant, "stranger", command):
            assert reply.text or reply.quiz
    for reply in replies:
        for button in reply.buttons:
            assert button.payload.isascii() and len(button.payload.encode()) <= 64


def test_menu_lists_quiz_commands_in_vietnamese(assistant: Assistant) -> None:
    menu = dict(assistant.dispatcher.menu())
    for name in ("quiz", "thi", "huythi", "diem", "bxh", "onlai"):
        assert name in menu and len(menu[name]) > 10
    assert "3 câu trong 20 phút" in menu["thi"]
    replies = assistant.dispatcher.dispatch(Incoming("console", "x", "x", "/luyentap"))
    assert replies[-1].quiz is not None

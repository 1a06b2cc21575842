"""The quiz over the real channels: Telegram (python-telegram-bot's HTTP stack, inline buttons) and Zalo
(our httpx client, typed letters and digits), each against its fake Bot API on 127.0.0.1.

The user's view is all the tests use: the text and buttons the fake server received. The right
letter is found by reading the shown options and looking the question up in the bank.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from bot.telegram_channel import build_application
from bot.zalo_channel import serve_polling
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo
from tests.telegram_app import running
from tests.test_quiz import EXAM_SIZE, bank_by_stem, fresh_data_dir, letter, quiz_kb_root, shown_question  # noqa: F401

pytestmark = pytest.mark.filterwarnings(  # raised inside PTB's own RetryAfter constructor
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

TG_TOKEN = "5512345678:AAHq-Fake_TokenForQuizTests_x9Zq"
USER = 4242


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def quiz_settings(data: Path, **over: Any) -> Settings:
    return Settings(data_dir=data, docs_dir=data / "documents", flood_per_minute=10_000,
                    exam_questions=EXAM_SIZE, exam_minutes=20, **over)


# -- Telegram -------------------------------------------------------------------------------------
@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    server = FakeTelegram(TG_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def tg_assistant(tmp_path: Path, quiz_kb_root: Path, fake_tg: FakeTelegram) -> Iterator[Assistant]:  # noqa: F811
    data = fresh_data_dir(quiz_kb_root, tmp_path / "data")
    assistant = build_assistant(quiz_settings(data, telegram_token=TG_TOKEN, telegram_api_base=fake_tg.base_url,
                                              telegram_file_base=fake_tg.file_base_url))
    yield assistant
    assistant.close()


async def tg_exchange(fake: FakeTelegram, update: dict, expect: int) -> list[Any]:
    """Push `update`; return the `expect` sendMessage calls it caused in the user's chat."""
    before = len(fake.sent("sendMessage", USER))
    fake.push_update(update)
    calls = await fake.wait("sendMessage", before + expect, USER)
    await asyncio.sleep(0.05)
    calls = fake.sent("sendMessage", USER)
    assert len(calls) == before + expect, [c.result["text"] for c in calls[before:]]
    return calls[before:]


def keyboard(call: Any) -> dict[str, str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_telegram_practice_and_exam_with_buttons(fake_tg: FakeTelegram, tg_assistant: Assistant) -> None:
    bank = bank_by_stem(tg_assistant)
    app = build_application(tg_assistant)
    async with running(app):
        menu = dict((c["command"], c["description"]) for c in fake_tg.sent("setMyCommands")[0].params["commands"])
        assert "thi" in menu and "onlai" in menu and "bxh" in menu

        _intro, card = await tg_exchange(fake_tg, fake_tg.message("/quiz 155", user_id=USER), 2)
        question, options = shown_question(card.result["text"], bank)
        assert question["doc_id"].startswith("000")
        buttons = keyboard(card)
        assert sorted(buttons) == sorted(options) and all(p.startswith("qa:") for p in buttons.values())
        press = fake_tg.callback(buttons[letter(question, options)], user_id=USER,
                                 message_id=card.result["message_id"])
        [feedback] = await tg_exchange(fake_tg, press, 1)
        assert "✅ Chính xác!" in feedback.result["text"] and "Nguồn:" in feedback.result["text"]
        assert press["callback_query"]["id"] in [c.params["callback_query_id"]
                                                 for c in fake_tg.sent("answerCallbackQuery")]
        # the same button again: already answered
        [again] = await tg_exchange(fake_tg, fake_tg.callback(buttons["A"], user_id=USER), 1)
        assert "Câu này bạn đã trả lời rồi" in again.result["text"]

        [card2] = await tg_exchange(fake_tg, fake_tg.callback(keyboard(feedback)["Câu tiếp theo"], user_id=USER), 1)
        question2, options2 = shown_question(card2.result["text"], bank)
        assert question2["doc_id"].startswith("000") and question2["id"] != question["id"]
        wrong = letter(question2, options2, right=False)
        [feedback] = await tg_exchange(fake_tg, fake_tg.callback(keyboard(card2)[wrong], user_id=USER), 1)
        assert "❌ Chưa đúng" in feedback.result["text"]

        # the exam: buttons for the answers, a typed prediction (first a wrong one)
        intro, card = await tg_exchange(fake_tg, fake_tg.message("/thi", user_id=USER), 2)
        assert f"gồm {EXAM_SIZE} câu" in intro.result["text"]
        expected = 0
        for n in range(1, EXAM_SIZE + 1):
            assert f"Câu {n}/{EXAM_SIZE} — còn 20 phút" in card.result["text"]
            q, o = shown_question(card.result["text"], bank)
            right = n != 2
            expected += right
            ack, card = await tg_exchange(fake_tg, fake_tg.callback(keyboard(card)[letter(q, o, right)],
                                                                    user_id=USER), 2)
            assert ack.result["text"].startswith(f"Đã ghi nhận câu {n}/{EXAM_SIZE}")
        assert "Dự đoán có bao nhiêu người" in card.result["text"]
        [refused] = await tg_exchange(fake_tg, fake_tg.message("-2", user_id=USER), 1)
        assert "không được âm" in refused.result["text"]
        [result] = await tg_exchange(fake_tg, fake_tg.message("0", user_id=USER, first_name="Lan"), 1)
        assert f"Kết quả bài thi: {expected}/{EXAM_SIZE} câu đúng" in result.result["text"]
        [board] = await tg_exchange(fake_tg, fake_tg.callback(keyboard(result)["Xem bảng xếp hạng"],
                                                              user_id=USER), 1)
        assert f"1. Lan — {expected}/{EXAM_SIZE} câu" in board.result["text"]
        [scores] = await tg_exchange(fake_tg, fake_tg.message("/diem", user_id=USER), 1)
        assert f"Đã trả lời {2 + EXAM_SIZE} câu, đúng {1 + expected}" in scores.result["text"]
    assert not [c for c in fake_tg.calls if c.status != 200 and c.method != "setMyCommands"]


# -- Zalo -----------------------------------------------------------------------------------------
@pytest.fixture
async def zalo(tmp_path: Path, quiz_kb_root: Path) -> AsyncIterator[tuple[FakeZalo, Assistant]]:  # noqa: F811
    fake = FakeZalo(idle_wait=0.1)
    await fake.start()
    data = fresh_data_dir(quiz_kb_root, tmp_path / "data")
    settings = quiz_settings(data, zalo_token=ZALO_TOKEN, zalo_api_base=fake.base_url, zalo_poll_timeout=5,
                             zalo_retry_delay=0.01)
    assistant = build_assistant(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings, stop, assistant=assistant))
    await fake.wait_for(lambda: fake.count("getUpdates") >= 1 or task.done())
    assert not task.done()
    yield fake, assistant
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
    assistant.close()
    await fake.stop()


async def zalo_say(fake: FakeZalo, chat: str, text: str, expect: int) -> list[str]:
    before = len(fake.texts_to(chat))
    fake.push_text(text, user_id=chat, name="Minh")
    await fake.wait_for(lambda: len(fake.texts_to(chat)) >= before + expect)
    await asyncio.sleep(0.05)
    texts = fake.texts_to(chat)
    assert len(texts) == before + expect, texts[before:]
    return texts[before:]


async def test_zalo_practice_and_exam_by_typing(zalo: tuple[FakeZalo, Assistant]) -> None:
    fake, assistant = zalo
    bank = bank_by_stem(assistant)
    _intro, card = await zalo_say(fake, "z1", "/luyentap mai chau", 2)
    question, options = shown_question(card, bank)
    assert question["doc_id"].startswith("004") and "Gõ A, B, C hoặc D để trả lời." in card
    [feedback] = await zalo_say(fake, "z1", f"Đáp án {letter(question, options)}", 1)
    assert "✅ Chính xác!" in feedback and "Gõ 1 để xem câu tiếp theo" in feedback
    [card2] = await zalo_say(fake, "z1", "1", 1)  # the typed digit presses "Câu tiếp theo"
    question2, options2 = shown_question(card2, bank)
    assert question2["doc_id"].startswith("004") and question2["id"] != question["id"]
    # a question in between is answered as usual, then a short reminder
    answer, reminder = await zalo_say(fake, "z1", "so hotline ho tro dich vu cong la gi", 2)
    assert re.search(r"1800\W?1096", answer) and "vẫn đang chờ" in reminder
    wrong = letter(question2, options2, right=False)
    [feedback] = await zalo_say(fake, "z1", f"chọn {wrong.lower()}", 1)
    assert "❌ Chưa đúng" in feedback

    intro, card = await zalo_say(fake, "z1", "/thi", 2)
    assert f"gồm {EXAM_SIZE} câu" in intro
    typed = []
    missed = {question2["id"]}
    for n in range(1, EXAM_SIZE + 1):
        assert f"Câu {n}/{EXAM_SIZE}" in card
        q, o = shown_question(card, bank)
        if n == 3:
            missed.add(q["id"])
        typed.append(letter(q, o, right=n != 3))
        ack, card = await zalo_say(fake, "z1", typed[-1], 2)
        assert ack.startswith(f"Đã ghi nhận câu {n}/{EXAM_SIZE}: {typed[-1]}")
    assert "Dự đoán có bao nhiêu người" in card
    [refused] = await zalo_say(fake, "z1", "hai mươi", 1)
    assert "không phải là một con số" in refused
    [result] = await zalo_say(fake, "z1", "1", 1)  # a digit with no numbered choice: the prediction
    assert f"Kết quả bài thi: {EXAM_SIZE - 1}/{EXAM_SIZE} câu đúng" in result
    assert "Dự đoán của bạn: 1 người" in result and "Gõ 1 để xem bảng xếp hạng" in result
    [board] = await zalo_say(fake, "z1", "1", 1)
    assert f"1. Minh — {EXAM_SIZE - 1}/{EXAM_SIZE} câu" in board and "Hạng của bạn: 1/1" in board
    [review] = await zalo_say(fake, "z1", "/onlai", 1)
    assert f"Ôn lại câu sai — còn {len(missed)} câu" in review
    assert shown_question(review, bank)[0]["id"] in missed
    assert all(len(t) <= 2000 for t in fake.texts_to("z1"))

"""Procedure cards in a conversation: choices between procedures of one name, follow-ups about the
last card and their expiry (kept in the state DB), and the card on the terminal, Telegram, Zalo and
the web, split to each channel's limit without cutting an item."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from bot.telegram_render import render_reply
from handlers.core import register_core
from handlers.dispatch import Dispatcher
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Incoming, Reply
from handlers.procedure_card import card_text
from handlers.procedure_chat import FOLLOW_UP_SECONDS, register_procedures
from handlers.render_text import render_plain, split_text
from handlers.state_db import StateDB
from retrieval.engine import AskEngine
from tests.fake_telegram import FakeTelegram, html_visible_text
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo
from tests.telegram_app import running
from tests.test_procedure_data import LAND, build_procedure_kb

TG_TOKEN = "5512345678:AAHq-Fake_TokenForTthcTests_x9Zq"
USER = 5151


@pytest.fixture(scope="module")
def kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_TTHC_LEVELS", "none")
        return build_procedure_kb(tmp_path_factory.mktemp("tthc-chat") / "data")


@pytest.fixture
def data(kb_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CCHC_TTHC_LEVELS", "none")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    target = tmp_path / "data"
    shutil.copytree(kb_template, target)
    return target


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def chat_over(data: Path, clock: Clock) -> tuple[Dispatcher, StateDB]:
    holder = KnowledgeHolder(AskEngine.open(data / "knowledge.db"))
    state = StateDB(data / "state.db")
    dispatcher = Dispatcher()
    service = register_core(dispatcher, holder, state)
    register_procedures(dispatcher, holder, state, service.ask, clock=clock)
    return dispatcher, state


def say(dispatcher: Dispatcher, text: str, kind: str = "text", chat: str = "c1") -> list[Reply]:
    return dispatcher.dispatch(Incoming("test", "u1", chat, text, kind=kind))  # type: ignore[arg-type]


def body(reply: Reply) -> str:
    """The card after its one-line note on which procedure of a shared name is shown."""
    text = reply.text
    return text.split("\n\n", 1)[1] if text.startswith("Đang hiển thị") else text


def test_card_choices_follow_ups_and_expiry(data: Path) -> None:
    clock = Clock()
    dispatcher, state = chat_over(data, clock)
    [card] = say(dispatcher, "lam giay khai sinh cho con can giay to gi")  # no diacritics
    assert card.text.startswith("Đang hiển thị thủ tục thực hiện ở Cấp xã. Có 1 thủ tục cùng tên khác")
    assert "Hồ sơ cần nộp:\n1. Tờ khai đăng ký khai sinh theo mẫu (Bản chính: 1) — mẫu: TK-KS-01.docx" in card.text
    assert "Thủ tục: Đăng ký khai sinh\nMã: 1.900001 · Cấp thực hiện: Cấp xã" in card.text
    assert card.buttons[0].label == "Cấp tỉnh: Đăng ký khai sinh có yếu tố nước ngoài"
    # one tap shows the other procedure of the name, and it becomes the chat's context
    [other] = say(dispatcher, card.buttons[0].payload, kind="callback")
    assert "Mã: 1.900002" in other.text and "75.000 đồng" in other.text
    [fee] = say(dispatcher, "còn lệ phí thì sao?")
    assert body(fee).startswith("Phí, lệ phí:\nTrực tiếp: 75.000 đồng") and "Mã: 1.900002" in fee.text
    [online] = say(dispatcher, "nộp online được không?")
    assert body(online).startswith("Cách thức nộp:\nTrực tiếp; Trực tuyến") and "Mã: 1.900002" in online.text
    assert state.query("SELECT code FROM procedure_context WHERE chat = 'test:c1'") == [{"code": "1.900002"}]
    # a question naming something else is a new question, not a follow-up
    [passport] = say(dispatcher, "lệ phí cấp hộ chiếu phổ thông bao nhiêu")
    assert "Mã: 1.900003" in passport.text and "Cơ sở dữ liệu không ghi phí, lệ phí" in passport.text
    # another chat has no context
    [elsewhere] = say(dispatcher, "còn lệ phí thì sao?", chat="c2")
    assert "Mã:" not in elsewhere.text
    # after a few minutes the context is gone
    clock.now += FOLLOW_UP_SECONDS + 1
    [late] = say(dispatcher, "còn lệ phí thì sao?")
    assert "Mã: 1.900003" not in late.text
    # a plan question right after a card goes to the plan, even one asking a card's field
    say(dispatcher, "đăng ký khai sinh cần giấy tờ gì")
    [deadline] = say(dispatcher, "thời hạn của kế hoạch tuyên truyền là khi nào?")
    assert "Mã:" not in deadline.text
    say(dispatcher, "đăng ký khai sinh cần giấy tờ gì")
    [plan] = say(dispatcher, "Kế hoạch tuyên truyền cải cách hành chính của xã Hòa Mỹ Thử có mục tiêu gì?")
    assert "95%" in plan.text and "Mã:" not in plan.text
    logged = state.query("SELECT top_doc FROM questions_log WHERE top_doc LIKE '1.9%' ORDER BY id")
    assert [r["top_doc"] for r in logged][:2] == ["1.900001", "1.900003"]
    assert say(dispatcher, "tthc:9.999999:", kind="callback")[0].text.startswith("Thủ tục này không còn")


def test_long_cards_split_between_items_on_every_channel() -> None:
    card = card_text(LAND)
    items = [line for line in card.splitlines() if re.match(r"\d+\. Giấy tờ thử", line)]
    assert len(items) == 25 and len(card) > 4096
    pieces = split_text(render_plain(Reply(card)), 2000)  # Zalo and the terminal
    assert len(pieces) > 2 and all(len(p) <= 2000 for p in pieces)
    telegram = [html_visible_text(m.html) for m in render_reply(Reply(card))]
    assert len(telegram) > 1 and all(len(m) <= 4096 for m in telegram)
    for messages in (pieces, telegram):
        for item in items:  # every item whole in exactly one message
            assert sum(item in m for m in messages) == 1, item


def settings_for(data: Path, **over: object) -> Settings:
    return Settings(data_dir=data, docs_dir=data / "documents", flood_per_minute=10_000, **over)  # type: ignore[arg-type]


@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    server = FakeTelegram(TG_TOKEN).start()
    yield server
    server.stop()


async def test_telegram_card_with_buttons(data: Path, fake_tg: FakeTelegram) -> None:
    from bot.telegram_channel import build_application

    assistant = build_assistant(settings_for(data, telegram_token=TG_TOKEN, telegram_api_base=fake_tg.base_url,
                                             telegram_file_base=fake_tg.file_base_url))
    try:
        async with running(build_application(assistant)):
            fake_tg.push_update(fake_tg.message("Làm sổ đỏ lần đầu cần giấy tờ gì?", user_id=USER))
            await fake_tg.wait("sendMessage", 2, USER)
            await asyncio.sleep(0.1)
            sent = fake_tg.sent("sendMessage", USER)
            texts = [html_visible_text(c.params["text"]) for c in sent]
            assert all(len(t) <= 4096 for t in texts) and len(texts) >= 2
            assert texts[0].startswith("Hồ sơ cần nộp:\n1. Giấy tờ thử số 1")
            assert "Mã: 1.900004" in "".join(texts)
            count = len(sent)
            fake_tg.push_update(fake_tg.message("còn lệ phí thì sao?", user_id=USER))
            await fake_tg.wait("sendMessage", count + 1, USER)
            follow = html_visible_text(fake_tg.sent("sendMessage", USER)[count].params["text"])
            assert follow.startswith("Phí, lệ phí:\nTrực tiếp: Lệ phí: 100.000 đồng")
            # a name shared by two procedures: an inline button shows the other one
            await asyncio.sleep(0.3)  # the fee card's second message
            count = len(fake_tg.sent("sendMessage", USER))
            fake_tg.push_update(fake_tg.message("đăng ký khai sinh nộp ở đâu", user_id=USER))
            await fake_tg.wait("sendMessage", count + 1, USER)
            await asyncio.sleep(0.3)
            card = fake_tg.sent("sendMessage", USER)[-1]
            rows = (card.params.get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = {b["text"]: b["callback_data"] for row in rows for b in row}
            assert "Mã: 1.900001" in html_visible_text(card.params["text"])
            payload = buttons["Cấp tỉnh: Đăng ký khai sinh có yếu tố nước ngoài"]
            count = len(fake_tg.sent("sendMessage", USER))
            fake_tg.push_update(fake_tg.callback(payload, user_id=USER))
            await fake_tg.wait("sendMessage", count + 1, USER)
            other = "".join(html_visible_text(c.params["text"]) for c in fake_tg.sent("sendMessage", USER)[count:])
            assert "Mã: 1.900002" in other and "Sở Tư pháp tỉnh Thử" in other
    finally:
        assistant.close()


async def test_zalo_card_and_a_typed_choice(data: Path) -> None:
    from bot.zalo_channel import serve_polling

    fake = FakeZalo(idle_wait=0.1)
    await fake.start()
    settings = settings_for(data, zalo_token=ZALO_TOKEN, zalo_api_base=fake.base_url, zalo_poll_timeout=5,
                            zalo_retry_delay=0.01)
    assistant = build_assistant(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings, stop, assistant=assistant))
    try:
        await fake.wait_for(lambda: fake.count("getUpdates") >= 1)
        fake.push_text("dang ky khai sinh o dau", user_id="z1", name="Minh")
        await fake.wait_for(lambda: len(fake.texts_to("z1")) >= 1)
        await asyncio.sleep(0.2)
        card = "\n".join(fake.texts_to("z1"))
        assert card.startswith("Đang hiển thị thủ tục thực hiện ở Cấp xã")
        assert "Gõ 1 để xem cấp tỉnh: Đăng ký khai sinh có yếu tố nước ngoài" in card
        assert "Gõ 2" not in card  # a far weaker candidate is no choice
        assert "Nơi nộp / cơ quan thực hiện:\nỦy ban nhân dân xã Hòa Mỹ Thử" in card
        before = len(fake.texts_to("z1"))
        fake.push_text("1", user_id="z1", name="Minh")
        await fake.wait_for(lambda: len(fake.texts_to("z1")) > before)
        await asyncio.sleep(0.2)
        chosen = "\n".join(fake.texts_to("z1")[before:])
        assert "Mã: 1.900002" in chosen and all(len(t) <= 2000 for t in fake.texts_to("z1"))
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        assistant.close()
        await fake.stop()


def test_terminal_and_web_api(data: Path) -> None:
    import io

    from bot.console_channel import run_console
    from tests.web_support import ServerThread, web_settings

    out = io.StringIO()
    run_console(settings_for(data), stdin=io.StringIO("làm hộ chiếu mất bao lâu\ncòn lệ phí thì sao?\n/thoat\n"),
                stdout=out)
    text = out.getvalue()
    assert "Thời hạn giải quyết:\nTrực tiếp: 8 Ngày làm việc" in text
    assert "Phí, lệ phí: Cơ sở dữ liệu không ghi phí, lệ phí của thủ tục này." in text
    assistant: Assistant = build_assistant(web_settings(data))
    server = ServerThread(web_settings(data), assistant).start()
    try:
        with httpx.Client(base_url=server.url, trust_env=False) as http:
            body = http.post("/api/ask", json={"question": "lam ho chieu mat bao lau", "k": 2}).json()
            assert body["found"] and body["citations"][0]["procedure_code"] == "1.900003"
            assert body["citations"][0]["field"] == "thoi_han_giai_quyet"
            assert body["citations"][0]["part"] == "procedure"
            http.get("/")  # the chat page sets the visitor's cookie
            chat = http.post("/api/chat", json={"text": "lam ho chieu mat bao lau"}, headers={"Origin": server.url})
            assert chat.status_code == 200 and "Mã: 1.900003" in chat.text
    finally:
        server.close()
        assistant.close()

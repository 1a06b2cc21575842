"""Admin commands through the real channels: python-telegram-bot's own HTTP stack against the fake
Bot API (tests/fake_telegram.py) and our httpx Zalo client against the fake Zalo API
(tests/fake_zalo.py), both on 127.0.0.1.

Checked end to end: non-admins are refused on both platforms, logged, and nothing changes; an
admin's document is downloaded, added and answered from on Telegram; Zalo admins are pointed to
the command line; and while an admin's change is in progress, other users are still answered (the
change is held open by the test until another user's answer has arrived, so no timing is assumed).
"""

# Fixtures are imported from tests/test_zalo_support.py, so parameters "redefine" them:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.telegram_channel import build_application
from bot.zalo_channel import serve_polling
from handlers.admin import FILE_NOT_ADMIN_TEXT, AdminService
from handlers.dispatch import NOT_ADMIN_TEXT
from tests.admin_support import (
    ADMIN_TG,
    ADMIN_ZALO,
    ADMINS,
    USER_TG,
    USER_ZALO,
    file_identity,
    folder_snapshot,
    fresh_data,
    make_settings,
)
from tests.docs_factory import NEW_PLAN_FACT, NEW_PLAN_QUESTION, make_docx, make_docx_with_broken_xml
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.telegram_app import running
from tests.test_zalo_support import _zalo_env_and_log_check  # noqa: F401 - autouse: no secret in logs
from tests.test_zalo_support import make_settings as zalo_settings

TG_TOKEN = "7712345678:AAF-AdminChannel_TokenForTests_q1"
ADMIN_COMMANDS = ["/reload", "/xoa 004_1ddf88fba73ab6aa", "/thongke", "/themtailieu"]
HOTLINE_QUESTION = "Số hotline hỗ trợ dịch vụ công là gì?"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="session")
def kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "admin-kb"


def admin_service(assistant: Assistant) -> AdminService:
    service = assistant.admin
    assert isinstance(service, AdminService)
    return service


def hold_changes(assistant: Assistant) -> tuple[threading.Event, threading.Event]:
    """Make the next knowledge-base change wait inside its rebuild until the test releases it."""
    kb = admin_service(assistant).kb
    real = kb._rebuild
    entered, release = threading.Event(), threading.Event()

    def held(progress: Callable | None = None, **kw: object):  # noqa: ANN202 - same signature as the original
        entered.set()
        assert release.wait(60), "the test never released the change"
        return real(progress, **kw)

    kb._rebuild = held  # type: ignore[method-assign]
    return entered, release


def audit(assistant: Assistant) -> list[tuple]:
    return [(r["platform"], r["user_id"], r["action"], r["allowed"])
            for r in assistant.state.query("SELECT * FROM audit_log ORDER BY id")]


# -- Telegram ------------------------------------------------------------------------------------

@pytest.fixture
def tg_fake() -> FakeTelegram:
    server = FakeTelegram(TG_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def tg_assistant(kb_root: Path, tmp_path: Path, tg_fake: FakeTelegram) -> Assistant:
    data = fresh_data(kb_root, tmp_path / "data")
    settings = make_settings(data, telegram_token=TG_TOKEN, telegram_api_base=tg_fake.base_url,
                             telegram_file_base=tg_fake.file_base_url)
    assistant = build_assistant(settings)
    yield assistant
    assistant.close()


async def tg_exchange(fake: FakeTelegram, update: dict, chat_id: int, expect: int = 1) -> list[str]:
    before = len(fake.sent("sendMessage", chat_id))
    fake.push_update(update)
    calls = await fake.wait("sendMessage", before + expect, chat_id, timeout=60)
    return [c.result["text"] for c in calls[before:]]


def tg_document(fake: FakeTelegram, file_id: str, name: str, data: bytes, size: int | None = None) -> dict:
    fake.add_file(file_id, data, f"documents/{file_id}.docx")
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name, "mime_type": DOCX_MIME,
            "file_size": len(data) if size is None else size}


def assert_no_tg_token(caplog: pytest.LogCaptureFixture) -> None:
    secret = TG_TOKEN.split(":", 1)[1]
    assert all(secret not in r.getMessage() for r in caplog.records)


async def test_telegram_non_admin_is_refused_logged_and_nothing_changes(
        tg_fake: FakeTelegram, tg_assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    data = tg_assistant.settings.data_dir
    folder, kb = folder_snapshot(data / "documents"), file_identity(data / "knowledge.db")
    generation = tg_assistant.holder.generation
    user = int(USER_TG)
    async with running(build_application(tg_assistant)):
        for command in ADMIN_COMMANDS:
            assert await tg_exchange(tg_fake, tg_fake.message(command, user_id=user), user) == [NOT_ADMIN_TEXT]
        document = tg_document(tg_fake, "d1", "ke_hoach.docx", make_docx())
        [polite] = await tg_exchange(tg_fake, tg_fake.message(user_id=user, document=document), user)
        assert polite == FILE_NOT_ADMIN_TEXT
        [listing] = await tg_exchange(tg_fake, tg_fake.message("/tailieu", user_id=user), user)
        assert "Cơ sở tri thức có 5 tài liệu" in listing
    assert not tg_fake.sent("getFile")  # a citizen's file is never even downloaded
    menu = {c["command"] for c in tg_fake.commands[json.dumps({"type": "default"}, sort_keys=True)]}
    assert "tailieu" in menu and not menu & {"reload", "xoa", "thongke", "themtailieu"}
    assert audit(tg_assistant) == [("telegram", USER_TG, a, 0)
                                   for a in ("reload", "xoa", "thongke", "themtailieu", "upload")]
    assert tg_assistant.holder.generation == generation
    assert folder_snapshot(data / "documents") == folder and file_identity(data / "knowledge.db") == kb
    assert_no_tg_token(caplog)


async def test_telegram_admin_adds_a_document_while_others_are_answered(
        tg_fake: FakeTelegram, tg_assistant: Assistant) -> None:
    admin, user = int(ADMIN_TG), int(USER_TG)
    entered, release = hold_changes(tg_assistant)
    async with running(build_application(tg_assistant)):
        [before] = await tg_exchange(tg_fake, tg_fake.message(NEW_PLAN_QUESTION, user_id=user), user)
        assert NEW_PLAN_FACT not in before

        document = tg_document(tg_fake, "d2", "ke_hoach_an_lac.docx", make_docx())
        tg_fake.push_update(tg_fake.message(user_id=admin, document=document))
        assert await asyncio.to_thread(entered.wait, 60)
        # the admin's change is in progress: another user is still answered
        [hotline] = await tg_exchange(tg_fake, tg_fake.message(HOTLINE_QUESTION, user_id=user), user)
        assert "1800" in hotline
        assert not tg_fake.sent("sendMessage", admin)
        release.set()
        added_text = (await tg_fake.wait("sendMessage", 1, admin, timeout=60))[0].result["text"]
        assert added_text.startswith("Đã thêm tài liệu ke_hoach_an_lac:"), added_text
        assert "số 77/KH-UBND, ngày 15/03/2024" in added_text

        [after] = await tg_exchange(tg_fake, tg_fake.message(NEW_PLAN_QUESTION, user_id=user), user)
        assert NEW_PLAN_FACT in after and "77/KH-UBND" in after

        broken = tg_document(tg_fake, "d3", "hong.docx", make_docx_with_broken_xml())
        [refused] = await tg_exchange(tg_fake, tg_fake.message(user_id=admin, document=broken), admin)
        assert "Không đọc được tệp Word hong.docx" in refused and "vẫn đang phục vụ" in refused

        huge = tg_document(tg_fake, "d4", "rat_lon.docx", b"PK", size=50 * 1024 * 1024)
        [too_big] = await tg_exchange(tg_fake, tg_fake.message(user_id=admin, document=huge), admin)
        assert "50.0 MB" in too_big and "20 MB" in too_big
    assert [c.params["file_id"] for c in tg_fake.sent("getFile")] == ["d2", "d3"]  # d4 was never fetched
    assert [a[2:] for a in audit(tg_assistant)] == [("upload", 1), ("upload", 1)]


async def test_telegram_file_download_never_logs_the_token(
        tg_fake: FakeTelegram, tg_assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    admin = int(ADMIN_TG)
    caplog.set_level(logging.INFO, logger="httpx")
    async with running(build_application(tg_assistant)):
        broken = tg_document(tg_fake, "d5", "hong.docx", make_docx_with_broken_xml())
        [refused] = await tg_exchange(tg_fake, tg_fake.message(user_id=admin, document=broken), admin)
        assert "Không đọc được tệp Word" in refused
    assert any("/file/bot" in r.getMessage() for r in caplog.records if r.name == "httpx")
    assert_no_tg_token(caplog)


# -- Zalo ------------------------------------------------------------------------------------------

@pytest.fixture
async def zalo(kb_root: Path, tmp_path: Path) -> AsyncIterator[tuple[FakeZalo, Assistant]]:
    """`serve_polling` (what `cchc run zalo` runs) against the fake, with known admins."""
    fake = FakeZalo(idle_wait=0.1)
    await fake.start()
    data = fresh_data(kb_root, tmp_path / "data")
    settings = zalo_settings(data, fake.base_url, admins=ADMINS)
    assistant = build_assistant(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings, stop, assistant=assistant))
    try:
        await fake.wait_for(lambda: fake.count("getUpdates") >= 1 or task.done())
        assert not task.done(), "serve_polling stopped at start-up"
        yield fake, assistant
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        assistant.close()
        await fake.stop()


async def zalo_exchange(fake: FakeZalo, text: str, user: str, **kw: object) -> str:
    before = len(fake.texts_to(user))
    fake.push(fake.message(text, user_id=user, **kw))
    await fake.wait_for(lambda: len(fake.texts_to(user)) > before, 60)
    await asyncio.sleep(0.05)  # a burst of pieces is sent together: collect them all
    return "\n".join(fake.texts_to(user)[before:])


async def test_zalo_non_admin_is_refused_logged_and_nothing_changes(
        zalo: tuple[FakeZalo, Assistant]) -> None:
    fake, assistant = zalo
    data = assistant.settings.data_dir
    folder, kb = folder_snapshot(data / "documents"), file_identity(data / "knowledge.db")
    generation = assistant.holder.generation
    strangers = [USER_ZALO, ADMIN_TG]  # a Telegram admin's id is nobody on Zalo
    for user in strangers:
        for command in ADMIN_COMMANDS:
            assert await zalo_exchange(fake, command, user) == NOT_ADMIN_TEXT, (user, command)
    listing = await zalo_exchange(fake, "/tailieu", USER_ZALO)
    assert "Cơ sở tri thức có 5 tài liệu" in listing and "/xoa" not in listing
    # Zalo delivers documents as "unsupported" messages: a polite reply, nothing else
    polite = await zalo_exchange(fake, "", USER_ZALO, event="message.unsupported.received")
    assert "chưa đọc được" in polite
    assert audit(assistant) == [("zalo", u, a, 0) for u in strangers
                                for a in ("reload", "xoa", "thongke", "themtailieu")]
    assert assistant.holder.generation == generation
    assert folder_snapshot(data / "documents") == folder and file_identity(data / "knowledge.db") == kb


async def test_zalo_admin_reloads_while_others_are_answered(zalo: tuple[FakeZalo, Assistant]) -> None:
    fake, assistant = zalo
    data = assistant.settings.data_dir
    how = await zalo_exchange(fake, "/themtailieu", ADMIN_ZALO)
    assert "Bot trên Zalo không nhận được tệp" in how and "cchc kb add TỆP" in how
    assert NEW_PLAN_FACT not in await zalo_exchange(fake, NEW_PLAN_QUESTION, USER_ZALO)

    (data / "documents" / "ke_hoach_an_lac.docx").write_bytes(make_docx())  # as an operator copies it
    entered, release = hold_changes(assistant)
    fake.push_text("/reload", user_id=ADMIN_ZALO)
    assert await asyncio.to_thread(entered.wait, 60)
    assert "1800" in await zalo_exchange(fake, HOTLINE_QUESTION, USER_ZALO)  # answered during the rebuild
    release.set()
    await fake.wait_for(lambda: len(fake.texts_to(ADMIN_ZALO)) >= 2, 60)
    report = fake.texts_to(ADMIN_ZALO)[1]
    assert report.startswith("Đã dựng lại cơ sở tri thức") and "Thêm: ke_hoach_an_lac;" in report

    answer = await zalo_exchange(fake, NEW_PLAN_QUESTION, USER_ZALO)
    assert NEW_PLAN_FACT in answer and "77/KH-UBND" in answer
    stats = await zalo_exchange(fake, "/thongke", ADMIN_ZALO)
    assert "Thống kê 7 ngày gần nhất" in stats and "3 câu — 2 trả lời được, 1 từ chối" in stats
    assert all(1 <= len(t) <= 2000 for t in fake.texts_to(ADMIN_ZALO))
    assert [a[2:] for a in audit(assistant)] == [("themtailieu", 1), ("reload", 1), ("thongke", 1)]

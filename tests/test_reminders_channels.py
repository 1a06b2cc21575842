"""Reminders end to end through the fake Telegram and Zalo servers, with an injected clock.

A made-up plan (tests/test_duties_support.py) gives "Phòng Văn hóa - Xã hội" a report due on
15/10/2025. A chat subscribes with `/nhacviec phong vhxh`; the clock moves to the 7-day and the
1-day moments; the bot is restarted in between (a new assistant over the same data directory):
each reminder arrives once, none is skipped, a missed one arrives late and says so; a rebuild
without the plan ends its reminders; a chat that blocked the bot is unsubscribed.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from bot.telegram_channel import build_application
from bot.zalo_channel import serve_polling
from handlers.duties_book import VIETNAM
from retrieval.indexer import rebuild
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.telegram_app import running
from tests.test_duties_support import HOA_BINH_DUE, HOA_BINH_PLAN, HOA_BINH_UNIT
from tests.test_zalo_support import make_settings

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

TOKEN = "5512345678:AAHq-Fake_TokenForTests_x9ZqW3e"
USER = 4242
CHECK_SECONDS = 0.1   # the scheduler's period in these tests (production: CCHC_REMIND_CHECK_SECONDS=300)
QUIET_SECONDS = 1.0   # how long "no further reminder" is watched: 10 scheduler rounds
PLAN_FILE = "hoa_binh_kiem_tra_cchc.txt"
SEVEN = f"còn 7 ngày đến hạn {HOA_BINH_DUE}"
ONE = f"còn 1 ngày đến hạn {HOA_BINH_DUE}"
CITED = "Nguồn: Kế hoạch số 45/KH-UBND"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def plan_template(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed knowledge base plus the made-up plan, built once by the real build."""
    root = tmp_path_factory.mktemp("duties-kb")
    shutil.copytree(seed_data_dir, root, dirs_exist_ok=True)
    (root / "documents" / PLAN_FILE).write_text(HOA_BINH_PLAN, encoding="utf-8")
    rebuild(root / "documents", root / "knowledge.db")
    return root


@pytest.fixture
def data_dir(plan_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(plan_template, target)
    (target / "state.db").unlink(missing_ok=True)
    return target


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=VIETNAM)


def start(settings: Settings, clock: Clock) -> Assistant:
    """A bot start: a new assistant over the data directory, its reminders on the test's clock."""
    assistant = build_assistant(settings)
    assert assistant.duties is not None
    assistant.duties.reminders.clock = clock
    return assistant


def remove_plan(data: Path) -> None:
    """What `/xoa` or `cchc kb remove` does: the file goes, the knowledge base is rebuilt and swapped."""
    (data / "documents" / PLAN_FILE).unlink()
    rebuild(data / "documents", data / "knowledge.db")


async def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


# -- Telegram ------------------------------------------------------------------------------------
@pytest.fixture
def fake_tg() -> FakeTelegram:
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


def tg_settings(data: Path, fake: FakeTelegram) -> Settings:
    return Settings(data_dir=data, docs_dir=data / "documents", telegram_token=TOKEN,
                    telegram_api_base=fake.base_url, telegram_file_base=fake.file_base_url,
                    flood_per_minute=1000, remind_check_seconds=CHECK_SECONDS)


def reminders_in(texts: list[str], marker: str) -> list[str]:
    return [t for t in texts if t.startswith("⏰ Nhắc việc") and marker in t]


async def test_telegram_reminders_survive_restarts_and_end_with_the_plan(fake_tg: FakeTelegram,
                                                                         data_dir: Path) -> None:
    settings = tg_settings(data_dir, fake_tg)
    clock = Clock(at(10, 7, 10))
    assistant = start(settings, clock)
    async with running(build_application(assistant)):
        fake_tg.push_update(fake_tg.message(f"/nhacviec {HOA_BINH_UNIT}", user_id=USER))
        await eventually(lambda: any("Đã đăng ký nhắc việc của Phòng Văn hóa - Xã hội" in t
                                     for t in fake_tg.texts(USER)))
        assert f"{HOA_BINH_DUE} — Phòng Văn hóa - Xã hội chủ trì" in fake_tg.texts(USER)[-1] or \
            HOA_BINH_DUE in fake_tg.texts(USER)[-1]
        await asyncio.sleep(QUIET_SECONDS)
        assert reminders_in(fake_tg.texts(USER), HOA_BINH_DUE) == []       # 08/10 not reached yet
        clock.now = at(10, 8, 8)
        await eventually(lambda: len(reminders_in(fake_tg.texts(USER), SEVEN)) == 1)
        [seven] = reminders_in(fake_tg.texts(USER), SEVEN)
        assert CITED in seven and "mục" in seven and "nhắc muộn" not in seven
    assistant.close()

    clock.now = at(10, 8, 9)                                                # restart the same day
    assistant = start(settings, clock)
    async with running(build_application(assistant)):
        await asyncio.sleep(QUIET_SECONDS)
        assert len(reminders_in(fake_tg.texts(USER), SEVEN)) == 1          # no duplicate
        clock.now = at(10, 14, 8)
        await eventually(lambda: len(reminders_in(fake_tg.texts(USER), ONE)) == 1)
    assistant.close()

    clock.now = at(10, 14, 9)
    assistant = start(settings, clock)
    async with running(build_application(assistant)):
        await asyncio.sleep(QUIET_SECONDS)
        assert len(reminders_in(fake_tg.texts(USER), ONE)) == 1
        await asyncio.to_thread(remove_plan, data_dir)                      # a reload without the plan
        clock.now = at(10, 15, 8)
        await asyncio.sleep(QUIET_SECONDS)
        assert reminders_in(fake_tg.texts(USER), "HÔM NAY") == []          # its reminders ended
    assistant.close()
    assert all(len(t) <= 4096 for t in fake_tg.texts(USER))


async def test_telegram_chat_that_blocked_the_bot_is_unsubscribed(fake_tg: FakeTelegram,
                                                                  data_dir: Path) -> None:
    settings = tg_settings(data_dir, fake_tg)
    clock = Clock(at(10, 7, 10))
    assistant = start(settings, clock)
    async with running(build_application(assistant)):
        fake_tg.push_update(fake_tg.message(f"/nhacviec {HOA_BINH_UNIT}", user_id=USER))
        await eventually(lambda: any("Đã đăng ký" in t for t in fake_tg.texts(USER)))
        fake_tg.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
        clock.now = at(10, 8, 8)
        reminders = assistant.duties.reminders
        await eventually(lambda: reminders.subscriptions("telegram") == [])
        audit = assistant.state.query("SELECT action FROM audit_log WHERE action = 'reminders_unsubscribed_blocked'")
        assert len(audit) == 1
        await asyncio.sleep(QUIET_SECONDS)
        assert reminders_in(fake_tg.texts(USER), SEVEN) == []
    assistant.close()


# -- Zalo ------------------------------------------------------------------------------------------
@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    server = FakeZalo(idle_wait=0.1)
    await server.start()
    yield server
    await server.stop()


class ZaloRun:
    """`serve_polling` (what `cchc run zalo` runs) over a given assistant, stopped on exit."""

    def __init__(self, settings: Settings, assistant: Assistant, fake: FakeZalo) -> None:
        self.settings, self.assistant, self.fake = settings, assistant, fake

    async def __aenter__(self) -> ZaloRun:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(serve_polling(self.settings, self.stop, assistant=self.assistant))
        await self.fake.wait_for(lambda: self.fake.count("getUpdates") >= 1 or self.task.done())
        assert not self.task.done(), "serve_polling stopped at start-up"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.stop.set()
        assert await asyncio.wait_for(self.task, 15) == 0
        self.assistant.close()


async def test_zalo_reminders_restart_late_and_reload(fake_zalo: FakeZalo, data_dir: Path) -> None:
    settings = make_settings(data_dir, fake_zalo.base_url, remind_check_seconds=CHECK_SECONDS)
    chat = "zchat1"
    clock = Clock(at(10, 7, 10))
    async with ZaloRun(settings, start(settings, clock), fake_zalo):
        fake_zalo.push_text(f"/nhacviec {HOA_BINH_UNIT}", user_id=chat)
        await fake_zalo.wait_for(lambda: any("Đã đăng ký" in t for t in fake_zalo.texts_to(chat)))
        clock.now = at(10, 8, 8)
        await fake_zalo.wait_for(lambda: len(reminders_in(fake_zalo.texts_to(chat), SEVEN)) == 1)

    clock.now = at(10, 15, 7)             # down over the 1-day moment (14/10 08:00), back on the day
    late_marker = "nhắc muộn (lẽ ra gửi ngày 14/10/2025"
    async with ZaloRun(settings, start(settings, clock), fake_zalo):
        await fake_zalo.wait_for(lambda: len(reminders_in(fake_zalo.texts_to(chat), late_marker)) == 1)
        [late] = reminders_in(fake_zalo.texts_to(chat), late_marker)
        assert late.startswith(f"⏰ Nhắc việc: HÔM NAY là hạn ({HOA_BINH_DUE}) — nhắc muộn") and CITED in late
        await asyncio.sleep(QUIET_SECONDS)
        assert len(reminders_in(fake_zalo.texts_to(chat), SEVEN)) == 1     # nothing repeated
        assert len(reminders_in(fake_zalo.texts_to(chat), HOA_BINH_DUE)) == 2

    clock.now = at(10, 15, 7, 30)         # restart again before the on-day moment: nothing new
    async with ZaloRun(settings, start(settings, clock), fake_zalo):
        await asyncio.sleep(QUIET_SECONDS)
        assert len(reminders_in(fake_zalo.texts_to(chat), HOA_BINH_DUE)) == 2
        clock.now = at(10, 15, 8)         # the on-day moment itself: told once more, on time
        await fake_zalo.wait_for(lambda: len(reminders_in(fake_zalo.texts_to(chat), HOA_BINH_DUE)) == 3)
        assert "nhắc muộn" not in fake_zalo.texts_to(chat)[-1]
    assert all(len(t) <= 2000 for t in fake_zalo.texts_to(chat))


async def test_zalo_reload_removing_the_plan_ends_reminders(fake_zalo: FakeZalo, data_dir: Path) -> None:
    settings = make_settings(data_dir, fake_zalo.base_url, remind_check_seconds=CHECK_SECONDS)
    chat = "zchat2"
    clock = Clock(at(10, 7, 10))
    async with ZaloRun(settings, start(settings, clock), fake_zalo):
        fake_zalo.push_text(f"/nhacviec {HOA_BINH_UNIT}", user_id=chat)
        await fake_zalo.wait_for(lambda: any("Đã đăng ký" in t for t in fake_zalo.texts_to(chat)))
        await asyncio.to_thread(remove_plan, data_dir)
        clock.now = at(10, 8, 8)
        await asyncio.sleep(QUIET_SECONDS)
        assert reminders_in(fake_zalo.texts_to(chat), HOA_BINH_DUE) == []
        fake_zalo.push_text("/hanchot 30", user_id=chat)
        await fake_zalo.wait_for(lambda: any(t.startswith("Hạn trong 30 ngày") for t in fake_zalo.texts_to(chat)))
        assert HOA_BINH_DUE not in fake_zalo.texts_to(chat)[-1]


async def test_zalo_chat_that_blocked_the_bot_is_unsubscribed(fake_zalo: FakeZalo, data_dir: Path) -> None:
    settings = make_settings(data_dir, fake_zalo.base_url, remind_check_seconds=CHECK_SECONDS)
    chat = "zchat3"
    clock = Clock(at(10, 7, 10))
    assistant = start(settings, clock)
    async with ZaloRun(settings, assistant, fake_zalo):
        fake_zalo.push_text(f"/nhacviec {HOA_BINH_UNIT}", user_id=chat)
        await fake_zalo.wait_for(lambda: any("Đã đăng ký" in t for t in fake_zalo.texts_to(chat)))
        fake_zalo.fail_next_sends(403)
        clock.now = at(10, 8, 8)
        await fake_zalo.wait_for(lambda: assistant.duties.reminders.subscriptions("zalo") == [])
        audit = assistant.state.query("SELECT user_id FROM audit_log WHERE action = 'reminders_unsubscribed_blocked'")
        assert audit == [{"user_id": chat}]
        await asyncio.sleep(QUIET_SECONDS)
        assert reminders_in(fake_zalo.texts_to(chat), SEVEN) == []

"""Zalo: different users are answered concurrently, one user's messages strictly in order (issue 13).

Through the real `serve_polling` (long polling) against the fake Zalo Bot API on 127.0.0.1, with the
shared real assistant; the slow and numbered answers come from commands registered for the test.
"""

# Fixtures are imported from tests/test_zalo_support.py, so parameters "redefine" them:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import AsyncIterator

import pytest

from bot.app import Assistant
from bot.zalo_channel import serve_polling
from handlers.dispatch import Command
from handlers.messages import Incoming, Reply
from tests.fake_zalo import FakeZalo
from tests.test_zalo_support import (  # noqa: F401 - fixtures
    _zalo_env_and_log_check,
    fresh_data_dir,
    kb_root,
    make_settings,
    zalo_assistant,
)

RELEASE = threading.Event()


def _slow(_incoming: Incoming, _args: str) -> list[Reply]:
    """Blocks its dispatch thread until the test releases it: an answer that takes a long time."""
    RELEASE.wait(20)
    return [Reply("xong việc chậm")]


def _numbered(_incoming: Incoming, args: str) -> list[Reply]:
    """Answers "số N" after a random short delay, so replies would come out shuffled if one
    user's messages were handled in parallel."""
    time.sleep(random.uniform(0, 0.03))
    return [Reply(f"số {args}")]


@pytest.fixture
async def bot(zalo_assistant: Assistant) -> AsyncIterator[FakeZalo]:
    for command in (Command("zalocham", "thử trả lời chậm", _slow, in_menu=False),
                    Command("zalodem", "thử thứ tự", _numbered, in_menu=False)):
        zalo_assistant.dispatcher.add_command(command)
    fake = FakeZalo(idle_wait=0.05)
    await fake.start()
    stop = asyncio.Event()
    settings = make_settings(zalo_assistant.settings.data_dir, fake.base_url)
    task = asyncio.create_task(serve_polling(settings, stop, assistant=zalo_assistant))
    await fake.wait_for(lambda: fake.count("getUpdates") >= 1 or task.done())
    assert not task.done(), "serve_polling stopped at start-up"
    yield fake
    RELEASE.set()
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
    await fake.stop()


async def test_a_slow_user_does_not_hold_up_the_others(bot: FakeZalo) -> None:
    RELEASE.clear()
    bot.push_text("/zalocham", user_id="slow")
    await asyncio.sleep(0.1)
    for i in range(20):
        bot.push_text("/hotline", user_id=f"quick{i}")
    await bot.wait_for(lambda: all(bot.texts_to(f"quick{i}") for i in range(20)), 20)
    assert not bot.texts_to("slow")  # still thinking, and nobody waited for it
    await bot.wait_for(lambda: bot.count("sendChatAction") >= 1)
    typing = [c.payload["chat_id"] for c in bot.calls if c.method == "sendChatAction"]
    assert typing == ["slow"]  # "typing…" only for the answer that takes a while
    RELEASE.set()
    await bot.wait_for(lambda: bot.texts_to("slow") == ["xong việc chậm"], 20)


async def test_one_users_messages_are_answered_in_order(bot: FakeZalo) -> None:
    for n in range(12):
        for user in ("o1", "o2", "o3"):
            bot.push_text(f"/zalodem {n}", user_id=user)
    await bot.wait_for(lambda: all(len(bot.texts_to(u)) == 12 for u in ("o1", "o2", "o3")), 30)
    for user in ("o1", "o2", "o3"):
        assert bot.texts_to(user) == [f"số {n}" for n in range(12)]

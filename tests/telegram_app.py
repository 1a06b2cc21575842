"""Start a python-telegram-bot Application in tests exactly as `run_polling`/`run_webhook` do
(same order, same options), so every Telegram test drives the production start-up path."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.telegram_channel import polling_options, webhook_options


@contextlib.asynccontextmanager
async def running(app: Any, webhook: bool = False) -> AsyncIterator[None]:
    """Initialize, start the updater (polling or webhook) and the app; stop all on exit."""
    await app.initialize()
    await app.post_init(app)
    if webhook:
        await app.updater.start_webhook(**webhook_options(app.bot_data["channel"].settings))
    else:
        await app.updater.start_polling(**polling_options())
    await app.start()
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

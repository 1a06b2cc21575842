"""How each push channel delivers a reminder and what its errors mean for the subscription.

The reminders themselves (what is owed, what was sent) live in handlers/reminders.py; a channel only
turns "send this text to this chat" into its platform's call and classifies the outcome: sent, the
chat blocked the bot (unsubscribe), try again later (rate limit, network), or failed for good.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import LinkPreviewOptions
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.zalo_client import ZaloClient, ZaloError, ZaloForbidden, ZaloNetworkError, ZaloRateLimited
from handlers.reminders import Outcome, Reminders, send_due

log = logging.getLogger(__name__)
# The first round waits this long after start (or one period, if shorter): the bot answers its first
# messages before reading every plan's deadlines (≈ 0.25 s of CPU for the five seed plans).
FIRST_ROUND_SECONDS = 5.0
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights to send")


def first_reminder_delay(settings: Any) -> float:
    return min(FIRST_ROUND_SECONDS, float(settings.remind_check_seconds))


async def telegram_deliver(bot: Any, chat_id: str, text: str) -> tuple[Outcome, str]:
    """Plain text (no parse mode: nothing to escape); PTB's rate limiter paces the calls."""
    target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
    try:
        await bot.send_message(target, text, link_preview_options=LinkPreviewOptions(is_disabled=True))
    except Forbidden as exc:
        return "blocked", str(exc)
    except BadRequest as exc:
        gone = any(g in str(exc).lower() for g in _GONE)
        return ("blocked" if gone else "failed"), str(exc)
    except (RetryAfter, NetworkError) as exc:
        return "retry", str(exc)
    except TelegramError as exc:
        return "failed", str(exc)
    return "sent", ""


async def telegram_reminders(context: Any) -> None:
    """The Telegram job queue's reminder job (bot/telegram_channel.py schedules it)."""
    channel = context.application.bot_data["channel"]
    duties = getattr(channel.assistant, "duties", None)
    if duties is not None:
        await send_due(duties.reminders, "telegram", lambda chat, text: telegram_deliver(context.bot, chat, text))


def zalo_deliverer(client: ZaloClient):
    """`deliver` for Zalo: the client already retries 429 and 5xx with backoff."""
    async def deliver(chat_id: str, text: str) -> tuple[Outcome, str]:
        try:
            await client.send_message(chat_id, text)
        except ZaloForbidden as exc:
            return "blocked", str(exc)
        except (ZaloRateLimited, ZaloNetworkError) as exc:
            return "retry", str(exc)
        except ZaloError as exc:
            return "failed", str(exc)
        return "sent", ""
    return deliver


def zalo_reminders(assistant: Any) -> Reminders | None:
    duties = getattr(assistant, "duties", None)
    return duties.reminders if duties is not None else None

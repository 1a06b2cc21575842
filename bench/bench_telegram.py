"""Telegram channel throughput, end to end through the fake Bot API server on 127.0.0.1.

N messages from N different users are queued for getUpdates at once; the clock runs until the
fake has recorded N sendMessage replies. Round trip = update queued → its reply received by the
fake. Rows: a burst through the application without the limiter (what the pipeline itself can
do), the same burst through the production application (AIORateLimiter keeps Telegram's 30
messages/s ceiling, so it bounds any burst), and messages sent one at a time (latency without
queueing; without the limiter, which would otherwise hold this ~100 msg/s stream to 30/s).

The fake server runs in a thread of the same process, so it shares the GIL with the bot: the
numbers are a lower bound for the bot alone.

    .venv/bin/python bench/bench_telegram.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from bot.app import build_assistant  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram_channel import ALLOWED_UPDATES, build_application  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

TOKEN = "5512345678:AAHq-Fake_TokenForBench_x9ZqW3e"
QUESTIONS = ["Số hotline hỗ trợ dịch vụ công là gì?", "so hotline ho tro dich vu cong la gi",
             "Chủ đề năm 2018 của thành phố Hải Phòng là gì?", "/hotline", "/start"]


async def run(data_dir: Path, n: int, rate_limited: bool,
              one_by_one: bool = False) -> tuple[int, float, list[float]]:
    fake = FakeTelegram(TOKEN).start()
    settings = Settings(data_dir=data_dir, docs_dir=data_dir / "documents", telegram_token=TOKEN,
                        telegram_api_base=fake.base_url, telegram_file_base=fake.file_base_url)
    assistant = build_assistant(settings)
    app = build_application(assistant, rate_limited=rate_limited)
    try:
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await app.start()
        # Warm-up: first answer loads lazy parts of the engine.
        fake.push_update(fake.message(QUESTIONS[0], user_id=1))
        await fake.wait("sendMessage", 1, timeout=60)
        await asyncio.sleep(1.1)  # let the rate limiter's bucket drain before measuring
        base = len(fake.sent("sendMessage"))
        users = range(1000, 1000 + n)
        updates = [fake.message(QUESTIONS[i % len(QUESTIONS)], user_id=u) for i, u in enumerate(users)]
        start = time.perf_counter()
        for i, update in enumerate(updates, 1):
            fake.push_update(update)
            if one_by_one:  # latency without queueing: next message only after the reply
                await fake.wait("sendMessage", base + i, timeout=60, poll=0.0005)
        await fake.wait("sendMessage", base + n, timeout=600, poll=0.002)
        elapsed = time.perf_counter() - start
        replies = {}
        for call in fake.sent("sendMessage")[base:]:
            replies.setdefault(int(call.params["chat_id"]), call.ts)
        rtts = [(replies[u["message"]["chat"]["id"]] - fake.pushed_at[u["update_id"]]) * 1000
                for u in updates]
        return n, elapsed, rtts
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assistant.close()
        fake.stop()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        build_assistant(Settings(data_dir=data, docs_dir=data / "documents")).close()  # build the KB
        rows = []
        for label, limited, count, one_by_one in (
                ("burst, no rate limiter", False, n, False),
                ("burst, AIORateLimiter (prod)", True, min(n, 150), False),
                ("one at a time, no rate limiter", False, min(n, 100), True)):
            count, seconds, rtts = asyncio.run(run(data, count, limited, one_by_one))
            rtts.sort()
            p99 = rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))]
            rows.append((label, count, seconds, count / seconds, statistics.median(rtts), p99))
    print(f"\nTelegram channel via fake Bot API (polling, {os.cpu_count()} CPUs)")
    print(f"{'configuration':<32}{'messages':>9}{'seconds':>9}{'msg/s':>8}{'median ms':>11}{'p99 ms':>9}")
    for label, count, seconds, rate, median, p99 in rows:
        print(f"{label:<32}{count:>9}{seconds:>9.2f}{rate:>8.1f}{median:>11.1f}{p99:>9.1f}")


if __name__ == "__main__":
    main()

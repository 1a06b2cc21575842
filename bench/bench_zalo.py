"""Messages per second through the Zalo channel, against the fake Zalo Bot API on 127.0.0.1.

N users (20 by default) send a mix of real questions (with and without diacritics) and /hotline;
the clock runs from the first update queued to the last reply accepted by the fake. Long polling
hands out ONE update per getUpdates (as Zalo does), so its rate is bounded by poll round trips;
the webhook takes updates as fast as they are POSTed. A warm-up round runs first (the segmenter's
model and the answer caches load once per process), and every user's replies are checked to come
back in the order the user wrote. Prints numbers; asserts only the order.

The fake runs in this process and event loop: its CPU is counted against the bot's, so the numbers
are a lower bound for a bot talking to the real, remote Zalo.

  python bench/bench_zalo.py [--messages 600] [--users 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bot.app import Assistant, build_assistant  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.zalo_channel import serve_polling  # noqa: E402
from bot.zalo_webhook import SECRET_HEADER, serve_webhook  # noqa: E402
from tests.fake_zalo import TOKEN, FakeZalo  # noqa: E402

SECRET = "bench-secret-123456"
QUESTIONS = ["/hotline", "Số hotline hỗ trợ dịch vụ công là gì?", "so hotline ho tro dich vu cong la gi",
             "Chủ đề năm 2018 của thành phố Hải Phòng là gì?"]


def settings_for(data_dir: Path, base_url: str) -> Settings:
    return Settings(data_dir=data_dir, docs_dir=data_dir / "documents", zalo_token=TOKEN,
                    zalo_api_base=base_url, zalo_retry_delay=0.01, flood_per_minute=1_000_000,
                    zalo_webhook_secret=SECRET, zalo_listen="127.0.0.1", zalo_port=0)


def workload(n: int, users: int, prefix: str) -> list[tuple[str, str]]:
    """(user, text) in sending order: message i goes to user i % users."""
    return [(f"{prefix}{i % users}", QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]


def check_order(fake: FakeZalo, sent: list[tuple[str, str]]) -> None:
    """Every user got one reply per message, /hotline's list exactly where the user sent /hotline."""
    per_user: dict[str, list[str]] = {}
    for user, text in sent:
        per_user.setdefault(user, []).append(text)
    for user, texts in per_user.items():
        replies = fake.texts_to(user)
        assert len(replies) == len(texts), (user, len(replies), len(texts))
        for text, reply in zip(texts, replies):
            assert (text == "/hotline") == reply.startswith("Đường dây nóng, cổng"), (user, text, reply[:60])


async def bench_polling(assistant: Assistant, n: int, users: int) -> float:
    fake = FakeZalo(idle_wait=0.05)
    await fake.start()
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings_for(assistant.settings.data_dir, fake.base_url), stop,
                                             assistant=assistant))
    await fake.wait_for(lambda: fake.count("getUpdates") > 0)
    sent = workload(n, users, "p")
    start = time.perf_counter()
    for user, text in sent:
        fake.push_text(text, user_id=user)
    await fake.wait_for(lambda: len(fake.sent) >= n, timeout=300)
    elapsed = time.perf_counter() - start
    stop.set()
    await task
    await fake.stop()
    check_order(fake, sent)
    return n / elapsed


async def bench_webhook(assistant: Assistant, n: int, users: int) -> float:
    fake = FakeZalo()
    await fake.start()
    stop = asyncio.Event()
    ports: list[int] = []
    task = asyncio.create_task(serve_webhook(settings_for(assistant.settings.data_dir, fake.base_url), stop,
                                             assistant=assistant, on_started=ports.append))
    await fake.wait_for(lambda: bool(ports))
    sent = workload(n, users, "w")
    bodies = [json.dumps(fake.message(text, user_id=user)).encode() for user, text in sent]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", trust_env=False) as http:
        start = time.perf_counter()
        for body in bodies:
            await http.post("/zalo/webhook", content=body, headers={SECRET_HEADER: SECRET})
        await fake.wait_for(lambda: len(fake.sent) >= n, timeout=300)
        elapsed = time.perf_counter() - start
    stop.set()
    await task
    await fake.stop()
    check_order(fake, sent)
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per mode (the median is shown)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(os.environ.get("CCHC_DATA_DIR") or Path(tmp) / "data")
        t0 = time.perf_counter()
        assistant = build_assistant(settings_for(data, "http://127.0.0.1:9/bot"))
        print(f"build_assistant: {time.perf_counter() - t0:.2f} s")
        try:
            asyncio.run(bench_polling(assistant, 100, args.users))  # warm-up: segmenter model, caches
            for name, bench in (("long polling", bench_polling), ("webhook", bench_webhook)):
                rates = [asyncio.run(bench(assistant, args.messages, args.users)) for _ in range(args.rounds)]
                print(f"{name:<13} {statistics.median(rates):4.0f} messages/s (median of "
                      f"{', '.join(f'{r:.0f}' for r in rates)}; {args.messages} messages from {args.users} users, "
                      "replies in each user's order)")
        finally:
            assistant.close()


if __name__ == "__main__":
    main()

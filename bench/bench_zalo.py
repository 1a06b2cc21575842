"""Messages per second through the Zalo channel, against the fake Zalo Bot API on 127.0.0.1.

Long polling hands out ONE update per getUpdates, so its rate is bounded by poll round trips;
the webhook takes updates as fast as they are POSTed. Prints numbers, asserts nothing.

  python bench/bench_zalo.py [--messages 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
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


async def bench_polling(assistant: Assistant, n: int) -> float:
    fake = FakeZalo(idle_wait=0.05)
    await fake.start()
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(settings_for(assistant.settings.data_dir, fake.base_url), stop,
                                             assistant=assistant))
    await fake.wait_for(lambda: fake.count("getUpdates") > 0)
    start = time.perf_counter()
    for i in range(n):
        fake.push_text(QUESTIONS[i % len(QUESTIONS)], user_id=f"p{i % 50}")
    await fake.wait_for(lambda: len(fake.sent) >= n, timeout=300)
    elapsed = time.perf_counter() - start
    stop.set()
    await task
    await fake.stop()
    return n / elapsed


async def bench_webhook(assistant: Assistant, n: int) -> float:
    fake = FakeZalo()
    await fake.start()
    stop = asyncio.Event()
    ports: list[int] = []
    task = asyncio.create_task(serve_webhook(settings_for(assistant.settings.data_dir, fake.base_url), stop,
                                             assistant=assistant, on_started=ports.append))
    await fake.wait_for(lambda: bool(ports))
    bodies = [json.dumps(fake.message(QUESTIONS[i % len(QUESTIONS)], user_id=f"w{i % 50}")).encode()
              for i in range(n)]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", trust_env=False) as http:
        start = time.perf_counter()
        for body in bodies:
            await http.post("/zalo/webhook", content=body, headers={SECRET_HEADER: SECRET})
        await fake.wait_for(lambda: len(fake.sent) >= n, timeout=300)
        elapsed = time.perf_counter() - start
    stop.set()
    await task
    await fake.stop()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(os.environ.get("CCHC_DATA_DIR") or Path(tmp) / "data")
        t0 = time.perf_counter()
        assistant = build_assistant(settings_for(data, "http://127.0.0.1:9/bot"))
        print(f"build_assistant: {time.perf_counter() - t0:.2f} s")
        try:
            print(f"long polling: {asyncio.run(bench_polling(assistant, args.messages)):.0f} messages/s "
                  f"({args.messages} messages, one update per getUpdates)")
            print(f"webhook:      {asyncio.run(bench_webhook(assistant, args.messages)):.0f} messages/s "
                  f"({args.messages} sequential POSTs)")
        finally:
            assistant.close()


if __name__ == "__main__":
    main()

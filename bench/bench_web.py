"""Requests per second of `POST /api/ask` with 20 concurrent clients, against `cchc run web`.

The server runs as its own process (`python -m bot run web`, on the embedded seed plans in a
temporary data directory, with the per-address limits raised — the defaults would answer 429 after
60 questions a minute from one address, which is the point of them); the clients are one asyncio
process with `concurrency` connections, each sending the next question as soon as its answer
arrives. Only 127.0.0.1 is contacted. Prints numbers, asserts nothing.

  python bench/bench_web.py [--clients 20] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Số hotline hỗ trợ người dân tìm kiếm thủ tục hành chính, nộp hồ sơ trực tuyến là gì?",
    "sdt hotline dvc la j",
    "Chủ đề năm 2018 của thành phố Hải Phòng là gì?",
    "tp hai phong nam 2018 chu de la gi",
    "Kế hoạch số 139/KH-TTYT do đơn vị nào ban hành?",
    "Trung tâm Y tế khu vực Mai Châu phải gửi báo cáo kết quả tuyên truyền cải cách hành chính trước ngày nào?",
    "Giá vé xe buýt nội thành Hải Phòng là bao nhiêu?",
    "Mức lương cơ sở năm 2025 là bao nhiêu?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with code {proc.returncode}")
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start in time")


async def client(session: aiohttp.ClientSession, url: str, n: int, stop_at: float, latencies: list[float],
                 errors: list[int]) -> None:
    i = n
    while time.perf_counter() < stop_at:
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        start = time.perf_counter()
        async with session.post(f"{url}/api/ask", json={"question": question, "k": 3}) as response:
            await response.read()
            if response.status != 200:
                errors.append(response.status)
                continue
        latencies.append(time.perf_counter() - start)


async def run(url: str, clients: int, seconds: float, warmup: float) -> None:
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        scratch: list[float] = []
        await asyncio.gather(*(client(session, url, n, time.perf_counter() + warmup, scratch, [])
                               for n in range(clients)))
        latencies: list[float] = []
        errors: list[int] = []
        start = time.perf_counter()
        await asyncio.gather(*(client(session, url, n, start + seconds, latencies, errors)
                               for n in range(clients)))
        elapsed = time.perf_counter() - start
    ms = sorted(x * 1000 for x in latencies)
    p = (lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]) if ms else (lambda q: float("nan"))
    print(f"{clients} concurrent clients, {elapsed:.1f} s: {len(latencies)} answers, {len(errors)} errors")
    print(f"requests per second: {len(latencies) / elapsed:.0f}")
    print(f"latency ms: median {statistics.median(ms) if ms else float('nan'):.1f}, p95 {p(0.95):.1f}, "
          f"p99 {p(0.99):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cchc-bench-web-") as tmp:
        port = free_port()
        env = dict(os.environ, CCHC_DATA_DIR=tmp, CCHC_WEB_LISTEN="127.0.0.1", CCHC_WEB_PORT=str(port),
                   CCHC_WEB_SECRET="bench-secret-0123456789", CCHC_WEB_RATE_PER_MINUTE="100000000",
                   CCHC_WEB_API_PER_MINUTE="100000000", CCHC_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        env.pop("CCHC_DOCS_DIR", None)
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "web"], env=env, cwd=tmp,
                                stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(wait_ready(url, proc))
            asyncio.run(run(url, args.clients, args.seconds, args.warmup))
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()

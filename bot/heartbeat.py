"""A heartbeat file per running bot, and `cchc health` that reads it: the container health check.

A bot started with `cchc run telegram|zalo|web` rewrites `$CCHC_DATA_DIR/.alive/<host>-<platform>.json`
every BEAT_SECONDS from its event loop, so a fresh file means the process is up and its loop is not
stuck. `cchc health` (Docker's HEALTHCHECK) succeeds when this host has a file younger than
MAX_AGE_SECONDS. The host name is in the file name because containers (Telegram, Zalo, web)
share one data volume and each must be judged on its own bot only. Cheap on purpose: no database
is opened and no network is used, since the check runs every minute for the life of the bot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from pathlib import Path

log = logging.getLogger(__name__)

BEAT_SECONDS = 30.0
MAX_AGE_SECONDS = 120.0
FOLDER = ".alive"


def beat_path(data_dir: Path, platform: str) -> Path:
    return Path(data_dir) / FOLDER / f"{socket.gethostname()}-{platform}.json"


def beat(data_dir: Path, platform: str, **details: object) -> None:
    """Write this bot's heartbeat (atomically); a failure is logged, never raised: the bot matters
    more than its health report."""
    path = beat_path(data_dir, platform)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "platform": platform, "time": time.time(), **details}),
                       "utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("heartbeat %s not written: %s", path, exc)


async def beat_forever(data_dir: Path, platform: str, every: float = BEAT_SECONDS) -> None:
    """Beat until cancelled (a task beside the bot's own work)."""
    while True:
        beat(data_dir, platform)
        await asyncio.sleep(every)


def check(data_dir: Path, max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> tuple[bool, str]:
    """(healthy, Vietnamese explanation) for the bots of this host."""
    now = time.time() if now is None else now
    folder = Path(data_dir) / FOLDER
    mine = sorted(folder.glob(f"{socket.gethostname()}-*.json")) if folder.is_dir() else []
    if not mine:
        return False, f"Chưa có bot nào chạy trên máy này (không có nhịp tim trong {folder})."
    ages = {p.stem.rsplit("-", 1)[-1]: now - p.stat().st_mtime for p in mine}
    fresh = {name: age for name, age in ages.items() if age <= max_age}
    if not fresh:
        oldest = max(ages.values())
        return False, (f"Bot không còn hoạt động: nhịp tim gần nhất cách đây {min(ages.values()):.0f} giây "
                       f"(giới hạn {max_age:.0f} giây; cũ nhất {oldest:.0f} giây).")
    return True, "Bot đang chạy: " + ", ".join(f"{n} ({a:.0f} giây trước)" for n, a in sorted(fresh.items())) + "."


def run_health(data_dir: Path, max_age: float = MAX_AGE_SECONDS) -> int:
    """`cchc health`: 0 and one line when healthy, 1 and the reason otherwise."""
    import sys

    healthy, text = check(data_dir, max_age)
    print(text, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1

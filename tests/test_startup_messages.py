"""What an office's IT person reads when a bot starts (issue 22): every start-up warning is one
Vietnamese line, and a missing Zalo token says where a token comes from.

`cchc run web` runs as a real process; the Zalo and Telegram start-ups run in-process against
fake Bot API servers on 127.0.0.1 (or a closed port, for a Zalo that cannot be reached).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram_channel import build_application
from bot.zalo_channel import check_webhook_request, run_zalo
from bot.zalo_client import ZaloClient
from bot.zalo_webhook import _token_accepted
from knowledge.workers import worker_count
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import _no_proxy, assistant, fake, kb_template, settings  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
# Letters only Vietnamese has among the languages a log line could be in here (English).
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (WARNING|ERROR|INFO) ")
CLOSED_PORT_BASE = "http://127.0.0.1:9/bot"  # the discard port: nothing listens, the connection is refused


def _one_vietnamese_line(text: str) -> None:
    assert "\n" not in text.strip(), text
    assert VIETNAMESE.search(text), f"not Vietnamese: {text}"


def test_run_web_start_up_lines_are_vietnamese(data_dir: Path) -> None:
    """The real `cchc run web` without CCHC_WEB_SECRET nor an admin password, read like an operator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_WEB", "TELEGRAM_", "ZALO_"))}
    env.update({"CCHC_DATA_DIR": str(data_dir), "CCHC_WEB_PORT": "0", "CCHC_LOG_LEVEL": "INFO"})
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "web"], cwd=ROOT / "tests", env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Trang web đang chạy tại" in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rest, _ = proc.communicate()
    lines += rest.splitlines()
    output = "\n".join(lines)
    assert any("Trang web đang chạy tại http://127.0.0.1:" in line and "chưa đặt CCHC_WEB_ADMIN_PASSWORD" in line
               for line in lines), output
    [secret] = [line for line in lines if "CCHC_WEB_SECRET" in line]
    assert " WARNING " in secret and "Chưa đặt CCHC_WEB_SECRET" in secret and "openssl rand" in secret, secret
    for line in lines:
        match = LOG_LINE.match(line)
        if match and match.group(1) != "INFO" or "bot.web" in line:
            _one_vietnamese_line(line)
    assert "Traceback" not in output and "is not set" not in output


def test_build_workers_warning_is_vietnamese(monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "bốn")
    with caplog.at_level(logging.WARNING, logger="knowledge.workers"):
        assert worker_count() == max(1, os.cpu_count() or 1)
    [record] = caplog.records
    _one_vietnamese_line(record.getMessage())
    assert "CCHC_BUILD_WORKERS" in record.getMessage()


async def test_zalo_start_up_check_that_cannot_reach_zalo_warns_in_vietnamese(
        caplog: pytest.LogCaptureFixture) -> None:
    async with ZaloClient("1234567890:abcdefghijklmnopqrstuvwxyz", CLOSED_PORT_BASE, retries=0,
                          trust_env=False) as client:
        with caplog.at_level(logging.WARNING, logger="bot.zalo_webhook"):
            assert await _token_accepted(client) is True
    [record] = [r for r in caplog.records if r.name == "bot.zalo_webhook"]
    _one_vietnamese_line(record.getMessage())
    assert "webhook vẫn chạy" in record.getMessage()


async def test_telegram_menu_failure_at_start_up_warns_in_vietnamese(
        fake: FakeTelegram, assistant, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    fake.fail_next("setMyCommands", times=1, status=500)
    app = build_application(assistant)
    await app.initialize()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.telegram_channel"):
            await app.post_init(app)
    finally:
        await app.shutdown()
    [record] = [r for r in caplog.records if r.name == "bot.telegram_channel" and r.levelno == logging.WARNING]
    _one_vietnamese_line(record.getMessage())
    assert "menu lệnh" in record.getMessage() and "bot vẫn chạy" in record.getMessage()


@pytest.mark.parametrize("webhook", [False, True])
def test_missing_zalo_token_says_where_to_get_one(tmp_path: Path, webhook: bool,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    plain = Settings(data_dir=tmp_path, docs_dir=tmp_path / "documents", zalo_webhook_secret="s3cret-webhook")
    assert run_zalo(plain, webhook=webhook) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    for needle in ("ZALO_BOT_TOKEN", "Zalo Bot Creator", "bot.zaloplatforms.com", "tạo bot", ".env"):
        assert needle in err[0], err[0]


def test_set_webhook_without_token_says_where_to_get_one(tmp_path: Path) -> None:
    reason = check_webhook_request(Settings(data_dir=tmp_path, docs_dir=tmp_path / "documents"),
                                   "https://cchc.example.gov.vn/zalo/webhook")
    assert reason is not None and "Zalo Bot Creator" in reason and "bot.zaloplatforms.com" in reason

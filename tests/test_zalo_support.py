"""Shared pieces of the Zalo tests (no tests here): the knowledge base built once, settings, and the
log check that fails any test whose captured log lines — httpx's DEBUG lines included — show the
bot token or the webhook secret.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.settings import Settings
from tests.fake_zalo import TOKEN

if TYPE_CHECKING:  # bot.app pulls in the knowledge base: only tests that need it import it
    from bot.app import Assistant

SECRET = "webhook-secret-0123456789"
TOKEN_PART = TOKEN.split(":", 1)[1]


def make_settings(data_dir: Path, base_url: str = "http://127.0.0.1:9/bot", **over: object) -> Settings:
    values: dict[str, object] = dict(
        data_dir=data_dir, docs_dir=data_dir / "documents", zalo_token=TOKEN, zalo_api_base=base_url,
        zalo_poll_timeout=5, zalo_retry_delay=0.01, flood_per_minute=10_000, zalo_webhook_secret=SECRET,
        zalo_listen="127.0.0.1", zalo_port=0,
    )
    values.update(over)
    return Settings(**values)  # type: ignore[arg-type]


@cache
def _template(root: str) -> Path:
    """Build the knowledge base once per session; tests copy it instead of rebuilding."""
    from bot.app import build_assistant

    data = Path(root) / "template"
    assistant = build_assistant(make_settings(data))
    assistant.close()
    return data


def fresh_data_dir(tmp_root: Path, target: Path) -> Path:
    """A data dir holding a ready knowledge base and no state DB."""
    template = _template(str(tmp_root))
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("state.db*"))
    return target


@pytest.fixture(scope="session")
def kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "zalo-kb"


@pytest.fixture(scope="session")
def zalo_assistant(kb_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """One real assistant (real knowledge and state DBs) shared by the in-process Zalo tests."""
    from bot.app import build_assistant

    data = fresh_data_dir(kb_root, tmp_path_factory.mktemp("zalo-shared") / "data")
    assistant = build_assistant(make_settings(data))
    yield assistant
    assistant.close()


def assert_no_secret(text: str) -> None:
    assert TOKEN not in text, "the bot token leaked"
    assert TOKEN_PART not in text, "the secret half of the bot token leaked"
    assert SECRET not in text, "the webhook secret leaked"


@pytest.fixture(autouse=True)
def _zalo_env_and_log_check(monkeypatch: pytest.MonkeyPatch,
                            caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Only 127.0.0.1, everything logged at DEBUG (httpx too), and no secret in any captured line."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    formatter = logging.Formatter("%(name)s %(message)s")
    records = [r for phase in ("setup", "call") for r in caplog.get_records(phase)] + caplog.records
    for record in records:
        assert_no_secret(formatter.format(record))  # message, args and any traceback

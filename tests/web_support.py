"""Shared pieces of the web tests (no tests here): the real aiohttp server of `cchc run web` run in a
background thread on 127.0.0.1 (so blocking clients — httpx, Selenium — can talk to it), settings,
and a headless Chromium driven by Selenium through Debian's chromium-driver.

When Chromium or its driver is missing the browser tests are *skipped with the reason*, never
passed silently; `.ci/run` installs both, so in CI they always run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from bot.app import Assistant, build_assistant
from bot.settings import Settings
from bot.web.security import hash_password

ADMIN_PASSWORD = "mat-khau-quan-tri-2024"
ADMIN_HASH = hash_password(ADMIN_PASSWORD)  # hashed once: scrypt is slow on purpose
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=vi"]
SCREENSHOTS = os.environ.get("CCHC_SCREENSHOTS", "")  # a folder: browser tests save their screenshots there


def web_settings(data_dir: Path, **over: Any) -> Settings:
    """Settings for a test server: port 0 (any free port), known password and secret, generous limits."""
    values: dict[str, Any] = dict(
        data_dir=data_dir, docs_dir=data_dir / "documents", flood_per_minute=100_000,
        web_listen="127.0.0.1", web_port=0, web_admin_password_hash=ADMIN_HASH,
        web_secret="test-secret-0123456789abcdef", web_rate_per_minute=100_000, web_api_per_minute=100_000)
    values.update(over)
    return Settings(**values)


def copy_seed(seed_data_dir: Path, target: Path) -> Path:
    """A private, writable copy of the session's seed knowledge base (real SQLite files)."""
    shutil.copytree(seed_data_dir, target, ignore=shutil.ignore_patterns("state.db*", ".kb.lock"))
    return target


class ServerThread:
    """`serve_web` in its own thread and event loop; `url` once started, `close()` stops it cleanly."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None,
                 features: list[str] | None = None) -> None:
        self.settings = settings
        from bot.web.app import WebChannel

        self.owns_assistant = assistant is None
        self.assistant = assistant or build_assistant(settings)
        self.channel = WebChannel(self.assistant, settings, features)
        self.port = 0
        self.code: int | None = None
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="web-server", daemon=True)

    def _run(self) -> None:
        from bot.web.app import serve_web

        async def main() -> int:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()

            def started(port: int) -> None:
                self.port = port
                self._started.set()

            try:
                return await serve_web(self.settings, self._stop, channel=self.channel, on_started=started)
            finally:
                self._started.set()

        self.code = asyncio.run(main())

    def start(self) -> ServerThread:
        self._thread.start()
        assert self._started.wait(30), "the web server did not start"
        assert self.port, f"the web server failed to start (exit code {self.code})"
        return self

    def __enter__(self) -> ServerThread:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)
        assert not self._thread.is_alive(), "the web server did not stop"
        if self.owns_assistant:
            self.assistant.close()


def browser_missing() -> str:
    """Why a headless Chromium cannot be driven here ("" when it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing: apt-get install {package} (.ci/run installs it)"
    return ""


WAIT = 20.0  # seconds a browser test waits for a page or an element before it fails


def wait_for(driver: Any, condition: Any, timeout: float = WAIT) -> Any:
    """`condition(driver)` once it holds; an element not there yet is waited for, not a failure.

    An element read while its page is being replaced goes stale; that is the page still
    loading, so it is polled again rather than failed.
    """
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def page_left(element: Any) -> Any:
    """A condition that holds once `element`'s page has been replaced by another.

    Selenium's `staleness_of` only knows the stale-element error; Chromium may instead
    answer "Node with given id does not belong to the document" while the next page
    loads (a clean-clone CI run failed on it), which means the same thing.
    """
    from selenium.common.exceptions import WebDriverException

    def left(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False
    return left


def make_driver() -> Any:
    """A fresh headless Chromium with its own profile; never downloads anything."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="cchc-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_AVOID_STATS", "true")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver._cchc_profile = profile  # noqa: SLF001 - removed with the driver
    return driver


def quit_driver(driver: Any) -> None:
    profile = getattr(driver, "_cchc_profile", None)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver: Any, name: str) -> None:
    """Save a screenshot when CCHC_SCREENSHOTS names a folder (how docs/screenshots are made)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))

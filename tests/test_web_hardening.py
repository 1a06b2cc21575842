"""Faults an attack run found in `cchc run web` (issue 22), each reproduced over real HTTP first:
the login lockout beaten by concurrent attempts, deeply nested JSON, chunked form bodies, half-sent
requests, and the heartbeat `cchc health` reads.

The server is the real aiohttp application on a copy of the seed knowledge base, in a thread on
127.0.0.1; clients are httpx (sync and async) and raw sockets where a client must misbehave.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import Assistant, build_assistant
from bot.web.security import LoginGuard
from tests.web_support import ADMIN_PASSWORD, ServerThread, copy_seed, web_settings

NESTED = b"[" * 20_000  # deep enough that json.loads hits the recursion limit
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def data(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_seed(seed_data_dir, tmp_path_factory.mktemp("web-hardening") / "data")


@pytest.fixture(scope="module")
def assistant(data: Path) -> Iterator[Assistant]:
    a = build_assistant(web_settings(data))
    yield a
    a.close()


def start(data: Path, assistant: Assistant, **over: object) -> ServerThread:
    return ServerThread(web_settings(data, **over), assistant)


def login_failures(assistant: Assistant) -> int:
    return assistant.state.query("SELECT COUNT(*) AS n FROM audit_log WHERE platform = 'web' AND action = 'login' "
                                 "AND detail = 'sai mật khẩu'")[0]["n"]


def web_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("bot.", "aiohttp")) and r.levelno >= level]


# -- 1. the login lockout --------------------------------------------------------------------------------
def test_concurrent_wrong_logins_judge_at_most_the_limit_and_never_lock_out_others(
        data: Path, assistant: Assistant) -> None:
    """50 simultaneous wrong passwords from one address: at most 5 are judged (5 × 401, the rest
    429), and the right password still works from another address."""
    srv = start(data, assistant, web_login_attempts=5, web_lockout_minutes=15).start()
    before = login_failures(assistant)

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=srv.url, trust_env=False, timeout=60) as http:
            answers = await asyncio.gather(*(http.post("/admin/login", data={"password": f"sai-{i}"})
                                             for i in range(50)))
        return [a.status_code for a in answers]

    try:
        codes = asyncio.run(burst())
        assert codes.count(401) == 5 and codes.count(429) == 45, codes
        assert login_failures(assistant) - before == 5  # judged (and audited) attempts
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=30) as same:
            assert same.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 429
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=30, transport=other) as http:
            answer = http.post("/admin/login", data={"password": ADMIN_PASSWORD})
            assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    finally:
        srv.close()


def test_a_spread_out_burst_never_locks_out_another_address(data: Path, assistant: Assistant) -> None:
    """Ten addresses guessing at their full budget still leave an eleventh free to log in."""
    srv = start(data, assistant, web_login_attempts=3, web_lockout_minutes=15).start()
    try:
        for n in range(3, 13):
            with httpx.Client(base_url=srv.url, trust_env=False, timeout=30,
                              transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}")) as http:
                codes = [http.post("/admin/login", data={"password": "sai"}).status_code for _ in range(4)]
                assert codes == [401, 401, 401, 429]
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=30,
                          transport=httpx.HTTPTransport(local_address="127.0.0.99")) as http:
            assert http.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 303
    finally:
        srv.close()


def test_login_guard_admits_at_most_the_limit_however_concurrent() -> None:
    guard = LoginGuard(attempts=5, lockout_seconds=60)
    admitted = [guard.admit("10.0.0.1", now=100.0) for _ in range(50)]
    assert admitted.count(0) == 5 and all(w > 0 for w in admitted[5:])
    assert guard.admit("10.0.0.2", now=100.0) == 0  # another address is untouched
    assert guard.admit("10.0.0.1", now=161.0) == 0  # the window passed
    guard.succeeded("10.0.0.1")  # a right password clears the address's count
    assert [guard.admit("10.0.0.1", now=162.0) for _ in range(5)] == [0] * 5


def test_login_guard_counts_an_ipv6_client_by_its_64_network() -> None:
    guard = LoginGuard(attempts=2, lockout_seconds=60)
    assert guard.admit("2001:db8:1:2::a", now=0.0) == 0 and guard.admit("2001:db8:1:2::b", now=0.0) == 0
    assert guard.admit("2001:db8:1:2:ffff::1", now=0.0) > 0  # same /64, another address: still counted
    assert guard.admit("2001:db8:1:3::a", now=0.0) == 0  # the next /64 is someone else
    assert guard.admit("::ffff:10.0.0.7", now=0.0) == 0 and guard.admit("10.0.0.7", now=0.0) == 0
    assert guard.admit("10.0.0.7", now=0.0) > 0  # an IPv4-mapped address is that IPv4 address
    assert guard.admit("10.0.0.8", now=0.0) == 0
    guard.succeeded("2001:db8:1:2::c")  # a right password from the network clears it
    assert guard.admit("2001:db8:1:2::a", now=1.0) == 0


# -- 2. deeply nested JSON ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/ask", "/api/chat"])
def test_deeply_nested_json_is_a_400_and_one_log_line(data: Path, assistant: Assistant, path: str,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with start(data, assistant).start() as srv, \
            httpx.Client(base_url=srv.url, trust_env=False, timeout=30) as http:
        answer = http.post(path, content=NESTED, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400 and answer.json() == {"ok": False, "error": "JSON không hợp lệ."}
        assert http.post("/api/ask", json={"question": "đường dây nóng"}).status_code == 200  # still serving
    lines = [r for r in web_records(caplog, logging.INFO) if "JSON" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None and lines[0].levelno == logging.WARNING
    assert not web_records(caplog, logging.ERROR)


# -- 3. chunked bodies on form routes --------------------------------------------------------------------------
def chunks(body: bytes, size: int = 3) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


def test_a_chunked_login_and_chunked_admin_forms_work(data: Path, assistant: Assistant) -> None:
    with start(data, assistant).start() as srv, \
            httpx.Client(base_url=srv.url, trust_env=False, timeout=30, follow_redirects=False) as http:
        before = login_failures(assistant)
        login = http.post("/admin/login", content=chunks(f"password={ADMIN_PASSWORD}".encode()), headers=FORM)
        assert login.request.headers.get("transfer-encoding") == "chunked"
        assert login.status_code == 303 and login.headers["location"] == "/admin"
        assert login_failures(assistant) == before
        page = http.get("/admin/documents")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        reload = http.post("/admin/documents/reload", content=chunks(f"csrf={csrf.group(1)}".encode()), headers=FORM)
        assert reload.status_code == 303 and reload.headers["location"] == "/admin/documents"
        # A multipart form (curl -F), chunked or not, is read too.
        multipart = httpx.Client(base_url=srv.url, trust_env=False, timeout=30, follow_redirects=False)
        with multipart:
            assert multipart.post("/admin/login", files={"password": (None, ADMIN_PASSWORD)}).status_code == 303


def test_chunked_bodies_over_the_limit_are_refused(data: Path, assistant: Assistant) -> None:
    with start(data, assistant).start() as srv, httpx.Client(base_url=srv.url, trust_env=False, timeout=30) as http:
        big = http.post("/api/ask", content=chunks(b'{"question": "' + b"a" * 70_000 + b'"}', 8192),
                        headers={"Content-Type": "application/json"})
        assert big.status_code == 413 and big.json()["error"] == "Dữ liệu gửi lên quá lớn."


# -- 4. half-sent requests -------------------------------------------------------------------------------------------
def raw(srv: ServerThread) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    return sock


def read_all(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    sock.settimeout(limit)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the server held the connection open for more than {limit} s")
    return received, time.monotonic() - started


def test_a_slow_client_times_out(data: Path, assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    srv = start(data, assistant)
    srv.channel.header_timeout = 1.0
    srv.channel.body_timeout = 1.0
    with srv.start():
        with raw(srv) as headers_only:  # request line and half the headers, then nothing
            headers_only.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            received, took = read_all(headers_only, 8)
            assert received == b"" and took < 5
        with raw(srv) as half_body:  # all headers, 10 of 100 body bytes, then nothing
            half_body.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 100\r\n\r\n" + b'{"question"')
            received, took = read_all(half_body, 8)
            assert received.startswith(b"HTTP/1.1 408") and took < 5
            assert "Hết thời gian chờ".encode() in received
        with raw(srv) as slow_login:  # the admin form too
            slow_login.sendall(b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                               b"application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\npas")
            received, took = read_all(slow_login, 8)
            assert received.startswith(b"HTTP/1.1 408") and took < 5
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=30) as http:  # others are served
            assert http.post("/api/ask", json={"question": "đường dây nóng"}).status_code == 200
    assert not web_records(caplog, logging.ERROR)


def test_a_disconnect_mid_body_is_one_info_line(data: Path, assistant: Assistant,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with start(data, assistant).start() as srv:
        for path in ("/api/chat", "/admin/login"):
            with raw(srv) as sock:
                sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             "Content-Length: 1000\r\n\r\n".encode() + b'{"text": "xin')
                time.sleep(0.3)
            time.sleep(0.5)
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=30) as http:
            assert http.get("/healthz").status_code == 200
    gone = [r for r in web_records(caplog, logging.INFO) if "ngắt" in r.getMessage() or "disconnect" in
            r.getMessage()]
    assert len(gone) == 2 and all(r.levelno == logging.INFO and r.exc_info is None for r in gone), \
        [r.getMessage() for r in web_records(caplog, logging.INFO)]
    assert not web_records(caplog, logging.WARNING)


# -- the heartbeat -------------------------------------------------------------------------------------------------
def test_cchc_health_is_satisfied_while_cchc_run_web_runs(seed_data_dir: Path, tmp_path: Path) -> None:
    """The real CLI: `cchc health` fails before `cchc run web` starts, succeeds while it runs."""
    data = copy_seed(seed_data_dir, tmp_path / "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "CCHC_WEB_PORT": str(port), "CCHC_WEB_LISTEN": "127.0.0.1",
           "CCHC_WEB_SECRET": "khoa-bi-mat-cookie-0123456789", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("CCHC_DOCS_DIR", None)
    cchc = [sys.executable, "-m", "bot"]
    health = subprocess.run([*cchc, "health"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert health.returncode == 1
    log_path = tmp_path / "web.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen([*cchc, "run", "web"], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                                stdout=log_file, stderr=log_file)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", trust_env=False).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
                time.sleep(0.1)
            health = subprocess.run([*cchc, "health"], env=env, cwd=tmp_path, capture_output=True, text=True,
                                    timeout=60)
            assert health.returncode == 0, health.stderr
            assert "web" in health.stdout
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(20)
    assert code == 0, log_path.read_text()[-3000:]

"""`cchc run web` over real HTTP on 127.0.0.1: security headers, CSRF, rate limits, size limits, the
admin login (hash, lockout, sessions), the JSON API contract, and escaping of every stored text.

The server is the real aiohttp application (bot/web/app.py) on a copy of the seed knowledge base;
nothing is mocked. Servers with tight limits share the module's assistant to stay fast.
"""

from __future__ import annotations

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
from bot.settings import Settings
from bot.web.admin import SESSION_COOKIE
from bot.web.security import RateLimiter, SessionStore, Signer, is_password_hash, verify_password
from handlers.insights import knowledge_gaps, usage_by_day, wording_key
from tests.docs_factory import make_docx, make_truncated_docx
from tests.web_support import ADMIN_PASSWORD, ServerThread, copy_seed, web_settings

PORTAL = "https://cong.anlac.example.gov.vn"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def data(seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_seed(seed_data_dir, tmp_path_factory.mktemp("web-http") / "data")


@pytest.fixture(scope="module")
def assistant(data: Path) -> Iterator[Assistant]:
    a = build_assistant(web_settings(data))
    yield a
    a.close()


@pytest.fixture(scope="module")
def server(data: Path, assistant: Assistant) -> Iterator[ServerThread]:
    srv = ServerThread(web_settings(data, web_allowed_origins=(PORTAL,), max_upload_mb=1), assistant).start()
    yield srv
    srv.close()


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, trust_env=False, follow_redirects=False, timeout=30) as client:
        yield client


def start(data: Path, assistant: Assistant, **over: object) -> ServerThread:
    return ServerThread(web_settings(data, **over), assistant).start()


def admin_login(http: httpx.Client) -> str:
    """Log in; returns the session's CSRF token read from a page, as a browser would."""
    response = http.post("/admin/login", data={"password": ADMIN_PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    page = http.get("/admin/documents")
    assert page.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def audit_rows(assistant: Assistant) -> list[tuple[str, str, int]]:
    return [(r["action"], r["detail"], r["allowed"]) for r in
            assistant.state.query("SELECT action, detail, allowed FROM audit_log WHERE platform = 'web' ORDER BY id")]


# -- headers -------------------------------------------------------------------------------------------
def test_security_headers_everywhere(http: httpx.Client) -> None:
    responses = [http.get("/"), http.get("/admin/login"), http.get("/nowhere"),
                 http.post("/api/ask", json={"question": "hotline"}), http.get("/static/chat.js")]
    for response in responses:
        h = response.headers
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin" and "camera=()" in h["permissions-policy"]
        assert "strict-transport-security" not in h  # not configured as HTTPS
    assert responses[2].status_code == 404
    assert responses[3].headers["cache-control"] == "no-store"
    embed = http.get("/embed")
    assert f"frame-ancestors 'self' {PORTAL}" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    widget = http.get("/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript")
    assert widget.headers["cross-origin-resource-policy"] == "cross-origin"
    assert http.get("/healthz").json() == {"ok": True, "platform": "web", "documents": 5}


def test_https_deployment_gets_hsts_and_secure_cookies(data: Path, assistant: Assistant) -> None:
    srv = start(data, assistant, web_https=True)
    try:
        response = httpx.get(srv.url + "/", trust_env=False)
        assert response.headers["strict-transport-security"].startswith("max-age=")
        cookie = response.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        srv.close()


# -- the JSON API --------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["Số đường dây nóng hỗ trợ dịch vụ công là gì?", "sdt hotline dvc la j",
                                      "Giá vé xe buýt nội thành Hải Phòng là bao nhiêu?"])
def test_api_ask_answers_the_cli_json_contract(http: httpx.Client, assistant: Assistant, question: str) -> None:
    response = http.post("/api/ask", json={"question": question, "k": 2})
    assert response.status_code == 200
    assert response.json() == assistant.ask.ask(question, k=2).to_json()
    body = response.json()
    assert {"question", "found", "answer", "citations"} <= set(body)
    if body["found"]:
        assert len(body["citations"]) == 2
        assert {"doc_id", "title", "number", "date", "section", "text", "source_text", "score"} <= set(
            body["citations"][0])
    logged = assistant.state.query("SELECT platform, found FROM questions_log ORDER BY id DESC LIMIT 1")[0]
    assert logged == {"platform": "api", "found": int(body["found"])}


def test_api_ask_refuses_bad_requests(http: httpx.Client) -> None:
    assert http.post("/api/ask", json={"k": 3}).status_code == 400
    assert http.post("/api/ask", json={"question": "  "}).status_code == 400
    assert http.post("/api/ask", json={"question": "hotline", "k": "3"}).status_code == 400
    assert http.post("/api/ask", json=["hotline"]).status_code == 400
    assert http.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert http.post("/api/ask", content=b"question=x",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    many = http.post("/api/ask", json={"question": "đường dây nóng", "k": 500}).json()
    assert many["found"] and len(many["citations"]) <= 20


def test_api_ask_cors_only_for_allowed_origins(http: httpx.Client) -> None:
    allowed = http.options("/api/ask", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204 and allowed.headers["access-control-allow-origin"] == PORTAL
    other = http.post("/api/ask", json={"question": "hotline"}, headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers


# -- rate limits -------------------------------------------------------------------------------------------
def test_questions_are_rate_limited_per_client(data: Path, assistant: Assistant) -> None:
    srv = start(data, assistant, web_api_per_minute=3, web_trust_proxy=True)
    try:
        with httpx.Client(base_url=srv.url, trust_env=False) as http:
            def ask(client_ip: str) -> httpx.Response:
                return http.post("/api/ask", json={"question": "hotline"},
                                 headers={"X-Forwarded-For": f"203.0.113.9, {client_ip}"})

            assert [ask("198.51.100.1").status_code for _ in range(3)] == [200, 200, 200]
            limited = ask("198.51.100.1")
            assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
            assert "thử lại sau" in limited.json()["error"]
            assert ask("198.51.100.2").status_code == 200  # another client keeps its own budget
            chat = http.post("/api/chat", json={"text": "hotline"}, headers={"X-Forwarded-For": "198.51.100.1"})
            assert chat.status_code == 429  # chat messages share the questions budget
    finally:
        srv.close()


def test_every_request_is_rate_limited_per_address(data: Path, assistant: Assistant) -> None:
    srv = start(data, assistant, web_rate_per_minute=5)
    try:
        with httpx.Client(base_url=srv.url, trust_env=False) as http:
            codes = [http.get("/").status_code for _ in range(6)]
            assert codes == [200] * 5 + [429]
            assert http.get("/healthz").status_code == 200  # the proxy's health check is never limited
            assert http.get("/static/chat.css").status_code == 429
    finally:
        srv.close()


def test_rate_limiter_window_and_memory_bound() -> None:
    limiter = RateLimiter(2, window=10, max_keys=4)
    assert [limiter.retry_after("a", now=t) for t in (0, 1, 2)] == [0, 0, 8]
    assert limiter.retry_after("a", now=10.5) == 0  # the first event left the window
    for i in range(10):
        limiter.retry_after(f"k{i}", now=100 + i)
    assert len(limiter._events) <= 4  # noqa: SLF001 - the bound is the point


# -- size limits ---------------------------------------------------------------------------------------------
def test_request_size_limits(http: httpx.Client) -> None:
    big = {"question": "x" * 70_000}
    assert http.post("/api/ask", json=big).status_code == 413
    assert http.post("/api/chat", json={"text": "x" * 70_000}).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must stop reading at the limit
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    chunked = http.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    small = http.post("/api/ask", content=iter([b'{"question": "hotline"}']),
                      headers={"Content-Type": "application/json"})
    assert small.status_code == 200 and small.json()["found"]


def test_upload_larger_than_the_limit_is_refused_before_reading(http: httpx.Client) -> None:
    csrf = admin_login(http)
    response = http.post("/admin/documents/upload", data={"csrf": csrf},
                         files={"file": ("big.txt", b"a" * (2 * 1024 * 1024), "text/plain")})
    assert response.status_code == 413


# -- chat: CSRF, cookie, no answer leaked ----------------------------------------------------------------------
def test_chat_refuses_other_origins_and_non_json(http: httpx.Client, server: ServerThread) -> None:
    evil = http.post("/api/chat", json={"text": "hotline"}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    evil_site = http.post("/api/chat", json={"text": "hotline"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert evil_site.status_code == 403
    form = http.post("/api/chat", content=b"text=hotline", headers={"Content-Type": "text/plain",
                                                                     "Origin": server.url})
    assert form.status_code == 415
    ok = http.post("/api/chat", json={"text": "/hotline"}, headers={"Origin": server.url})
    assert ok.status_code == 200 and "1800" in ok.json()["replies"][0]["text"]
    assert http.post("/api/chat", json={"button": "é" * 10}).status_code == 400
    assert http.post("/api/chat", json={}).status_code == 400


def test_user_id_cookie_is_signed(http: httpx.Client, server: ServerThread) -> None:
    first = http.get("/")
    cookie = first.cookies["cchc_uid"]
    uid = Signer(server.settings.web_secret.encode()).unsign(cookie)
    assert uid and uid.startswith("w")
    assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Lax" in first.headers["set-cookie"]
    assert "set-cookie" not in http.get("/").headers  # a valid cookie is kept
    http.cookies.set("cchc_uid", "wattacker." + cookie.rpartition(".")[2])
    assert "set-cookie" in http.get("/").headers  # an edited id is not accepted


def test_quiz_json_never_carries_the_answer(http: httpx.Client) -> None:
    reply = next(r for r in http.post("/api/chat", json={"text": "/quiz"}).json()["replies"] if r["quiz"])
    quiz = reply["quiz"]
    assert set(quiz) == {"header", "stem", "options"}
    assert all(set(o) == {"letter", "text", "payload"} for o in quiz["options"])
    feedback = http.post("/api/chat", json={"button": quiz["options"][0]["payload"]}).json()["replies"][0]
    assert feedback["text"].startswith(("✅ Chính xác!", "❌ Chưa đúng."))


# -- admin: login, sessions, CSRF ------------------------------------------------------------------------------
def test_admin_urls_without_a_session_redirect_to_login(http: httpx.Client) -> None:
    for method, path in [("GET", "/admin"), ("GET", "/admin/documents"), ("GET", "/admin/gaps"),
                         ("GET", "/admin/usage"), ("GET", "/admin/contest"), ("GET", "/admin/audit"),
                         ("GET", "/admin/anything/else"), ("POST", "/admin/documents/reload"),
                         ("POST", "/admin/documents/remove"), ("POST", "/admin/documents/upload")]:
        response = http.request(method, path)
        assert response.status_code == 303 and response.headers["location"] == "/admin/login", path
    http.cookies.set(SESSION_COOKIE, "forged-token", path="/admin")
    assert http.get("/admin").headers["location"] == "/admin/login"
    assert http.get("/admin/login").status_code == 200


def test_admin_forms_need_the_csrf_token_and_our_origin(http: httpx.Client, server: ServerThread,
                                                        assistant: Assistant) -> None:
    set_cookie = http.post("/admin/login", data={"password": ADMIN_PASSWORD}).headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Path=/admin" in set_cookie
    csrf = admin_login(http)
    cookie = http.cookies[SESSION_COOKIE]
    before = len(audit_rows(assistant))
    assert http.post("/admin/documents/reload", data={}).status_code == 403
    assert http.post("/admin/documents/reload", data={"csrf": csrf[:-2] + "xx"}).status_code == 403
    assert http.post("/admin/documents/reload", data={"csrf": csrf},
                     headers={"Origin": "https://evil.example"}).status_code == 403
    assert http.post("/admin/documents/remove", data={"doc_id": "004_1ddf88fba73ab6aa"}).status_code == 403
    upload = http.post("/admin/documents/upload", files={"file": ("a.txt", b"x", "text/plain")})
    assert upload.status_code == 403
    refused = audit_rows(assistant)[before:]
    assert [r[0] for r in refused] == ["csrf"] * 5 and all(r[2] == 0 for r in refused)
    assert len(server.assistant.holder.engine.docs) == 5  # nothing was removed
    # a login from another site is refused too (login CSRF)
    other = httpx.post(server.url + "/admin/login", data={"password": ADMIN_PASSWORD},
                       headers={"Origin": "https://evil.example"}, trust_env=False)
    assert other.status_code == 403 and SESSION_COOKIE not in other.cookies
    # logging out needs the token as well, then the session is gone
    http.post("/admin/logout", data={"csrf": csrf})
    assert server.channel.admin.sessions.get(cookie) is None
    http.cookies.set(SESSION_COOKIE, cookie, path="/admin")
    assert http.get("/admin").headers["location"] == "/admin/login"


def test_login_lockout_after_repeated_failures(data: Path, assistant: Assistant) -> None:
    srv = start(data, assistant, web_login_attempts=3, web_lockout_minutes=15)
    try:
        with httpx.Client(base_url=srv.url, trust_env=False) as http:
            wrong = [http.post("/admin/login", data={"password": f"sai-{i}"}) for i in range(3)]
            assert [r.status_code for r in wrong] == [401, 401, 401]
            assert "Mật khẩu không đúng." in wrong[0].text
            locked = http.post("/admin/login", data={"password": ADMIN_PASSWORD})
            assert locked.status_code == 429 and "Đăng nhập sai quá nhiều lần" in locked.text
            assert SESSION_COOKIE not in locked.cookies and int(locked.headers["retry-after"]) > 800
        actions = [r for r in audit_rows(assistant) if r[0] == "login"][-4:]
        assert [r[1] for r in actions] == ["sai mật khẩu"] * 3 + ["từ chối: đang bị khóa"]
    finally:
        srv.close()


def test_sessions_expire(http: httpx.Client, server: ServerThread) -> None:
    admin_login(http)
    assert http.get("/admin").status_code == 200
    session = server.channel.admin.sessions.get(http.cookies[SESSION_COOKIE])
    session.expires = time.monotonic() - 1
    assert http.get("/admin").headers["location"] == "/admin/login"
    store = SessionStore(60)
    s = store.create("c", now=0)
    assert store.get(s.token, now=59) is s and store.get(s.token, now=61) is None


def test_admin_password_is_only_kept_hashed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CCHC_WEB_ADMIN_PASSWORD", "mot-mat-khau-rat-dai")
    monkeypatch.setenv("CCHC_WEB_ALLOWED_ORIGINS", "https://a.gov.vn/, https://b.gov.vn")
    settings = Settings.from_env(env_file=None)
    assert is_password_hash(settings.web_admin_password_hash)
    assert verify_password("mot-mat-khau-rat-dai", settings.web_admin_password_hash)
    assert not verify_password("mot-mat-khau-rat-dai!", settings.web_admin_password_hash)
    assert "mot-mat-khau" not in repr(settings) and "scrypt" not in repr(settings)
    assert settings.web_allowed_origins == ("https://a.gov.vn", "https://b.gov.vn")
    made = subprocess.run([sys.executable, "-m", "bot", "web", "hash-password"], input="mot-mat-khau-khac\n",
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and verify_password("mot-mat-khau-khac", made.stdout.strip())
    monkeypatch.setenv("CCHC_WEB_ADMIN_PASSWORD", made.stdout.strip())
    assert Settings.from_env(env_file=None).web_admin_password_hash == made.stdout.strip()
    monkeypatch.setenv("CCHC_WEB_ALLOWED_ORIGINS", "https://a.gov.vn/path")
    with pytest.raises(SystemExit):
        Settings.from_env(env_file=None)


# -- admin: uploads checked like the chat's, everything escaped ---------------------------------------------------
def test_bad_uploads_are_refused_with_the_chat_reasons(http: httpx.Client, assistant: Assistant) -> None:
    csrf = admin_login(http)
    for name, content in [("ke-hoach.docx", make_truncated_docx()), ("virus.exe", b"MZ\x90\x00binary"),
                          ("cu.doc", b"\xd0\xcf\x11\xe0old word")]:
        response = http.post("/admin/documents/upload", data={"csrf": csrf},
                             files={"file": (name, content, "application/octet-stream")})
        assert response.status_code == 303 and response.headers["location"] == "/admin/documents"
        page = http.get("/admin/documents").text
        flash = re.search(r'<div class="flash error" role="status">(.*?)</div>', page, re.S)
        assert flash and "Không thêm được tài liệu" in flash.group(1), page[:2000]
    uploads = [r for r in audit_rows(assistant) if r[0] == "upload"][-3:]
    assert [r[1].split(" ")[0] for r in uploads] == ["ke-hoach.docx", "virus.exe", "cu.doc"]
    assert all("lỗi:" in r[1] for r in uploads)
    assert len(assistant.holder.engine.docs) == 5


def test_every_stored_text_is_escaped_on_the_dashboard(http: httpx.Client, assistant: Assistant) -> None:
    now = time.time()
    assistant.state.insert("questions_log", {"ts": now, "platform": "web", "user_id": "x", "chat_id": "x",
                                             "question": f"Hỏi {XSS}", "found": 0})
    assistant.state.audit("telegram", XSS, "xoa", XSS, False)
    assistant.state.insert("quiz_exams", {"platform": "telegram", "user_id": "42", "user_name": XSS,
                                          "status": "finished", "score": 3, "n_questions": 3, "started": now - 60,
                                          "deadline": now + 600, "finished": now, "duration": 60.0,
                                          "answered_count": 3, "expired": 0, "notified": 1})
    admin_login(http)
    for path in ("/admin", "/admin/gaps", "/admin/audit", "/admin/contest", "/admin/usage"):
        page = http.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in http.get("/admin/gaps").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in http.get("/admin/contest").text
    assert "<svg" in http.get("/admin/usage").text  # the chart, drawn on the server


def test_admin_upload_adds_a_document_and_the_api_answers_from_it(data: Path, seed_data_dir: Path,
                                                                  tmp_path: Path) -> None:
    own = copy_seed(seed_data_dir, tmp_path / "data")
    srv = ServerThread(web_settings(own)).start()
    try:
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=60) as http:
            csrf = admin_login(http)
            response = http.post("/admin/documents/upload", data={"csrf": csrf},
                                 files={"file": ("Kế hoạch An Lạc.docx", make_docx(), "application/octet-stream")})
            assert response.status_code == 303
            assert "Đã thêm tài liệu" in http.get("/admin/documents").text
            answer = http.post("/api/ask", json={"question": "Giải nhất hội thi xã An Lạc được thưởng bao nhiêu?"})
            assert answer.json()["found"] and "3.000.000" in answer.json()["answer"]
            doc_id = answer.json()["citations"][0]["doc_id"]
            http.post("/admin/documents/remove", data={"csrf": csrf, "doc_id": doc_id})
            assert "Đã xoá tài liệu" in http.get("/admin/documents").text
        actions = [r["action"] for r in srv.assistant.state.query("SELECT action FROM audit_log ORDER BY id")]
        assert actions == ["login", "upload", "xoa"]
    finally:
        srv.close()


# -- what the dashboard shows: grouping and usage -------------------------------------------------------------
def test_knowledge_gaps_group_similar_wordings(assistant: Assistant) -> None:
    state = assistant.state
    state.db.execute("DELETE FROM questions_log")
    now = time.time()
    for days_ago, platform, question in [
        (3, "web", "Mức lương cơ sở năm 2025 là bao nhiêu?"),
        (2, "zalo", "muc luong co so nam 2025 la bao nhieu"),
        (1, "telegram", "Cho tôi hỏi mức lương cơ sở năm 2025 là bao nhiêu ạ?"),
        (1, "web", "năm 2025 mức lương cơ sở bao nhiêu"),
        (0, "web", "Mức lươn cơ sở năm 2025 là bao nhiêu?"),  # a typo
        (1, "web", "Giá vé xe buýt nội thành Hải Phòng?"),
        (0, "zalo", "gia ve xe buyt noi thanh hai phong"),
        (40, "web", "Mức lương cơ sở năm 2025 là bao nhiêu?"),  # too old
    ]:
        state.insert("questions_log", {"ts": now - days_ago * 86400, "platform": platform, "user_id": "u",
                                       "chat_id": "u", "question": question, "found": 0})
    gaps = knowledge_gaps(state, 30, now=now)
    assert [(g.text, g.count) for g in gaps] == [("Mức lương cơ sở năm 2025 là bao nhiêu?", 5),
                                                 ("Giá vé xe buýt nội thành Hải Phòng?", 2)]
    salary = gaps[0]
    assert salary.first_ts == pytest.approx(now - 3 * 86400) and salary.last_ts == pytest.approx(now)
    assert dict(salary.platforms) == {"web": 3, "zalo": 1, "telegram": 1}
    assert len(salary.variants()) == 4
    assert wording_key("Cho tôi hỏi số hotline là gì ạ?") == "so hotline"
    usage = usage_by_day(state, 7, now=now)
    assert len(usage) == 7 and usage[-1].per_platform == {"web": 1, "zalo": 1} and usage[-1].answered == 0


# -- the command itself ------------------------------------------------------------------------------------------
def test_cchc_run_web_subprocess_serves_and_never_logs_secrets(seed_data_dir: Path, tmp_path: Path) -> None:
    """`python -m bot run web` with DEBUG logging: chat, API and an admin login work, SIGTERM → exit 0,
    and neither the password nor the cookie key appear in its output."""
    data = copy_seed(seed_data_dir, tmp_path / "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "khoa-bi-mat-cookie-0123456789"
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "CCHC_WEB_PORT": str(port), "CCHC_WEB_LISTEN": "127.0.0.1",
           "CCHC_WEB_ADMIN_PASSWORD": ADMIN_PASSWORD, "CCHC_WEB_SECRET": secret, "CCHC_LOG_LEVEL": "DEBUG",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("CCHC_DOCS_DIR", None)
    log_path = tmp_path / "web.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "web"], cwd=tmp_path, env=env,
                                stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/healthz", trust_env=False).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
                time.sleep(0.1)
            with httpx.Client(base_url=url, trust_env=False, timeout=60) as http:  # 2 shared cores: slow
                chat = http.post("/api/chat", json={"text": "sdt hotline dvc la j"}).json()
                assert "1800" in chat["replies"][0]["text"]
                assert http.post("/api/ask", json={"question": "đường dây nóng"}).json()["found"]
                assert http.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 303
                assert http.post("/admin/login", data={"password": "sai"}).status_code == 401
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(20)
    output = log_path.read_text("utf-8", "replace")
    assert code == 0, output[-3000:]
    assert "Trang web đang chạy tại" in output and "DEBUG" in output
    assert ADMIN_PASSWORD not in output and secret not in output

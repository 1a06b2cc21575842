"""Running the bot in an office (issue 13): clean start-up failures through the real CLI, tokens
redacted from every printed error, base URLs with or without /bot, /whoami on every channel,
`cchc doctor` against fake Bot API servers on 127.0.0.1, `cchc state backup` restored and checked,
and the small things (a closed pipe, the local user's flood limit, a lone "2", titles).
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot import cli, heartbeat
from bot.app import build_assistant
from bot.console_channel import ConsoleSession, run_console
from bot.doctor import run_doctor
from bot.kb_commands import TqdmProgress
from bot.logging_setup import RedactingFilter
from bot.settings import Settings, api_base
from bot.state_commands import backup
from bot.telegram_channel import build_application
from bot.zalo_channel import serve_polling
from handlers.messages import Citation
from handlers.numbers import ascii_digits, is_number, parse_int
from handlers.render_text import shorten
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo
from tests.telegram_app import running

ROOT = Path(__file__).resolve().parents[1]
TG_TOKEN = "5512345678:AAHq-Fake_TokenForTests_x9ZqW3e"
TG_SECRET_HALF = TG_TOKEN.split(":", 1)[1]
ZALO_SECRET_HALF = ZALO_TOKEN.split(":", 1)[1]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "TELEGRAM_API_BASE", "ZALO_API_BASE", "CCHC_ADMINS",
                 "TELEGRAM_FILE_BASE", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "ZALO_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def cchc(args: list[str], env: dict[str, str], stdin: str = "", timeout: float = 90) -> subprocess.CompletedProcess:
    """The real command line, in a directory without a .env file."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1,localhost", **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=full, cwd=ROOT / "tests", timeout=timeout)  # no .env there


def assert_clean_failure(proc: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    """Exit `code`, one or two lines on stderr, in Vietnamese, no traceback, no token."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    assert 1 <= len(lines) <= 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    for secret in (TG_TOKEN, TG_SECRET_HALF, ZALO_TOKEN, ZALO_SECRET_HALF):
        assert secret not in proc.stderr + proc.stdout


# -- start-up failures through the real CLI ----------------------------------------------------------

def test_configuration_errors_exit_2_before_anything_starts(data_dir: Path) -> None:
    env = {"CCHC_DATA_DIR": str(data_dir)}
    assert_clean_failure(cchc(["run", "telegram"], env), 2, "TELEGRAM_BOT_TOKEN", "@BotFather")
    assert_clean_failure(cchc(["run", "zalo"], env), 2, "ZALO_BOT_TOKEN")
    assert_clean_failure(cchc(["run", "telegram"], {**env, "CCHC_EXAM_MINUTES": "hai mươi"}), 2,
                         "Lỗi cấu hình", "CCHC_EXAM_MINUTES")
    assert_clean_failure(cchc(["run", "telegram", "--webhook"], {**env, "TELEGRAM_BOT_TOKEN": TG_TOKEN,
                                                                 "TELEGRAM_WEBHOOK_URL": "http://x.vn"}),
                         2, "https://")


def test_telegram_start_up_failures_are_one_or_two_lines(data_dir: Path, tmp_path: Path) -> None:
    env = {"CCHC_DATA_DIR": str(data_dir), "TELEGRAM_BOT_TOKEN": TG_TOKEN}
    with FakeTelegram("5512345678:AnotherBotsTokenEntirely_000000") as fake:  # rejects our token
        refused = cchc(["run", "telegram"], {**env, "TELEGRAM_API_BASE": fake.base_url})
        # With CCHC_LOG_LEVEL=DEBUG the library's traceback is there for a developer (redacted).
        debug = cchc(["run", "telegram"], {**env, "TELEGRAM_API_BASE": fake.base_url + "/",
                                           "CCHC_LOG_LEVEL": "DEBUG"})
    assert_clean_failure(refused, 1, "Telegram từ chối TELEGRAM_BOT_TOKEN")
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "Telegram từ chối" in debug.stderr
    assert TG_TOKEN not in debug.stderr and TG_SECRET_HALF not in debug.stderr
    # Nothing listens on port 9: the bootstrap retries fail, and only our line is printed.
    unreachable = cchc(["run", "telegram"], {**env, "TELEGRAM_API_BASE": "http://127.0.0.1:9"})
    assert_clean_failure(unreachable, 1, "Không kết nối được tới Telegram", "http://127.0.0.1:9/bot")
    # A data directory that cannot be created, its path holding the token: said, and redacted.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    bad_dir = blocker / TG_TOKEN
    no_dir = cchc(["run", "telegram"], {**env, "CCHC_DATA_DIR": str(bad_dir), "TELEGRAM_API_BASE": "http://127.0.0.1:9"})
    assert_clean_failure(no_dir, 1, "Lỗi tệp/hệ thống")
    assert "***" in no_dir.stderr


def test_zalo_start_up_failures_and_a_base_url_without_bot(data_dir: Path) -> None:
    env = {"CCHC_DATA_DIR": str(data_dir), "ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_RETRY_DELAY": "0.01"}
    with FakeZalo.in_thread(token="1111111111:someOtherTokenOfAnotherBot00000") as other:
        refused = cchc(["run", "zalo"], {**env, "ZALO_API_BASE": other.base_url})
    assert_clean_failure(refused, 1, "Zalo từ chối token (401)")
    # The base URL without its "/bot" once made httpx quote the token's secret half (issue 13).
    unreachable = cchc(["run", "zalo"], {**env, "ZALO_API_BASE": "http://127.0.0.1:9"})
    assert_clean_failure(unreachable, 1, "Không kết nối được Zalo Bot API", "http://127.0.0.1:9/bot")
    broken = cchc(["run", "zalo"], {**env, "ZALO_API_BASE": "http://[::1"})
    assert_clean_failure(broken, 1, "Không kết nối được Zalo Bot API")


def test_telegram_runs_with_base_urls_written_without_bot(data_dir: Path) -> None:
    """TELEGRAM_API_BASE without "/bot" (and no TELEGRAM_FILE_BASE): the bot connects and answers;
    at INFO the start-up is one line, in no case a traceback."""
    unhealthy = cchc(["health"], {"CCHC_DATA_DIR": str(data_dir)})
    assert unhealthy.returncode == 1 and "Chưa có bot nào chạy" in unhealthy.stderr
    with FakeTelegram(TG_TOKEN) as fake:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CCHC_DATA_DIR": str(data_dir), "TELEGRAM_BOT_TOKEN": TG_TOKEN,
               "TELEGRAM_API_BASE": fake.base_url.removesuffix("/bot") + "/", "NO_PROXY": "127.0.0.1,localhost"}
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "telegram"], env=env, cwd=data_dir,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            fake.push_update(fake.message("/hotline", user_id=4242))
            [reply] = fake.wait_sync("sendMessage", 1, 4242, timeout=60)
            assert "1800 1096" in reply.result["text"]
            healthy = cchc(["health"], {"CCHC_DATA_DIR": str(data_dir)})  # the container's HEALTHCHECK
            assert healthy.returncode == 0 and "Bot đang chạy: telegram" in healthy.stdout, healthy.stderr
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and TG_TOKEN not in err and TG_SECRET_HALF not in err
    assert "Telegram bot @cchc_test_bot ready (long polling)" in err


def test_base_urls_are_normalised() -> None:
    for given in ("https://api.telegram.org", "https://api.telegram.org/", "https://api.telegram.org/bot",
                  " https://api.telegram.org/bot/ "):
        assert api_base(given) == "https://api.telegram.org/bot"
        assert api_base(given.replace("/bot", "/file"), "/file/bot") == "https://api.telegram.org/file/bot"
    settings = Settings(data_dir=Path("x"), docs_dir=Path("x"), zalo_api_base="https://bot-api.zapps.me",
                        telegram_api_base="http://127.0.0.1:8081/", telegram_file_base="http://127.0.0.1:8081")
    assert settings.zalo_api_base == "https://bot-api.zapps.me/bot"
    assert settings.telegram_api_base == "http://127.0.0.1:8081/bot"
    assert settings.telegram_file_base == "http://127.0.0.1:8081/file/bot"


def test_a_token_inside_an_exception_message_is_redacted(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """cli.main's last line of defence prints the error: never the token, at INFO or at DEBUG."""
    def explode(_settings: Settings, _args: object) -> int:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TG_TOKEN}/getMe failed; port '{ZALO_SECRET_HALF}'")

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    monkeypatch.setenv("ZALO_BOT_TOKEN", ZALO_TOKEN)
    monkeypatch.setattr(cli, "cmd_kb", explode)
    for level in ("INFO", "DEBUG"):
        monkeypatch.setenv("CCHC_LOG_LEVEL", level)
        assert cli.main(["kb", "stats"]) == 1
        err = capsys.readouterr().err
        assert "RuntimeError" in err and "***" in err
        assert ("Traceback" in err) == (level == "DEBUG")
        for secret in (TG_TOKEN, TG_SECRET_HALF, ZALO_TOKEN, ZALO_SECRET_HALF):
            assert secret not in err
    # And the filter itself: the secret half alone, URL-encoded forms, token shapes it never saw.
    redactor = RedactingFilter([ZALO_TOKEN])
    assert redactor.redact(f"Invalid port: '{ZALO_SECRET_HALF}'") == "Invalid port: '***'"
    assert "***" in redactor.redact("bot9999999:AAAAAAAAAAAAAAAAAAAAAAAAAA/getMe")


# -- /whoami on every channel ------------------------------------------------------------------------

def test_whoami_in_the_terminal(data_dir: Path) -> None:
    assistant = build_assistant(Settings.from_env(env_file=None))
    try:
        [text] = ConsoleSession(assistant).handle("/whoami")
        assert "console:console" in text and "CCHC_ADMINS=console:console" in text
        admin = replace(assistant.settings, admins=frozenset({"console:console"}))
        assistant.settings = admin
        [text] = ConsoleSession(assistant).handle("/id")
        assert "Bạn đang là quản trị viên" in text
    finally:
        assistant.close()


async def test_whoami_on_telegram_and_zalo(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, docs_dir=data_dir / "documents", telegram_token=TG_TOKEN,
                        zalo_token=ZALO_TOKEN, zalo_retry_delay=0.01, zalo_poll_timeout=5,
                        admins=frozenset({"zalo:z-admin"}))
    with FakeTelegram(TG_TOKEN) as tg:
        settings = replace(settings, telegram_api_base=tg.base_url, telegram_file_base=tg.file_base_url)
        assistant = build_assistant(settings)
        try:
            async with running(build_application(assistant)):
                tg.push_update(tg.message("/whoami", user_id=123456789, first_name="Hà"))
                [call] = await tg.wait("sendMessage", 1, 123456789)
                text = call.result["text"]
                assert "Mã người dùng của bạn trên Telegram (Hà): 123456789" in text
                assert "CCHC_ADMINS=telegram:123456789" in text
                group = tg.message("/whoami@cchc_test_bot", user_id=55, chat_id=-100777, chat_type="group")
                tg.push_update(group)
                [call] = await tg.wait("sendMessage", 1, -100777)
                assert "telegram:55" in call.result["text"] and "-100777" in call.result["text"]
            zalo = FakeZalo(idle_wait=0.05)
            await zalo.start()
            stop = asyncio.Event()
            task = asyncio.create_task(serve_polling(replace(settings, zalo_api_base=zalo.base_url), stop,
                                                     assistant=assistant))
            await zalo.wait_for(lambda: zalo.count("getUpdates") >= 1)
            assert heartbeat.check(data_dir)[0] and not heartbeat.check(data_dir, now=time.time() + 600)[0]
            zalo.push_text("/whoami", user_id="z-user")
            zalo.push_text("/whoami", user_id="z-admin")
            await zalo.wait_for(lambda: zalo.texts_to("z-user") and zalo.texts_to("z-admin"))
            assert "Mục để đặt vào CCHC_ADMINS: zalo:z-user" in zalo.texts_to("z-user")[0]
            assert "Bạn đang là quản trị viên" in zalo.texts_to("z-admin")[0]
            stop.set()
            assert await asyncio.wait_for(task, 15) == 0
            await zalo.stop()
        finally:
            assistant.close()


# -- cchc doctor -------------------------------------------------------------------------------------

def test_doctor_against_fake_bot_apis(data_dir: Path) -> None:
    with FakeTelegram(TG_TOKEN) as tg, FakeZalo.in_thread() as zalo:
        settings = Settings(data_dir=data_dir, docs_dir=data_dir / "documents", telegram_token=TG_TOKEN,
                            telegram_api_base=tg.base_url, zalo_token=ZALO_TOKEN, zalo_api_base=zalo.base_url,
                            admins=frozenset({"telegram:1"}))
        out = io.StringIO()
        assert run_doctor(settings, out=out) == 0, out.getvalue()
        text = out.getvalue()
        assert "✔ Token hợp lệ: bot @cchc_test_bot" in text and "✔ Token hợp lệ: bot Zalo “Trợ lý CCHC”" in text
        assert "✔ knowledge.db: 5 tài liệu" in text and "Kết quả: 0 lỗi" in text
        # A Zalo webhook without its secret, a Telegram token Telegram refuses, a bad admin entry.
        zalo.webhook_url, zalo.webhook_ever_set = "https://bot.example.gov.vn/zalo/webhook", True
        broken = replace(settings, telegram_token="5512345678:RevokedTokenRevokedToken00",
                         admins=frozenset({"123456"}))
        out = io.StringIO()
        assert run_doctor(broken, out=out) == 1
        text = out.getvalue()
        assert "✘ Telegram từ chối TELEGRAM_BOT_TOKEN" in text and "ZALO_WEBHOOK_SECRET chưa đặt" in text
        assert "✘ CCHC_ADMINS có mục sai dạng: 123456" in text and "Kết quả: 3 lỗi" in text
        assert "RevokedTokenRevokedToken00" not in text and ZALO_SECRET_HALF not in text
        # The real command line, offline and online.
        env = {"CCHC_DATA_DIR": str(data_dir), "TELEGRAM_BOT_TOKEN": TG_TOKEN, "TELEGRAM_API_BASE": tg.base_url,
               "CCHC_ADMINS": "telegram:1"}
        proc = cchc(["doctor"], env)
        assert proc.returncode == 0 and "✔ Token hợp lệ: bot @cchc_test_bot" in proc.stdout, proc.stdout
        assert TG_TOKEN not in proc.stdout + proc.stderr
    unreachable = cchc(["doctor"], {**env, "TELEGRAM_API_BASE": "http://127.0.0.1:9"})
    assert unreachable.returncode == 1 and "✘ Không kết nối được Telegram" in unreachable.stdout
    offline = cchc(["doctor", "--offline"], {**env, "TELEGRAM_API_BASE": "http://127.0.0.1:9"})
    assert offline.returncode == 0 and "Bỏ qua kiểm tra mạng" in offline.stdout


def test_doctor_finds_a_broken_knowledge_db_and_an_unwritable_data_dir(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "knowledge.db").write_bytes(b"not a database" * 100)
    settings = Settings(data_dir=data_dir, docs_dir=data_dir / "documents")
    out = io.StringIO()
    assert run_doctor(settings, offline=True, out=out) == 1
    assert "✘ knowledge.db" in out.getvalue() and "cchc kb build" in out.getvalue()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = io.StringIO()
    assert run_doctor(Settings(data_dir=blocker, docs_dir=blocker / "d"), offline=True, out=out) == 1
    assert "không phải thư mục" in out.getvalue()


# -- cchc state backup -------------------------------------------------------------------------------

def test_state_backup_while_the_bot_writes_restores_every_attempt_and_exam(data_dir: Path, tmp_path: Path) -> None:
    """Practice answers and exams of several users; `cchc state backup` runs while another thread
    keeps writing; the copy, put in place as a new data dir's state.db, passes integrity_check and
    holds every attempt and exam, and the bot serves the users' scores from it."""
    os.environ["CCHC_EXAM_QUESTIONS"] = "2"
    try:
        assistant = build_assistant(Settings.from_env(env_file=None))
    finally:
        del os.environ["CCHC_EXAM_QUESTIONS"]
    assistant.dispatcher.flood = None
    for user in ("an", "binh", "chi"):
        session = ConsoleSession(assistant, user)
        for _ in range(3):
            session.handle("/quiz")
            session.handle("B")
        session.handle("/thi")
        session.handle("A")
        session.handle("C")
        session.handle("₇")  # the prediction, typed as a subscript digit
    attempts = assistant.state.query("SELECT * FROM quiz_attempts ORDER BY id")
    exams = assistant.state.query("SELECT * FROM quiz_exams ORDER BY id")
    assert len(attempts) == 15 and len(exams) == 3 and all(e["prediction"] == 7 for e in exams)

    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            assistant.state.log_question("console", "writer", "writer", "câu hỏi trong lúc sao lưu", False)
            time.sleep(0.001)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        proc = cchc(["state", "backup", str(tmp_path / "backups" / "state.db")], {"CCHC_DATA_DIR": str(data_dir)})
    finally:
        stop.set()
        writer.join()
        assistant.close()
    assert proc.returncode == 0, proc.stderr
    assert "kiểm tra toàn vẹn: ok" in proc.stdout and "15 lượt trả lời trắc nghiệm, 3 bài thi thử" in proc.stdout

    restored_dir = tmp_path / "restored"
    shutil.copytree(data_dir, restored_dir, ignore=shutil.ignore_patterns("state.db*"))
    shutil.copy2(tmp_path / "backups" / "state.db", restored_dir / "state.db")
    assert not (tmp_path / "backups" / "state.db-wal").exists()  # one self-contained file
    conn = sqlite3.connect(restored_dir / "state.db")
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [dict(r) for r in conn.execute("SELECT * FROM quiz_attempts ORDER BY id")] == attempts
        assert [dict(r) for r in conn.execute("SELECT * FROM quiz_exams ORDER BY id")] == exams
    finally:
        conn.close()
    check = cchc(["state", "check", str(restored_dir / "state.db")], {"CCHC_DATA_DIR": str(restored_dir)})
    assert check.returncode == 0 and "nguyên vẹn" in check.stdout
    again = build_assistant(Settings(data_dir=restored_dir, docs_dir=restored_dir / "documents"))
    try:
        scores = "\n".join(ConsoleSession(again, "binh").handle("/diem"))
        assert "Bài thi đã hoàn thành: 1" in scores
    finally:
        again.close()


def test_state_backup_refuses_clearly(tmp_path: Path) -> None:
    proc = cchc(["state", "backup", str(tmp_path / "b.db")], {"CCHC_DATA_DIR": str(tmp_path / "empty")})
    assert_clean_failure(proc, 1, "Chưa có state.db")
    (tmp_path / "junk.db").write_bytes(b"junk" * 1000)
    assert_clean_failure(cchc(["state", "check", str(tmp_path / "junk.db")], {"CCHC_DATA_DIR": str(tmp_path)}), 1)
    with pytest.raises(FileNotFoundError):
        backup(tmp_path / "nothing.db", tmp_path / "x.db")


# -- the small things --------------------------------------------------------------------------------

def test_kb_list_into_a_closed_pipe_says_nothing(data_dir: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already exited
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CCHC_DATA_DIR": str(data_dir)}
        proc = subprocess.run([sys.executable, "-m", "bot", "kb", "list"], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=data_dir, timeout=90)
    finally:
        os.close(write_end)
    assert proc.returncode == 141 and proc.stderr == "", proc.stderr


def test_the_local_chat_user_is_not_flood_limited(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_FLOOD_PER_MINUTE", "2")
    stdout = io.StringIO()
    lines = "\n".join(["/hotline"] * 6 + ["/thoat"]) + "\n"
    assert run_console(Settings.from_env(env_file=None), stdin=io.StringIO(lines), stdout=stdout) == 0
    assert stdout.getvalue().count("1800 1096") == 6 and "Bạn gửi hơi nhanh" not in stdout.getvalue()
    assistant = build_assistant(Settings.from_env(env_file=None))  # the other channels still are
    try:
        replies = [assistant.dispatcher.dispatch(assistant.incoming("zalo", "z", "z", "/hotline"))[0].text
                   for _ in range(3)]
        assert "Bạn gửi hơi nhanh" in replies[-1]
    finally:
        assistant.close()


def test_a_lone_number_without_a_menu_gets_a_polite_reply(data_dir: Path) -> None:
    assistant = build_assistant(Settings.from_env(env_file=None))
    try:
        session = ConsoleSession(assistant)
        for typed in ("2", "２", "₂", "2.", "1022"):
            [text] = session.handle(typed)
            assert "không có lựa chọn đánh số nào đang chờ" in text and "Nguồn" not in text, (typed, text)
        answer = session.handle("Số hotline hỗ trợ dịch vụ công là gì?")
        assert "Gõ 2 để xem kết quả khác" in answer[0]
        [more] = session.handle("２")[:1]  # a full-width 2 presses the second choice
        assert more.startswith("Kết quả 2")
    finally:
        assistant.close()


def test_titles_are_not_doubled_nor_cut_mid_word(data_dir: Path) -> None:
    citation = Citation("d", "Kế hoạch Tuyên truyền cải cách hành chính 6 tháng cuối năm 2025", "", "2025",
                        "Ủy ban nhân dân xã Phú Thái", "I.1", "")
    assert "năm 2025 năm 2025" not in citation.label() and citation.label().count("2025") == 1
    assert "năm 2018" in replace(citation, title="Kế hoạch tuyên truyền", date="2018").label()
    title = "Kế hoạch Tuyên truyền cải cách hành chính Nhà nước trên địa bàn xã Phú Thái 6 tháng cuối năm 2025"
    assert shorten(title, 80) == "Kế hoạch Tuyên truyền cải cách hành chính Nhà nước trên địa bàn xã Phú Thái…"
    assistant = build_assistant(Settings.from_env(env_file=None))
    try:
        session = ConsoleSession(assistant)
        hotline = session.handle("/hotline")[0]
        for line in hotline.splitlines()[1:]:
            ref = line.rsplit("(theo ", 1)[1].rstrip(")")
            assert ref in title or (ref.endswith("…") and title.startswith(ref[:-1])) or "/" in ref, ref
            if ref.endswith("…"):
                assert title[len(ref) - 1] == " ", ref  # cut at a word boundary
        listing = session.handle("/tailieu")[0]
        assert "năm 2025 năm 2025" not in listing and "6 t (" not in listing
        cited = session.handle("Kế hoạch tuyên truyền của xã Phú Thái có mục đích gì?")[0]
        assert "năm 2025 năm 2025" not in cited
    finally:
        assistant.close()


def test_numbers_in_every_unicode_digit_form() -> None:
    assert ascii_digits("₅５٣۳३①²𝟓") == "55333125"
    assert [parse_int(t) for t in ("₅", " ５ ", "٣٠", "12a", "", "-1", "9" * 19)] == [5, 5, 30, None, None, None, None]
    assert is_number("(２)") and is_number("2.") and not is_number("2 người") and not is_number("½")


def test_build_progress_is_tqdm_with_rate_and_time_left() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = TqdmProgress(screen)
    for done in range(1, 6):
        progress("passages", done, 5)
    shown = screen.getvalue()
    assert "đoạn văn" in shown and "5/5" in shown and "mục/s" in shown and "00:00<00:00" in shown
    piped = io.StringIO()  # not a terminal (a log, a pipe): no bar at all
    TqdmProgress(piped)("passages", 1, 1)
    assert piped.getvalue() == ""

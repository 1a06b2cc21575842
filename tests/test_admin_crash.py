"""Crash safety of admin changes: a real `cchc kb add/remove` process is killed (SIGKILL, as kill -9)
at each step of an add, a replace and a remove, then the knowledge base is opened again the way an
entry point opens it (`cchc kb list`, `cchc ask`, a bot or the web channel's `build_assistant`).

After the restart the documents folder and the knowledge DB describe the same documents, with the
same content; no `.backup-*` folder, temporary DB file or journal is left; and the audit log says
what was interrupted and what recovery did. The step a process dies at is chosen with the test-only
variable CCHC_TEST_CRASH_AT (knowledge/journal.py `crash_point`): the kill is real, no `finally`
block or exit handler runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge.build import document_files
from knowledge.journal import JOURNAL_NAME, served_documents

ROOT = Path(__file__).resolve().parents[1]

# Made-up documents: a plan with a header, a short notice, and a plan with a quiz question whose
# quote a bad replacement drops (so the build refuses the replacement and the change is undone).
PLAN = """ỦY BAN NHÂN DÂN XÃ ĐÔNG SƠN
Số: 18/KH-UBND
Đông Sơn, ngày 02 tháng 4 năm 2024
KẾ HOẠCH
Số hóa hồ sơ hộ tịch xã Đông Sơn năm 2024
I. MỤC ĐÍCH
- Số hóa toàn bộ sổ hộ tịch lưu tại xã từ năm 1990 đến năm 2015 để tra cứu trực tuyến.
II. NỘI DUNG
- Công chức tư pháp - hộ tịch chủ trì việc quét và nhập dữ liệu, hoàn thành trước ngày 30 tháng 9 năm 2024.
- Kinh phí số hóa là 120.000.000 đồng từ ngân sách xã.
"""
PLAN_V2 = PLAN.replace("120.000.000", "150.000.000").replace("30 tháng 9", "31 tháng 10")
NOTICE = """THÔNG BÁO
Lịch tiếp công dân của Chủ tịch xã Đông Sơn
Chủ tịch Ủy ban nhân dân xã Đông Sơn tiếp công dân vào sáng thứ Năm hằng tuần tại phòng tiếp dân.
Đăng ký trước qua số điện thoại 0237 3912 468.
"""
QUIZ_PLAN = """ỦY BAN NHÂN DÂN XÃ ĐÔNG SƠN
Số: 21/KH-UBND
Đông Sơn, ngày 10 tháng 5 năm 2024
KẾ HOẠCH
Tuyên truyền dịch vụ công trực tuyến xã Đông Sơn năm 2024
I. NỘI DUNG
- Mỗi thôn tổ chức ít nhất hai buổi hướng dẫn người dân nộp hồ sơ trực tuyến trong quý II năm 2024.
- Đoàn thanh niên lập tổ tình nguyện hỗ trợ người cao tuổi tại bộ phận một cửa.
"""
QUIZ = """doc_id: ke_hoach_tuyen_truyen
questions:
  - id: ds-01
    question: "Mỗi thôn ở xã Đông Sơn tổ chức ít nhất mấy buổi hướng dẫn nộp hồ sơ trực tuyến trong quý II năm 2024?"
    options: ["Một buổi", "Hai buổi", "Ba buổi", "Bốn buổi"]
    answer: 1
    explanation: "Kế hoạch 21/KH-UBND giao mỗi thôn tổ chức ít nhất hai buổi hướng dẫn."
    quote: "Mỗi thôn tổ chức ít nhất hai buổi hướng dẫn người dân nộp hồ sơ trực tuyến"
    section: "I"
"""
QUIZ_PLAN_BROKEN = QUIZ_PLAN.replace("Mỗi thôn tổ chức ít nhất hai buổi", "Các thôn tổ chức các buổi")

ROLLED_BACK = "hoàn tác"
COMPLETED = "hoàn tất"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_cchc(args: list[str], data: Path, crash_at: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("CCHC_DOCS_DIR", None)
    env.pop("CCHC_TEST_CRASH_AT", None)
    if crash_at:
        env["CCHC_TEST_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT / "tests", timeout=300)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory of made-up documents, built once by the real command line."""
    data = tmp_path_factory.mktemp("crash-template")
    docs = data / "documents"
    docs.mkdir()
    (docs / "ke_hoach_so_hoa.txt").write_text(PLAN, "utf-8")
    (docs / "thong_bao_tiep_dan.txt").write_text(NOTICE, "utf-8")
    (docs / "ke_hoach_tuyen_truyen.txt").write_text(QUIZ_PLAN, "utf-8")
    (docs / "ke_hoach_tuyen_truyen.yaml").write_text(QUIZ, "utf-8")
    built = run_cchc(["kb", "build"], data)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "3 tài liệu" in built.stdout and "1 câu hỏi trắc nghiệm" in built.stdout, built.stdout
    return data


@pytest.fixture
def data(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template, target)
    return target


def folder_state(data: Path) -> dict[str, str]:
    """Every file of the documents folder (documents and question files) with its digest."""
    return {p.name: sha(p.read_bytes()) for p in sorted((data / "documents").iterdir()) if p.is_file()}


def recovery_rows(data: Path) -> list[str]:
    state = data / "state.db"
    if not state.exists():
        return []
    conn = sqlite3.connect(state)
    try:
        return [r[0] for r in conn.execute("SELECT detail FROM audit_log WHERE action = 'kb-recover' ORDER BY id")]
    finally:
        conn.close()


def assert_consistent(data: Path) -> None:
    """The folder and the knowledge DB describe the same documents; nothing is left over."""
    docs = data / "documents"
    on_disk = {p.stem: sha(p.read_bytes()) for p in document_files(docs)}
    assert on_disk == served_documents(data / "knowledge.db")
    leftovers = [p.name for p in data.iterdir()
                 if p.name.startswith(".backup-") or p.name.endswith(".tmp") or p.name == JOURNAL_NAME]
    assert leftovers == []


def crash(data: Path, args: list[str], step: str) -> None:
    """Run a real change and let it kill itself (SIGKILL) at `step`; it must really have died there."""
    killed = run_cchc(args, data, crash_at=step)
    assert killed.returncode == -signal.SIGKILL, (step, killed.returncode, killed.stdout, killed.stderr)


def restart_with_list(data: Path) -> None:
    listed = run_cchc(["kb", "list"], data)
    assert listed.returncode == 0, listed.stdout + listed.stderr


# (step, what recovery must do): before the new knowledge DB is swapped in the change is undone,
# after it the change is completed.
REPLACE_STEPS = [("journal", ROLLED_BACK), ("moved", ROLLED_BACK), ("writing", ROLLED_BACK),
                 ("written", ROLLED_BACK), ("swap", ROLLED_BACK), ("swapped", COMPLETED), ("cleaned", COMPLETED)]
REMOVE_STEPS = [("journal", ROLLED_BACK), ("moved", ROLLED_BACK), ("swap", ROLLED_BACK),
                ("swapped", COMPLETED), ("cleaned", COMPLETED)]
ADD_STEPS = [("journal", ROLLED_BACK), ("writing", ROLLED_BACK), ("swap", ROLLED_BACK), ("swapped", COMPLETED)]


@pytest.mark.parametrize("step,expected", REPLACE_STEPS)
def test_kill_during_a_replace_then_restart(data: Path, tmp_path: Path, step: str, expected: str) -> None:
    before = folder_state(data)
    new = tmp_path / "ke_hoach_so_hoa.txt"
    new.write_text(PLAN_V2, "utf-8")

    crash(data, ["kb", "add", str(new)], step)
    restart_with_list(data)

    assert_consistent(data)
    after = folder_state(data)
    if expected == ROLLED_BACK:
        assert after == before
    else:
        assert after == {**before, "ke_hoach_so_hoa.txt": sha(new.read_bytes())}
    rows = recovery_rows(data)
    assert rows and expected in rows[0] and "thay tài liệu ke_hoach_so_hoa" in rows[0], rows
    assert "cchc kb add" in rows[0]  # who started the interrupted change
    assert ("tệp tạm" in rows[-1]) == (step == "swap")  # the half-built DB was removed too


@pytest.mark.parametrize("step,expected", REMOVE_STEPS)
def test_kill_during_a_remove_then_restart(data: Path, step: str, expected: str) -> None:
    before = folder_state(data)

    crash(data, ["kb", "remove", "ke_hoach_tuyen_truyen"], step)
    asked = run_cchc(["ask", "--json", "Chủ tịch xã Đông Sơn tiếp công dân vào ngày nào?"], data)  # restart
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["found"]

    assert_consistent(data)
    after = folder_state(data)
    if expected == ROLLED_BACK:
        assert after == before
        # the document is still there, so removing it again works (it used to say "Không có tài liệu mã")
        again = run_cchc(["kb", "remove", "ke_hoach_tuyen_truyen"], data)
        assert again.returncode == 0 and again.stdout.startswith("Đã xoá tài liệu"), again.stdout
        assert_consistent(data)
    else:
        assert after == {k: v for k, v in before.items() if not k.startswith("ke_hoach_tuyen_truyen.")}
    rows = recovery_rows(data)
    assert rows and expected in rows[0] and "xoá tài liệu ke_hoach_tuyen_truyen" in rows[0], rows


@pytest.mark.parametrize("step,expected", ADD_STEPS)
def test_kill_during_an_add_then_restart_the_bots(data: Path, tmp_path: Path, step: str, expected: str) -> None:
    """The restart is a bot's (or the web channel's): `build_assistant`, whose document list the
    web dashboard and /tailieu show."""
    from bot.app import build_assistant
    from tests.admin_support import make_settings

    before = folder_state(data)
    new = tmp_path / "thong_bao_moi.txt"
    new.write_text(NOTICE.replace("thứ Năm", "thứ Ba").replace("0237 3912 468", "0237 3912 999"), "utf-8")

    crash(data, ["kb", "add", str(new)], step)
    assistant = build_assistant(make_settings(data, admins=frozenset({"console:admin"})))
    try:
        assert_consistent(data)
        listed = {d["doc_id"] for d in assistant.holder.engine.documents()}
        assert listed == {p.stem for p in document_files(data / "documents")}
        after = folder_state(data)
        if expected == ROLLED_BACK:
            assert after == before and "thong_bao_moi" not in listed
        else:
            assert after == {**before, "thong_bao_moi.txt": sha(new.read_bytes())}
        rows = [r["detail"] for r in assistant.state.query(
            "SELECT detail FROM audit_log WHERE action = 'kb-recover'")]
        assert rows and expected in rows[0] and "thêm tài liệu thong_bao_moi" in rows[0], rows
    finally:
        assistant.close()


def test_kill_while_undoing_a_refused_replacement(data: Path, tmp_path: Path) -> None:
    """The replacement drops the quiz question's quote, so the build refuses it; the process dies
    just before putting the old file back. The restart puts it back."""
    before = folder_state(data)
    bad = tmp_path / "ke_hoach_tuyen_truyen.txt"
    bad.write_text(QUIZ_PLAN_BROKEN, "utf-8")
    refused = run_cchc(["kb", "add", str(bad)], data)
    assert refused.returncode == 1 and "không tìm thấy trích dẫn" in refused.stdout, refused.stdout
    assert folder_state(data) == before

    crash(data, ["kb", "add", str(bad)], "failed")
    assert folder_state(data) != before  # the refused file really was left in the folder
    restart_with_list(data)
    assert_consistent(data)
    assert folder_state(data) == before
    assert ROLLED_BACK in recovery_rows(data)[0]


def test_leftovers_of_a_version_without_the_journal_are_reconciled(data: Path) -> None:
    """What issue 22 found after kill -9 with no journal: a removed file only in `.backup-*`, a
    replaced one with the new file in the folder and the old one in `.backup-*`, and a temporary DB.
    The knowledge DB is what was committed: files it still serves go back, the rest is dropped."""
    docs = data / "documents"
    before = folder_state(data)
    removed = data / ".backup-1700000000000000001"
    removed.mkdir()
    shutil.move(docs / "thong_bao_tiep_dan.txt", removed / "thong_bao_tiep_dan.txt")
    replaced = data / ".backup-1700000000000000002"
    replaced.mkdir()
    shutil.move(docs / "ke_hoach_so_hoa.txt", replaced / "ke_hoach_so_hoa.txt")
    (docs / "ke_hoach_so_hoa.txt").write_text(PLAN_V2, "utf-8")
    stale = data / ".backup-1700000000000000003"
    stale.mkdir()
    (stale / "da_xoa_tu_lau.txt").write_text(NOTICE, "utf-8")
    (data / ".knowledge.db.999999.1700000000000000004.tmp").write_bytes(b"half a database")

    restart_with_list(data)

    assert folder_state(data) == before
    assert_consistent(data)
    rows = recovery_rows(data)
    assert len(rows) == 4, rows
    assert any("trả lại thong_bao_tiep_dan.txt" in r for r in rows)
    assert any("trả lại ke_hoach_so_hoa.txt" in r for r in rows)
    assert any("tệp tạm" in r for r in rows)


def test_a_damaged_journal_never_stops_the_start(data: Path) -> None:
    (data / JOURNAL_NAME).write_text('{"id": "x", "acti', "utf-8")
    before = folder_state(data)
    restart_with_list(data)
    assert folder_state(data) == before
    assert_consistent(data)
    assert any("Nhật ký thay đổi" in r for r in recovery_rows(data))


@pytest.mark.parametrize("moment", ["journal written", "building", "journal gone"])
def test_kill_9_from_outside_at_a_moment_of_a_replace(data: Path, tmp_path: Path, moment: str) -> None:
    """No hook in the process: the test watches the data directory and sends SIGKILL itself when
    the change is journaled, while the new DB is being written, or just after the change ended."""
    before = folder_state(data)
    new = tmp_path / "ke_hoach_so_hoa.txt"
    new.write_text(PLAN_V2, "utf-8")
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("CCHC_TEST_CRASH_AT", None)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "kb", "add", str(new)], env=env, cwd=ROOT / "tests",
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen_journal = False
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        journal = (data / JOURNAL_NAME).exists()
        seen_journal = seen_journal or journal
        if ((moment == "journal written" and journal)
                or (moment == "building" and list(data.glob(".knowledge.db.*.tmp")))
                or (moment == "journal gone" and seen_journal and not journal)):
            proc.kill()
            break
        time.sleep(0.002)
    proc.wait(30)
    restart_with_list(data)

    assert_consistent(data)
    assert folder_state(data) in (before, {**before, "ke_hoach_so_hoa.txt": sha(new.read_bytes())})
    if proc.returncode == -signal.SIGKILL and moment != "journal gone":
        assert recovery_rows(data), "an interrupted change leaves an audit row"


def test_a_failure_after_the_swap_keeps_the_change_it_served(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after the new DB is swapped in (here: writing the report) must not undo the folder
    change: the DB already serves it, and folder and DB would disagree."""
    import handlers.kb_admin as kb_admin

    def broken_report(*_: object) -> str:
        raise RuntimeError("report failed")

    monkeypatch.setattr(kb_admin, "full_text", broken_report)
    admin = kb_admin.KnowledgeAdmin(data / "documents", data / "knowledge.db")
    with pytest.raises(RuntimeError):
        admin.add_document("ke_hoach_so_hoa.txt", PLAN_V2.encode())
    assert_consistent(data)
    assert (data / "documents" / "ke_hoach_so_hoa.txt").read_text("utf-8") == PLAN_V2

"""`cchc ask` and `cchc chat` through the real command line: answers, JSON contract, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BAD_INPUTS = {
    "empty": "",
    "spaces": "    ",
    "huge": "cải cách hành chính " * 500,  # 10,000 characters
    "emoji": "😀😀🎉👍",
    "punctuation": "?!?!... ;;; ---",
    "control": "\x00\x01\x07 hotline \x1b[31m",
    "sql": "'; DROP TABLE passages; --",
    "fts": '" OR 1=1 NEAR(a b) * --',
}


def run_cli(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_ask_json_contract(data_dir: Path) -> None:
    proc = run_cli(["ask", "--json", "-k", "3", "Số hotline hỗ trợ dịch vụ công là gì?"], data_dir)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"question", "found", "answer", "citations"}
    assert out["found"] is True and "1096" in out["answer"]
    assert 1 <= len(out["citations"]) <= 3
    first = out["citations"][0]
    for key in ("doc_id", "title", "number", "date", "section", "text", "source_text", "score"):
        assert key in first
    assert "1800.1096" in first["source_text"]
    assert len(out["answer"]) <= 600
    # A scanned plan: people read it restored; `source_text` stays the scan, for checking.
    assert first["restored"] is True and "Ping tai cong khai sb hotline 1800.1096" in first["source_text"]
    for shown in (out["answer"], first["text"]):
        assert re.search(r"Đăng tải công khai số hotline 1800\.1096", shown) and "cong khai sb" not in shown
    assert first["title"].startswith("Kế hoạch Tuyên truyền") and first["issuer"].startswith("Ủy ban nhân dân xã ")


def test_ask_stdin_one_json_line_per_question(data_dir: Path) -> None:
    questions = ["so hotline ho tro dich vu cong la gi", "", "Thời tiết Hà Nội ngày mai thế nào?",
                 BAD_INPUTS["sql"], "Chủ đề năm 2018 của thành phố Hải Phòng là gì?"]
    proc = run_cli(["ask", "--json", "-k", "2", "-"], data_dir, stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == len(questions)
    assert [line["found"] for line in lines] == [True, False, False, False, True]
    assert "1800" in lines[3 - 3]["answer"]
    assert "đường dây nóng" in lines[2]["answer"]  # a decline points to the hotline
    assert all(len(line["citations"]) <= 2 for line in lines)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_a_clear_vietnamese_message(name: str, data_dir: Path) -> None:
    proc = run_cli(["ask", "--json", "-"], data_dir, stdin=BAD_INPUTS[name].replace("\n", " ") + "\n")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    out = json.loads(proc.stdout)
    if name == "control":  # the word survives the control characters and is answered
        assert out["found"] is True
        return
    assert out["found"] is False
    assert any(w in out["answer"] for w in ("Bạn hãy", "Xin lỗi", "dài quá")), out["answer"]


def test_query_syntax_is_plain_text(data_dir: Path) -> None:
    proc = run_cli(["ask", "--json", "-"], data_dir, stdin='"hotline" * -(\nhotline\n')
    first, second = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["found"] and second["found"]
    assert first["citations"][0]["passage_id"] == second["citations"][0]["passage_id"]


def test_chat_survives_bad_input_and_exits_cleanly(data_dir: Path) -> None:
    lines = [*BAD_INPUTS.values(), "/hotline", "sdt hotline dvc la j", "1", "/khonglenhnay", "/thoat"]
    proc = run_cli(["chat"], data_dir, stdin="\n".join(v.replace("\n", " ") for v in lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    out = proc.stdout
    assert "Xin chào" in out and "Tạm biệt" in out
    assert "1800 1096" in out  # /hotline
    assert "Nguyên văn" in out  # typing 1 pressed "Xem nguyên văn"
    assert "dài quá" in out and "chưa thấy câu hỏi" in out and "/khonglenhnay" in out


def test_kb_build_and_stats(data_dir: Path) -> None:
    proc = run_cli(["kb", "build"], data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "5 tài liệu" in proc.stdout
    stats = run_cli(["kb", "stats"], data_dir)
    assert stats.returncode == 0
    assert "155/KH-SYT" in stats.stdout and "24/KH-UBND" in stats.stdout and "tổng (5 tài liệu)" in stats.stdout


def test_first_use_builds_the_embedded_knowledge_base(tmp_path: Path) -> None:
    proc = run_cli(["ask", "--json", "Kế hoạch số 139/KH-TTYT do đơn vị nào ban hành?"], tmp_path / "fresh")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["found"] and out["citations"][0]["number"] == "139/KH-TTYT"
    assert (tmp_path / "fresh" / "knowledge.db").exists()
    assert sorted(p.name for p in (tmp_path / "fresh" / "documents").glob("*.txt"))[0].startswith("000_")

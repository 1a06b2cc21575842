"""1,500 hostile inputs through the real `cchc ask --json -` and `cchc chat` (issue 13 acceptance).

Generated with a fixed seed: control characters, terminal escapes, injection strings (SQL, FTS, HTML,
templates, format strings, paths), odd commands and arguments, 20,000-character lines, random
Unicode (combining marks, right-to-left, zero-width, emoji, private use, CJK), numbers in every
Unicode digit form, and exams answered and predicted with such digits. Each process gets all of
them on stdin (one process per command keeps it fast). Every input must get its reply — one JSON
line each from `ask`; at least one reply each from `chat` — never a traceback, and the chat must
still answer /hotline at the end.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_INPUTS = 1500
SEED = 13
SENTINEL = "/whoami"  # after every chat input: its reply marks where the input's replies end
SENTINEL_REPLY = "Mã người dùng của bạn"
EXIT_WORDS = {"/exit", "/quit", "/thoat", "exit", "quit", "thoat", "thoát", "/thoát"}
WHOAMI_NAMES = {"whoami", "toila", "id", "myid"}

INJECTIONS = [
    "'; DROP TABLE passages; --", "\" OR 1=1 --", "1' UNION SELECT * FROM sqlite_master --",
    '" OR 1=1 NEAR(a b) * --', "hotline*", "NOT AND OR", "<script>alert(1)</script>", "<b>đậm</b><i>",
    "</b></i></a>", "<a href='javascript:alert(1)'>x</a>", "&lt;&amp;&#0;&#x110000;", "{{7*7}}", "${jndi:ldap://x/a}",
    "%s%s%s%n%x", "{0.__class__.__mro__}", "../../../../etc/passwd", "C:\\Windows\\system32", "$(rm -rf /)",
    "`reboot`", "{\"a\": [1, 2", "*bold* _it_ `code` [link](http://x)", "\\u0000\\x00", "null", "None", "NaN",
    "-1", "1e309", "0x41", "#!/bin/sh", "=cmd|' /C calc'!A0", "@everyone", "@bot.cchc /hotline",
]
COMMANDS = [
    "/", "//", "/ ", "/@", "/@@@", "/start@another_bot", "/hotline@bot extra args", "/HOTLINE", "/Hotline 1022",
    "/quiz", "/quiz 155", "/quiz １５５", "/quiz ₁₅₅", "/quiz ' OR 1=1", "/quiz " + "x" * 400, "/thi ₅", "/diem",
    "/bxh", "/onlai", "/huythi", "/tailieu", "/tailieu ../../x", "/xoa", "/xoa ../../etc/passwd", "/xoa 000_*",
    "/reload", "/naplai now", "/thongke", "/themtailieu", "/hoi", "/hoi ₂", "/hoi " + "cải cách " * 300,
    "/help me", "/trogiup", "/start", "/lienhe", "/duongdaynong", "/khonglenhnay", "/" + "a" * 5000,
    "/hotline\x00\x01", "/\u200bhotline", "/ｈｏｔｌｉｎｅ", "/hotline" + "\u0301" * 50,
]
DIGITS = ["0", "1", "2", "4", "5", "₅", "５", "٣", "۳", "३", "①", "²", "𝟓", "٠١٢", "１２３", "₁₂₃₄₅",
          "99999999999999999999999999", "-₅", "1.₅", "₅ người", "dự đoán ٣٠", "１,０００", "0x₅", "½", "Ⅻ"]
EXAM = ["/thi", "₂", "٣", "５", "₅"]  # three answers in other digit forms, then the prediction
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
          (0x900, 0x97F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2190, 0x23FF), (0x2460, 0x24FF),
          (0x3000, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xACFF), (0xE000, 0xE0FF), (0xFE00, 0xFFFD),
          (0x1F300, 0x1F6FF), (0x1D400, 0x1D7FF), (0xE0000, 0xE007F), (0x10FF00, 0x10FFFD)]


def random_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        lo, hi = rng.choice(RANGES)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def control(rng: random.Random) -> str:
    chars = [chr(c) for c in range(32) if c not in (10, 13)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff"]
    return "".join(rng.choice(chars) for _ in range(rng.randint(1, 12))) + rng.choice(["", " hotline", "₅", "a"])


def escape(rng: random.Random) -> str:
    escapes = ["\x1b[31m", "\x1b[2J", "\x1b[H", "\x1b]0;hacked\x07", "\x1b[?1049h", "\x1bc", "\x1b[1;31;42m",
               "\x9b31m", "\x1b(0", "\x1bP+q\x1b\\"]
    return rng.choice(escapes) + rng.choice(["số hotline", "", "/hotline", "2"]) + rng.choice(escapes)


def long_line(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return ("cải cách hành chính " * 1000)[:20_000]
    if kind == 1:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzđêôơư ") for _ in range(20_000))
    return random_unicode(rng, 20_000)


def hostile_inputs(seed: int = SEED, n: int = N_INPUTS) -> list[str]:
    """`n` inputs, each one line (no CR/LF), never blank, never an exit word or a /whoami."""
    rng = random.Random(seed)
    makers = [
        lambda: control(rng), lambda: escape(rng), lambda: rng.choice(INJECTIONS),
        lambda: rng.choice(COMMANDS) + (rng.choice(["", " ", " ₅", " ' OR 1=1"]) if rng.random() < 0.3 else ""),
        lambda: long_line(rng), lambda: random_unicode(rng, rng.randint(1, 80)), lambda: rng.choice(DIGITS),
        lambda: rng.choice(["Số hotline hỗ trợ dịch vụ công là gì?", "sdt hotline dvc la j", "?", "…", "👍"]),
    ]
    inputs: list[str] = []
    while len(inputs) < n:
        if rng.random() < 0.02:
            inputs.extend(EXAM)  # an exam answered with Unicode digits, between the other inputs
            continue
        line = rng.choice(makers)().replace("\r", " ").replace("\n", " ")
        command = line.strip().split(" ", 1)[0][1:].split("@", 1)[0].lower() if line.strip().startswith("/") else ""
        if not line.strip() or line.strip().lower() in EXIT_WORDS or command in WHOAMI_NAMES:
            line = f"x{line}"
        inputs.append(line)
    return inputs[:n]


def run_cli(args: list[str], data_dir: Path, stdin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "CCHC_EXAM_QUESTIONS": "3"}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=ROOT, timeout=300)


def test_generator_is_fixed_and_covers_every_kind() -> None:
    inputs = hostile_inputs()
    assert inputs == hostile_inputs() and len(inputs) == N_INPUTS
    assert all("\n" not in line and "\r" not in line and line.strip() for line in inputs)
    assert any(len(line) == 20_000 for line in inputs)
    assert any("\x1b[" in line for line in inputs) and any("\x00" in line for line in inputs)
    assert any("DROP TABLE" in line for line in inputs) and "₅" in inputs and "/thi" in inputs


def test_ask_json_gives_one_answer_per_hostile_line(data_dir: Path) -> None:
    inputs = hostile_inputs()
    proc = run_cli(["ask", "--json", "-"], data_dir, "\n".join(inputs) + "\n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Lỗi" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == len(inputs)
    for line in lines:
        out = json.loads(line)
        assert set(out) == {"question", "found", "answer", "citations"}
        assert isinstance(out["answer"], str) and out["answer"].strip()


def test_chat_replies_to_every_hostile_line_and_still_answers_hotline(data_dir: Path) -> None:
    inputs = hostile_inputs()
    script = [line for hostile in inputs for line in (hostile, SENTINEL)] + ["/hotline"]
    proc = run_cli(["chat"], data_dir, "\n".join(script) + "\n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    assert "đã có lỗi" not in proc.stdout  # the dispatcher's last-resort apology never showed
    blocks = re.split(r"(?m)^Trợ lý: ", proc.stdout)[1:]
    assert blocks[0].startswith("Xin chào")
    # After the greeting: for every input, at least one reply of its own, then the sentinel's.
    replies_per_input, current = [], 0
    for block in blocks[1:-1]:
        if block.startswith(SENTINEL_REPLY):
            replies_per_input.append(current)
            current = 0
        else:
            current += 1
    assert len(replies_per_input) == len(inputs)
    missing = [inputs[i][:60] for i, n in enumerate(replies_per_input) if n == 0]
    assert not missing, missing
    assert re.search(r"1800\W1096", blocks[-1]) and blocks[-1].startswith("Đường dây nóng")
    assert proc.stdout.rstrip().endswith("Tạm biệt!")
    # The exams were answered and predicted with Unicode digits: scored, and "₅" read as 5.
    assert "Kết quả bài thi:" in proc.stdout and "Dự đoán của bạn: 5 người" in proc.stdout

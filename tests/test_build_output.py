"""What a folder build prints, and which documents it accepts (issue 22).

- A build of 2,000 documents prints a summary of at most 30 lines (it printed every added name on
  one line, 40,000 characters, and three "không đọc được …" lines per law article: 5,973 lines);
  the full report is in kb-report.txt beside the knowledge DB and behind `--verbose`.
- Documents with no plan header (laws, notices) are normal, not warnings; a plan whose number was
  lost still gets its warning, and `cchc kb warnings` lists it (the pointer every `kb` command ends
  with names that command).
- Only a file with no text is refused: a short notice with a phone number is accepted and answered,
  and all 2,249 ALQAC law articles are accepted.

Every document here is made up, except the ALQAC articles, read from ../shared when it is there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALQAC_DOCS = ROOT.parent / "shared" / "alqac" / "docs"
ALQAC_ARTICLES = 2249
MAX_SUMMARY_LINES = 30

PLACES = ["An Phú", "Bình Hòa", "Cát Tiên", "Đông Xuyên", "Gia Lâm", "Hòa Khánh", "Kim Sơn", "Long Hưng",
          "Mỹ Lộc", "Nam Sách", "Phú Lương", "Quảng Yên", "Tân Lập", "Thạch Bàn", "Vĩnh Bảo", "Yên Mỹ"]
TOPICS = ["tiếp nhận hồ sơ đất đai", "cấp bản sao trích lục hộ tịch", "đăng ký thường trú",
          "chứng thực chữ ký", "cấp giấy phép xây dựng nhà ở riêng lẻ", "đăng ký kết hôn"]
WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu"]


def run_cchc(args: list[str], data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("CCHC_DOCS_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT / "tests", timeout=600)


def notice(i: int) -> str:
    """A short made-up notice or law-like article: no plan header, a few lines, different facts."""
    place, topic = PLACES[i % len(PLACES)], TOPICS[i % len(TOPICS)]
    day = WEEKDAYS[i % len(WEEKDAYS)]
    if i % 2:
        return (f"Quy định mẫu số {i} Điều {i % 97 + 1}\nThời hạn giải quyết\n"
                f"Hồ sơ {topic} được giải quyết trong {i % 9 + 2} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.\n")
    return (f"THÔNG BÁO\nVề việc {topic} tại xã {place}\nBộ phận một cửa xã {place} nhận hồ sơ {topic} vào "
            f"{day} hằng tuần. Liên hệ số điện thoại 0{200 + i % 700} {3800 + i:04d} {i % 1000:03d}.\n")


def plan_without_number(i: int) -> str:
    return (f"KẾ HOẠCH\nKiểm tra công vụ quý {i % 4 + 1} tại xã {PLACES[i % len(PLACES)]}\nI. NỘI DUNG\n"
            f"- Tổ kiểm tra số {i} kiểm tra việc chấp hành giờ làm việc của công chức xã.\n")


@pytest.fixture(scope="module")
def big_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """2,000 made-up documents (1,990 notices and articles, 10 plans with no number line) and 5 files
    with no text, built once through the real command line."""
    data = tmp_path_factory.mktemp("two-thousand")
    docs = data / "documents"
    docs.mkdir()
    for i in range(1990):
        (docs / f"tb_{i:04d}.txt").write_text(notice(i), "utf-8")
    for i in range(10):
        (docs / f"kh_{i:02d}.txt").write_text(plan_without_number(i), "utf-8")
    for i in range(5):
        (docs / f"trang_{i}.txt").write_text(f"— {i} —\n\n12/2024\n", "utf-8")
    built = run_cchc(["kb", "build"], data)
    return data, built


def test_a_2000_document_build_prints_a_short_summary_and_the_full_report_goes_to_a_file(
        big_build: tuple[Path, subprocess.CompletedProcess]) -> None:
    data, built = big_build
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    lines = (built.stdout + built.stderr).splitlines()
    assert len(lines) <= MAX_SUMMARY_LINES, len(lines)
    assert max(len(line) for line in lines) <= 400
    out = built.stdout
    assert "2000 tài liệu" in out
    assert "Thêm: 2000 tài liệu (kh_00, kh_01, kh_02, kh_03, kh_04, …)" in out
    assert "Không dùng được 5 mục" in out and "5 tệp — không có nội dung chữ: trang_0.txt" in out
    assert "Cảnh báo (20):" in out  # the 10 plans' number and date, nothing for 1,990 notices and articles
    assert not [line for line in lines if "tb_" in line and "không đọc được" in line]
    report_path = data / "kb-report.txt"
    assert f"Báo cáo đầy đủ: {report_path}" in out
    report = report_path.read_text("utf-8")
    assert all(f"tb_{i:04d}" in report for i in range(1990))  # every name, none cut off
    assert all(f"trang_{i}.txt" in report for i in range(5))
    assert report.count("không đọc được số hiệu văn bản") == 10
    assert all(f"kh_{i:02d}.txt: không đọc được số hiệu văn bản" in report for i in range(10))


def test_warnings_are_listed_by_the_command_every_pointer_names(
        big_build: tuple[Path, subprocess.CompletedProcess], tmp_path: Path) -> None:
    data, _ = big_build
    work = tmp_path / "data"
    shutil.copytree(data, work)
    extra = tmp_path / "tb_moi.txt"
    extra.write_text(notice(4242), "utf-8")
    added = run_cchc(["kb", "add", str(extra)], work)
    assert added.returncode == 0, added.stdout + added.stderr
    assert len(added.stdout.splitlines()) <= MAX_SUMMARY_LINES
    assert "cảnh báo về các tài liệu không đổi" in added.stdout and "xem: cchc kb warnings" in added.stdout
    assert "cchc kb stats" not in added.stdout

    listed = run_cchc(["kb", "warnings"], work)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("20 cảnh báo ở 10 tài liệu."), listed.stdout[:300]
    for i in range(10):
        line = next(x for x in listed.stdout.splitlines() if x.startswith(f"• kh_{i:02d} (kh_{i:02d}.txt): "))
        assert "không đọc được số hiệu văn bản" in line and "không đọc được ngày ban hành" in line
    assert "Không dùng được 5 mục" in listed.stdout and "trang_4.txt" in listed.stdout
    assert "tb_0000" not in listed.stdout  # a notice is not a faulty plan
    stats = run_cchc(["kb", "stats"], work)
    assert "10 tài liệu có cảnh báo, 5 mục không dùng được: xem cchc kb warnings." in stats.stdout


def test_verbose_prints_the_full_report(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "documents").mkdir(parents=True)
    for i in range(40):
        (data / "documents" / f"tb_{i:02d}.txt").write_text(notice(i), "utf-8")
    built = run_cchc(["kb", "build", "--verbose"], data)
    assert built.returncode == 0, built.stdout + built.stderr
    assert all(f"  tb_{i:02d}\n" in built.stdout for i in range(40))
    assert built.stdout == (data / "kb-report.txt").read_text("utf-8") + "\n"


def test_a_short_notice_with_a_phone_number_is_accepted_and_answered(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "documents").mkdir(parents=True)
    for i in range(6):
        (data / "documents" / f"tb_{i}.txt").write_text(notice(i * 2 + 1), "utf-8")
    short = tmp_path / "tb_cap_nuoc.txt"
    short.write_text("THÔNG BÁO\nTạm ngừng cấp nước sinh hoạt ở thôn Bến Gỗ\n"
                     "Thôn Bến Gỗ tạm ngừng cấp nước ngày 14/6 để sửa đường ống. Thắc mắc xin gọi số 0254 3811 726.\n",
                     "utf-8")
    assert len(short.read_text("utf-8")) < 200  # the old floor refused it
    added = run_cchc(["kb", "add", str(short)], data)
    assert added.returncode == 0, added.stdout + added.stderr
    assert added.stdout.startswith("Đã thêm tài liệu tb_cap_nuoc"), added.stdout
    assert "Cảnh báo" not in added.stdout
    asked = run_cchc(["ask", "--json", "Thôn Bến Gỗ ngừng cấp nước thì gọi số điện thoại nào?"], data)
    result = json.loads(asked.stdout)
    assert result["found"] and "0254 3811 726" in result["answer"], result
    assert result["citations"][0]["doc_id"] == "tb_cap_nuoc"

    empty = tmp_path / "trang.txt"
    empty.write_text("  — 3 —\n\n", "utf-8")
    refused = run_cchc(["kb", "add", str(empty)], data)
    assert refused.returncode == 1 and "Tệp trang.txt không có nội dung chữ." in refused.stdout


@pytest.mark.skipif(not ALQAC_DOCS.is_dir(), reason=f"the ALQAC articles are not beside the clone ({ALQAC_DOCS})")
def test_all_alqac_articles_are_accepted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ALQAC_DOCS, data / "documents")
    assert len(list((data / "documents").iterdir())) == ALQAC_ARTICLES
    built = run_cchc(["kb", "build"], data)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    assert f"{ALQAC_ARTICLES} tài liệu" in built.stdout and "Không dùng được" not in built.stdout, built.stdout
    assert len((built.stdout + built.stderr).splitlines()) <= MAX_SUMMARY_LINES
    assert "không đọc được" not in built.stdout  # law articles are not plans with a lost header

"""Documents as offices have them (issue 13): UTF-8 with or without BOM, UTF-16 (Windows Notepad's
"Unicode"), Windows-1258, TCVN3 (ABC) and VNI, converted to Unicode; and folder builds that keep
going past bad files, list every refusal, and fail only when nothing usable is left.

The legacy files are made here from known Vietnamese text with the encoders of knowledge/encodings.py
(the inverse tables); the detection must find the encoding from the bytes alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.app import build_assistant
from bot.settings import Settings
from knowledge.encodings import (
    TCVN3_TABLE,
    UnknownEncoding,
    decode_tcvn3,
    decode_text,
    decode_vni,
    encode_cp1258,
    encode_tcvn3,
    encode_vni,
)
from knowledge.readers import DocumentError, read_bytes, sniff_format
from tests.docs_factory import NEW_PLAN_LINES, make_truncated_docx

ROOT = Path(__file__).resolve().parents[1]
LOWER = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
SAMPLE = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
          "Kế hoạch tuyên truyền cải cách hành chính năm 2025: người dân được hướng dẫn nộp hồ sơ trực tuyến, "
          "quyết định của ủy ban được công khai; ngữ, nghĩa, thuở, khuỷu tay, phường, “trích dẫn” – hết.")

ENCODERS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "utf-16": lambda t: t.encode("utf-16"),  # what Notepad saves as "Unicode": LE with a BOM
    "utf-16-le": lambda t: t.encode("utf-16-le"),  # no BOM
    "utf-16-be": lambda t: t.encode("utf-16-be"),
    "cp1258": encode_cp1258,
    "tcvn3": encode_tcvn3,
    "vni": encode_vni,
}


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_each_encoding_is_detected_and_converted(encoding: str) -> None:
    data = ENCODERS[encoding](SAMPLE)
    decoded = decode_text(data)
    assert decoded.text == SAMPLE
    assert decoded.encoding == {"utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(encoding, encoding)
    assert sniff_format(data) == "text"
    assert unicodedata.is_normalized("NFC", decoded.text)


def test_the_tables_round_trip_every_vietnamese_letter() -> None:
    assert decode_vni(encode_vni(LOWER)) == LOWER
    assert decode_vni(encode_vni(LOWER.upper())) == LOWER.upper()
    assert decode_tcvn3(encode_tcvn3(LOWER)) == LOWER
    # Every lower-case letter with a mark, and the seven capitals TCVN3 has a code for.
    assert set(TCVN3_TABLE.values()) == {c for c in LOWER if not c.isascii()} | set("ĂÂÊÔƠƯĐ")
    # TCVN3 has no code for a capital toned letter: capital fonts draw lower-case codes, so a word
    # (or line) whose other letters are capitals comes back in capitals, a lone one in lower case.
    assert decode_tcvn3(encode_tcvn3("KẾ HOẠCH\nỦy ban")) == "KẾ HOẠCH\nủy ban"
    places = "Vịnh Hạ Long, Đắk Lắk, Quảng Ngãi, Thừa Thiên Huế, Bà Rịa – Vũng Tàu, Ỷ Lan, Ứng Hòa"
    for text in (places, places.upper()):
        for encode in (encode_cp1258, encode_vni):
            assert decode_text(encode(text)).text == text


def test_not_text_is_still_refused() -> None:
    assert sniff_format(b"\xff\xd8\xff\xe0" + b"\0" * 500) == "binary"
    assert sniff_format(bytes(range(256)) * 50) == "binary"
    with pytest.raises(UnknownEncoding):
        decode_text(bytes(range(256)) * 50)
    with pytest.raises(DocumentError, match="dữ liệu nhị phân"):
        read_bytes(bytes(range(256)) * 50, "rac.txt")
    # UTF-8 with one damaged byte stays UTF-8 (one replacement character), not mojibake.
    damaged = SAMPLE.encode("utf-8").replace("hồ sơ".encode(), b"h\xff s\xc6\xa1")
    assert decode_text(damaged).encoding == "utf-8" and "trực tuyến" in decode_text(damaged).text


PLANS = {  # file → (encoding, place, prize): one plan per encoding, each with facts of its own
    "ke_hoach_dong_son.txt": ("tcvn3", "Đông Sơn", "3.100.000"),
    "ke_hoach_quang_dien.txt": ("vni", "Quảng Điền", "3.200.000"),
    "ke_hoach_yen_the.txt": ("utf-16", "Yên Thế", "3.300.000"),
    "ke_hoach_hung_dao.md": ("cp1258", "Hưng Đạo", "3.400.000"),
    "ke_hoach_ngoc_lac.txt": ("utf-8-sig", "Ngọc Lặc", "3.500.000"),
}


def plan_text(place: str, prize: str) -> str:
    return "\n".join(line.replace("An Lạc", place).replace("AN LẠC", place.upper()).replace("3.000.000", prize)
                     for line in NEW_PLAN_LINES)


def cchc(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT / "tests", timeout=300)


def test_legacy_and_utf16_plans_are_built_and_answered(data_dir: Path) -> None:
    docs = data_dir / "documents"
    for name, (encoding, place, prize) in PLANS.items():
        (docs / name).write_bytes(ENCODERS[encoding](plan_text(place, prize)))
    built = cchc(["kb", "build"], data_dir)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "10 tài liệu" in built.stdout and "Không dùng được" not in built.stdout
    for label in ("TCVN3 (ABC)", "VNI Windows", "UTF-16 (Unicode của Windows)", "Windows-1258"):
        assert f"bảng mã {label}, đã chuyển sang Unicode" in built.stdout, built.stdout
    questions = [f"Giải nhất hội thi tìm hiểu thủ tục hành chính xã {place} được thưởng bao nhiêu?"
                 for _, place, _ in PLANS.values()]
    asked = cchc(["ask", "--json", "-"], data_dir, "\n".join(questions) + "\n")
    assert asked.returncode == 0, asked.stderr
    for (name, (_, place, prize)), line in zip(PLANS.items(), asked.stdout.splitlines()):
        out = json.loads(line)
        assert out["found"] and prize in out["answer"], (name, out["answer"])
        top = out["citations"][0]
        assert top["doc_id"] == Path(name).stem and top["number"] == "77/KH-UBND"
        assert place in top["title"], top  # read as proper Unicode, not mojibake
        assert "Giải nhất hội thi được thưởng" in out["answer"]


# -- builds that keep going ------------------------------------------------------------------------

def file_identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def test_a_folder_build_skips_bad_files_lists_every_one_and_fails_only_when_nothing_is_left(
        data_dir: Path) -> None:
    docs = data_dir / "documents"
    short = [f"dieu_{i:03d}.txt" for i in range(40)]  # files with no text at all (a short one is fine)
    for name in short:
        (docs / name).write_text(f"{name[5:8]}. — 12/2024 —", "utf-8")
    (docs / "hong.docx").write_bytes(make_truncated_docx())
    (docs / "cau_hoi_loi.yaml").write_text("doc_id: x\nquestions: [[[", "utf-8")
    bank = (docs / "000_ea17d4eb7683e29a.yaml").read_text("utf-8")
    (docs / "000_ea17d4eb7683e29a.yaml").write_text(bank.replace("quote: ", "quote: KHÔNG CÓ TRONG VĂN BẢN ", 1),
                                                    "utf-8")

    built = cchc(["kb", "build"], data_dir)

    assert built.returncode == 0, built.stdout + built.stderr
    out = built.stdout
    assert "5 tài liệu" in out and "Không dùng được 43 mục" in out
    assert "40 tệp — không có nội dung chữ: dieu_000.txt, " in out
    report = (data_dir / "kb-report.txt").read_text("utf-8")
    assert f"Báo cáo đầy đủ: {data_dir / 'kb-report.txt'}" in out
    assert all(name in report for name in short)  # every refusal named in the report, none cut off
    assert "hong.docx có đuôi .docx nhưng nội dung là dữ liệu nhị phân" in out
    assert "Bỏ qua tệp câu hỏi cau_hoi_loi.yaml: YAML sai cú pháp" in out
    assert "Bỏ qua câu " in out and "không tìm thấy trích dẫn" in out  # one question, not its whole file
    assert "150 câu hỏi trắc nghiệm" in out
    asked = cchc(["ask", "--json", "Số hotline hỗ trợ dịch vụ công là gì?"], data_dir)
    assert json.loads(asked.stdout)["found"]

    kb = file_identity(data_dir / "knowledge.db")
    for seed in docs.glob("0*.txt"):
        seed.unlink()
    refused = cchc(["kb", "build"], data_dir)
    assert refused.returncode == 1
    assert "Không còn tài liệu nào dùng được" in refused.stdout and "vẫn đang phục vụ" in refused.stdout
    assert all(name in (data_dir / "kb-report.txt").read_text("utf-8") for name in short)
    assert file_identity(data_dir / "knowledge.db") == kb  # the old knowledge base keeps serving
    assert json.loads(cchc(["ask", "--json", "Số hotline hỗ trợ dịch vụ công là gì?"], data_dir).stdout)["found"]


def test_a_reload_in_a_running_bot_reports_every_refusal(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_ADMINS", "console:admin")
    docs = data_dir / "documents"
    for i in range(25):
        (docs / f"ngan_{i:02d}.txt").write_text("— 1 —", "utf-8")
    assistant = build_assistant(Settings.from_env(env_file=None))
    try:
        [reply] = assistant.dispatcher.dispatch(assistant.incoming("console", "admin", "admin", "/reload"))
        assert reply.text.startswith("Đã dựng lại cơ sở tri thức"), reply.text
        assert "Không dùng được 25 mục" in reply.text
        assert all(f"ngan_{i:02d}.txt" in reply.text for i in range(5))  # the first few, then the report
        report = (data_dir / "kb-report.txt").read_text("utf-8")
        assert all(f"ngan_{i:02d}.txt" in report for i in range(25))
        assert "lỗi khác" not in reply.text
        assert assistant.ask.ask("Số hotline hỗ trợ dịch vụ công là gì?").found
    finally:
        assistant.close()


def test_add_and_remove_do_not_repeat_the_seed_plans_warnings(data_dir: Path, tmp_path: Path) -> None:
    note = tmp_path / "ghi_chu.txt"
    note.write_text("KẾ HOẠCH\nGhi chú về bộ phận một cửa\nI. NỘI DUNG\n"  # a plan whose number was not read
                    + "Bộ phận một cửa tiếp nhận hồ sơ mỗi sáng thứ Bảy. " * 8, "utf-8")
    added = cchc(["kb", "add", str(note)], data_dir)
    assert added.returncode == 0, added.stdout + added.stderr
    assert "ghi_chu.txt: không đọc được số hiệu văn bản" in added.stdout  # the new document's own
    assert "001_60cbb597f620e29e.txt" not in added.stdout  # the seeds' warnings: not again
    assert "cảnh báo về các tài liệu không đổi" in added.stdout
    removed = cchc(["kb", "remove", "ghi_chu"], data_dir)
    assert removed.returncode == 0 and "Cảnh báo (" not in removed.stdout, removed.stdout
    shutil.rmtree(data_dir / "documents")  # a first build reports everything once
    (data_dir / "knowledge.db").unlink()
    first = cchc(["kb", "build"], data_dir)
    assert "001_60cbb597f620e29e.txt: không đọc được số hiệu văn bản" in first.stdout


def test_question_banks_and_text_restore_read_other_encodings_too(tmp_path: Path) -> None:
    from knowledge.quiz_bank import load_bank_file

    bank = (ROOT / "knowledge" / "questions" / "000_ea17d4eb7683e29a.yaml").read_text("utf-8")
    saved = tmp_path / "000_ea17d4eb7683e29a.yaml"
    saved.write_bytes(bank.encode("utf-16"))  # a question file edited and saved in Notepad
    assert len(load_bank_file(saved)) == len(load_bank_file(ROOT / "knowledge" / "questions" / saved.name))
    clean = "Kế hoạch tuyên truyền cải cách hành chính năm 2025.\nĐường dây nóng: 1800 1096.\n"
    env = {**os.environ, "CCHC_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bot", "text", "restore", "-"], input=encode_tcvn3(clean),
                          capture_output=True, env=env, cwd=ROOT / "tests", timeout=300)
    assert proc.returncode == 0 and proc.stdout.decode("utf-8") == clean, proc.stderr

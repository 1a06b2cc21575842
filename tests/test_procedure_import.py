"""Importing procedures: every format offices have, bad records refused with their reasons while
the good ones are kept, replacements by code, removal, and the shipped catalogue's scope."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from knowledge.procedures.catalogue import Scope, import_records, load_catalogue, remove_code
from knowledge.procedures.importers import read_any, read_bytes
from knowledge.procedures.pages import parse_page
from tests.docs_factory import make_docx, make_text_pdf
from tests.test_procedure_data import BIRTH, PASSPORT, write_jsonl


def test_jsonl_keeps_good_records_and_says_why_each_bad_one_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mix.jsonl", [
        BIRTH, "{not json", {**PASSPORT, "ma_thu_tuc": ""}, {**PASSPORT, "ma_thu_tuc": "abc"},
        {"ma_thu_tuc": "1.900009", "ten_thu_tuc": "Thủ tục rỗng"}, [1, 2], PASSPORT,
        {**PASSPORT, "ma_thu_tuc": "1.900010", "phi_le_phi": {"x": 1}}])
    read = read_any(path)
    assert [r["ma_thu_tuc"] for r in read.records] == ["1.900001", "1.900003"]
    text = "\n".join(read.refused)
    assert "dòng 2: không phải JSON hợp lệ" in text
    assert "dòng 3: thiếu mã thủ tục" in text
    assert "dòng 4 (mã abc): mã thủ tục “abc” không đúng dạng" in text
    assert "dòng 5 (mã 1.900009): không có nội dung nào" in text
    assert "dòng 6: không phải một bản ghi" in text
    assert "trường phi_le_phi không phải văn bản" in text
    assert len(read.refused) == 6


def test_json_csv_and_gzip_with_the_catalogue_field_names(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(json.dumps([BIRTH, {"ten_thu_tuc": "Không mã"}], ensure_ascii=False),
                                        encoding="utf-8")
    (tmp_path / "wrapped.json.gz").write_bytes(gzip.compress(json.dumps({"procedures": [PASSPORT]}).encode()))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["ma_thu_tuc", "ten_thu_tuc", "cap_thuc_hien", "thanh_phan_ho_so_items",
                                             "phi_le_phi"], delimiter=";")
    writer.writeheader()
    writer.writerow({"ma_thu_tuc": "1.012753.H19", "ten_thu_tuc": "Hỗ trợ thử nghiệm nông hộ",
                     "cap_thuc_hien": "Cấp xã",
                     "thanh_phan_ho_so_items": json.dumps([{"ten_giay_to": "Đơn đề nghị", "so_luong": "1"}]),
                     "phi_le_phi": "Không"})
    writer.writerow({"ma_thu_tuc": "1.9", "ten_thu_tuc": "Mã ngắn quá", "phi_le_phi": "Không"})
    (tmp_path / "office.csv").write_text(out.getvalue(), encoding="utf-8")
    (tmp_path / "office2.csv.gz").write_bytes(gzip.compress(out.getvalue().encode("utf-8")))
    (tmp_path / "broken.jsonl.gz").write_bytes(b"\x1f\x8bnot really gzip")
    read = read_any(tmp_path)
    codes = sorted(r["ma_thu_tuc"] for r in read.records)
    assert codes == ["1.012753.H19", "1.012753.H19", "1.900001", "1.900003"]
    csv_record = next(r for r in read.records if r["ma_thu_tuc"] == "1.012753.H19")
    assert csv_record["thanh_phan_ho_so"] == "- Đơn đề nghị (1)"  # built from the items
    text = "\n".join(read.refused)
    assert "list.json, bản ghi 2: thiếu mã thủ tục" in text
    assert "office.csv, dòng 3 (mã 1.9)" in text and "office2.csv.gz, dòng 3 (mã 1.9)" in text
    assert "broken.jsonl.gz: tệp nén .gz bị hỏng" in text
    assert read.files == 5


PAGE_LINES = [
    "CHI TIẾT THỦ TỤC HÀNH CHÍNH",
    "Mã thủ tục: 1.012753.H19",
    "Tên thủ tục: Hỗ trợ thử nghiệm cho nông hộ bị thiên tai",
    "Cấp thực hiện: Cấp xã",
    "Lĩnh vực: Nông nghiệp thử",
    "1. Trình tự thực hiện:",
    "Bước 1: Nông hộ nộp đơn tại Ủy ban nhân dân xã.",
    "Kết quả là đơn được ghi sổ ngay.",
    "2. Cách thức thực hiện: Trực tiếp; Dịch vụ bưu chính",
    "3. Thành phần hồ sơ:",
    "- Đơn đề nghị hỗ trợ (Bản chính: 1)",
    "Thời hạn giải quyết: 10 ngày làm việc",
    "Phí, lệ phí: Không",
    "Căn cứ pháp lý: Nghị định thử 03/2099/NĐ-CP",
]


def test_detail_pages_in_text_html_word_and_pdf() -> None:
    expected = {"ma_thu_tuc": "1.012753.H19", "cap_thuc_hien": "Cấp xã", "phi_le_phi": "Không",
                "thoi_han_giai_quyet": "10 ngày làm việc", "cach_thuc_thuc_hien": "Trực tiếp; Dịch vụ bưu chính"}
    text = "\n".join(PAGE_LINES)
    html = ("<html><head><style>p{}</style></head><body><table>" + "".join(
        f"<tr><td>{line.split(':', 1)[0]}</td><td>{line.split(':', 1)[1] if ':' in line else ''}</td></tr>"
        if ":" in line and not line.startswith(("Bước", "-")) else f"<tr><td>{line}</td></tr>" for line in PAGE_LINES)
        + "</table><script>var x = 'Mã thủ tục: 0';</script></body></html>")
    pages = (("trang.txt", text.encode()), ("trang.html", html.encode()), ("trang.docx", make_docx(PAGE_LINES)))
    for name, data in pages:
        read = read_bytes(data, name)
        assert not read.refused, (name, read.refused)
        [rec] = read.records
        assert {k: rec[k] for k in expected} == expected, name
        assert rec["ten_thu_tuc"] == "Hỗ trợ thử nghiệm cho nông hộ bị thiên tai"
        assert "Kết quả là đơn được ghi sổ ngay." in rec["trinh_tu_thuc_hien"]  # a sentence, not a heading
        assert rec["thanh_phan_ho_so"] == "- Đơn đề nghị hỗ trợ (Bản chính: 1)"
    ascii_lines = [*["Trang chi tiet thu tuc tai ve tu cong dich vu cong thu nghiem."] * 4,
                   "Ma thu tuc: 1.012754.H19", "Ten thu tuc: Cap phep thu nghiem ban PDF",
                   "Trinh tu thuc hien: Buoc 1 nop don tai xa", "Thoi han giai quyet: 5 ngay lam viec"]
    [pdf] = read_bytes(make_text_pdf(ascii_lines), "trang.pdf").records
    assert pdf["ma_thu_tuc"] == "1.012754.H19" and pdf["thoi_han_giai_quyet"] == "5 ngay lam viec"
    assert read_bytes(b"Chi la mot ghi chu, khong co muc nao.", "ghichu.txt").refused[0].startswith(
        "Tệp ghichu.txt: không thấy các mục")
    assert read_bytes(b"%PDF-1.4 broken", "hong.pdf").refused


def test_parse_page_keeps_values_as_written() -> None:
    fields = parse_page("Mã thủ tục | 1.900100\nTên thủ tục | Thủ tục thử\nLệ phí\n50.000 đồng/lần\n")
    assert fields == {"ma_thu_tuc": "1.900100", "ten_thu_tuc": "Thủ tục thử", "phi_le_phi": "50.000 đồng/lần"}


def test_import_replaces_by_code_and_remove_hides_a_shipped_record(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_TTHC_LEVELS", raising=False)
    monkeypatch.delenv("CCHC_TTHC_FIELDS", raising=False)
    shipped = {r["ma_thu_tuc"]: r for r in load_catalogue(None)}
    assert len(shipped) > 2800
    code = next(iter(shipped))
    first = import_records(tmp_path, read_any(write_jsonl(tmp_path / "a.jsonl", [BIRTH, BIRTH])))
    assert first.imported == [("1.900001", "Đăng ký khai sinh")] and "nhiều lần" in first.refused[0]
    second = import_records(tmp_path, read_any(write_jsonl(tmp_path / "b.jsonl", [
        {**BIRTH, "phi_le_phi": "Trực tiếp: 5.000 đồng"}, {**PASSPORT, "ma_thu_tuc": code}])))
    assert sorted(c for c, _ in second.replaced) == sorted(["1.900001", code]) and not second.imported
    assert "2 thủ tục thay thế (cùng mã)" in second.text()
    served = {r["ma_thu_tuc"]: r for r in load_catalogue(tmp_path)}
    assert served["1.900001"]["phi_le_phi"] == "Trực tiếp: 5.000 đồng"
    assert served[code]["ten_thu_tuc"] == PASSPORT["ten_thu_tuc"]
    other = next(c for c in shipped if c != code)
    assert remove_code(tmp_path, other) and remove_code(tmp_path, "1.900001")
    assert not remove_code(tmp_path, "9.999999")
    served = {r["ma_thu_tuc"] for r in load_catalogue(tmp_path)}
    assert other not in served and "1.900001" not in served and code in served
    nothing = import_records(tmp_path, read_any(write_jsonl(tmp_path / "c.jsonl", ["{bad"])))
    assert not nothing.imported and not nothing.replaced and nothing.refused


def test_scope_limits_the_shipped_catalogue_by_level_and_field() -> None:
    xa = Scope.from_env({"CCHC_TTHC_LEVELS": "xa"})
    records = load_catalogue(None, xa)
    assert records and all("xã" in r["cap_thuc_hien"].lower() for r in records)
    both = load_catalogue(None, Scope.from_env({"CCHC_TTHC_LEVELS": "Cấp xã, tinh", "CCHC_TTHC_FIELDS": "Hộ tịch"}))
    assert both and all("tich" in r["linh_vuc"].lower() or "tịch" in r["linh_vuc"].lower() for r in both)
    assert len(both) < len(records)
    assert load_catalogue(None, Scope.from_env({"CCHC_TTHC_LEVELS": "none"})) == []
    assert "cấp xã" in xa.describe()

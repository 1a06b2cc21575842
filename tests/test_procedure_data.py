"""Made-up procedure records and a knowledge base serving them beside a made-up plan.

Every record here is invented for the tests (codes 1.9xxxxx, made-up agencies and fees); the
knowledge bases built from them serve no shipped procedure (CCHC_TTHC_LEVELS=none), so the tests
say what the code does with records they control.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BIRTH = {
    "ma_thu_tuc": "1.900001", "ten_thu_tuc": "Đăng ký khai sinh", "linh_vuc": "Hộ tịch", "cap_thuc_hien": "Cấp xã",
    "so_quyet_dinh": "999/QĐ-TEST", "cach_thuc_thuc_hien": "Trực tiếp; Trực tuyến; Dịch vụ bưu chính",
    "trinh_tu_thuc_hien": "Bước 1: Người đi đăng ký nộp hồ sơ.\nBước 2: Công chức tư pháp ghi sổ và trao giấy.",
    "thanh_phan_ho_so_items": [
        {"nhom": "", "ten_giay_to": "Tờ khai đăng ký khai sinh theo mẫu", "mau_don": "TK-KS-01.docx",
         "so_luong": "Bản chính: 1"},
        {"nhom": "", "ten_giay_to": "Giấy chứng sinh do cơ sở y tế cấp", "mau_don": "", "so_luong": "Bản chính: 1"},
    ],
    "thoi_han_giai_quyet": "Trực tiếp: Ngay trong ngày làm việc\nTrực tuyến: 1",
    "co_quan_thuc_hien": "Ủy ban nhân dân xã Hòa Mỹ Thử | Ủy ban nhân dân cấp xã",
    "phi_le_phi": "Trực tiếp: Miễn lệ phí", "ket_qua": "Giấy khai sinh (bản chính)",
    "can_cu_phap_ly": "Luật Thử nghiệm 01/2099/QH | Nghị định 02/2099/NĐ-CP",
    "doi_tuong_thuc_hien": "Công dân Việt Nam", "nguon": {"url": ""},
}
BIRTH_FOREIGN = {**BIRTH, "ma_thu_tuc": "1.900002", "ten_thu_tuc": "Đăng ký khai sinh có yếu tố nước ngoài",
                 "cap_thuc_hien": "Cấp tỉnh", "phi_le_phi": "Trực tiếp: 75.000 đồng",
                 "co_quan_thuc_hien": "Sở Tư pháp tỉnh Thử"}
PASSPORT = {
    "ma_thu_tuc": "1.900003", "ten_thu_tuc": "Cấp hộ chiếu phổ thông ở trong nước", "linh_vuc": "Xuất nhập cảnh",
    "cap_thuc_hien": "Cấp tỉnh", "so_quyet_dinh": "888/QĐ-TEST", "cach_thuc_thuc_hien": "Trực tiếp; Trực tuyến",
    "thanh_phan_ho_so": "- Tờ khai đề nghị cấp hộ chiếu (Bản chính: 1) [mẫu: TK01]\n- Ảnh chân dung (Bản chính: 2)",
    "thoi_han_giai_quyet": "Trực tiếp: 8 Ngày làm việc", "co_quan_thuc_hien": "Phòng Xuất nhập cảnh Công an tỉnh Thử",
    "phi_le_phi": "", "doi_tuong_thuc_hien": "Công dân Việt Nam",
}
LAND_ITEMS = [{"nhom": "", "ten_giay_to": f"Giấy tờ thử số {n} về thửa đất, " + "kèm mô tả dài " * 12,
               "mau_don": f"M{n:02d}.doc", "so_luong": "Bản chính: 1, Bản sao: 1"} for n in range(1, 26)]
LAND = {
    "ma_thu_tuc": "1.900004", "ten_thu_tuc": "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "linh_vuc": "Đất đai",
    "cap_thuc_hien": "Cấp tỉnh", "so_quyet_dinh": "777/QĐ-TEST", "thanh_phan_ho_so_items": LAND_ITEMS,
    "thoi_han_giai_quyet": "Trực tiếp: 20 Ngày làm việc", "co_quan_thuc_hien": "Văn phòng đăng ký đất đai tỉnh Thử",
    "phi_le_phi": "Trực tiếp: Lệ phí: 100.000 đồng", "doi_tuong_thuc_hien": "Công dân Việt Nam, Hộ gia đình",
}
# Made-up neighbours, so the words of the four procedures above are as rare as in a real catalogue
# (BM25 over four names would make every shared word worthless).
_ACTS = ["Cấp phép", "Gia hạn giấy phép", "Thu hồi chứng chỉ", "Công bố cơ sở", "Đăng ký hoạt động", "Xác nhận"]
_OBJECTS = ["khai thác cát lòng sông thử", "nuôi ong mật thử", "kinh doanh pháo hoa thử", "bến thủy nội địa thử",
            "trạm cân điện tử thử", "lò gạch thủ công thử"]
FILLERS = [{"ma_thu_tuc": f"1.95{i:04d}", "ten_thu_tuc": f"{act} {obj}", "linh_vuc": f"Lĩnh vực thử {i % 5}",
            "cap_thuc_hien": ("Cấp xã", "Cấp tỉnh", "Cấp bộ")[i % 3], "trinh_tu_thuc_hien": f"Bước 1: nộp hồ sơ {obj}.",
            "doi_tuong_thuc_hien": "Doanh nghiệp"}
           for i, (act, obj) in enumerate((a, o) for a in _ACTS for o in _OBJECTS)]
RECORDS = [BIRTH, BIRTH_FOREIGN, PASSPORT, LAND, *FILLERS]

PLAN = """ỦY BAN NHÂN DÂN XÃ HÒA MỸ THỬ
Số: 12/KH-UBND
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2099
I. MỤC TIÊU
1. Mục tiêu của kế hoạch là nâng cao nhận thức của cán bộ và người dân về cải cách hành chính, phấn đấu
95% người dân hài lòng với dịch vụ công của xã Hòa Mỹ Thử trong năm 2099.
II. NHIỆM VỤ
1. Văn phòng xã chủ trì tuyên truyền trên loa truyền thanh mỗi tuần hai lần về dịch vụ công trực tuyến.
2. Công chức tư pháp phối hợp hướng dẫn người dân nộp hồ sơ trực tuyến tại bộ phận một cửa.
"""


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def build_procedure_kb(root: Path, records: list[dict] = RECORDS) -> Path:
    """A data dir: the made-up plan as its documents and `records` as the office's procedures,
    built through the real import and build; returns the data dir."""
    from knowledge.procedures.catalogue import import_records
    from knowledge.procedures.importers import read_any
    from retrieval.indexer import rebuild

    docs = root / "documents"
    docs.mkdir(parents=True)
    (docs / "ke-hoach-thu.txt").write_text(PLAN, encoding="utf-8")
    report = import_records(root, read_any(write_jsonl(root / "made-up.jsonl", records)))
    assert not report.refused
    rebuild(docs, root / "knowledge.db")
    return root


@pytest.fixture
def no_shipped_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_TTHC_LEVELS", "none")


def test_made_up_kb_serves_only_the_made_up_procedures(tmp_path: Path, no_shipped_catalogue: None) -> None:
    import sqlite3

    root = build_procedure_kb(tmp_path / "data")
    codes = [r[0] for r in sqlite3.connect(root / "knowledge.db").execute("SELECT code FROM procedures ORDER BY code")]
    assert codes[:4] == ["1.900001", "1.900002", "1.900003", "1.900004"] and len(codes) == 4 + len(FILLERS)


def test_the_shipped_catalogue_is_read_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reloads reuse the records read before; a new package file is read again; a caller's change
    to its records never reaches the next caller."""
    import gzip
    import shutil

    from knowledge.procedures import catalogue

    first = catalogue.default_records()
    assert len(first) > 2000
    first[0]["ten_thu_tuc"] = "đã sửa"
    first.pop()
    again = catalogue.default_records()
    assert len(again) == len(first) + 1 and again[0]["ten_thu_tuc"] != "đã sửa"

    packaged = tmp_path / "catalogue.jsonl.gz"
    shutil.copy(catalogue.DEFAULT_CATALOGUE, packaged)
    monkeypatch.setattr(catalogue, "DEFAULT_CATALOGUE", packaged)
    assert len(catalogue.default_records()) == len(again)
    with gzip.open(catalogue.DEFAULT_CATALOGUE, "rt", encoding="utf-8") as fh:
        two = [next(fh), next(fh)]
    with gzip.open(packaged, "wt", encoding="utf-8") as fh:
        fh.writelines(two)
    assert len(catalogue.default_records()) == 2  # another file (size, time): read again
    packaged.unlink()
    assert catalogue.default_records() == []

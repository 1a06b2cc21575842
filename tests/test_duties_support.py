"""Made-up plans for the duties and reminders tests (no seed line is copied).

- `write_parts_kb(path)`: a knowledge DB holding only what the duties read — documents, their parts
  (`doc_parts`, `doc_tasks` as the document-parts contract defines them) and passages — so the
  duties are tested apart from how well parts are extracted.
- `HOA_BINH_PLAN`: a whole plan as text, added to a real knowledge base by the real build (the
  channel tests): its deadline sentence names "Phòng Văn hóa - Xã hội" and 15/10/2025.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import sqlite_utils

DOC_A = "100_made_up_a"   # a district plan, 6 months, with an appendix
DOC_B = "101_made_up_b"   # a city plan for a year, with a closing report sentence

TASKS = [
    # (doc, ord, section, task, lead, support, deadline)
    (DOC_A, 1, "III.1", "Xây dựng chuyên mục cải cách hành chính trên trang thông tin điện tử huyện",
     "Phòng Tổ chức - Hành chính", ["Phòng Văn hóa - Xã hội"], "Quý III/2025"),
    (DOC_A, 2, "III.1", "Tổng hợp báo cáo kết quả thực hiện kế hoạch gửi Ủy ban nhân dân huyện",
     "Phòng TCHC", [], "trước ngày 06 của tháng cuối quý"),
    (DOC_A, 3, "Phụ lục", "Cập nhật thủ tục hành chính mới trên bảng niêm yết tại bộ phận một cửa",
     "Phòng Văn hóa - Xã hội", ["Phòng Tổ chức - Hành chính", "Văn phòng HĐND và UBND huyện"], "Thường xuyên"),
    (DOC_A, 4, "Phụ lục", "Tổ chức hội nghị đối thoại với doanh nghiệp về thủ tục đất đai",
     "Phòng Tài nguyên và Môi trường", ["Phòng Kinh tế"], "Tháng 10"),
    (DOC_A, 5, "Phụ lục", "Khảo sát mức độ hài lòng của người dân, báo cáo kết quả trước ngày 20/11/2025",
     "Phòng Tổ chức Cán bộ", [], ""),
    (DOC_A, 6, "Phụ lục", "Tập huấn nghiệp vụ cho công chức một cửa", "Phòng Nội vụ", [], "Theo yêu cầu"),
    (DOC_B, 1, "Phụ lục", "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực xây dựng",
     "Sở Xây dựng", ["Sở Tư pháp"], "trwde ngay 15/9/2024"),
]


def write_parts_kb(path: Path) -> Path:
    """A real SQLite knowledge DB with the tables `knowledge.deadlines_duties` reads."""
    db = sqlite_utils.Database(path)
    db["documents"].insert_all([
        {"doc_id": DOC_A, "title": "Ke hoach", "title_display": "Kế hoạch cải cách hành chính 6 tháng cuối năm 2025",
         "number": "88/KH-UBND", "date": "05/07/2025", "issuer": "",
         "issuer_display": "Ủy ban nhân dân huyện Đông Sơn"},
        {"doc_id": DOC_B, "title": "Ke hoach", "title_display": "Kế hoạch kiểm soát thủ tục hành chính năm 2024",
         "number": "", "date": "2024", "issuer": "", "issuer_display": "Ủy ban nhân dân tỉnh Bắc Lâm"},
    ], pk="doc_id")
    db["doc_parts"].insert_all([
        {"doc_id": DOC_A, "period_start": "2025-07-01", "period_end": "2025-12-31"},
        {"doc_id": DOC_B, "period_start": None, "period_end": None},
    ], pk="doc_id")
    db["doc_tasks"].insert_all([
        {"doc_id": d, "ord": o, "section": sec, "task": t, "lead": lead, "support": json.dumps(sup, ensure_ascii=False),
         "deadline": dl, "product": "", "source_text": t} for d, o, sec, t, lead, sup, dl in TASKS])
    db["passages"].insert_all([
        {"id": 1, "doc_id": DOC_B, "section": "IV", "headings": json.dumps(["IV. TỔ CHỨC THỰC HIỆN"]),
         "headings_display": None, "display": None,
         "text": "Trên đây là Kế hoạch kiểm soát thủ tục hành chính năm 2024. Thủ trưởng các sở, ban, ngành "
                 "tỉnh chỉ đạo thực hiện, báo cáo định kỳ (báo cáo quý gửi trước ngày 10 của tháng cuối "
                 "quý) về Sở Tư pháp để tổng hợp."},
        {"id": 2, "doc_id": DOC_A, "section": "I", "headings": json.dumps(["I. MỤC ĐÍCH"]),
         "headings_display": None, "display": None,
         "text": "Kế hoạch căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2025 của Ủy ban nhân dân tỉnh."},
    ], pk="id")
    return path


def stub_holder(kb_path: Path) -> SimpleNamespace:
    """What `DutyService` uses of the knowledge holder: the DB path and the refresh hook."""
    return SimpleNamespace(kb_path=kb_path, refresh_if_changed=lambda: False)


HOA_BINH_PLAN = """ỦY BAN NHÂN DÂN
XÃ HÒA BÌNH
Số: 45/KH-UBND
Hòa Bình, ngày 10 tháng 7 năm 2025
KẾ HOẠCH
Kiểm tra công tác cải cách hành chính xã Hòa Bình 6 tháng cuối năm 2025
Thực hiện chương trình công tác năm 2025, Ủy ban nhân dân xã Hòa Bình ban hành Kế hoạch kiểm tra
công tác cải cách hành chính như sau:
I. MỤC ĐÍCH, YÊU CẦU
- Đánh giá việc niêm yết, công khai thủ tục hành chính tại bộ phận một cửa của xã.
- Kịp thời chấn chỉnh những tồn tại trong tiếp nhận hồ sơ của người dân.
II. NỘI DUNG KIỂM TRA
- Việc giải quyết hồ sơ đúng hạn, việc xin lỗi người dân khi trễ hẹn, việc số hóa hồ sơ.
III. TỔ CHỨC THỰC HIỆN
1. Phòng Văn hóa - Xã hội
- Phòng Văn hóa - Xã hội chủ trì tổng hợp kết quả kiểm tra, gửi báo cáo về Ủy ban nhân dân xã trước ngày 15/10/2025.
2. Văn phòng HĐND và UBND xã
- Bố trí phòng họp, phương tiện cho đoàn kiểm tra.
"""
HOA_BINH_UNIT = "phong vhxh"
HOA_BINH_DUE = "15/10/2025"


def plan_data_dir(seed_data_dir: Path, root: Path, file_name: str = "hoa_binh_kiem_tra_cchc.txt") -> Path:
    """The seed knowledge base plus `HOA_BINH_PLAN`, built by the real build (a few seconds)."""
    import shutil

    from retrieval.indexer import rebuild

    shutil.copytree(seed_data_dir, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("state.db*", ".kb.lock"))
    (root / "documents" / file_name).write_text(HOA_BINH_PLAN, encoding="utf-8")
    rebuild(root / "documents", root / "knowledge.db")
    return root

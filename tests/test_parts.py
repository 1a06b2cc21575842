"""Document parts on made-up documents in the standard form (NĐ 30/2020), clean and OCR-damaged.

tests/data/parts/plan_clean.txt is a plan written for these tests; plan_ocr_seed7.txt is the same
plan damaged once by `python3 ../shared/tools/ocr_noise.py apply --seed 7` (committed, so the tests
do not need ../shared).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from knowledge.metadata import extract_metadata
from knowledge.parts import all_tasks, parse_parts, read_parts, write_parts
from knowledge.parts.card import render_card
from knowledge.structure import CLOSING_SECTION, document_passages
from knowledge.text import fold

DATA = Path(__file__).parent / "data" / "parts"
CLEAN = (DATA / "plan_clean.txt").read_text("utf-8")
DAMAGED = (DATA / "plan_ocr_seed7.txt").read_text("utf-8")


def test_clean_plan_every_part() -> None:
    parts = parse_parts(CLEAN)
    assert parts.parent == "Sở Y tế tỉnh Lâm Đồng"
    assert parts.issuer == "Trung tâm Y tế huyện Đam Rông"
    assert parts.number == "77/KH-TTYT"
    assert (parts.place, parts.date, parts.kind) == ("Đam Rông", "2025-03-05", "Kế hoạch")
    assert parts.title == "Truyền thông cải cách hành chính năm 2025"
    assert (parts.period_start, parts.period_end) == ("2025-01-01", "2025-12-31")
    assert [r.text for r in parts.recipients] == ["Sở Y tế (để b/c)", "UBND huyện Đam Rông", "Ban Giám đốc",
                                                  "Các khoa, phòng", "Lưu: VT, KHNV"]
    assert parts.signer is not None
    assert (parts.signer.authority, parts.signer.position, parts.signer.name) == (
        "KT. Giám đốc", "Phó Giám đốc", "Nguyễn Thị Thu Hằng")
    assert not parts.signer.position_inferred
    cites = [(c.kind, c.number, c.date, c.issuer, c.subject) for c in parts.cites]
    assert cites == [
        ("Quyết định", "412/QĐ-UBND", "2025-02-20", "UBND tỉnh Lâm Đồng",
         "ban hành Kế hoạch cải cách hành chính năm 2025"),
        ("Kế hoạch", "35/KH-SYT", "2025-02-25", "Sở Y tế", "truyền thông cải cách hành chính ngành y tế năm 2025")]
    tasks = [(t.lead, t.support, t.deadline, t.product) for t in parts.tasks]
    assert tasks == [
        ("Phòng Kế hoạch - Nghiệp vụ", ["Phòng Y tế huyện", "các trạm y tế xã"], "hoàn thành trước ngày 15/10/2025",
         None),
        ("Phòng Kế hoạch - Nghiệp vụ", [], "hằng quý", None),
        ("Các khoa, phòng", [], "Quý III/2025", None),
        ("Các khoa, phòng", [], "thường xuyên", None),
        ("Các khoa, phòng", [], "trước ngày 20 của tháng cuối quý", None),  # set by the closing paragraph
        ("Phòng Kế hoạch - Nghiệp vụ", ["Khoa Dược", "Phòng Tài chính - Kế toán"], "Quý II/2025", "2.000 tờ rơi"),
        ("Ban Giám đốc", ["Các khoa, phòng"], "Hằng quý", "Biên bản hội nghị"),
        ("Phòng Điều dưỡng", ["Các khoa lâm sàng"], "Thường xuyên", "Báo cáo khảo sát")]
    assert [t.section for t in parts.tasks] == ["III.1", "III.1", "III.2", "III.2", "Phần kết", *["Phụ lục"] * 3]
    assert parts.tasks[5].task == "In tờ rơi về thủ tục khám chữa bệnh bảo hiểm y tế"
    assert [(t.value, t.section) for t in parts.targets] == [("95%", "II"), ("80%", "II")]


def test_json_has_the_issue_fields_and_nulls_for_what_is_missing() -> None:
    shown = parse_parts(CLEAN).to_json()
    assert set(shown) == {"id", "parent", "issuer", "number", "place", "date", "kind", "title", "recipients",
                          "signer", "cites", "tasks", "targets", "period"}
    assert set(shown["signer"]) == {"authority", "position", "name"}
    assert set(shown["tasks"][0]) == {"task", "lead", "support", "deadline", "product"}
    bare = parse_parts("Ghi chú họp giao ban\nBộ phận một cửa mở cửa lúc 7 giờ 30 sáng thứ Bảy.").to_json()
    assert (bare["number"], bare["date"], bare["signer"], bare["parent"]) == (None, None, None, None)
    assert bare["recipients"] == bare["cites"] == bare["tasks"] == bare["targets"] == []


def test_damaged_plan_parts_survive_ocr() -> None:
    from knowledge.restore import restore_text

    parts = parse_parts(DAMAGED, restore_text(DAMAGED, force=True))
    assert parts.number == "77/KH-TTYT" and parts.date == "2025-03-05"
    assert fold(parts.issuer or "") == "trung tam y te huyen dam rong"
    assert "cong hoa" not in fold(f"{parts.parent} {parts.issuer}")
    assert parts.signer is not None and parts.signer.authority == "KT. Giám đốc"
    assert parts.signer.position == "Phó Giám đốc" and fold(parts.signer.name or "").startswith("nguyen th")
    recipients = [fold(r.text) for r in parts.recipients]
    assert len(recipients) == 5 and recipients[0].startswith("so y te") and recipients[-1] == "luu vt khnv"
    assert "ban giam doc" in recipients
    assert [(c.number, c.date) for c in parts.cites] == [("412/QĐ-UBND", "2025-02-20"), ("35/KH-SYT", "2025-02-25")]
    deadlines = [fold(t.deadline or "") for t in parts.tasks]
    assert deadlines[:5] == ["hoan thanh truoc ngay 15 10 2025", "hang quy", "quy iii 2025", "thuong xuyen",
                             "truoc ngay 20 cua thang cuoi quy"]
    assert [t.product for t in parts.tasks[5:]] == ["2.000 tờ rơi", "Biên bản hội nghị", "Báo cáo khảo sát"]
    assert [t.value for t in parts.targets] == ["95%", "80%"]
    for cite in parts.cites:  # the scan's own wording is kept for citation
        assert cite.source_text and cite.source_text in " ".join(DAMAGED.split())


def test_two_columns_read_across_are_separated() -> None:
    text = ("KẾ HOẠCH\nThử nghiệm\n\nI. NỘI DUNG\nNội dung thử nghiệm.\n\n"
            "Nơi nhận: KT. CHỦ TỊCH\n-Sở Nội vụ; PHÓ CHỦ TỊCH\n- Như trên;\n- Lưu: VT, VP.\n\nTrần Văn Bình\n")
    parts = parse_parts(text)
    assert [r.text for r in parts.recipients] == ["Sở Nội vụ", "Như trên", "Lưu: VT, VP"]
    assert parts.signer is not None
    assert (parts.signer.authority, parts.signer.position, parts.signer.name) == (
        "KT. Chủ tịch", "Phó Chủ tịch", "Trần Văn Bình")


def test_a_deputy_whose_title_line_was_lost_is_a_deputy_and_a_stamp_is_read() -> None:
    text = ("KẾ HOẠCH\nThử nghiệm\n\nI. NỘI DUNG\nNội dung.\n\nNơi nhận: TM. ỦY BAN NHÂN DÂN\n"
            "- Như trên; KT. CHỦ TỊCH\n- Lưu: VT.\nKý bởi: Ủy ban nhân dân huyện Lạc Sơn\n"
            "Thời gian ký: 02.04.2024 08:15:00 +07:00\n")
    signer = parse_parts(text).signer
    assert signer is not None
    assert signer.authority == "TM. Ủy ban nhân dân / KT. Chủ tịch"
    assert signer.position == "Phó Chủ tịch" and signer.position_inferred
    assert signer.stamp is not None and "02.04.2024 08:15:00 +07:00" in signer.stamp
    assert "Ký bởi: Ủy ban nhân dân huyện Lạc Sơn" in signer.stamp


def test_typed_letterhead_motto_is_never_the_issuer() -> None:
    header = ["Sở Y tế tỉnh Phú Thọ Cộng Hòa xã Hội Chủ Nghĩa Việt Nam",
              "Trung tâm Y tế khu vực Thanh Sơn Độc lập - Tự do - Hạnh phúc",
              "Số: 21/KH-TTYT Thanh Sơn, ngày 02 tháng 6 năm 2025", "KẾ HOẠCH", "Phòng chống dịch"]
    meta = extract_metadata(header, "\n".join(header))
    assert meta.issuer == "Sở Y tế tỉnh Phú Thọ — Trung tâm Y tế khu vực Thanh Sơn"
    parts = parse_parts("\n".join([*header, "Căn cứ tình hình thực tế.", "I. MỤC ĐÍCH", "Phòng chống dịch."]))
    assert (parts.parent, parts.issuer) == ("Sở Y tế tỉnh Phú Thọ", "Trung tâm Y tế khu vực Thanh Sơn")


def test_closing_paragraph_is_a_passage_and_no_line_is_lost() -> None:
    _, passages = document_passages(CLEAN)
    closing = [p for p in passages if p.section == CLOSING_SECTION]
    assert len(closing) == 1 and "qua Phòng Kế hoạch - Nghiệp vụ" in closing[0].text
    parts = parse_parts(CLEAN)
    stored = " ".join([*(p.text for p in passages), *(r.source_text for r in parts.recipients),
                       parts.signer.source_text if parts.signer else "", *(t.source_text for t in parts.tasks),
                       *(c.source_text for c in parts.cites)])
    stored = f" {fold(stored)} "
    for line in CLEAN.split("\n"):
        if line.strip():
            for piece in line.split("   "):  # a two-column line: each column on its own
                if fold(piece) != "noi nhan":  # the list's label is no sentence
                    assert f" {fold(piece)} " in stored or not fold(piece), piece


def test_parts_round_trip_through_the_database(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "kb.db")
    parts = parse_parts(CLEAN)
    write_parts(db, "ke_hoach_77", parts)
    write_parts(db, "ke_hoach_77", parts)  # rewriting a document replaces its rows
    db.close()
    conn = sqlite3.connect(tmp_path / "kb.db")
    back = read_parts(conn, "ke_hoach_77")
    assert back is not None and back.to_json() == {**parts.to_json(), "id": "ke_hoach_77"}
    assert back.tasks[0].source_text == parts.tasks[0].source_text
    tasks = all_tasks(conn)
    assert len(tasks) == 8 and tasks[2] == ("ke_hoach_77", parts.tasks[2])
    assert read_parts(conn, "khong_co") is None
    empty = sqlite3.connect(tmp_path / "old.db")
    assert read_parts(empty, "ke_hoach_77") is None and all_tasks(empty) == []


def test_card_has_vietnamese_labels() -> None:
    parts = parse_parts(CLEAN)
    parts.doc_id = "ke_hoach_77"
    card = render_card(parts)
    for label in ("Cơ quan ban hành: Trung tâm Y tế huyện Đam Rông", "Số, ký hiệu: 77/KH-TTYT",
                  "Ngày ban hành: 05/03/2025", "Người ký: KT. Giám đốc — Phó Giám đốc — Nguyễn Thị Thu Hằng",
                  "Nơi nhận (5):", "Văn bản được dẫn (2):", "Nhiệm vụ (8):", "Chỉ tiêu (2):"):
        assert label in card


@pytest.mark.parametrize("deadline", ["trước ngày 15/10/2025", "Hằng quý", "Quý III/2025", "Thường xuyên",
                                      "định kỳ hàng tháng", "trước ngày 06 của tháng cuối quý",
                                      "trước ngày 01/3, ngày 01/6, ngày 01/9"])
def test_deadlines_are_kept_as_written(deadline: str) -> None:
    from knowledge.parts.tasks import deadline_in

    assert deadline_in(f"Tổ chức kiểm tra việc niêm yết thủ tục, {deadline}, báo cáo kết quả.") == deadline


def test_a_typed_plan_built_into_the_knowledge_base(tmp_path: Path) -> None:
    """Issue 22: a plain .txt plan's issuer was "Sở Y tế tỉnh Phú Thọ Cộng Hòa xã Hội Chủ Nghĩa Việt Nam — …"."""
    from knowledge.build import build_knowledge_db

    docs = tmp_path / "documents"
    docs.mkdir()
    typed = CLEAN.replace("SỞ Y TẾ TỈNH LÂM ĐỒNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                          "Sở Y tế tỉnh Lâm Đồng Cộng Hòa xã Hội Chủ Nghĩa Việt Nam")
    (docs / "ke_hoach_77.txt").write_text(typed, "utf-8")
    build_knowledge_db(docs, tmp_path / "knowledge.db")
    conn = sqlite3.connect(tmp_path / "knowledge.db")
    issuer, shown = conn.execute("SELECT issuer, issuer_display FROM documents").fetchone()
    assert "cong hoa" not in fold(f"{issuer} {shown}") and "viet nam" not in fold(f"{issuer} {shown}")
    assert fold(issuer).startswith("so y te tinh lam dong")
    parts = read_parts(conn, "ke_hoach_77")
    assert parts is not None and (parts.parent, parts.issuer) == ("Sở Y tế tỉnh Lâm Đồng",
                                                                  "Trung tâm Y tế huyện Đam Rông")
    closing = conn.execute("SELECT text FROM passages WHERE section = ?", [CLOSING_SECTION]).fetchone()
    assert closing is not None and "qua Phòng Kế hoạch - Nghiệp vụ" in closing[0]
    assert len(all_tasks(conn)) == 8


def test_bad_input_never_raises() -> None:
    """Damaged, shuffled and random texts (and a restored text that does not fit) give parts or
    nothing, never an exception: a build must not fail on one odd document."""
    import random

    rng = random.Random(11)
    alphabet = "abcđêôơư ĐÂ\n\t-|;:.,()/0123456789KTML~"
    texts = ["", "\n\n", "Nơi nhận:", "KT. ", "Nơi nhận: KT.\n-", "- \n-\nNơi nhận:\n-\n- ;\n|",
             "PHỤ LỤC\n| STT | Nhiệm vụ | Chủ trì |\n|", "x" * 50_000]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 2000))) for _ in range(40)]
    for _ in range(40):
        chars = list(CLEAN)
        for _ in range(rng.randint(1, 300)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        texts.append("".join(chars))
        lines = CLEAN.split("\n")
        rng.shuffle(lines)
        texts.append("\n".join(lines))
    for text in texts:
        parse_parts(text)
        parse_parts(text, text[::-1])
        parse_parts(text, text.upper())


def test_a_cong_van_and_a_decree_number() -> None:
    """A công văn has no type in its number and a "V/v" subject; a decree's number carries its year."""
    letter = ("UBND HUYỆN LẠC SƠN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "PHÒNG NỘI VỤ          Độc lập - Tự do - Hạnh phúc\n"
              "Số: 58/PNV-CCHC          Lạc Sơn, ngày 09 tháng 9 năm 2024\n"
              "V/v báo cáo kết quả cải cách hành chính quý III\n\n"
              "Kính gửi: Các cơ quan chuyên môn thuộc UBND huyện.\n"
              "Đề nghị các cơ quan gửi báo cáo trước ngày 20/9/2024.\n\n"
              "Nơi nhận:                       KT. TRƯỞNG PHÒNG\n"
              "- Như trên;                PHÓ TRƯỞNG PHÒNG\n- Lưu: VT.\n")
    parts = parse_parts(letter)
    assert (parts.parent, parts.issuer, parts.number) == ("UBND huyện Lạc Sơn", "Phòng Nội vụ", "58/PNV-CCHC")
    assert (parts.kind, parts.title, parts.date) == ("Công văn", "báo cáo kết quả cải cách hành chính quý III",
                                                     "2024-09-09")
    assert parts.signer is not None and parts.signer.position == "Phó Trưởng phòng"
    decree = parse_parts("CHÍNH PHỦ          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                         "Số: 107/2021/NĐ-CP          Hà Nội, ngày 06 tháng 12 năm 2021\nNGHỊ ĐỊNH\n"
                         "Sửa đổi, bổ sung một số điều\nCăn cứ Luật Tổ chức Chính phủ.\n")
    assert (decree.issuer, decree.number, decree.kind, decree.place) == ("Chính phủ", "107/2021/NĐ-CP",
                                                                        "Nghị định", "Hà Nội")


def test_a_long_header_is_cut_into_passages_not_truncated() -> None:
    lines = ["THÔNG BÁO"] + [f"Dòng mở đầu thứ {i} nói về lịch tiếp công dân của ủy ban xã." for i in range(40)]
    header, passages = document_passages("\n".join([*lines, "I. NỘI DUNG", "Nội dung chính."]))
    heads = [p for p in passages if p.section == "Phần đầu"]
    assert len(header) == 41 and len(heads) > 1
    assert all(f" {fold(line)} " in f" {fold(' '.join(p.text for p in heads))} " for line in lines)


@pytest.mark.parametrize("article", [
    "Luật Thử nghiệm Điều 9\nHiệu lực thi hành\nLuật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2030.",
    "Hiến chương Điều 3\n1. Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam là nhà nước của Nhân dân, do Nhân dân, vì "
    "Nhân dân.\n2. Mọi công dân đều bình đẳng trước pháp luật.",
    "Luật Thử nghiệm Điều 12\nTrách nhiệm của Ủy ban nhân dân cấp tỉnh\na) Ban hành quy định chi tiết;\n"
    "b) Chỉ đạo xây dựng kế hoạch kiểm tra hằng năm.",
    "Bộ luật Thử nghiệm Điều 40\nNghĩa vụ của chủ sở hữu\n"
    "Chủ sở hữu nhà, công trình xây dựng khác phải bảo đảm an toàn.",
])
def test_a_law_article_has_no_letterhead(article: str) -> None:
    """A sentence naming the country, a date in a sentence, a body named in a duty: no issuer, no date."""
    parts = parse_parts(article)
    assert (parts.parent, parts.issuer, parts.number, parts.date, parts.signer) == (None, None, None, None, None)


NOISE_TOOL = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ocr_noise.py"


@pytest.mark.skipif(not NOISE_TOOL.exists(), reason="../shared/tools/ocr_noise.py is not here (CI uses the "
                                                    "committed fixture above)")
@pytest.mark.parametrize("seed", [21, 33, 45])
def test_other_damage_of_the_same_plan(seed: int) -> None:
    """The same plan damaged by other seeds of the noise model (no fixture: nothing tuned to them)."""
    import subprocess
    import sys

    from knowledge.restore import restore_text

    damaged = subprocess.run([sys.executable, str(NOISE_TOOL), "apply", "--seed", str(seed), "-"], input=CLEAN,
                             capture_output=True, text=True, check=True, timeout=120).stdout
    parts = parse_parts(damaged, restore_text(damaged, force=True))
    assert (parts.number, parts.date) == ("77/KH-TTYT", "2025-03-05")
    assert fold(parts.issuer or "").startswith("trung tam y te huyen")
    assert parts.signer is not None and (parts.signer.authority, parts.signer.position) == ("KT. Giám đốc",
                                                                                            "Phó Giám đốc")
    recipients = [fold(r.text) for r in parts.recipients]
    assert len(recipients) == 5 and recipients[0].startswith("so y te") and recipients[-1] == "luu vt khnv"
    assert [c.number for c in parts.cites] == ["412/QĐ-UBND", "35/KH-SYT"]
    assert [t.value for t in parts.targets] == ["95%", "80%"]
    assert [t.lead for t in parts.tasks[:2]] == ["Phòng Kế hoạch - Nghiệp vụ"] * 2


def test_tasks_whose_items_name_their_own_lead() -> None:
    """A numbered item that is a sentence names its lead before "chủ trì" or ":"; lettered items
    under a unit's heading are that unit's; a quarter in the title is the plan's period."""
    parts = parse_parts((DATA / "plan_variant_clean.txt").read_text("utf-8"))
    assert (parts.parent, parts.issuer, parts.number) == (None, "Ủy ban nhân dân xã Tân Hưng", "12/KH-UBND")
    assert (parts.period_start, parts.period_end) == ("2026-01-01", "2026-03-31")
    assert [(t.section, t.lead, t.support, t.deadline) for t in parts.tasks] == [
        ("II.1", "Văn phòng HĐND và UBND xã", ["Công an xã"], "trước ngày 31/3/2026"),
        ("II.2", "Bộ phận Một cửa", [], "định kỳ hàng tháng"),
        ("II.2", "Bộ phận Một cửa", [], "thường xuyên"),
        ("II.3", "Công chức Tư pháp - Hộ tịch", [], "trong tháng 02/2026")]


def test_a_docx_plan_whose_letterhead_and_signature_are_tables() -> None:
    """A .docx keeps letterhead and signature in tables; the reader gives each row as one line,
    cells joined by " | " and a cell's paragraphs by spaces."""
    import io

    from docx import Document

    from knowledge.readers import read_bytes

    doc = Document()
    head = doc.add_table(rows=2, cols=2)
    head.cell(0, 0).text = "SỞ Y TẾ TỈNH PHÚ THỌ"
    head.cell(0, 0).add_paragraph("TRUNG TÂM Y TẾ KHU VỰC THANH SƠN")
    head.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    head.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")
    head.cell(1, 0).text = "Số: 45/KH-TTYT"
    head.cell(1, 1).text = "Thanh Sơn, ngày 12 tháng 5 năm 2025"
    for line in ("KẾ HOẠCH", "Truyền thông phòng chống sốt xuất huyết năm 2025",
                 "Căn cứ Kế hoạch số 30/KH-SYT ngày 02/4/2025 của Sở Y tế về phòng chống dịch bệnh năm 2025.",
                 "I. TỔ CHỨC THỰC HIỆN", "1. Khoa Kiểm soát bệnh tật",
                 "- Tổ chức chiến dịch diệt lăng quăng trước ngày 30/6/2025.",
                 "Trên đây là Kế hoạch truyền thông năm 2025 của Trung tâm./."):
        doc.add_paragraph(line)
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = "Nơi nhận:"
    for line in ("- Sở Y tế (b/c);", "- Ban Giám đốc;", "- Lưu: VT, KSBT."):
        sign.cell(0, 0).add_paragraph(line)
    sign.cell(0, 1).text = "KT. GIÁM ĐỐC"
    for line in ("PHÓ GIÁM ĐỐC", "", "Lê Thị Minh Phương"):
        sign.cell(0, 1).add_paragraph(line)
    doc.add_paragraph("PHỤ LỤC")
    table = doc.add_table(rows=2, cols=6)
    for k, cell in enumerate(("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian", "Sản phẩm")):
        table.cell(0, k).text = cell
    for k, cell in enumerate(("1", "Phun hóa chất diệt muỗi", "Khoa Kiểm soát bệnh tật", "Trạm Y tế các xã",
                              "Tháng 7/2025", "Báo cáo kết quả")):
        table.cell(1, k).text = cell
    buffer = io.BytesIO()
    doc.save(buffer)
    parts = parse_parts(read_bytes(buffer.getvalue(), "ke_hoach.docx").text)
    assert (parts.parent, parts.issuer) == ("Sở Y tế tỉnh Phú Thọ", "Trung tâm Y tế khu vực Thanh Sơn")
    assert (parts.number, parts.place, parts.date) == ("45/KH-TTYT", "Thanh Sơn", "2025-05-12")
    assert [r.text for r in parts.recipients] == ["Sở Y tế (b/c)", "Ban Giám đốc", "Lưu: VT, KSBT"]
    assert parts.signer is not None and (parts.signer.authority, parts.signer.position, parts.signer.name) == (
        "KT. Giám đốc", "Phó Giám đốc", "Lê Thị Minh Phương")
    assert [(t.lead, t.support, t.deadline, t.product) for t in parts.tasks] == [
        ("Khoa Kiểm soát bệnh tật", [], "trước ngày 30/6/2025", None),
        ("Khoa Kiểm soát bệnh tật", ["Trạm Y tế các xã"], "Tháng 7/2025", "Báo cáo kết quả")]


@pytest.mark.parametrize("title, date, period", [
    ("Tuyên truyền cải cách hành chính 6 tháng cuối năm 2025", None, ("2025-07-01", "2025-12-31")),
    ("Tuyên truyền 6 tháng đầu năm", "2024-01-15", ("2024-01-01", "2024-06-30")),
    ("Kiểm soát thủ tục hành chính quý III năm 2026", None, ("2026-07-01", "2026-09-30")),
    ("Thực hiện Chương trình giai đoạn 2021 - 2025", None, ("2021-01-01", "2025-12-31")),
    ("Phòng chống thiên tai", "2023-05-06", ("2023-01-01", "2023-12-31")),
    ("Phòng chống thiên tai", None, (None, None)),
])
def test_the_period_a_plan_covers(title: str, date: str | None, period: tuple) -> None:
    from knowledge.parts.letterhead import plan_period

    assert plan_period(title, date) == period

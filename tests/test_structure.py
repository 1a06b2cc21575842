"""Documents → metadata, sections and passages; contacts with their sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.build import SEEDS_DIR, parse_documents, seed_documents
from knowledge.contacts import extract_contacts
from knowledge.structure import MAX_PASSAGE_CHARS, document_passages, split_sentences
from knowledge.text import fold

# What a person reads in each seed's header (shared/seeds/README.md).
EXPECTED = {
    "000_ea17d4eb7683e29a": ("155/KH-SYT", "08/08/2025"),
    "001_60cbb597f620e29e": ("", "2025"),
    "002_50c5990e9e108848": ("148/KH-SYT", "31/07/2025"),
    "003_de768361bdbd9f80": ("24/KH-UBND", "18/01/2018"),
    "004_1ddf88fba73ab6aa": ("139/KH-TTYT", "28/08/2025"),
}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    docs_dir = tmp_path_factory.mktemp("docs")
    seed_documents(docs_dir)
    docs, errors = parse_documents(docs_dir)
    assert errors == []
    return {d["path"].stem: d for d in docs}


def test_number_and_date_match_the_readme(parsed: dict[str, dict]) -> None:
    matches = [doc_id for doc_id, (number, date) in EXPECTED.items()
               if parsed[doc_id]["meta"].number == number and parsed[doc_id]["meta"].date == date]
    assert len(matches) >= 4, {d: (parsed[d]["meta"].number, parsed[d]["meta"].date) for d in parsed}


def test_every_seed_has_title_and_issuer(parsed: dict[str, dict]) -> None:
    for doc_id, doc in parsed.items():
        meta = doc["meta"]
        assert fold(meta.title).startswith("ke hoach"), (doc_id, meta.title)
        assert meta.issuer, doc_id
    assert "mai chau" in fold(parsed["004_1ddf88fba73ab6aa"]["meta"].issuer)


def test_damaged_number_recovered_from_a_citing_plan(parsed: dict[str, dict]) -> None:
    meta = parsed["002_50c5990e9e108848"]["meta"]
    assert (meta.number, meta.date) == ("148/KH-SYT", "31/07/2025")
    assert any("dẫn chiếu" in w for w in meta.warnings)


def test_passages_carry_section_paths_and_stay_short(parsed: dict[str, dict]) -> None:
    for doc in parsed.values():
        for p in doc["passages"]:
            assert len(p.text) <= MAX_PASSAGE_CHARS
    sections = {p.section for p in parsed["001_60cbb597f620e29e"]["passages"]}
    assert {"I.1.a", "II.2.e", "III.1", "Phụ lục"} <= sections
    # III.1's heading names who does the dash items below it.
    iii1 = [p for p in parsed["001_60cbb597f620e29e"]["passages"] if p.section == "III.1"]
    assert all("van hoa" in fold(" ".join(p.headings)) for p in iii1)


def test_segmentation_of_a_small_plan() -> None:
    text = """UBND TỈNH A
SỞ B
Số: 12/KH-SB
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2026

Căn cứ Quyết định số 1/QĐ-UBND ngày 01/01/2026.

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
a) Nâng cao nhận thức của cán bộ.
b) Đẩy mạnh ứng dụng công nghệ thông tin.
2. Yêu cầu
- Bám sát kế hoạch của tỉnh.
- Bảo đảm hiệu quả.
II. TỔ CHỨC THỰC HIỆN
1. Văn phòng Sở
- Chủ trì triển khai kế hoạch.
"""
    header, passages = document_passages(text)
    assert header[:2] == ["UBND TỈNH A", "SỞ B"]
    by_section = {p.section: p for p in passages}
    assert "I.1.a" in by_section and "I.1.b" in by_section and "I.2" in by_section and "II.1" in by_section
    assert by_section["I.1.b"].text.startswith("b) Đẩy mạnh")
    assert by_section["II.1"].headings[-1] == "1. Văn phòng Sở"
    assert "Bám sát" in by_section["I.2"].text and "Bảo đảm" in by_section["I.2"].text


def test_long_paragraph_is_split_by_sentence() -> None:
    body = " ".join(f"Câu số {i} nói về cải cách hành chính và chuyển đổi số." for i in range(60))
    _, passages = document_passages(f"I. NỘI DUNG\n1. Nội dung\n{body}\n")
    assert len(passages) > 2
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(p.section == "I.1" for p in passages)


def test_sentence_split_keeps_item_markers() -> None:
    assert split_sentences("3. Các phòng, đơn vị. Tiếp tục") == ["3. Các phòng, đơn vị.", "Tiếp tục"]


def test_contacts_found_with_their_sentence() -> None:
    text = (SEEDS_DIR / "001_60cbb597f620e29e.txt").read_text(encoding="utf-8")
    contacts = {c.value: c for c in extract_contacts(text)}
    assert "1800 1096" in contacts and "1022" in contacts and "dichvucong.gov.vn" in contacts
    assert "hotline 1800.1096" in contacts["1800 1096"].sentence
    assert "Tong dai 1022" in contacts["1022"].sentence
    assert "dichvucong.gov.vn" in contacts["dichvucong.gov.vn"].sentence
    assert contacts["1022"].label == "Tổng đài"


def test_every_kind_of_contact_in_one_sentence() -> None:
    """Each pattern runs only on sentences holding what it needs (digits, a domain, "@"): all
    kinds are still found together, in order, and a landline needs its cue word."""
    text = ("Mọi phản ánh gửi về đường dây nóng 0225.3821.123, email cchc@haiphong.gov.vn hoặc "
            "Cổng https://www.HaiPhong.gov.vn/phan-anh để được hỗ trợ; gọi tổng đài 1022.")
    contacts = [(c.kind, c.value, c.label) for c in extract_contacts(text)]
    assert ("phone", "0225 3821 123", "Đường dây nóng") in contacts
    assert ("phone", "1022", "Tổng đài") in contacts
    assert ("email", "cchc@haiphong.gov.vn", "Email") in contacts
    assert ("portal", "www.haiphong.gov.vn/phan-anh", "Cổng thông tin") in contacts
    table = "Bảng 2. Số liệu tổng hợp của các phòng, đơn vị trong năm qua: 0225 3821 124 lượt hồ sơ."
    assert extract_contacts(table) == []


def test_no_phone_numbers_invented_from_dates_or_tables() -> None:
    text = "Quyết định số 3041/QĐ-UBND ngày 26/7/2025; năm 2025; 100% hồ sơ; bảng 1800 dòng."
    assert [c.value for c in extract_contacts(text)] == []


def test_seeds_copied_into_the_package() -> None:
    assert sorted(p.name for p in Path(SEEDS_DIR).glob("*.txt")) == sorted(f"{d}.txt" for d in EXPECTED)


def test_title_without_kind_line_is_a_plan_only_when_it_reads_like_one(
        parsed: dict[str, dict], tmp_path: Path) -> None:
    # A Markdown note whose header (before "I.") mentions a plan on its second line only.
    (tmp_path / "ghi_chu.md").write_text(
        "# Ghi chú họp\n\nBàn về kế hoạch tuyên truyền cải cách hành chính quý IV.\n\n"
        "I. NỘI DUNG\n\n1. Phòng Văn hóa chuẩn bị tài liệu cho buổi tuyên truyền, gửi các thành viên "
        "trước ngày 15/10 để góp ý.\n\n2. Văn phòng tổng hợp ý kiến, hoàn thiện dự thảo kế hoạch và trình "
        "lãnh đạo ký ban hành trong tháng 10.\n", encoding="utf-8")
    docs, errors = parse_documents(tmp_path)
    assert errors == []
    [note] = docs
    assert note["header"][0] == "Ghi chú họp"  # the header really holds the plan-like second line
    assert len(note["header"]) >= 2
    assert (note["meta"].kind, note["meta"].title) == ("", "Ghi chú họp")
    # Seed 001 lost its "KẾ HOẠCH" line to OCR: its first line still reads like a plan's title.
    seed = parsed["001_60cbb597f620e29e"]["meta"]
    assert seed.kind == "Kế hoạch"
    assert seed.title.startswith("Kế hoạch")
    assert "phu thai" in fold(seed.title)


def test_a_number_the_scan_lost_is_read_from_the_plan_that_cites_it(tmp_path: Path) -> None:
    """Made-up plans: one whose header number lost its digits ("Số: /KH-UBND"), one that cites it by
    number, date and title; a third cites another plan of the same suffix whose title differs."""
    header = ("ỦY BAN NHÂN DÂN\nXÃ AN BÌNH\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
              "Số: {number}/KH-UBND\nAn Bình, ngày {date}\n\nKẾ HOẠCH\n{title}\n\n")
    body = "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n{text}\n"
    (tmp_path / "a-lost.txt").write_text(header.format(number="", date="05 tháng 3 năm 2026",
                                                       title="Chuyển đổi số trong giải quyết thủ tục hành chính")
                                         + body.format(text="Nâng cao tỷ lệ hồ sơ trực tuyến toàn trình."), "utf-8")
    (tmp_path / "b-cites.txt").write_text(header.format(number="12", date="20 tháng 4 năm 2026",
                                                        title="Kiểm tra công tác cải cách hành chính")
                                          + body.format(text="Căn cứ Kế hoạch số 7/KH-UBND ngày 05/3/2026 của "
                                                             "UBND xã về chuyển đổi số trong giải quyết thủ tục "
                                                             "hành chính, UBND xã kiểm tra việc thực hiện."),
                                          "utf-8")
    (tmp_path / "c-other.txt").write_text(header.format(number="15", date="02 tháng 5 năm 2026",
                                                        title="Tuyên truyền pháp luật")
                                          + body.format(text="Căn cứ Kế hoạch số 9/KH-UBND ngày 01/2/2026 của "
                                                             "UBND xã về phòng chống thiên tai năm 2026."), "utf-8")
    docs, errors = parse_documents(tmp_path)
    assert errors == []
    meta = {d["path"].stem: d["meta"] for d in docs}
    assert (meta["a-lost"].number, meta["a-lost"].date) == ("7/KH-UBND", "05/03/2026")
    assert any("văn bản khác" in w for w in meta["a-lost"].warnings)
    assert meta["b-cites"].number == "12/KH-UBND" and meta["c-other"].number == "15/KH-UBND"

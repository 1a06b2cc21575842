"""`cchc kb show ID --json` on the five seed plans, against values read by a person from the scans
(knowledge/seeds/*.txt; the expected values are written here by hand, not computed).

Recipients are compared folded (marks removed): the scan's marks are what OCR destroyed, and the
restored marks are the restorer's work, tested elsewhere; the words must be the scan's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.text import fold

ROOT = Path(__file__).resolve().parent.parent

# doc id → (number, date, parent, issuer, (authority, position), recipients, {cited number: date})
SEEDS = {
    "000_ea17d4eb7683e29a": (
        "155/KH-SYT", "2025-08-08", "UBND thành phố Hải Phòng", "Sở Y tế", ("KT. Giám đốc", "Phó Giám đốc"),
        ["UBND thành phố (để b/c)", "Sở Nội vụ", "Sở VH, TT và Du lịch", "GĐ, các PGĐ Sở", "Các phòng chuyên môn",
         "Các đơn vị trực thuộc", "Lưu: VT, TCHC"],
        {"3041/QĐ-UBND": "2025-07-26", "148/KH-SYT": "2025-07-31", "21-KL/TW": "2021-10-25",
         "01-KL/TW": "2021-05-18", "05-CT/TW": None, "101-QĐ/TW": "2012-06-07", "76/NQ-CP": "2021-07-15",
         "23/CT-TTg": "2021-09-02"}),
    "001_60cbb597f620e29e": (  # no letterhead on the scan, no number; the appendix leaves the day blank
        None, None, None, "Ủy ban nhân dân xã Phú Thái", ("KT. Chủ tịch", "Phó Chủ tịch"),
        ["Sở Nội vụ", "Sở Thông tin và Truyền thông", "TT. Đảng ủy", "TT. HĐND xã", "Lãnh đạo UBND xã",
         "Các cơ quan, đơn vị liên quan", "Lưu: VT, VHXH"],
        {"533/QĐ-UBND": "2025-07-31", "03-NQ/TU": None, "3041/QĐ-UBND": "2025-07-26", "76/NQ-CP": "2021-07-15",
         "23/CT-TTg": "2021-09-02", "216/KH-UBND": "2021-09-23"}),
    "002_50c5990e9e108848": (  # "Số: A4% /KH-SYT": the number as 000 cites it
        "148/KH-SYT", "2025-07-31", "UBND thành phố Hải Phòng", "Sở Y tế", ("KT. Giám đốc", "Phó Giám đốc"),
        ["UBND thành phố (để b/c)", "Sở Nội vụ", "GĐ, các PGĐ Sở", "Các phòng thuộc Sở", "Các đơn vị trực thuộc Sở",
         "Lưu: VT, TCHC"],
        {"3041/QĐ-UBND": "2025-07-26", "130/2005/NĐ-CP": "2005-10-17", "117/2013/NĐ-CP": "2013-10-07",
         "71/2014/TTLT-BTC-BNV": "2021-05-30", "60/2021/NĐ-CP": "2021-06-21", "111/2025/NĐ-CP": "2025-05-22",
         "56/2022/TT-BTC": "2022-09-16"}),
    "003_de768361bdbd9f80": (
        "24/KH-UBND", "2018-01-18", None, "Ủy ban nhân dân thành phố Hải Phòng",
        ("TM. Ủy ban nhân dân thành phố / KT. Chủ tịch", "Phó Chủ tịch"),
        ["TTTU, TTHĐND TP", "CT, các PCT UBND TP", "Như mục V", "CVP, PCVP UBND TP", "Phòng KTGSTĐKT", "CV:GD, NC"],
        {"30c/NQ-CP": "2011-11-08", "76/NQ-CP": "2013-06-13", "225/QĐ-TTg": "2016-02-04", "18-NQ/TW": None,
         "01/NQ-CP": "2018-01-01", "3538/QĐ-UBND": "2017-12-25", "2163/QĐ-CT": "2015-09-17",
         "13/CT-TTg": "2015-06-10", "34/CT-UBND": "2017-11-20", "19-NQ/TW": "2017-10-25"}),
    "004_1ddf88fba73ab6aa": (  # no authority or title line: only the name ("Ha Cong Thing") survived
        "139/KH-TTYT", "2025-08-28", None, "Trung tâm Y tế khu vực Mai Châu", (None, None),
        ["Sở Y tế (BO)", "GĐ, PGĐ", "Các khoa, phòng", "Lưu: VT, TCHC"],
        {"12/KH-SYT": "2025-08-27", "06/CP": None}),
}
# The 71/2014 date is the scan's ("ngày 30/5/2021"), as written.
# doc id → (place, title, period), as the scans give them
HEADS = {
    "000_ea17d4eb7683e29a": ("Hải Phòng", "Tuyên truyền cải cách hành chính 6 tháng cuối năm 2025",
                             ["2025-07-01", "2025-12-31"]),
    "001_60cbb597f620e29e": (None, "Tuyên truyền cải cách hành chính Nhà nước trên địa bàn xã Phú Thái 6 tháng cuối "
                                   "năm 2025", ["2025-07-01", "2025-12-31"]),
    "002_50c5990e9e108848": ("Hải Phòng", "Cải cách hành chính 6 tháng cuối năm 2025", ["2025-07-01", "2025-12-31"]),
    "003_de768361bdbd9f80": ("Hải Phòng", "Tuyên truyền cải cách hành chính nhà nước thành phố Hải Phòng năm 2018",
                             ["2018-01-01", "2018-12-31"]),
    "004_1ddf88fba73ab6aa": ("Mai Châu", "Thông tin, tuyên truyền cải cách hành chính nhà nước của Trung tâm Y tế khu "
                                         "vực Mai Châu 6 tháng cuối năm 2025", ["2025-07-01", "2025-12-31"]),
}


def _show(seed_data_dir: Path, doc_id: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(seed_data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("CCHC_DOCS_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot", "kb", "show", doc_id, *flags], capture_output=True,
                          text=True, env=env, cwd=ROOT / "tests", timeout=300)


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_plan_parts(seed_data_dir: Path, doc_id: str) -> None:
    number, date, parent, issuer, (authority, position), recipients, cites = SEEDS[doc_id]
    done = _show(seed_data_dir, doc_id, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout)
    assert shown["id"] == doc_id
    assert (shown["number"], shown["date"], shown["parent"], shown["issuer"]) == (number, date, parent, issuer)
    assert "cong hoa" not in fold(f"{shown['parent']} {shown['issuer']}")
    assert shown["signer"] is not None
    assert (shown["signer"]["authority"], shown["signer"]["position"]) == (authority, position)
    assert [fold(r) for r in shown["recipients"]] == [fold(r) for r in recipients]
    assert {c["number"]: c["date"] for c in shown["cites"]} == cites
    assert shown["kind"] == "Kế hoạch" and shown["tasks"]
    place, title, period = HEADS[doc_id]
    assert (shown["place"], fold(shown["title"]), shown["period"]) == (place, fold(title), period)


def test_seed_issuers_of_cited_documents_and_the_signers_name(seed_data_dir: Path) -> None:
    first = json.loads(_show(seed_data_dir, "000_ea17d4eb7683e29a", "--json").stdout)
    issuers = {c["number"]: c["issuer"] for c in first["cites"]}
    assert issuers["148/KH-SYT"] == "Sở Y tế Hải Phòng" and issuers["76/NQ-CP"] == "Chính phủ"
    assert issuers["23/CT-TTg"] == "Thủ tướng Chính phủ" and issuers["101-QĐ/TW"] == "Ban Bí thư"
    subjects = {c["number"]: c["subject"] for c in first["cites"]}
    assert subjects["148/KH-SYT"] == "cải cách hành chính 6 tháng cuối năm 2025"
    last = json.loads(_show(seed_data_dir, "004_1ddf88fba73ab6aa", "--json").stdout)
    assert fold(last["signer"]["name"]).startswith("ha cong th")
    city = json.loads(_show(seed_data_dir, "003_de768361bdbd9f80", "--json").stdout)
    assert city["period"] == ["2018-01-01", "2018-12-31"]


def test_show_prints_a_card_and_refuses_an_unknown_id(seed_data_dir: Path) -> None:
    card = _show(seed_data_dir, "001_60cbb597f620e29e")
    assert card.returncode == 0
    assert "Cơ quan ban hành: Ủy ban nhân dân xã Phú Thái" in card.stdout
    assert "Người ký: KT. Chủ tịch — Phó Chủ tịch" in card.stdout and "Nơi nhận (7):" in card.stdout
    unknown = _show(seed_data_dir, "khong_co_tai_lieu_nay", "--json")
    assert unknown.returncode == 1
    assert unknown.stdout.strip() == "Không có tài liệu mã khong_co_tai_lieu_nay (xem: cchc kb list)."


def test_seed_parts_keep_the_scans_wording(seed_data_dir: Path) -> None:
    """What a citation quotes is the scan's own text: a recipient's item, the signature's whole lines."""
    import sqlite3

    from knowledge.parts import read_parts

    conn = sqlite3.connect(seed_data_dir / "knowledge.db")
    try:
        first, city, commune = (read_parts(conn, doc_id) for doc_id in (
            "000_ea17d4eb7683e29a", "003_de768361bdbd9f80", "001_60cbb597f620e29e"))
    finally:
        conn.close()
    assert first is not None and city is not None and commune is not None
    assert [r.source_text for r in first.recipients][3] == "Gb, cac PGD S¢"
    assert commune.signer is not None and "-S6Noivy, PHO CHU TICH" in commune.signer.source_text
    assert city.signer is not None and "- TTTU, TTHDND TP; KT, CHU TICH" in city.signer.source_text
    assert city.signer.stamp == "Thời gian ký: 19.01.2018 15:30:33 +07:00"
    assert "15:30:33 +07:00" in city.signer.source_text


# Lines of the scans that are no sentence: a label alone, and the stamp's image read as characters.
NOT_TEXT = {"Noi nhén:", "] A@/gﬂﬁ%\\\\ r 1.:", ". N Email:"}


def test_no_line_of_a_seed_plan_is_lost(seed_data_dir: Path) -> None:
    """Every line of every seed plan is in a passage or a part (the Phú Thái plan's closing
    paragraph — where reports go and through which office — was in neither)."""
    import sqlite3

    from knowledge.build import SEEDS_DIR
    from knowledge.parts import read_parts

    conn = sqlite3.connect(seed_data_dir / "knowledge.db")
    try:
        for path in sorted(SEEDS_DIR.glob("*.txt")):
            texts = [row[0] for row in conn.execute("SELECT text FROM passages WHERE doc_id = ?", [path.stem])]
            parts = read_parts(conn, path.stem)
            assert parts is not None
            texts += [r.source_text for r in parts.recipients] + [t.source_text for t in parts.tasks]
            texts += [c.source_text for c in parts.cites] + [parts.signer.source_text if parts.signer else ""]
            stored = f" {fold(' '.join(texts))} "
            for line in path.read_text("utf-8").split("\n"):
                words = line.split()
                while words and sum(c.isalpha() for c in words[-1]) < 2:  # the right column's specks: "7,", "P :"
                    words.pop()
                if fold(" ".join(words)) and line.strip() not in NOT_TEXT:
                    assert f" {fold(' '.join(words))} " in stored, (path.name, line)
    finally:
        conn.close()

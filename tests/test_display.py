"""What people read: restored text stored beside the raw scan, clean documents untouched.

The seed knowledge base is the session's (tests/conftest.py); the other builds here are small
documents in temporary folders, built through the real build and read with real SQLite.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

import knowledge.restore.stage as stage
import knowledge.token_map as token_map
from knowledge.display import TokenMap, display_issuer, display_pieces, display_span
from knowledge.text import fold, strip_marks
from retrieval.engine import AskEngine
from retrieval.indexer import rebuild
from tests.docs_factory import NEW_PLAN_LINES, PDF_PLAN_LINES

HOTLINE_DOC = "001_60cbb597f620e29e"
RAW_HOTLINE = "Ping tai cong khai sb hotline 1800.1096"
RESTORED_HOTLINE = re.compile(r"công khai \w+ hotline 1800\.1096")  # see tests/test_telegram.py


def rows(kb: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{kb}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def tokens(text: str) -> list[int]:
    """Tokens per line: what restoring must keep."""
    return [len(line.split()) for line in text.split("\n")]


# -- the seed knowledge base ------------------------------------------------------------------------
def test_build_stores_restored_text_beside_the_raw_scan(seed_data_dir: Path) -> None:
    kb = seed_data_dir / "knowledge.db"
    [passage] = rows(kb, "SELECT text, display, headings, headings_display FROM passages WHERE text LIKE ?",
                     (f"%{RAW_HOTLINE}%",))
    assert RAW_HOTLINE in passage["text"]  # the raw source, exactly as extracted
    assert RESTORED_HOTLINE.search(passage["display"]) and RAW_HOTLINE not in passage["display"]
    assert tokens(passage["display"]) == tokens(passage["text"])
    headings, shown = json.loads(passage["headings"]), json.loads(passage["headings_display"])
    assert len(shown) == len(headings) and shown != headings
    assert [fold(h)[:2] for h in shown] == [fold(h)[:2] for h in headings]  # "II.", "2." kept
    every = rows(kb, "SELECT text, display FROM passages")
    assert all(r["display"] is not None and tokens(r["display"]) == tokens(r["text"]) for r in every)

    docs = {r["doc_id"]: r for r in rows(kb, "SELECT * FROM documents")}
    assert all(d["restored"] == 1 for d in docs.values())  # the five seeds are scans
    for d in docs.values():
        assert fold(d["title_display"])[:8] == "ke hoach" and strip_marks(d["title_display"]) != d["title_display"]
        assert "CỘNG HÒA" not in d["issuer_display"].upper() and d["issuer_display"][:1].isupper()
    assert docs["000_ea17d4eb7683e29a"]["issuer"] == "UBND THANH PHO HAI PHONG — SOY TE"  # raw kept
    assert docs["000_ea17d4eb7683e29a"]["issuer_display"] == "Sở Y tế thành phố Hải Phòng"
    assert docs["004_1ddf88fba73ab6aa"]["issuer_display"].startswith("Trung tâm Y tế khu vực ")
    assert fold(docs[HOTLINE_DOC]["issuer_display"]).startswith("uy ban nhan dan xa ")

    [contact] = rows(kb, "SELECT sentence, sentence_display FROM contacts WHERE value = '1800 1096'")
    assert RAW_HOTLINE in contact["sentence"] and RESTORED_HOTLINE.search(contact["sentence_display"])
    quotes = rows(kb, "SELECT quote, quote_display FROM questions")
    assert sum(q["quote_display"] is not None for q in quotes) >= 0.9 * len(quotes)
    for q in quotes:
        if q["quote_display"]:
            assert len(q["quote_display"].split()) >= len(q["quote"].split()) - 1


def test_answers_and_citations_are_restored_sources_raw(seed_data_dir: Path) -> None:
    engine = AskEngine(seed_data_dir / "knowledge.db")
    result = engine.ask("Số hotline hỗ trợ dịch vụ công là gì?")
    assert result.found and RESTORED_HOTLINE.search(result.answer)
    top = result.citations[0]
    assert top.restored and RESTORED_HOTLINE.search(top.text) and RAW_HOTLINE in top.source_text
    assert strip_marks(top.title) != top.title and top.issuer and "—" not in top.issuer
    data = result.to_json()
    assert data["citations"][0]["source_text"] == top.source_text and data["citations"][0]["restored"] is True
    shown = engine.passage(top.passage_id)
    assert shown is not None and shown.text != shown.source_text
    phones = [c for c in engine.contacts("hotline") if c.value == "1800 1096"]
    assert phones and RESTORED_HOTLINE.search(phones[0].sentence) and strip_marks(phones[0].owner) != phones[0].owner


# -- small builds -----------------------------------------------------------------------------------
def build(tmp_path: Path, files: dict[str, str]) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in files.items():
        (docs / name).write_text(text, "utf-8")
    kb = tmp_path / "knowledge.db"
    rebuild(docs, kb)
    return kb


def test_clean_documents_are_stored_unchanged(tmp_path: Path) -> None:
    kb = build(tmp_path, {"an_lac.txt": "\n".join(NEW_PLAN_LINES)})
    [doc] = rows(kb, "SELECT * FROM documents")
    assert doc["restored"] == 0 and doc["title_display"] == doc["title"]
    assert doc["issuer_display"] == "Ủy ban nhân dân xã An Lạc"  # the letterhead in proper case
    assert all(r["display"] is None and r["headings_display"] is None
               for r in rows(kb, "SELECT display, headings_display FROM passages"))
    result = AskEngine(kb).ask("Giải nhất hội thi tìm hiểu thủ tục hành chính xã An Lạc được thưởng bao nhiêu?")
    assert result.found and "3.000.000" in result.answer
    assert all(h.text == h.source_text and not h.restored for h in result.citations)


def test_a_plan_typed_without_diacritics_is_restored(tmp_path: Path) -> None:
    kb = build(tmp_path, {"binh_minh.txt": "\n".join(PDF_PLAN_LINES), "an_lac.txt": "\n".join(NEW_PLAN_LINES)})
    docs = {r["doc_id"]: r for r in rows(kb, "SELECT * FROM documents")}
    assert docs["binh_minh"]["restored"] == 1 and docs["an_lac"]["restored"] == 0
    assert fold(docs["binh_minh"]["title_display"]) == fold(docs["binh_minh"]["title"])
    assert strip_marks(docs["binh_minh"]["title_display"]) != docs["binh_minh"]["title_display"]
    for r in rows(kb, "SELECT text, display FROM passages WHERE doc_id = 'binh_minh'"):
        assert r["display"] and tokens(r["display"]) == tokens(r["text"])
        assert re.findall(r"\d+", r["display"]) == re.findall(r"\d+", r["text"])  # numbers kept


def test_a_rebuild_reads_restorations_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"binh_minh.txt": "\n".join(PDF_PLAN_LINES)}
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = build(tmp_path / "one", files)

    def no_restorer(*_args, **_kwargs):
        raise AssertionError("restored again")

    monkeypatch.setattr(stage, "_restore_groups", no_restorer)
    second = build(tmp_path / "two", files)
    sql = "SELECT text, display FROM passages ORDER BY id"
    assert [tuple(r) for r in rows(first, sql)] == [tuple(r) for r in rows(second, sql)]


def test_without_restoration_people_read_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_RESTORE", "0")
    kb = build(tmp_path, {"binh_minh.txt": "\n".join(PDF_PLAN_LINES)})
    assert rows(kb, "SELECT restored FROM documents")[0]["restored"] == 0
    assert all(r["display"] is None for r in rows(kb, "SELECT display FROM passages"))


# -- mapping fragments ------------------------------------------------------------------------------
RAW = "Ké hoach tuyén truyén\ncai cach  hanh chinh thang8 nim 2025, s624 trang"
SHOWN = "Kế hoạch tuyên truyền\ncải cách  hành chính tháng năm 2025, số trang"


def test_fragments_are_read_back_token_for_token() -> None:
    tokens_map = TokenMap(RAW, SHOWN)
    assert tokens_map.map("tuyén truyén cai cach")[0] == "tuyên truyền cải cách"
    assert tokens_map.map("cai cach  hanh")[0] == "cải cách  hành"  # the fragment's own spacing
    assert tokens_map.map("n truyén cai")[0] == "n truyền cải"  # cut inside a word: the same cut
    assert tokens_map.map("Xin chào cai cach")[0] == "Xin chào cải cách"  # unknown words kept
    assert tokens_map.map("nim 2025, s624")[0] == "năm 2025, s624"  # a lost number keeps the scan
    assert tokens_map.map("thang8 nim")[0] == "tháng8 năm"  # a month the restorer dropped is kept
    assert tokens_map.find_folded("CAI CACH hanh-chinh") == "cải cách  hành chính".replace("  ", " ")
    assert tokens_map.find_folded("không có") is None
    broken = TokenMap(RAW, "một dòng")  # a restorer that changed the lines: the scan is shown
    assert broken.map("cai cach")[0] == "cai cach"


def test_answer_pieces_follow_the_raw_ones() -> None:
    raw, shown = "Nang cao nhan thuc. Tuyen truyen 1800.1096", "Nâng cao nhận thức. Tuyên truyền 1800.1096"
    assert display_pieces(raw, shown, ["Nang cao nhan thuc.", "Tuyen truyen 1800.1096"]) == [
        "Nâng cao nhận thức.", "Tuyên truyền 1800.1096"]
    assert display_pieces(raw, None, ["Nang cao nhan thuc."]) == ["Nang cao nhan thuc."]
    assert display_span(raw, shown, 5, 8) == "cao"


@pytest.mark.parametrize(("issuer", "expected"), [
    ("UBND THANH PHO HAI PHONG — SOY TE", "Sở Y tế thành phố Hai Phong"),
    ("ỦY BAN NHÂN DÂN — XÃ AN LẠC", "Ủy ban nhân dân xã An Lạc"),
    ("UỶ BAN NHÂN DÂN — THÀNH PHỐ HẢI PHÒNG", "Ủy ban nhân dân thành phố Hải Phòng"),
    ("Trung tam y te khu vuc mai chau", "Trung tâm Y tế khu vực Mai Chau"),
    ("SỞ TƯ PHÁP", "Sở Tư pháp"),
])
def test_issuers_in_proper_case(issuer: str, expected: str) -> None:
    assert display_issuer(issuer, None) == expected


def test_groups_restored_in_workers_equal_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large folders are restored group by group in worker processes: the same text as here."""
    import knowledge.workers as workers
    from knowledge.build import SEEDS_DIR

    names = ("004_1ddf88fba73ab6aa", "000_ea17d4eb7683e29a")
    texts = [(SEEDS_DIR / f"{name}.txt").read_text("utf-8") for name in names]
    monkeypatch.setattr(stage, "SMALL_CORPUS_CHARS", 1)  # a "large" folder: joint groups …
    monkeypatch.setattr(stage, "LARGE_GROUP_CHARS", 1)  # … of one document each
    monkeypatch.setenv("CCHC_CACHE_DIR", str(tmp_path / "one"))
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "1")
    here = stage.restore(texts)
    started: list[int] = []
    real_pool = workers._in_pool

    def counting_pool(fn, chunks, n, initializer, initargs):
        started.append(n)
        return real_pool(fn, chunks, n, initializer, initargs)

    monkeypatch.setenv("CCHC_CACHE_DIR", str(tmp_path / "two"))
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "2")
    monkeypatch.setattr(workers, "_in_pool", counting_pool)
    monkeypatch.setattr(workers, "start_method", lambda: "fork")
    assert stage.restore(texts) == here and started == [2]
    assert all(text is not None and text != raw for text, raw in zip(here, texts))


@pytest.mark.parametrize(("raw", "restored", "shown"), [
    ("cu6i", "cuối", "cuối"), ("HO6", "HỒ", "HỒ"), ("1an", "lần", "lần"), ("s6", "số", "số"),  # letters
    ("thang8", "tháng", "tháng8"), ("{8thdng", "{tháng", "{8tháng"),  # numbers beside a counting word
    ("s624", "số", "s624"), ("S6:155", "Sở:155", "Sở:155"), ("1800.1096;", "1800.1096;", "1800.1096;"),
])
def test_numbers_are_never_lost(raw: str, restored: str, shown: str) -> None:
    assert token_map._numbers_kept(raw, restored) == shown

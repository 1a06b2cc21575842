"""Normalization: diacritics, NFD, Ð, shorthand, abbreviations, OCR repair."""

from __future__ import annotations

import unicodedata

import pytest

from knowledge.text import fold, strip_marks
from retrieval.analyzer import analyze
from retrieval.normalize import analyze_document, analyze_question, fold_tokens, is_valid
from retrieval.question import understand


@pytest.mark.parametrize("text, expected", [
    ("Số hotline hỗ trợ dịch vụ công", "so hotline ho tro dich vu cong"),
    ("so hotline ho tro dich vu cong", "so hotline ho tro dich vu cong"),
    ("ĐƯỜNG DÂY NÓNG", "duong day nong"),
    ("Ðường dây nóng", "duong day nong"),  # U+00D0 typed for Đ
    ("Kế hoạch 155/KH-SYT", "ke hoach 155 kh syt"),
    ("hoà / hòa, thuỷ / thủy", "hoa hoa thuy thuy"),
])
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_nfd_input_folds_like_nfc() -> None:
    nfc_text = "Cải cách hành chính Nhà nước"
    nfd_text = unicodedata.normalize("NFD", nfc_text)
    assert nfd_text != nfc_text
    assert fold(nfd_text) == fold(nfc_text) == "cai cach hanh chinh nha nuoc"
    assert analyze_question(nfd_text) == analyze_question(nfc_text)


def test_strip_marks_keeps_case_and_punctuation() -> None:
    assert strip_marks("Đề án 06/CP, Sở Y tế!") == "De an 06/CP, So Y te!"


@pytest.mark.parametrize("question, words", [
    ("sdt hotline dvc la j", ["so", "dien", "thoai", "dich", "vu", "cong", "gi"]),
    ("ko biet nop ho so online o dau", ["khong", "truc", "tuyen"]),
    ("Kế hoạch CCHC của UBND", ["cai", "cach", "hanh", "chinh", "uy", "ban", "nhan", "dan"]),
    ("TTHC và CBCCVC", ["thu", "tuc", "can", "bo", "cong", "chuc", "vien"]),
])
def test_shorthand_and_abbreviations_expand(question: str, words: list[str]) -> None:
    tokens = analyze_question(question)
    for word in words:
        assert word in tokens, (word, tokens)


def test_question_words_are_not_topic() -> None:
    terms = analyze("Số hotline là gì?")
    assert "gi" not in terms.content and "la" not in terms.content
    assert "hotline" in terms.content
    assert understand("Số hotline là gì?").answer_kind == "contact"


def test_one_analysis_decides_the_kind_of_answer() -> None:
    """The question analysis (retrieval/question.py) is the only classifier: its slot says what kind
    of sentence answers."""
    assert understand("Tỷ lệ hài lòng là bao nhiêu phần trăm?").answer_kind == "number"
    assert understand("Gửi báo cáo trước ngày nào?").answer_kind == "date"
    assert understand("Cơ quan nào chủ trì?").answer_kind == "who"
    assert understand("Kế hoạch số 139/KH-TTYT do đơn vị nào ban hành?").answer_kind == "meta"
    assert understand("Thời hạn giải quyết là bao lâu?").asks == "duration"
    # a statement to judge asks yes or no, whatever dates it states; an interrogative outranks a
    # word about time
    assert understand("Thời hiệu khởi kiện được tính từ ngày phát sinh quyền yêu cầu, đúng hay sai?").asks == "yesno"
    assert understand("Số lần họp định kỳ trong một năm của hội đồng là bao nhiêu?").asks == "number"
    assert understand("Báo cáo định kỳ gửi về đâu?").asks != "date"


def test_scan_damage_is_left_to_restoration() -> None:
    """The indexer's only repair of a scan is the restoration stage: normalization folds a scan as it
    is, and its damaged tokens ("nim", "s6", "k&") can be left out of the terms."""
    assert analyze_document("Ké hoach nim 2026") == ["ke", "hoach", "nim", "2026"]
    kept = analyze_document("Ké hoach nim 2026 cua S6 Y té", valid_only=True)
    assert kept == ["ke", "hoach", "2026", "cua", "y", "te"]
    assert not is_valid("nim") and is_valid("nam") and is_valid("ubnd") and is_valid("2026")


def test_valid_tokens_are_left_alone() -> None:
    tokens = fold_tokens("tuyen truyen cai cach hanh chinh 2025")
    assert analyze_document("tuyen truyen cai cach hanh chinh 2025", valid_only=True) == tokens

"""The segmenter builds underthesea's CRF features in Python: they must be underthesea's, string for
string, or the words (and the weights of a question's word pairs) would drift."""

from __future__ import annotations

import itertools

import pytest

from retrieval.segmenter import VIETNAMESE_LETTERS, crf_features, segmenter


@pytest.fixture(scope="module")
def seg():
    loaded = segmenter()
    assert loaded._dictionary is not None, "the pinned model's templates must take the Python path"
    return loaded


def _rust(seg, tokens: list[str]) -> list[list[str]]:
    return seg._featurize([[[t] for t in tokens]])[0]


def test_every_letter_in_every_position_gives_underthesea_features(seg) -> None:
    alphabet = [chr(c) for c in range(0x21, 0x7F)] + list(VIETNAMESE_LETTERS)
    context = ["X", "x", "1", "?", "Đ", "đ"]
    checked = 0
    for c in alphabet:
        for word in (c, c + "a", "A" + c, c + "1"):
            for left, right in itertools.product(context, repeat=2):
                for tokens in ([left, word, right], [word, left, right], [left, right, word], [word]):
                    assert crf_features(tokens, seg._dictionary) == _rust(seg, tokens), tokens
                    checked += 1
    assert checked > 20_000


def test_the_digit_test_is_a_32_bit_integer_parse(seg) -> None:
    for number in ("2147483647", "2147483648", "-2147483648", "-2147483649", "+1", "-0", "00", "+-1", "1.5",
                   "+", "-", "60.542.000"):
        tokens = ["Năm", number, "đồng"]
        assert crf_features(tokens, seg._dictionary) == _rust(seg, tokens), number


def test_questions_are_segmented_as_underthesea_segments_them(seg) -> None:
    from underthesea import word_tokenize

    for text in ("Sở Y tế Hải Phòng phấn đấu bao nhiêu phần trăm hồ sơ được giải quyết trực tuyến?",
                 "Thủ tục cấp Giấy chứng nhận quyền sử dụng đất cần những giấy tờ gì, lệ phí bao nhiêu?",
                 "UBND xã Phú Thái giao ai chủ trì Hội thi trực tuyến CCHC năm 2025",
                 "Theo Nghị định 30/2020/NĐ-CP, văn bản hành chính gồm mấy thành phần? (đúng hay sai)",
                 "Gọi 1800.1096 hoặc truy cập https://dichvucong.gov.vn để được hỗ trợ.",
                 # letters outside the plain alphabet go to underthesea's own featurizer
                 "Số ª thứ ² của Москва", ""):
        assert seg.segment(text) == word_tokenize(text), text


def test_a_word_pair_is_found_inside_one_word() -> None:
    from retrieval.analyzer import underthesea_compounds

    assert {"cai_cach", "hanh_chinh"} <= underthesea_compounds("Cải cách hành chính là gì?")

"""The contest question bank: the shipped bank must validate against the shipped seed plans, and the
validator must really catch each kind of mistake an editor can make."""

from __future__ import annotations

import collections
import dataclasses
import pathlib
import textwrap

import pytest

from knowledge.quiz_bank import (
    BankError,
    BankQuestion,
    bundled_questions_dir,
    load_bank,
    load_bank_file,
    validate_questions,
)
from knowledge.text import fold

SEEDS_DIR = pathlib.Path(__file__).resolve().parent.parent / "knowledge" / "seeds"

DOC_TEXT = (
    "KE HOACH Tuyén truyén cai cach hanh chinh 6 thiang cudi nim 2025\n"
    "Can ctr Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND thanh\n"
    "phd ban hanh K& hoach cai cach hanh chinh nha nuéc thanh phd Hai Phong."
)
DOCS = {"doc_a": DOC_TEXT}


def make_question(**changes: object) -> BankQuestion:
    """A valid question about DOC_TEXT, with `changes` applied."""
    base = BankQuestion(
        id="t-01",
        doc_id="doc_a",
        question="Kế hoạch căn cứ quyết định nào?",
        options=("Quyết định 3041/QĐ-UBND", "Quyết định 533/QĐ-UBND", "Quyết định 225/QĐ-TTg", "Không có"),
        answer=0,
        explanation="Căn cứ Quyết định số 3041/QĐ-UBND ngày 26/7/2025.",
        quote="Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND",
        section="Căn cứ",
    )
    return dataclasses.replace(base, **changes)


def errors_for(*questions: BankQuestion) -> list[str]:
    return validate_questions(list(questions), DOCS)


# --- the real bank ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_documents() -> dict[str, str]:
    docs = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}
    assert len(docs) == 5
    return docs


@pytest.fixture(scope="module")
def bank(seed_documents: dict[str, str]) -> list[BankQuestion]:
    return load_bank(bundled_questions_dir(), seed_documents)


def test_bundled_dir_is_the_package_folder() -> None:
    folder = bundled_questions_dir()
    assert folder.is_dir()
    assert folder.parent.name == "knowledge"


def test_real_bank_validates_with_no_errors(bank: list[BankQuestion], seed_documents: dict[str, str]) -> None:
    assert validate_questions(bank, seed_documents) == []


def test_real_bank_size_and_coverage(bank: list[BankQuestion], seed_documents: dict[str, str]) -> None:
    assert len(bank) >= 120
    per_plan = collections.Counter(q.doc_id for q in bank)
    assert set(per_plan) == set(seed_documents), "every seed plan needs questions"
    for doc_id, count in per_plan.items():
        assert count >= 15, f"{doc_id} has only {count} questions"


def test_real_bank_has_no_duplicates(bank: list[BankQuestion]) -> None:
    ids = [q.id for q in bank]
    assert len(ids) == len(set(ids))
    texts = [fold(q.question) for q in bank]
    assert len(texts) == len(set(texts))


def test_real_bank_files_are_named_after_their_document() -> None:
    for path in sorted(bundled_questions_dir().glob("*.yaml")):
        questions = load_bank_file(path)
        assert questions, path.name
        assert {q.doc_id for q in questions} == {path.stem}


def test_real_bank_questions_are_well_formed(bank: list[BankQuestion]) -> None:
    for q in bank:
        assert len(q.options) == 4, q.id
        assert 0 <= q.answer < len(q.options), q.id
        assert 20 <= len(q.quote) <= 250, q.id
        assert len(q.question) <= 255, q.id
        # Written with full diacritics: the stem is not already in folded (mark-less) form.
        assert q.question.lower() != fold(q.question), q.id


def test_real_bank_answers_are_spread_over_positions(bank: list[BankQuestion]) -> None:
    positions = collections.Counter(q.answer for q in bank)
    assert all(positions[i] >= len(bank) // 8 for i in range(4)), positions


# --- the validator catches each kind of error -------------------------------------------------------


def test_valid_question_has_no_errors() -> None:
    assert errors_for(make_question()) == []


def test_three_options_are_accepted() -> None:
    assert errors_for(make_question(options=("A một", "B hai", "C ba"), answer=2)) == []


def test_quote_may_be_copied_from_ocr_text_verbatim() -> None:
    # Spans a line break of the document; the comparison is folded, so line breaks are spaces.
    q = make_question(quote="Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND thanh phd ban hanh")
    assert errors_for(q) == []


def test_quote_is_compared_without_diacritics_or_case() -> None:
    q = make_question(quote="QUYẾT ĐỊNH s6 3041/QĐ-UBND, ngày 26/7/2025 ciia UBND")
    assert errors_for(q) == []


def test_catches_quote_not_in_document() -> None:
    errors = errors_for(make_question(quote="Quyết định số 9999/QĐ-UBND ngày 01/01/2030 của UBND"))
    assert len(errors) == 1
    assert errors == ["câu t-01: không tìm thấy trích dẫn trong tài liệu doc_a: "
                      "'Quyết định số 9999/QĐ-UBND ngày 01/01/2030 của UBND'"]


def test_quote_must_match_on_word_boundaries() -> None:
    # "304" is inside "3041": a partial number must not count as support.
    errors = errors_for(make_question(quote="Quyết định số 304/QĐ-UBND ngày 26/7/2025"))
    assert any("không tìm thấy trích dẫn" in e for e in errors), errors


def test_catches_unknown_doc_id() -> None:
    errors = errors_for(make_question(doc_id="doc_missing"))
    assert errors == ["câu t-01: không có tài liệu mã 'doc_missing' trong thư mục tài liệu"]


@pytest.mark.parametrize("answer", [4, -1, 10])
def test_catches_answer_out_of_range(answer: int) -> None:
    errors = errors_for(make_question(answer=answer))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"câu t-01: đáp án {answer} nằm ngoài 4 phương án"), errors
    assert "phải từ 0 đến 3" in errors[0]


def test_catches_duplicate_options_compared_folded() -> None:
    q = make_question(options=("Sở Nội vụ", "Sở Tư pháp", "so noi vu", "Sở Tài chính"))
    errors = errors_for(q)
    assert errors == ["câu t-01: phương án A và C trùng nhau"]


def test_catches_too_long_option() -> None:
    q = make_question(options=("Quyết định 3041/QĐ-UBND", "x" * 101, "Quyết định 225/QĐ-TTg", "Không có"))
    errors = errors_for(q)
    assert errors == ["câu t-01: phương án B dài 101 ký tự, vượt giới hạn 100 ký tự của Telegram"]


def test_option_of_exactly_100_chars_is_fine() -> None:
    q = make_question(options=("Quyết định 3041/QĐ-UBND", "x" * 100, "Quyết định 225/QĐ-TTg", "Không có"))
    assert errors_for(q) == []


def test_catches_too_long_question_and_explanation() -> None:
    errors = errors_for(make_question(question="Câu hỏi " + "a" * 300, explanation="Giải thích " + "b" * 200))
    assert "câu t-01: nội dung câu hỏi dài 308 ký tự, vượt giới hạn 300 ký tự của Telegram" in errors
    assert "câu t-01: lời giải thích dài 211 ký tự, vượt giới hạn 200 ký tự của Telegram" in errors


def test_catches_explanation_with_too_many_line_feeds() -> None:
    errors = errors_for(make_question(explanation="một\nhai\nba\nbốn"))
    assert errors == ["câu t-01: lời giải thích xuống dòng quá 2 lần (giới hạn của Telegram)"]
    assert errors_for(make_question(explanation="một\nhai\nba")) == []


@pytest.mark.parametrize("options", [("Một", "Hai"), ("Một", "Hai", "Ba", "Bốn", "Năm")])
def test_catches_wrong_number_of_options(options: tuple[str, ...]) -> None:
    errors = errors_for(make_question(options=options, answer=0))
    assert f"câu t-01: có {len(options)} phương án, cần từ 3 đến 4" in errors, errors


def test_catches_duplicate_id() -> None:
    errors = errors_for(make_question(), make_question(question="Một câu hỏi khác hẳn?"))
    assert errors == ["câu t-01: mã câu bị trùng với một câu khác"]


def test_catches_duplicate_question_text_compared_folded() -> None:
    second = make_question(id="t-02", question="ke hoach can cu QUYET DINH nao")
    errors = errors_for(make_question(), second)
    assert errors == ["câu t-02: nội dung câu hỏi trùng với câu t-01"]


@pytest.mark.parametrize("field", ["question", "explanation", "quote", "id"])
def test_catches_empty_fields(field: str) -> None:
    errors = errors_for(make_question(**{field: "  "}))
    assert any(f"('{field}') để trống" in e for e in errors), errors


def test_catches_empty_option() -> None:
    errors = errors_for(make_question(options=("Quyết định 3041", " ", "Quyết định 225", "Không có")))
    assert "câu t-01: phương án B để trống" in errors, errors


def test_catches_too_short_quote() -> None:
    errors = errors_for(make_question(quote="Quyết định số 3041"))
    assert "câu t-01: trích dẫn dài 18 ký tự, cần từ 20 đến 250 ký tự" in errors, errors


# --- files --------------------------------------------------------------------------------------------


GOOD_YAML = """\
doc_id: doc_a
questions:
  - id: y-01
    question: "Kế hoạch căn cứ quyết định nào của UBND thành phố?"
    options: ["Quyết định 3041/QĐ-UBND", "Quyết định 533/QĐ-UBND", "Quyết định 225/QĐ-TTg", "Không có"]
    answer: 0
    explanation: "Căn cứ Quyết định số 3041/QĐ-UBND ngày 26/7/2025."
    quote: "Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND thanh phd"
    section: "Căn cứ"
"""


def write(folder: pathlib.Path, name: str, text: str) -> pathlib.Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_bank_file_reads_a_good_file(tmp_path: pathlib.Path) -> None:
    [q] = load_bank_file(write(tmp_path, "doc_a.yaml", GOOD_YAML))
    assert q == BankQuestion(
        id="y-01",
        doc_id="doc_a",
        question="Kế hoạch căn cứ quyết định nào của UBND thành phố?",
        options=("Quyết định 3041/QĐ-UBND", "Quyết định 533/QĐ-UBND", "Quyết định 225/QĐ-TTg", "Không có"),
        answer=0,
        explanation="Căn cứ Quyết định số 3041/QĐ-UBND ngày 26/7/2025.",
        quote="Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND thanh phd",
        section="Căn cứ",
    )
    assert q.correct_option == "Quyết định 3041/QĐ-UBND"


def test_load_bank_file_rejects_invalid_yaml_naming_the_file(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "broken.yaml", "doc_id: doc_a\nquestions: [\n  - id: x\n")
    with pytest.raises(BankError) as info:
        load_bank_file(path)
    assert info.value.errors == [
        "tệp broken.yaml: YAML sai cú pháp (dòng 3, cột 3); hãy kiểm tra dấu ngoặc, dấu hai chấm, "
        "dấu nháy và thụt lề"]


def test_load_bank_file_rejects_missing_keys(tmp_path: pathlib.Path) -> None:
    text = GOOD_YAML.replace(
        '    quote: "Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND thanh phd"\n', ""
    )
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(BankError) as info:
        load_bank_file(path)
    assert info.value.errors == ["tệp bad.yaml, câu y-01: thiếu trường quote"]


def test_load_bank_file_rejects_non_integer_answer(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "bad.yaml", GOOD_YAML.replace("    answer: 0\n", '    answer: "0"\n'))
    with pytest.raises(BankError) as info:
        load_bank_file(path)
    assert info.value.errors == ["tệp bad.yaml, câu y-01: 'answer' phải là một số nguyên: vị trí của "
                                 "phương án đúng, đếm từ 0 (0 là A, 1 là B, ...)"]


def test_load_bank_file_rejects_wrong_top_level(tmp_path: pathlib.Path) -> None:
    cases = [("list.yaml", "- a\n- b\n", "nội dung phải gồm 'doc_id'"),
             ("noid.yaml", "questions: []\n", "thiếu mã tài liệu 'doc_id'"),
             ("noq.yaml", "doc_id: x\n", "'questions' phải là danh sách câu hỏi")]
    for name, text, reason in cases:
        with pytest.raises(BankError) as info:
            load_bank_file(write(tmp_path, name, text))
        [error] = info.value.errors
        assert error.startswith(f"tệp {name}: ") and reason in error, error


def test_load_bank_loads_a_valid_folder(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "doc_a.yaml", GOOD_YAML)
    (tmp_path / "notes.txt").write_text("not a bank file", encoding="utf-8")
    questions = load_bank(tmp_path, DOCS)
    assert [q.id for q in questions] == ["y-01"]


def test_load_bank_reports_all_errors_at_once(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "doc_a.yaml", GOOD_YAML)
    # Same id again, a quote that is not in the document, and an answer out of range.
    second = (
        GOOD_YAML.replace("Kế hoạch căn cứ", "Văn bản nào được căn cứ")
        .replace("ngay 26/7/2025 ciia", "ngay 27/7/2025 ciia")
        .replace("answer: 0", "answer: 7")
    )
    write(tmp_path, "doc_b.yaml", second)
    write(tmp_path, "doc_c.yaml", "doc_id: doc_a\nquestions: oops\n")
    with pytest.raises(BankError) as info:
        load_bank(tmp_path, DOCS)
    errors = info.value.errors
    assert "tệp doc_c.yaml: 'questions' phải là danh sách câu hỏi (đang là chữ)" in errors
    assert "câu y-01: mã câu bị trùng với một câu khác" in errors
    assert any(e.startswith("câu y-01: không tìm thấy trích dẫn trong tài liệu doc_a: ") for e in errors)
    assert any(e.startswith("câu y-01: đáp án 7 nằm ngoài 4 phương án") for e in errors)
    assert str(info.value).count("\n") == len(errors) - 1


def test_load_bank_missing_folder(tmp_path: pathlib.Path) -> None:
    with pytest.raises(BankError) as info:
        load_bank(tmp_path / "nowhere", DOCS)
    assert info.value.errors == [f"không tìm thấy thư mục câu hỏi {tmp_path / 'nowhere'}"]

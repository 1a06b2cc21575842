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
    assert errors[0].startswith("t-01:") and "quote not found" in errors[0]


def test_quote_must_match_on_word_boundaries() -> None:
    # "304" is inside "3041": a partial number must not count as support.
    errors = errors_for(make_question(quote="Quyết định số 304/QĐ-UBND ngày 26/7/2025"))
    assert any("quote not found" in e for e in errors)


def test_catches_unknown_doc_id() -> None:
    errors = errors_for(make_question(doc_id="doc_missing"))
    assert errors == ["t-01: unknown doc_id 'doc_missing'"]


@pytest.mark.parametrize("answer", [4, -1, 10])
def test_catches_answer_out_of_range(answer: int) -> None:
    errors = errors_for(make_question(answer=answer))
    assert len(errors) == 1 and "answer index" in errors[0] and "t-01" in errors[0]


def test_catches_duplicate_options_compared_folded() -> None:
    q = make_question(options=("Sở Nội vụ", "Sở Tư pháp", "so noi vu", "Sở Tài chính"))
    errors = errors_for(q)
    assert len(errors) == 1 and "options 0 and 2 are the same" in errors[0]


def test_catches_too_long_option() -> None:
    q = make_question(options=("Quyết định 3041/QĐ-UBND", "x" * 101, "Quyết định 225/QĐ-TTg", "Không có"))
    errors = errors_for(q)
    assert len(errors) == 1 and "option 1" in errors[0] and "100" in errors[0]


def test_option_of_exactly_100_chars_is_fine() -> None:
    q = make_question(options=("Quyết định 3041/QĐ-UBND", "x" * 100, "Quyết định 225/QĐ-TTg", "Không có"))
    assert errors_for(q) == []


def test_catches_too_long_question_and_explanation() -> None:
    errors = errors_for(make_question(question="Câu hỏi " + "a" * 300, explanation="Giải thích " + "b" * 200))
    assert any("question is" in e for e in errors)
    assert any("explanation is" in e for e in errors)


def test_catches_explanation_with_too_many_line_feeds() -> None:
    errors = errors_for(make_question(explanation="một\nhai\nba\nbốn"))
    assert len(errors) == 1 and "line feeds" in errors[0]
    assert errors_for(make_question(explanation="một\nhai\nba")) == []


@pytest.mark.parametrize("options", [("Một", "Hai"), ("Một", "Hai", "Ba", "Bốn", "Năm")])
def test_catches_wrong_number_of_options(options: tuple[str, ...]) -> None:
    errors = errors_for(make_question(options=options, answer=0))
    assert any("options, expected 3-4" in e for e in errors)


def test_catches_duplicate_id() -> None:
    errors = errors_for(make_question(), make_question(question="Một câu hỏi khác hẳn?"))
    assert errors == ["t-01: duplicated question id"]


def test_catches_duplicate_question_text_compared_folded() -> None:
    second = make_question(id="t-02", question="ke hoach can cu QUYET DINH nao")
    errors = errors_for(make_question(), second)
    assert errors == ["t-02: same question text as t-01"]


@pytest.mark.parametrize("field", ["question", "explanation", "quote", "id"])
def test_catches_empty_fields(field: str) -> None:
    errors = errors_for(make_question(**{field: "  "}))
    assert any(f"empty {field}" in e for e in errors), errors


def test_catches_empty_option() -> None:
    errors = errors_for(make_question(options=("Quyết định 3041", " ", "Quyết định 225", "Không có")))
    assert any("option 1 is empty" in e for e in errors)


def test_catches_too_short_quote() -> None:
    errors = errors_for(make_question(quote="Quyết định số 3041"))
    assert any("quote is" in e and "20-250" in e for e in errors)


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
    assert "broken.yaml" in str(info.value)


def test_load_bank_file_rejects_missing_keys(tmp_path: pathlib.Path) -> None:
    text = GOOD_YAML.replace(
        '    quote: "Quyét dinh s6 3041/QD-UBND ngay 26/7/2025 ciia UBND thanh phd"\n', ""
    )
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(BankError) as info:
        load_bank_file(path)
    assert any("bad.yaml" in e and "missing key(s) quote" in e for e in info.value.errors)


def test_load_bank_file_rejects_non_integer_answer(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "bad.yaml", GOOD_YAML.replace("    answer: 0\n", '    answer: "0"\n'))
    with pytest.raises(BankError) as info:
        load_bank_file(path)
    assert "'answer' must be an integer" in str(info.value)


def test_load_bank_file_rejects_wrong_top_level(tmp_path: pathlib.Path) -> None:
    cases = [("list.yaml", "- a\n- b\n"), ("noid.yaml", "questions: []\n"), ("noq.yaml", "doc_id: x\n")]
    for name, text in cases:
        with pytest.raises(BankError) as info:
            load_bank_file(write(tmp_path, name, text))
        assert name in str(info.value)


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
    assert any("doc_c.yaml" in e for e in errors)
    assert "y-01: duplicated question id" in errors
    assert any(e.startswith("y-01: quote not found") for e in errors)
    assert any(e.startswith("y-01: answer index 7") for e in errors)
    assert str(info.value).count("\n") == len(errors) - 1


def test_load_bank_missing_folder(tmp_path: pathlib.Path) -> None:
    with pytest.raises(BankError):
        load_bank(tmp_path / "nowhere", DOCS)

"""The contest question bank: multiple-choice questions written from the seed plans.

Each plan has a YAML file `knowledge/questions/<doc_id>.yaml` of hand-written questions. Every
question carries a quote copied from the (OCR-damaged) plan text, so that the bot can show where the
answer comes from and so that a wrong or invented question is caught: the validator checks that the
quote really occurs in its document once both are folded (see `knowledge.text.fold`).

The length limits are Telegram's quiz-poll limits, because questions are sent as native quiz polls;
a question that breaks them would fail at send time, in front of a user, instead of at load time.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from knowledge.text import contains_folded, fold, nfc

# Telegram sendPoll limits (type=quiz).
MAX_QUESTION_CHARS = 300
MAX_OPTION_CHARS = 100
MAX_EXPLANATION_CHARS = 200
MAX_EXPLANATION_LINE_FEEDS = 2
# The contest asks 3- or 4-option questions; Telegram itself would accept 2-12.
MIN_OPTIONS = 3
MAX_OPTIONS = 4
# A quote shorter than this proves little (it matches almost anywhere); a longer one is a paragraph.
MIN_QUOTE_CHARS = 20
MAX_QUOTE_CHARS = 250

_REQUIRED_KEYS = ("id", "question", "options", "answer", "explanation", "quote")


class BankError(ValueError):
    """A bank file is malformed or the bank does not validate; `errors` holds one line per problem."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class BankQuestion:
    """One multiple-choice question, tied to the plan (`doc_id`) and the span (`quote`) it comes from."""

    id: str
    doc_id: str
    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    quote: str
    section: str = ""

    @property
    def correct_option(self) -> str:
        """The text of the correct option (callers should validate first: `answer` may be out of range)."""
        return self.options[self.answer]


def _text(value: Any) -> str | None:
    """A YAML scalar as NFC text; numbers are accepted (an unquoted id like `12` parses as int)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return nfc(str(value))
    return None


def _parse_item(item: Any, index: int, doc_id: str, where: str) -> tuple[BankQuestion | None, list[str]]:
    """Turn one YAML mapping into a BankQuestion, or explain (in `errors`) why it cannot be one."""
    label = f"{where}: câu #{index + 1}"
    if not isinstance(item, Mapping):
        return None, [f"{label}: expected a mapping (id, question, options, ...), got {type(item).__name__}"]
    if item.get("id") is not None:
        label = f"{where}: câu {item.get('id')}"
    errors: list[str] = []
    missing = [key for key in _REQUIRED_KEYS if key not in item]
    if missing:
        errors.append(f"{label}: missing key(s) {', '.join(missing)}")
    unknown = sorted(str(k) for k in item if k not in (*_REQUIRED_KEYS, "section", "doc_id"))
    if unknown:
        errors.append(f"{label}: unknown key(s) {', '.join(unknown)}")
    if missing:
        return None, errors

    fields: dict[str, str] = {}
    for key in ("id", "question", "explanation", "quote"):
        text = _text(item[key])
        if text is None:
            errors.append(f"{label}: '{key}' must be text")
        else:
            fields[key] = text
    section = _text(item.get("section", "")) if item.get("section") is not None else ""
    if section is None:
        errors.append(f"{label}: 'section' must be text")
    item_doc = _text(item.get("doc_id", doc_id))
    if item_doc is None:
        errors.append(f"{label}: 'doc_id' must be text")

    raw_options = item["options"]
    options: list[str] = []
    if not isinstance(raw_options, list):
        errors.append(f"{label}: 'options' must be a list")
    else:
        for n, option in enumerate(raw_options):
            text = _text(option)
            if text is None:
                errors.append(f"{label}: option {n} must be text")
            else:
                options.append(text)

    answer = item["answer"]
    if isinstance(answer, bool) or not isinstance(answer, int):
        errors.append(f"{label}: 'answer' must be an integer (0-based index of the correct option)")

    if errors:
        return None, errors
    return (
        BankQuestion(
            id=fields["id"].strip(),
            doc_id=(item_doc or "").strip(),
            question=fields["question"],
            options=tuple(options),
            answer=answer,
            explanation=fields["explanation"],
            quote=fields["quote"],
            section=(section or "").strip(),
        ),
        [],
    )


def load_bank_file(path: str | pathlib.Path) -> list[BankQuestion]:
    """Read one bank file: `doc_id` plus a `questions` list.

    Structural problems (bad YAML, missing keys, wrong types) raise `BankError` naming the file, since
    such a file cannot be partly trusted; content problems (quote not found, duplicates, lengths) are
    left to `validate_questions`, which needs the documents and the whole bank.
    """
    path = pathlib.Path(path)
    where = path.name
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError([f"{where}: cannot read the file (không đọc được tệp): {exc}"]) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise BankError([f"{where}: invalid YAML (YAML sai cú pháp): {exc}"]) from exc
    if not isinstance(data, Mapping):
        raise BankError([f"{where}: top level must be a mapping with 'doc_id' and 'questions'"])
    doc_id = _text(data.get("doc_id"))
    if not doc_id or not doc_id.strip():
        raise BankError([f"{where}: missing or empty 'doc_id'"])
    items = data.get("questions")
    if not isinstance(items, list):
        raise BankError([f"{where}: 'questions' must be a list"])

    questions: list[BankQuestion] = []
    errors: list[str] = []
    for index, item in enumerate(items):
        question, item_errors = _parse_item(item, index, doc_id.strip(), where)
        errors.extend(item_errors)
        if question is not None:
            questions.append(question)
    if errors:
        raise BankError(errors)
    return questions


def _check_length(errors: list[str], qid: str, what: str, text: str, limit: int) -> None:
    if len(text) > limit:
        errors.append(f"{qid}: {what} is {len(text)} characters, longer than Telegram's limit {limit}")


def validate_questions(questions: Iterable[BankQuestion], documents: Mapping[str, str]) -> list[str]:
    """Every problem in the bank, one line each, starting with the question id; empty when valid.

    `documents` maps doc_id to the full document text. Checks are cumulative (a question may produce
    several lines) so that one run shows everything an editor must fix.
    """
    errors: list[str] = []
    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, str] = {}
    for position, q in enumerate(questions):
        qid = q.id.strip() or f"<câu thứ {position + 1} không có id>"
        if not q.id.strip():
            errors.append(f"{qid}: empty id")
        elif q.id in seen_ids:
            errors.append(f"{qid}: duplicated question id")
        seen_ids[q.id] = seen_ids.get(q.id, 0) + 1

        for name in ("doc_id", "question", "explanation", "quote"):
            if not str(getattr(q, name) or "").strip():
                errors.append(f"{qid}: empty {name}")

        if q.doc_id.strip():
            if q.doc_id not in documents:
                errors.append(f"{qid}: unknown doc_id {q.doc_id!r}")
            elif q.quote.strip() and not contains_folded(documents[q.doc_id], q.quote):
                errors.append(f"{qid}: quote not found in document {q.doc_id}: {q.quote[:60]!r}")
        quote_len = len(q.quote.strip())
        if q.quote.strip() and not MIN_QUOTE_CHARS <= quote_len <= MAX_QUOTE_CHARS:
            errors.append(
                f"{qid}: quote is {quote_len} characters, expected {MIN_QUOTE_CHARS}-{MAX_QUOTE_CHARS}"
            )

        folded_question = fold(q.question)
        if folded_question:
            if folded_question in seen_questions:
                errors.append(f"{qid}: same question text as {seen_questions[folded_question]}")
            else:
                seen_questions[folded_question] = qid
        _check_length(errors, qid, "question", q.question, MAX_QUESTION_CHARS)
        _check_length(errors, qid, "explanation", q.explanation, MAX_EXPLANATION_CHARS)
        if q.explanation.count("\n") > MAX_EXPLANATION_LINE_FEEDS:
            errors.append(f"{qid}: explanation has more than {MAX_EXPLANATION_LINE_FEEDS} line feeds")

        if not MIN_OPTIONS <= len(q.options) <= MAX_OPTIONS:
            errors.append(f"{qid}: {len(q.options)} options, expected {MIN_OPTIONS}-{MAX_OPTIONS}")
        folded_options: dict[str, int] = {}
        for n, option in enumerate(q.options):
            if not option.strip():
                errors.append(f"{qid}: option {n} is empty")
                continue
            _check_length(errors, qid, f"option {n}", option, MAX_OPTION_CHARS)
            key = fold(option) or option.strip()
            if key in folded_options:
                errors.append(f"{qid}: options {folded_options[key]} and {n} are the same")
            else:
                folded_options[key] = n
        if isinstance(q.answer, bool) or not isinstance(q.answer, int):
            errors.append(f"{qid}: answer must be an integer index")
        elif not 0 <= q.answer < len(q.options):
            errors.append(f"{qid}: answer index {q.answer} out of range for {len(q.options)} options")
    return errors


def load_bank(folder: str | pathlib.Path, documents: Mapping[str, str]) -> list[BankQuestion]:
    """Load and validate every `*.yaml` in `folder`; raise `BankError` listing all problems at once.

    All-or-nothing on purpose: a half-loaded bank would silently shrink the contest, and one error
    message per run would make fixing a batch of questions slow.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise BankError([f"{folder}: question folder not found (không tìm thấy thư mục câu hỏi)"])
    questions: list[BankQuestion] = []
    errors: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            questions.extend(load_bank_file(path))
        except BankError as exc:
            errors.extend(exc.errors)
    errors.extend(validate_questions(questions, documents))
    if errors:
        raise BankError(errors)
    return questions


def bundled_questions_dir() -> pathlib.Path:
    """The bank shipped with the package (`knowledge/questions`), located from this file, not the CWD."""
    return pathlib.Path(__file__).resolve().parent / "questions"

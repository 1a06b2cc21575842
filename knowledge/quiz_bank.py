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
_OPTIONAL_KEYS = ("section", "doc_id")
# Field names as an editor knows them in Vietnamese (the YAML keys themselves stay English).
_FIELD_NAMES = {"id": "mã câu", "doc_id": "mã tài liệu", "question": "nội dung câu hỏi",
                "explanation": "lời giải thích", "quote": "trích dẫn", "section": "mục"}
_YAML_KINDS = {"list": "danh sách", "dict": "bảng khoá–giá trị", "str": "chữ", "int": "số", "float": "số",
               "bool": "đúng/sai", "NoneType": "trống"}


class BankError(ValueError):
    """A bank file is malformed or the bank does not validate; `errors` holds one line per problem.

    The lines are shown to admins as they are (build refusals in the chat, `cchc kb`), so they are
    Vietnamese and name the file or question id and what to fix.
    """

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


def _letter(index: int) -> str:
    """Options are shown to users as A, B, C, D, so editors are told about them the same way."""
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)


def _yaml_kind(value: Any) -> str:
    return _YAML_KINDS.get(type(value).__name__, type(value).__name__)


def _text(value: Any) -> str | None:
    """A YAML scalar as NFC text; numbers are accepted (an unquoted id like `12` parses as int)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return nfc(str(value))
    return None


def _parse_item(item: Any, index: int, doc_id: str, where: str) -> tuple[BankQuestion | None, list[str]]:
    """Turn one YAML mapping into a BankQuestion, or explain (in `errors`) why it cannot be one."""
    label = f"tệp {where}, câu thứ {index + 1}"
    if not isinstance(item, Mapping):
        return None, [f"{label}: mỗi câu phải gồm các trường {', '.join(_REQUIRED_KEYS)} "
                      f"(đang là {_yaml_kind(item)})"]
    if item.get("id") is not None:
        label = f"tệp {where}, câu {item.get('id')}"
    errors: list[str] = []
    missing = [key for key in _REQUIRED_KEYS if key not in item]
    if missing:
        errors.append(f"{label}: thiếu trường {', '.join(missing)}")
    unknown = sorted(str(k) for k in item if k not in (*_REQUIRED_KEYS, *_OPTIONAL_KEYS))
    if unknown:
        errors.append(f"{label}: có trường lạ {', '.join(unknown)} (chỉ dùng "
                      f"{', '.join((*_REQUIRED_KEYS, *_OPTIONAL_KEYS))})")
    if missing:
        return None, errors

    fields: dict[str, str] = {}
    for key in ("id", "question", "explanation", "quote"):
        text = _text(item[key])
        if text is None:
            errors.append(f"{label}: {_FIELD_NAMES[key]} ('{key}') phải là chữ")
        else:
            fields[key] = text
    section = _text(item.get("section", "")) if item.get("section") is not None else ""
    if section is None:
        errors.append(f"{label}: mục ('section') phải là chữ")
    item_doc = _text(item.get("doc_id", doc_id))
    if item_doc is None:
        errors.append(f"{label}: mã tài liệu ('doc_id') phải là chữ")

    raw_options = item["options"]
    options: list[str] = []
    if not isinstance(raw_options, list):
        errors.append(f"{label}: 'options' phải là danh sách các phương án (đang là {_yaml_kind(raw_options)})")
    else:
        for n, option in enumerate(raw_options):
            text = _text(option)
            if text is None:
                errors.append(f"{label}: phương án {_letter(n)} phải là chữ")
            else:
                options.append(text)

    answer = item["answer"]
    if isinstance(answer, bool) or not isinstance(answer, int):
        errors.append(f"{label}: 'answer' phải là một số nguyên: vị trí của phương án đúng, đếm từ 0 "
                      f"(0 là A, 1 là B, ...)")

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
    from knowledge.encodings import UnknownEncoding, decode_text

    path = pathlib.Path(path)
    where = path.name
    try:
        raw = decode_text(path.read_bytes()).text  # saved by Notepad as "Unicode", or in TCVN3/VNI: fine
    except UnknownEncoding as exc:
        raise BankError([f"tệp {where}: không đọc được tệp vì không phải chữ (UTF-8, UTF-16, TCVN3, VNI)"]) from exc
    except OSError as exc:
        raise BankError([f"tệp {where}: không đọc được tệp ({exc.strerror or exc})"]) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark is not None else ""
        raise BankError([f"tệp {where}: YAML sai cú pháp{at}; hãy kiểm tra dấu ngoặc, dấu hai chấm, "
                         f"dấu nháy và thụt lề"]) from exc
    if not isinstance(data, Mapping):
        raise BankError([f"tệp {where}: nội dung phải gồm 'doc_id' (mã tài liệu) và 'questions' "
                         f"(danh sách câu hỏi)"])
    doc_id = _text(data.get("doc_id"))
    if not doc_id or not doc_id.strip():
        raise BankError([f"tệp {where}: thiếu mã tài liệu 'doc_id' (hoặc để trống)"])
    items = data.get("questions")
    if not isinstance(items, list):
        raise BankError([f"tệp {where}: 'questions' phải là danh sách câu hỏi (đang là {_yaml_kind(items)})"])

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


def _check_length(errors: list[str], who: str, what: str, text: str, limit: int) -> None:
    if len(text) > limit:
        errors.append(f"{who}: {what} dài {len(text)} ký tự, vượt giới hạn {limit} ký tự của Telegram")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def validate_questions(questions: Iterable[BankQuestion], documents: Mapping[str, str]) -> list[str]:
    """Every problem in the bank, one Vietnamese line each, starting "câu <id>:"; empty when valid.

    `documents` maps doc_id to the full document text. Checks are cumulative (a question may produce
    several lines) so that one run shows everything an editor must fix.
    """
    errors: list[str] = []
    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, str] = {}
    for position, q in enumerate(questions):
        qid = q.id.strip()
        who = f"câu {qid}" if qid else f"câu thứ {position + 1} (chưa có mã câu)"
        if not qid:
            errors.append(f"{who}: mã câu ('id') để trống")
        elif q.id in seen_ids:
            errors.append(f"{who}: mã câu bị trùng với một câu khác")
        seen_ids[q.id] = seen_ids.get(q.id, 0) + 1

        for name in ("doc_id", "question", "explanation", "quote"):
            if not str(getattr(q, name) or "").strip():
                errors.append(f"{who}: {_FIELD_NAMES[name]} ('{name}') để trống")

        if q.doc_id.strip():
            if q.doc_id not in documents:
                errors.append(f"{who}: không có tài liệu mã '{q.doc_id}' trong thư mục tài liệu")
            elif q.quote.strip() and not contains_folded(documents[q.doc_id], q.quote):
                errors.append(f"{who}: không tìm thấy trích dẫn trong tài liệu {q.doc_id}: '{_short(q.quote)}'")
        quote_len = len(q.quote.strip())
        if q.quote.strip() and not MIN_QUOTE_CHARS <= quote_len <= MAX_QUOTE_CHARS:
            errors.append(
                f"{who}: trích dẫn dài {quote_len} ký tự, cần từ {MIN_QUOTE_CHARS} đến {MAX_QUOTE_CHARS} ký tự"
            )

        folded_question = fold(q.question)
        if folded_question:
            if folded_question in seen_questions:
                errors.append(f"{who}: nội dung câu hỏi trùng với {seen_questions[folded_question]}")
            else:
                seen_questions[folded_question] = who
        _check_length(errors, who, "nội dung câu hỏi", q.question, MAX_QUESTION_CHARS)
        _check_length(errors, who, "lời giải thích", q.explanation, MAX_EXPLANATION_CHARS)
        if q.explanation.count("\n") > MAX_EXPLANATION_LINE_FEEDS:
            errors.append(f"{who}: lời giải thích xuống dòng quá {MAX_EXPLANATION_LINE_FEEDS} lần "
                          f"(giới hạn của Telegram)")

        if not MIN_OPTIONS <= len(q.options) <= MAX_OPTIONS:
            errors.append(f"{who}: có {len(q.options)} phương án, cần từ {MIN_OPTIONS} đến {MAX_OPTIONS}")
        folded_options: dict[str, int] = {}
        for n, option in enumerate(q.options):
            if not option.strip():
                errors.append(f"{who}: phương án {_letter(n)} để trống")
                continue
            _check_length(errors, who, f"phương án {_letter(n)}", option, MAX_OPTION_CHARS)
            key = fold(option) or option.strip()
            if key in folded_options:
                errors.append(f"{who}: phương án {_letter(folded_options[key])} và {_letter(n)} trùng nhau")
            else:
                folded_options[key] = n
        if isinstance(q.answer, bool) or not isinstance(q.answer, int):
            errors.append(f"{who}: đáp án ('answer') phải là một số nguyên, đếm từ 0")
        elif not 0 <= q.answer < len(q.options):
            hint = f" (answer đếm từ 0, nên phải từ 0 đến {len(q.options) - 1})" if q.options else ""
            errors.append(f"{who}: đáp án {q.answer} nằm ngoài {len(q.options)} phương án{hint}")
    return errors


def split_valid(questions: Iterable[BankQuestion], documents: Mapping[str, str]
                ) -> tuple[list[BankQuestion], list[str]]:
    """(the questions that check out, one problem line per question left out).

    What a folder build uses: a bad question is skipped with its reason instead of refusing the
    whole bank. Each question gets `validate_questions`' checks on its own, then the bank-wide
    ones against the questions already kept (so of two duplicates the first stays).
    """
    kept: list[BankQuestion] = []
    problems: list[str] = []
    ids: set[str] = set()
    stems: dict[str, str] = {}
    for q in questions:
        errors = validate_questions([q], documents)
        who = f"câu {q.id.strip()}" if q.id.strip() else "câu chưa có mã"
        if q.id.strip() and q.id in ids:
            errors.append(f"{who}: mã câu bị trùng với một câu khác")
        folded = fold(q.question)
        if folded and folded in stems:
            errors.append(f"{who}: nội dung câu hỏi trùng với {stems[folded]}")
        if errors:
            problems.append("; ".join(errors))
            continue
        kept.append(q)
        ids.add(q.id)
        if folded:
            stems[folded] = who
    return kept, problems


def load_bank(folder: str | pathlib.Path, documents: Mapping[str, str]) -> list[BankQuestion]:
    """Load and validate every `*.yaml` in `folder`; raise `BankError` listing all problems at once.

    All-or-nothing on purpose: a half-loaded bank would silently shrink the contest, and one error
    message per run would make fixing a batch of questions slow.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise BankError([f"không tìm thấy thư mục câu hỏi {folder}"])
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

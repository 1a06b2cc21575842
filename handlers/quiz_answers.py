"""Reading what a user types as a quiz answer or as an exam prediction.

On Zalo and in the terminal there are no buttons, so a user answers a question by typing. People
type "B", "b.", "2", "đáp án B", "dap an b", "chọn C", "Em chọn đáp án D ạ": all of these must be
understood, but only when the WHOLE message is such an answer — "B là gì?" is a question for the
normal Q&A, not an answer. The prediction (a non-negative integer) is read just as carefully,
because the contest ranks on it; anything doubtful gets a clear message instead of a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.numbers import ascii_digits
from knowledge.text import fold, strip_marks

LETTERS = "ABCD"
MAX_PREDICTION = 1_000_000_000

# Folded words that may precede the letter: "toi chon dap an la b", "phuong an c", "cau d".
_LEAD = r"(?:(?:toi|em|minh|con|chau|tl|tra loi|xin)\s+)*"
_VERB = r"(?:(?:chon|lua chon|dap an|da|phuong an|pa|cau|y|la|so)\s+)*"
# Polite particles after the letter: "C ạ" folds to "c a", "B nhé" to "b nhe".
_TAIL = r"(?:\s+(?:a|nhe|nha|nhi|ah|oi|ha|day|ak))?"
_CHOICE = re.compile(rf"^{_LEAD}{_VERB}([a-d1-4]){_TAIL}$")


def parse_choice(text: str) -> int | None:
    """0-based option index when the whole message is an answer (A–D, a–d, 1–4 …), else None."""
    if not text or len(text) > 60:
        return None
    folded = fold(ascii_digits(text))  # "２" or "₂" is 2
    match = _CHOICE.match(folded)
    if match is None:
        return None
    token = match.group(1)
    return int(token) - 1 if token.isdigit() else "abcd".index(token)


@dataclass(frozen=True)
class Prediction:
    """The outcome of reading a prediction: a `value`, or an `error` to show the user."""

    value: int | None = None
    error: str = ""


PREDICTION_HELP = "Bạn hãy gõ một số nguyên không âm (0, 1, 2, …), ví dụ: 25."

_PRED_LEAD = re.compile(r"^(?:(?:toi|em|minh|du doan|doan|la|khoang|co|chac|tam|so|nguoi|:)\s*)+")
_PRED_TAIL = re.compile(r"(?:\s*(?:nguoi|ban|a|nhe|nha|\.|!))+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[., ]\d{3})+$")
_ZERO_WORDS = {"khong", "khong ai", "khong co ai", "khong nguoi nao", "chang ai"}


def parse_prediction(text: str) -> Prediction | None:
    """Read a typed prediction; None when the message is clearly something else (a real question).

    Accepted: "25", "25 người", "dự đoán 25", "1.000" / "1 000" (thousands separators), "không ai"
    (zero). Refused with a reason: negatives, decimals, numbers too large, words that are no number.
    """
    raw = " ".join(strip_marks(ascii_digits(text or "")).lower().split())  # "₅", "٣", "５" are digits
    if not raw:
        return Prediction(error=PREDICTION_HELP)
    if fold(raw) in _ZERO_WORDS:
        return Prediction(0)
    body = _PRED_TAIL.sub("", _PRED_LEAD.sub("", raw)).strip()
    if not any(ch.isdigit() for ch in raw):
        # A short message is a failed prediction ("mười", "nhiều lắm"); a long one is a question.
        if len(fold(raw).split()) <= 3:
            return Prediction(error=f"“{text.strip()[:30]}” không phải là một con số. {PREDICTION_HELP}")
        return None
    if re.fullmatch(r"[-−–]\s*\d[\d., ]*", body):
        return Prediction(error=f"Số dự đoán không được âm. {PREDICTION_HELP}")
    if body.isdigit():
        digits = body
    elif _THOUSANDS.match(body):
        digits = re.sub(r"[., ]", "", body)
    elif re.fullmatch(r"\d+[.,]\d+", body):
        return Prediction(error=f"Số dự đoán phải là số nguyên (không có phần thập phân). {PREDICTION_HELP}")
    else:
        if len(fold(raw).split()) > 6:
            return None  # a sentence that happens to contain a number: leave it to the Q&A
        return Prediction(error=f"Tôi chưa đọc được con số trong “{text.strip()[:30]}”. {PREDICTION_HELP}")
    if len(digits) > 10 or int(digits) > MAX_PREDICTION:
        limit = f"{MAX_PREDICTION:,}".replace(",", ".")
        return Prediction(error=f"Con số quá lớn (tối đa {limit}). {PREDICTION_HELP}")
    return Prediction(int(digits))

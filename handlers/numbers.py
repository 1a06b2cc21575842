"""Numbers as users type them: any Unicode digit form, read safely or refused — never a crash.

Phones and keyboards produce digits that are not ASCII: full-width "５" (Vietnamese and CJK input
methods), Arabic-Indic "٣", subscripts and superscripts "₅" "²", circled "①". `str.isdigit()` says
yes to all of them, but `int()` refuses some ("₅", "²", "①" are digits, not decimals): a handler that
checks `isdigit()` and then calls `int()` crashed on "₅" during an exam (issue 13). Every number a
user types — quiz answers, exam predictions, numbered choices, command arguments, button payloads —
goes through `ascii_digits` or `parse_int` instead.
"""

from __future__ import annotations

import unicodedata

MAX_DIGITS = 18  # beyond this a "number" is noise (and int() of a huge string costs time)


def ascii_digits(text: str) -> str:
    """`text` with every character Unicode gives a digit value (what `str.isdigit()` accepts:
    decimal digits in any script, full-width, sub/superscripts, circled digits) as its ASCII digit;
    everything else unchanged."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            value = unicodedata.digit(ch, None)
            out.append(str(value) if value is not None else ch)
        else:
            out.append(ch)
    return "".join(out)


def parse_int(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """The non-negative integer `text` is (surrounding spaces allowed, any digit form), else None —
    including for more than `max_digits` digits."""
    digits = ascii_digits((text or "").strip())
    if not digits or len(digits) > max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


def is_number(text: str) -> bool:
    """True when the whole message is one number, in any digit form ("2", "２", "₂", "2.", "(2)")."""
    stripped = (text or "").strip().strip(".)(:").strip()
    return parse_int(stripped, max_digits=40) is not None

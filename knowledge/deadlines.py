"""Deadline wording → concrete dates within a plan's period, the wording kept for display.

Plans state deadlines in a handful of ways: an absolute date ("trước ngày 15/10/2025"), a recurring
one ("trước ngày 06 của tháng cuối quý", "hằng tháng"), a period ("Quý III/2025", "Tháng 10") or no
date at all ("Thường xuyên", "Theo yêu cầu"). Reminders and calendars need dates, people need the
plan's own words: `parse_deadline` gives both. Scans damage the words ("trwde ngay 06 cia thang cudi
quy"), so the text is folded and the few words that carry dates are canonicalized by OCR-tolerant
patterns before the date patterns run. What cannot be dated is `undated`: never guessed.

Conventions (why): a deadline "trước ngày D" is dated D itself, the day the plan names (the day a
person looks for in a calendar); a period ("Quý III", "Tháng 10", "năm 2018") is dated its last day,
by which the work is done; a recurring deadline is dated at each occurrence inside the plan's period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from knowledge.text import strip_marks

Kind = Literal["date", "recurring", "period", "ongoing", "undated"]
# A plan's period is at most a few years ("giai đoạn 2021–2025"); a recurring deadline over a longer
# span is a misread period, and 5 years of monthly dates (60) is already more than a person reads.
MAX_DATES = 60


@dataclass(frozen=True)
class Period:
    """The span a plan covers (inclusive); recurring and year-less deadlines are dated inside it."""

    start: date
    end: date

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Deadline:
    """One deadline as the plan words it (`text`) and as dates (`dates`, ascending)."""

    text: str
    kind: Kind
    dates: tuple[date, ...] = field(default_factory=tuple)

    @property
    def remindable(self) -> bool:
        """Ongoing and undated work has no day to remind of."""
        return bool(self.dates) and self.kind not in ("ongoing", "undated")

    def iso_dates(self) -> list[str]:
        return [d.isoformat() for d in self.dates]


def _iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        m = re.search(r"(19|20)\d\d", str(value))
        return date(int(m.group(0)), 1, 1) if m else None


def plan_period(period_start: str | None, period_end: str | None, doc_date: str | None = None) -> Period | None:
    """The plan's period from its parts; else the calendar year of the document's date; else None."""
    start, end = _iso(period_start), _iso(period_end)
    if start and end and start <= end:
        return Period(start, end)
    if start and not end:
        return Period(start, date(start.year, 12, 31))
    if end and not start:
        return Period(date(end.year, 1, 1), end)
    for value in (doc_date,):
        m = re.search(r"(19|20)\d\d", value or "")
        if m:
            year = int(m.group(0))
            return Period(date(year, 1, 1), date(year, 12, 31))
    return None


_TITLE_SPAN = re.compile(r"giai doan ((?:19|20)\d\d) - ((?:19|20)\d\d)")
_TITLE_HALF = re.compile(r"(?:6|sau) thang (dau|cuoi) nam ((?:19|20)\d\d)")
_TITLE_YEAR = re.compile(r"\bnam ((?:19|20)\d\d)\b")


def period_in_title(title: str, doc_date: str | None = None) -> Period | None:
    """A plan's period from its title ("... 6 tháng cuối năm 2025", "giai đoạn 2021–2025", "năm
    2018"), else the year of its date: what the knowledge base has before document parts name it."""
    s = canonical(title)
    if m := _TITLE_SPAN.search(s):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b:
            return Period(date(a, 1, 1), date(b, 12, 31))
    if m := _TITLE_HALF.search(s):
        year = int(m.group(2))
        return Period(date(year, 1, 1), date(year, 6, 30)) if m.group(1) == "dau" else \
            Period(date(year, 7, 1), date(year, 12, 31))
    if m := _TITLE_YEAR.search(s):
        year = int(m.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31))
    return plan_period(None, None, doc_date)


# -- canonical text ---------------------------------------------------------------------------
# Ordered rewrites from OCR-damaged folded words to the canonical ones the date patterns read.
# Each is anchored on its neighbours where the damaged form alone is ambiguous (e.g. "trwde" is
# "trước" only before "ngày" or a number).
_CANON: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in [
    (r"\bt[1l]?h[a-z]{2,4}n[a-z]?\s+x[a-z]{2,4}n\b", "thuong xuyen"),   # thuong xuyen, thuene xuven
    (r"\b[dp]inh\s+k[yi3]\b", "dinh ky"),
    (r"\bng[a-z0-9]{0,2}y\b", "ngay"),                             # ngay, ngiy, ngdy, ng3y
    (r"\bt[hk](?!ong\b|uong\b|ung\b|anh\b)[a-z0-9]{0,2}ng(?=\b|\d)", "thang"),  # thang, thing, th4ng, thang8
    (r"\bn(?:a|i|d|ai|da|di|ia|ii|ir)?(?:m|rn|in)\b", "nam"),        # nam, nim, ndm, naim, ndam, ndin
    (r"\b[qg]u[yijl]?\b", "quy"),                               # quy, qu¥ (read as "qu")
    (r"\bcu[a-z0-9]?i\b", "cuoi"),                                  # cuoi, cudi, cubi, cu6i, cui
    (r"\bd[a-z]u\b", "dau"),                                        # dau, ddu
    (r"\bh[a-z]ng\b", "hang"),                                      # hang, hing, hdng
    (r"\bm[a-z0-9]i\b", "moi"),                                     # moi, mdi, m6i
    (r"\btu[a-z]n\b", "tuan"),
    (r"\bn[a-z]?ua\b", "nua"),
    (r"\bcad?\s+nam\b", "ca nam"),
    (r"\bt[r1][uwi][a-z0-9]{0,3}[cde](?=\s+(?:ngay\b|\d))", "truoc"),  # truoc, trwde, triede, trudc
]]
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def canonical(text: str) -> str:
    """Folded, OCR-tolerant form: lowercase without marks, '/', '.', '-' and ',' kept as separators."""
    s = strip_marks(text or "").lower()
    s = re.sub(r"[–—−‐]", "-", s)
    s = re.sub(r"[^a-z0-9/.,\-]+", " ", s)
    s = re.sub(r"(?<=[a-z])[.,](?=[a-z])", "", s)                 # OCR specks inside a word: "the.ng"
    for pattern, repl in _CANON:
        s = pattern.sub(repl, s)
    s = re.sub(r"\b(thang|ngay|nam|quy)(\d)", r"\1 \2", s)      # "thang8" → "thang 8"
    s = re.sub(r"\s*([/,])\s*", r" \1 ", s)
    s = re.sub(r"(?<=\d) ?\. ?(?=\d)", " / ", s)                  # "01.3" reads like "01/3"
    s = re.sub(r"(?<=\d) ?- ?(?=\d{1,2} ?/)", " - ", s)
    return " ".join(s.split())


# -- patterns on the canonical text -------------------------------------------------------------
_Y = r"((?:19|20)\d\d)"
_FULL_DATE = re.compile(rf"(?<!\d)(\d{{1,2}}) / (\d{{1,2}}) / {_Y}(?!\d)")
_VERBAL_DATE = re.compile(rf"ngay (\d{{1,2}}) thang (\d{{1,2}})(?: (?:nam |/ )?{_Y})?(?! ?/ ?\d)")
_DAY_MONTH = re.compile(r"(?:ngay|truoc|den|han|het|,|va) (\d{1,2}) / (\d{1,2})(?! / \d| ?\d)")
_QUARTER_DAY = re.compile(r"ngay (\d{1,2}) (?:\S+ )?thang (cuoi|dau) (?:\S+ )?quy( sau| tiep theo| ke tiep)?")
_MONTHLY_DAY = re.compile(r"ngay (\d{1,2}) (?:hang|moi|cua moi|cac|cua) thang(?! \d| cuoi| dau)")
_MONTHLY = re.compile(r"\b(?:hang|moi) thang\b")
_QUARTERLY = re.compile(r"\b(?:hang|moi) quy\b|\bdinh ky (?:\S+ ){0,3}quy\b|\btheo quy\b(?! dinh)")
_HALF_YEARLY = re.compile(r"\b(?:dinh ky|hang|moi|,|va) (?:\S+ ){0,2}(?:6|sau) thang\b(?! (?:dau|cuoi))")
_YEARLY = re.compile(r"\b(?:hang|moi) nam\b|\bdinh ky (?:\S+ ){0,6}nam\b(?! \d)|\bbao cao nam\b(?! \d)")
_WEEKLY = re.compile(r"\b(?:hang|moi) (?:tuan|ngay)\b")
_HALF = re.compile(rf"(?:6|sau) thang (dau|cuoi)(?: (?:cua )?nam)?(?: / | )?{_Y}?|\bnua (dau|cuoi) nam(?: / | )?{_Y}?")
_QUARTER = re.compile(rf"\bquy ([ivxl1|]{{1,4}}|[1-4])\b(?: (?:/|nam) {_Y})?")
_QUARTER_LIST = re.compile(r"\bquy ((?:[ivxl1|]{1,4}|[1-4])(?: ?(?:,|va|-) ?(?:quy )?(?:[ivxl1|]{1,4}|[1-4])\b)+)")
_FROM_DATE = re.compile(r"\btu (?:ngay )?\d{1,2} / \d{1,2}(?: / (?:19|20)\d\d)?(?= (?:den|toi) (?:het )?(?:ngay )?\d)")
_MONTH_RANGE = re.compile(rf"\b(?:tu )?thang (\d{{1,2}})(?: / {_Y})? (?:-|den|toi) (?:het )?(?:thang )?"
                          rf"(\d{{1,2}})(?: (?:/|nam) {_Y})?")
_MONTH = re.compile(rf"\bthang (\d{{1,2}})(?: (?:/|nam) {_Y})?(?! / \d)")
_YEAR = re.compile(rf"\bnam {_Y}\b")
_ONGOING = re.compile(r"\bthuong xuyen\b|\bca nam\b|\blien tuc\b|\bsuot\b|\bhang ngay\b|\bquanh nam\b"
                      r"|\btrong thoi gian thuc hien\b")


def _safe(year: int, month: int, day: int) -> date | None:
    if not (1 <= month <= 12 and 1900 <= year <= 2100 and day >= 1):
        return None
    last = calendar.monthrange(year, month)[1]
    return date(year, month, day) if day <= last else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months_in(period: Period) -> list[tuple[int, int]]:
    out, (y, m) = [], (period.start.year, period.start.month)
    while (y, m) <= (period.end.year, period.end.month) and len(out) < MAX_DATES:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _roman(token: str) -> int | None:
    if token.isdigit():
        return int(token) if 1 <= int(token) <= 4 else None
    return _ROMAN.get(re.sub(r"[l1|]", "i", token))


def _year_days(period: Period | None, month: int, day: int) -> list[date]:
    """A day and month without a year: the plan's year, or each year of a multi-year period."""
    if period is None:
        return []
    if len(period.years) == 1:
        got = _safe(period.start.year, month, day)
        return [got] if got else []
    return [d for y in period.years if (d := _safe(y, month, day)) and period.contains(d)]


def _explicit(s: str, period: Period | None) -> tuple[list[date], bool]:
    """Named days: (dates, recurring?). Matched spans are blanked so periods do not re-read them."""
    found: list[date] = []
    recurring = False
    spans: list[tuple[int, int]] = []
    s = _FROM_DATE.sub(lambda m: " " * len(m.group(0)), s)  # "từ ngày 01/8 đến ngày 31/12": the end only
    for m in _FULL_DATE.finditer(s):
        if d := _safe(int(m.group(3)), int(m.group(2)), int(m.group(1))):
            found.append(d)
            spans.append(m.span())
    for m in _VERBAL_DATE.finditer(s):
        day, month = int(m.group(1)), int(m.group(2))
        if m.group(3):
            if d := _safe(int(m.group(3)), month, day):
                found.append(d)
        else:
            found += _year_days(period, month, day)
        spans.append(m.span())
    for m in _DAY_MONTH.finditer(s):
        if any(a <= m.start(1) < b for a, b in spans):
            continue
        found += _year_days(period, int(m.group(2)), int(m.group(1)))
        spans.append(m.span())
    if period is not None:
        for m in _QUARTER_DAY.finditer(s):
            day, which, following = int(m.group(1)), m.group(2), bool(m.group(3))
            for y, month in _months_in(period):
                if month % 3:
                    continue  # quarter ends only: 3, 6, 9, 12
                target = month - 2 if which == "dau" else month
                if following:
                    y, target = (y + 1, target + 3 - 12) if target + 3 > 12 else (y, target + 3)
                if d := _safe(y, target, day):
                    found.append(d)
            recurring = True
        for m in _MONTHLY_DAY.finditer(s):
            found += [d for y, mo in _months_in(period) if (d := _safe(y, mo, int(m.group(1))))]
            recurring = True
    return found, recurring


def _generic_recurring(s: str, period: Period) -> list[date]:
    """'hằng tháng', 'định kỳ hằng quý, 6 tháng, năm': each period's last day inside the plan."""
    months = _months_in(period)
    found: list[date] = []
    if _MONTHLY.search(s):
        found += [_month_end(y, m) for y, m in months]
    if _QUARTERLY.search(s):
        found += [_month_end(y, m) for y, m in months if m % 3 == 0]
    if _HALF_YEARLY.search(s):
        found += [_month_end(y, m) for y, m in months if m % 6 == 0]
    if _YEARLY.search(s):
        found += [_month_end(y, 12) for y in period.years if (y, 12) in months]
    return found


def _periods(s: str, period: Period | None) -> list[date]:
    """'Quý III/2025', 'Tháng 10', '6 tháng cuối năm 2025', 'năm 2018': each period's last day."""
    found: list[date] = []
    years = period.years if period else []

    def in_years(year: str | None) -> list[int]:
        return [int(year)] if year else years

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    for m in _HALF.finditer(s):
        which = m.group(1) or m.group(3)
        year = m.group(2) or m.group(4)
        found += [_month_end(y, 6 if which == "dau" else 12) for y in in_years(year)]
    s = _HALF.sub(blank, s)
    for m in _MONTH_RANGE.finditer(s):
        month = int(m.group(3))
        year = m.group(4) or m.group(2)
        if 1 <= month <= 12:
            found += [_month_end(y, month) for y in in_years(year)]
    s = _MONTH_RANGE.sub(blank, s)
    s = _QUARTER_LIST.sub(lambda m: " ".join(f"quy {q}" for q in re.split(r" ?(?:,|va|-) ?(?:quy )?", m.group(1))), s)
    for m in _QUARTER.finditer(s):
        q = _roman(m.group(1))
        if q:
            ends = [_month_end(y, q * 3) for y in in_years(m.group(2))]
            found += [d for d in ends if m.group(2) or period is None or len(years) == 1 or period.contains(d)]
    s = _QUARTER.sub(blank, s)
    for m in _MONTH.finditer(s):
        month = int(m.group(1))
        if 1 <= month <= 12:
            ends = [_month_end(y, month) for y in in_years(m.group(2))]
            found += [d for d in ends if m.group(2) or period is None or len(years) == 1
                      or period.start <= d <= _month_end(period.end.year, period.end.month)]
    s = _MONTH.sub(blank, s)
    found += [date(int(m.group(1)), 12, 31) for m in _YEAR.finditer(s)]
    return found


def parse_deadline(text: str, period: Period | None) -> Deadline:
    """Read one deadline as the plan words it; `period` dates year-less and recurring wording."""
    shown = " ".join((text or "").split())
    s = canonical(shown)
    if not s:
        return Deadline(shown, "undated")
    found, recurring = _explicit(s, period)
    kind: Kind = "recurring" if recurring else "date"
    if not found and period is not None:
        found = _generic_recurring(s, period)
        kind = "recurring"
    if not found:
        if _ONGOING.search(s):
            return Deadline(shown, "ongoing")
        found = _periods(s, period)
        kind = "period"
    if not found:
        return Deadline(shown, "undated")
    dates = tuple(sorted(set(found)))[:MAX_DATES]
    if kind == "recurring" and len(dates) == 1 and not recurring:
        kind = "date"
    return Deadline(shown, kind, dates)


SENTENCE_CUE = re.compile(r"\btruoc (?:ngay|\d)|\bngay \d{1,2} (?:\S+ )?thang (?:cuoi|dau)|\bngay \d{1,2} hang thang"
                           r"|\bhan (?:chot|cuoi)?\s*(?:ngay|\d)")


def deadline_in(text: str, period: Period | None) -> Deadline | None:
    """A dated deadline stated inside a sentence ("... báo cáo trước ngày 05/12/2025"), or None.

    Only explicit cues count: a task's own words name periods ("tuyên truyền năm 2018") that are no
    deadline, so they are read as one only from a deadline field (`parse_deadline`).
    """
    s = canonical(text)
    m = SENTENCE_CUE.search(s)
    if m is None:
        return None
    start = max(0, s.rfind("(", 0, m.start()))
    piece = s[start:]
    found, recurring = _explicit(piece, period)
    if not found:
        return None
    words = " ".join((text or "").split())
    return Deadline(_wording(words) or _quote(words, m.start() / max(1, len(s))),
                    "recurring" if recurring else "date", tuple(sorted(set(found)))[:MAX_DATES])


def _wording(words: str) -> str:
    """The plan's own words for the deadline: the bracket or clause holding it ("báo cáo hằng quý
    và báo cáo năm gửi trước ngày 06 của tháng cuối quý"), '' when none is short enough."""
    pieces = re.findall(r"\(([^()]{4,240})\)", words) + re.split(r"\s*[;:]\s*|\.\s+", words)
    for piece in pieces:
        if len(piece) <= 200 and SENTENCE_CUE.search(canonical(piece)):
            return piece.strip(" ,.")
    return ""


def _quote(words: str, at: float, width: int = 120) -> str:
    """The plan's words around the cue (about where it sits in the canonical text)."""
    if len(words) <= width:
        return words
    centre = int(at * len(words))
    begin = max(0, min(len(words) - width, centre - 20))
    piece = words[begin:begin + width]
    return ("…" if begin else "") + piece.strip() + ("…" if begin + width < len(words) else "")

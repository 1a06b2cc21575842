"""Checks a question's constraints against the knowledge base before anything is answered.

A question about "năm 2024", "6 tháng đầu năm", "phường Hòa Bình" or "Kế hoạch số 99" that the
plans do not cover must not get the nearest passage of another year, period, place or plan: the
person would act on the wrong facts. Two levels:

- the knowledge base as a whole (`missing`): a year, plan number or place no document has → decline
  at once, saying what the documents do cover;
- one candidate answer (`fits`): its passage or its document must hold the year, and its document
  must not be about another period of the same kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.text import fold
from retrieval.question import Question, periods_in, years_in

_RANGE_FOLDED = re.compile(r"\b(?:19|20)\d{2}\s+(?:den\s+)?(?:19|20)\d{2}\b")
_ADMIN = re.compile(r"\b(xa|phuong|huyen|tinh|quan|thi xa|thi tran|thanh pho|tp)\s+([a-z]+(?:\s[a-z]+){0,2})")


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, str]:
    """Folded names of Vietnam's administrative units without their kind ("phu thai", "hoa binh"),
    from underthesea's address data: tells a place name from words that follow "xã"/"tỉnh" by
    chance ("của tỉnh về CCHC")."""
    from knowledge.restore.package_data import place_names

    kinds = ("thanh pho ", "thi xa ", "thi tran ", "tinh ", "huyen ", "quan ", "xa ", "phuong ")
    out: dict[str, str] = {}
    for name in place_names():
        f = fold(name)
        for kind in kinds:
            if f.startswith(kind):
                name = " ".join(name.split()[len(kind.split()):])
                f = f[len(kind):]
                break
        if f:
            out.setdefault(f, name)
    return out


def place_display(folded_name: str) -> str:
    """A place as Vietnam writes it ("hoa binh" → "Hòa Bình")."""
    return gazetteer().get(folded_name, folded_name.title())


def places_named(folded_question: str) -> list[str]:
    """Place names the question names after an administrative word, lower case or not, with or
    without diacritics ("phuong hoa binh" → "hoa binh"), checked against the gazetteer."""
    names = gazetteer()
    found = []
    for m in _ADMIN.finditer(folded_question):
        words = m.group(2).split()
        for n in (3, 2, 1):
            cand = " ".join(words[:n])
            if len(words) >= n and cand in names and (n > 1 or len(cand) > 3):
                found.append(cand)
                break
    return found


@dataclass(frozen=True)
class Missing:
    """What the knowledge base lacks, and what it has instead (for the decline message)."""

    kind: str  # year | plan | place | period
    asked: str
    have: tuple[str, ...] = ()


def doc_folded(doc: dict) -> str:
    """The document fields a year, period or plan number is checked against, folded."""
    return fold(" ".join(str(doc.get(k) or "") for k in ("title", "title_source", "date", "number")))


def plan_numbered(number: str, doc: dict) -> bool:
    """Whether the document is plan `number` ("155" fits "155/KH-SYT")."""
    return fold(str(doc.get("number") or "")).split(" ")[:1] == [number]


@lru_cache(maxsize=4096)
def _passage_years(passage_folded: str) -> frozenset[int]:
    """The years a passage is about; a year inside a range ("giai đoạn 2016 - 2020") is not."""
    return frozenset(years_in(_RANGE_FOLDED.sub(" ", passage_folded)))


@lru_cache(maxsize=4096)
def _document_years(doc_folded_text: str) -> frozenset[int]:
    """The years a document's title, date and number name (every candidate of it asks again)."""
    return frozenset(years_in(doc_folded_text))


@lru_cache(maxsize=4096)
def _document_periods(doc_folded_text: str) -> frozenset[str]:
    return frozenset(periods_in(doc_folded_text))


def fits(q: Question, passage_folded: str, doc: dict, doc_text: str | None = None,
         numbered_docs: bool = False) -> bool:
    """Whether one candidate answer respects the question's year, period and plan number.

    `numbered_docs`: the knowledge base holds a document with the asked number, so only that
    document's passages fit. Otherwise the number filters nothing: it may be a plan another one
    refers to, or one whose number the scan lost ("Số: 56 ......... /KH-UBND"), and ranking already
    prefers passages that cite it."""
    if doc_text is None:
        doc_text = doc_folded(doc)
    if numbered_docs and not all(plan_numbered(number, doc) for number in q.plan_numbers):
        return False
    passage_years = _passage_years(passage_folded) if q.years else frozenset()
    for year in q.years:
        if year not in passage_years and year not in _document_years(doc_text):
            return False
    if q.periods:
        have = _document_periods(doc_text)
        for period in q.periods:
            kind = period.split()[0]
            same_kind = {p for p in have if p.split()[0] == kind}
            if same_kind and period not in same_kind:
                return False
    return True


def doc_years(docs: list[dict]) -> set[int]:
    years: set[int] = set()
    for doc in docs:
        years |= years_in(" ".join(str(doc.get(k) or "") for k in ("title", "title_source", "date")))
    return years


def periods_of(docs: list[dict]) -> set[str]:
    out: set[str] = set()
    for doc in docs:
        out |= periods_in(fold(" ".join(str(doc.get(k) or "") for k in ("title", "title_source"))))
    return out

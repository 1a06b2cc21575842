"""Declines with evidence: a constraint (year, period, plan, place) the knowledge base or the
candidates do not meet, or a question whose topic the best candidate does not cover.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace

from knowledge.text import fold
from retrieval.analyzer import QueryTerms
from retrieval.constraints import (
    Missing,
    fits,
    place_display,
    places_named,
)
from retrieval.index import unseen_idf
from retrieval.index_terms import flat_terms as _flat
from retrieval.question import Question

# DOC_PRIOR: how much a document-level match multiplies passage scores (× (1 + DOC_PRIOR·d))
STRONG_COVERAGE = 0.45  # above this share, no score bar
MIN_SCORE_UNITS = 4.0  # a partial match must score ≥ 4 × the IDF of an unseen term
MIN_COVERAGE = 0.35  # decline below this share of the question's topic found in the answer (see docs/answers.md)
# A question of this many content terms or more tells a case at length ("Công ty B thực hiện cùng lúc
# 3 dự án … tại Đà Lạt …"): its names and circumstances are in no document, so a smaller share of
# it is found. Set on laws (declined answerable 1.1% -> 0.4%: 4 cases told in 23-32 terms, found
# 0.27-0.34); no out-of-scope plan question that long has a share in 0.25-0.35 (docs/answers.md).
LONG_QUESTION_TERMS = 20
LONG_MIN_COVERAGE = 0.25
DATED_SHARE = 0.5  # share of dated documents above which a year constraint is checked (plans 1.0, laws 0.0x)
COVERAGE_CACHE = 5_000  # passages whose coverage texts are kept per engine
PAIR_WEIGHT = 0.5  # share of a word pair in coverage, relative to a syllable (× 2 for words)
def _slot_words(tokens: list[str]) -> set[str]:
    """The noun a "… nào" question asks for ("đơn vị nào", "cơ quan nào"): the answer names the
    unit without that word, so it is no part of the topic the answer must cover."""
    slot: set[str] = set()
    for i, t in enumerate(tokens):
        if t == "nao":
            before = tokens[max(0, i - 2):i]
            slot.update(x for x in before if x in _SLOT_NOUNS)
    return slot
_SLOT_NOUNS = frozenset("don vi co quan phong ban so to chuc bo phan nganh khoa".split())
def as_written(question: str, folded_phrase: str) -> str:
    """The words of `question` that fold to `folded_phrase` ("Hòa Bình" for "hoa binh")."""
    words = question.split()
    n = len(folded_phrase.split())
    for i in range(len(words) - n + 1):
        chunk = " ".join(words[i:i + n])
        if fold(chunk) == folded_phrase:
            written = chunk.strip(",.;:?!()\"“”")
            if written != fold(written):  # written with diacritics: as the person wrote it
                return written
    return place_display(folded_phrase)


class DeclineStage:
    """Decline checks over a `KnowledgeSnapshot` (mixed into the engine)."""

    def _missing(self, q: Question, terms: QueryTerms, text: str = "") -> Missing | None:
        """A year, plan, period or place the knowledge base does not have at all."""
        years = self._kb_years()
        # Only where documents are dated (plans, decisions): a law's articles say nothing of years.
        for year in q.years if self._dated() else ():
            if year not in years and not self.index.df(str(year)):
                return Missing("year", str(year), tuple(str(y) for y in sorted(years, reverse=True)))
        for number in q.plan_numbers:
            if not any((d.get("number") or "").startswith(f"{number}/") for d in self.docs.values()) \
                    and not self.index.df(number):
                return Missing("plan", number)
        if q.periods:
            have = self._kb_periods()
            for period in q.periods:
                kind = period.split()[0]
                same = {p for p in have if p.split()[0] == kind}
                if same and period not in same:
                    return Missing("period", period, tuple(sorted(same)))
        for place in self._places_asked(terms):
            if not self._known_place(place):
                return Missing("place", as_written(text, place.replace("_", " ")))
        return None

    def _places_asked(self, terms: QueryTerms) -> list[str]:
        """The places a question names, when they can say anything: only documents issued for a
        place (a commune's plan, a province's decision) are bound to one. A law's article is
        national, and "công ty ở quận Bình Thạnh" in a legal case names no document's place."""
        if not self._place_bound():
            return []
        return list(terms.places) + [p.replace(" ", "_") for p in places_named(" ".join(terms.tokens))]

    def place_fits(self, places: list[str], row: sqlite3.Row) -> bool:
        """A candidate fits the places a question names when its document is bound to none (a law)
        or names one of them in its title, issuer or the passage itself ("Sở Y tế tỉnh Phú Thọ" is
        not answered by the Sở Y tế of Hải Phòng)."""
        meta = self._place_meta(row["doc_id"])
        if not places_named(meta):
            return True
        text = f" {meta} {self._folded_text(row)} "
        return any(f" {p.replace('_', ' ')} " in text for p in places)

    def unknown_documents(self, q: Question) -> list[str]:
        """Numbers of documents the question names that nothing in the knowledge base mentions:
        neither a document of ours nor a citation nor any passage holds its number's digits."""
        unknown = []
        for number in q.cited:
            digits = [d for d in re.findall(r"\d{3,}", number) if not (len(d) == 4 and d[:2] in ("19", "20"))]
            if digits and not any(self.index.df(d) for d in digits):
                unknown.append(number)
        return unknown

    def _dated(self) -> bool:
        """Whether most documents carry an issue date: only then can a year no document has mean
        the knowledge base lacks what is asked."""
        got = getattr(self, "_dated_cache", None)
        if got is None:
            dated = sum(1 for d in self.docs.values() if d.get("date"))
            got = self._dated_cache = dated >= DATED_SHARE * max(1, len(self.docs))
        return got

    def _place_bound(self) -> bool:
        got = getattr(self, "_place_bound_cache", None)
        if got is None:
            got = self._place_bound_cache = any(places_named(self._place_meta(doc_id)) for doc_id in self.docs)
        return got

    def _place_meta(self, doc_id: str) -> str:
        """What says where a document belongs, folded: its issuer, the parent body of its letterhead
        ("UBND thành phố Hải Phòng" above "Sở Y tế") and its title."""
        cache = self.__dict__.setdefault("_place_meta_cache", {})
        got = cache.get(doc_id)
        if got is None:
            doc = self.docs.get(doc_id) or {}
            parent = self._parents().get(doc_id) or ""
            got = cache[doc_id] = fold(f"{parent} {doc.get('issuer') or ''} {doc.get('title') or ''}")
        return got

    def _parents(self) -> dict[str, str]:
        """Each document's parent body (letterhead), read in one query per engine."""
        got = self.__dict__.get("_parents_cache")
        if got is None:
            try:
                with self._lock:
                    got = dict(self._conn.execute("SELECT doc_id, parent FROM doc_parts").fetchall())
            except sqlite3.OperationalError:  # a knowledge DB built before parts
                got = {}
            self.__dict__["_parents_cache"] = got
        return got

    def _fits(self, q: Question, row: sqlite3.Row) -> bool:
        """Whether a candidate respects the question's year, period and plan number. A year
        constrains issued documents only (a kind and a date in the standard form, the number may be
        lost in the scan): a plan holds for its own year, a law's article for every year (a date in
        its text is when it applies)."""
        doc_id = row["doc_id"]
        doc = self.docs.get(doc_id) or {}
        if q.years and not (doc.get("date") and doc.get("kind")):
            q = replace(q, years=())
        if not (q.years or q.periods or q.plan_numbers):
            return True
        numbered = bool(q.plan_numbers) and all(self._numbered(n) for n in q.plan_numbers)
        return fits(q, self._folded_text(row), self.docs.get(doc_id, {}), self._folded_doc(doc_id), numbered)

    def _unfit(self, q: Question) -> Missing:
        if q.years:
            years = self._kb_years()
            return Missing("year", str(q.years[0]), tuple(str(y) for y in sorted(years, reverse=True)))
        have = self._kb_periods()
        return Missing("period", q.periods[0] if q.periods else "", tuple(sorted(have)))

    def confident(self, terms: QueryTerms, row: sqlite3.Row, score: float, named_plan: bool = False) -> bool:
        """Answer only when the best passage holds enough of the question (coverage), and, for a
        partial match, when it also matches strongly (a score of several rare-term units: the unit is
        the IDF of a term no passage has, so the bar scales with the size of the knowledge base).
        Measured on 215 answerable and 75 out-of-scope questions (README): no answerable question
        declined, every out-of-scope one declined.

        `named_plan`: the question names, by number, the plan this passage belongs to (checked by
        the caller), which is the strong match the score bar stands for."""
        if any(not self._known_place(place) for place in self._places_asked(terms)):
            return False
        coverage = self.coverage(terms, row)
        long_case = len(set(terms.content)) >= LONG_QUESTION_TERMS
        if coverage < (LONG_MIN_COVERAGE if long_case else MIN_COVERAGE):
            return False
        return coverage >= STRONG_COVERAGE or named_plan or score >= MIN_SCORE_UNITS * unseen_idf(self.index.size)

    def _coverage_texts(self, row: sqlite3.Row) -> tuple[str, str, frozenset[str]]:
        """A passage's terms as coverage reads them (space-padded body and headings, extra terms),
        kept per passage: the best candidate is often the same passage."""
        return self._kept("coverage", COVERAGE_CACHE, row["id"], lambda: (
            f" {' '.join(_flat(row['terms']))} ", f" {row['head_terms'] or ''} ",
            frozenset((row["extra_terms"] or "").split())))

    def coverage(self, terms: QueryTerms, row: sqlite3.Row) -> float:
        """IDF-weighted share of the question's topic found in the passage (its headings, acronyms
        and its document's metadata count too).

        Topic = content syllables plus the question's real two-syllable words (dictionary or
        underthesea compounds); pairs straddling two words are left out (they say more about word
        order than topic). A word the knowledge base never uses weighs as much as a term no
        passage holds. Calibration in the README.

        Membership is tested on the passage's terms as one space-padded string (a substring test
        per question term), not on sets of all its terms and pairs: the same answer, built in a
        fraction of the time for the ~10 terms a question has."""
        body, head, extra = self._coverage_texts(row)
        doc_terms = self._document_terms(row["doc_id"])
        unseen = unseen_idf(self.index.size)

        def idf(term: str) -> float:
            return self.index.idf(term) if self.index.df(term) else unseen

        words = [p for p in terms.pairs if terms.weights.get(p, 0.0) >= 1.0]
        slot = _slot_words(terms.tokens)
        words = [p for p in words if not set(p.split("_")) <= slot]
        total = found = 0.0
        for t in dict.fromkeys(t for t in terms.content if t not in slot):
            total += idf(t)
            padded = f" {t} "
            have = padded in body or padded in head or t in extra or t in doc_terms
            found += idf(t) if have else 0.0
        for pair in words:
            total += PAIR_WEIGHT * 2 * idf(pair)
            padded = f" {pair.replace('_', ' ')} "
            found += PAIR_WEIGHT * 2 * idf(pair) if padded in body or padded in head else 0.0
        return found / total if total else 0.0

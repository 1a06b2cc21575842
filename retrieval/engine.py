"""The ask path: question → weighted terms → ranked passages and contacts → cited answer or decline.

An `AskEngine` is one immutable snapshot of one knowledge DB file: it loads the stored terms,
builds the ranking index in memory, and reads passage texts from the file on demand. Reload makes a
new engine and swaps it in (handlers/knowledge_holder.py); in-flight questions finish on the old one.

Ranking, measured on the dev questions (README):
1. BM25 over passage terms (syllables + bigrams + the passage's section headings).
2. A document prior: BM25 over each document's metadata (title, issuer, number, date, header), so a
   question naming "Mai Châu", "năm 2018" or "Sở Y tế" prefers that plan's passages.
3. Contacts are ranked alongside when the question asks for a hotline/phone/portal.
4. Confidence = the share of the question's topic words (IDF-weighted) that the best passage holds;
   below a calibrated threshold the engine declines instead of guessing.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from knowledge.structure import END_MATTER
from knowledge.text import fold
from retrieval.analyzer import QueryTerms, analyze, bigrams, passage_terms, warm_up_segmenter
from retrieval.answer import select_answer, shown_text, with_lead
from retrieval.constraints import (
    Missing,
    doc_folded,
    doc_years,
    fits,
    periods_of,
    place_display,
    places_named,
    plan_numbered,
)
from retrieval.derived import load as load_derived
from retrieval.index import RankBM25Index, TermIndex, unseen_idf
from retrieval.inverted_index import TABLE as PASSAGE_INDEX_TABLE
from retrieval.normalize import edit_distance
from retrieval.question import Question, answer_holds, understand
from retrieval.rerank import SentenceScorer, code_table
from retrieval.results import AskResult, Hit
from retrieval.token_ids import COLUMN as TOKEN_IDS
from retrieval.token_ids import decode as decode_ids
from retrieval.token_ids import stored as token_ids_stored
from retrieval.token_ids import term_ids

DOC_PRIOR = 0.8  # passage score × (1 + DOC_PRIOR · the document's routing match, 0..1)
ROUTING_WEIGHT = 0.4  # weight inside passages of terms that only name the plan
# DOC_PRIOR: how much a document-level match multiplies passage scores (× (1 + DOC_PRIOR·d))
STRONG_COVERAGE = 0.45  # above this share, no score bar
MIN_SCORE_UNITS = 4.0  # a partial match must score ≥ 4 × the IDF of an unseen term
MIN_COVERAGE = 0.37  # decline below this share of the question's topic weight found in the answer
CANDIDATES = 60
PAIR_WEIGHT = 0.5  # share of a word pair in coverage, relative to a syllable (× 2 for words)
HEADER_PRIOR = 0.7  # plan headers and preambles, unless the question asks about issuance
ANSWER_POOL = 1  # passages whose sentences compete for the answer (more measured worse)
ANSWER_RANK_POWER = 1.0
RERANK = 30  # candidates re-scored by their best sentence
FIT_DEPTH = 8  # candidates searched for one that respects the question's year and period
LIST_DEPTH = 20  # candidates searched for a heading naming the list a question asks for …
LIST_HEADING_BONUS = 1.0  # … whose score it raises by this share (0–1 measured alike on dev)
HOLD_DEPTH = 5  # candidates searched for one holding the asked kind of fact …
HOLD_RATIO = 0.6  # … scoring at least this share of the best
CITE_DEPTH = 12  # candidates searched for citations of other sections
FOLD_CACHE = 20_000  # folded passage texts kept per engine (≈ 10 MB at most)
SENTENCE_WEIGHT = 0.3  # best-sentence score added in the re-rank (0, 0.15, 0.3, 0.6 measured)


_NUMBERING_WORDS = re.compile(r"^(?:(?:[ivxlc]+|\d+|[a-z])\s+)+")  # "iii 1 " before a folded heading
_NUMBERING = re.compile(r"(?m)^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*")


_CONTACT_VALUE = re.compile(r"\d{3,5}[ .]?\d{3,4}(?:[ .]?\d{3,4})?|https?://|www\.|\w\.(?:gov\.)?vn\b|@\w")


def _unnumbered(text: str) -> str:
    """A passage without its list numbering ("1.", "II.", "a)"): those digits answer no "how many"."""
    return _NUMBERING.sub(" ", text)


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


def _as_written(question: str, folded_phrase: str) -> str:
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


def _in_shown_order(hits: list[Hit]) -> list[Hit]:
    """The passage the answer comes from is cited first; it ranks first, so its score is shown as
    the best one: the scores people see go down the list as the citations do."""
    if len(hits) < 2:
        return hits
    top = max(h.score for h in hits)
    return [replace(hits[0], score=top)] + hits[1:]


def describe_document(doc: dict) -> str:
    """"Kế hoạch 139/KH-TTYT" — or the title when the document has no number."""
    kind = (doc.get("kind") or "Văn bản").strip()
    number = (doc.get("number") or "").strip()
    if number:
        return f"{kind} {number}"
    title = (doc.get("title") or "").strip()
    return title[:120] or kind


def _flat(stored: str | None) -> list[str]:
    """Stored sentence-separated terms → one syllable list."""
    return [t for t in (stored or "").split() if t != "|"]


PASSAGE_INDEX_SQL = "SELECT id, terms, head_terms, extra_terms FROM passages ORDER BY id"


def passage_index_terms(row: sqlite3.Row) -> list[str]:
    """The terms a passage is ranked by (a row of PASSAGE_INDEX_SQL). The build stores the inverted
    index of exactly these terms; a change to this function invalidates stored indexes."""
    return passage_terms(_flat(row["terms"]), (row["head_terms"] or "").split()) + (row["extra_terms"] or "").split()


def passage_index_fingerprint() -> str:
    from retrieval.inverted_index import code_fingerprint

    return code_fingerprint(PASSAGE_INDEX_SQL, passage_index_terms, passage_terms, bigrams, _flat)


DOCUMENT_INDEX_SQL = "SELECT doc_id, terms FROM documents ORDER BY doc_id"
DOCUMENT_INDEX_TABLE = "document_index"


def document_index_terms(doc) -> list[str]:
    """The terms a plan is matched by for the document prior (a row of DOCUMENT_INDEX_SQL)."""
    toks = (doc["terms"] or "").split()
    return toks + bigrams(toks)


def document_index_fingerprint() -> str:
    from retrieval.inverted_index import code_fingerprint

    return code_fingerprint(DOCUMENT_INDEX_SQL, document_index_terms, bigrams)


# Words that only say "a contact" (which kind is read from them in _contact_answer).
CONTACT_WORDS = frozenset("so sdt dien thoai hotline duong day nong tong dai goi website web trang cong thong tin "
                          "email thu dia chi lien he".split())


@dataclass(frozen=True)
class ContactView:
    label: str
    value: str
    owner: str
    doc_ref: str
    sentence: str
    passage_id: int
    doc_id: str


def _engine_factory(name: str):
    if name == "rank-bm25":
        return RankBM25Index
    from retrieval.inverted_index import InvertedBM25Index

    return InvertedBM25Index


class AskEngine:
    """Answers questions from one knowledge DB file."""

    def __init__(self, kb_path: Path, engine: str | None = None) -> None:
        self.kb_path = Path(kb_path)
        self._conn = sqlite3.connect(f"file:{self.kb_path}?mode=ro", uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        engine = engine or os.environ.get("CCHC_ENGINE", "inverted")
        factory = _engine_factory(engine)
        # `title` and `issuer` are what people read (restored from a damaged scan, issuer in proper
        # case); `title_source` and `issuer_source` are as the build extracted them from the raw text.
        self.docs: dict[str, dict] = {r["doc_id"]: dict(r) for r in self._conn.execute(
            "SELECT doc_id, filename, title_display AS title, kind, number, date, issuer_display AS issuer, "
            "title AS title_source, issuer AS issuer_source, restored, signer, signature, signature_display, "
            "passages, terms, warnings "
            "FROM documents ORDER BY doc_id")}
        self._doc_ids = list(self.docs)
        self._doc_term_sets: dict[str, frozenset[str]] = {}  # filled as plans are asked about
        self._doc_folded_cache: dict[str, str] = {}
        self._numbered_cache: dict[str, list[str]] = {}
        self._fold_cache: dict[int, str] = {}
        self.doc_index: TermIndex = self._stored_or_built(
            factory, document_index_fingerprint(), DOCUMENT_INDEX_TABLE, len(self.docs),
            lambda: (document_index_terms(d) for d in self.docs.values()))
        derived = load_derived(self._conn)
        self.routing_terms = derived.routing_terms
        places = self._conn.execute("SELECT value FROM meta WHERE key = 'places'").fetchone()
        self._places: list[str] = json.loads(places[0]) if places else []

        # Terms are not read here (≈ 150 MB at 100,000 passages): the passage index comes stored
        # from the build (or is built from PASSAGE_INDEX_SQL rows). Per passage row, numpy arrays:
        # its id, its document's position, and whether it is a plan header (retrieval/derived.py).
        doc_pos = {doc_id: i for i, doc_id in enumerate(self._doc_ids)}
        # In doc_id order, so SQLite reads the (id, doc_id) index instead of every passage row
        # (≈ 0.1 s less at 100,000 passages); then put in id order, the index's row order.
        rows = self._conn.execute("SELECT id, doc_id FROM passages ORDER BY doc_id, id").fetchall()
        pids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        pdoc = np.fromiter((doc_pos.get(r[1], -1) for r in rows), dtype=np.int64, count=len(rows))
        del rows
        order = np.argsort(pids, kind="stable")
        self._pids, self._pdoc = pids[order], pdoc[order]
        self._is_header = np.isin(self._pids, np.fromiter(derived.header_passages, dtype=np.int64))
        self.index: TermIndex = self._stored_or_built(
            factory, passage_index_fingerprint(), PASSAGE_INDEX_TABLE, len(self._pids),
            lambda: (passage_index_terms(r) for r in self._conn.execute(PASSAGE_INDEX_SQL)))
        self.engine_name = factory.name
        # Stored term ids index the stored index's vocabulary: usable only with that very index.
        self._stored_ids = token_ids_stored(self._conn) and bool(getattr(self.index, "from_storage", False))
        self._tables = threading.local()  # per thread: stored id → token code (retrieval/rerank.py)
        self._row_sql = ("SELECT id, doc_id, section, headings, text, display, headings_display, terms, "
                         "head_terms, extra_terms"
                         + (f", {TOKEN_IDS}" if self._stored_ids else ", NULL AS token_ids")
                         + " FROM passages WHERE id IN ({marks})")
        self._ids_sql = f"SELECT id, {TOKEN_IDS} FROM passages WHERE id IN ({{marks}})"

        self._contacts = [dict(r) for r in self._conn.execute(
            "SELECT id, doc_id, kind, label, value, COALESCE(sentence_display, sentence) AS sentence, purpose, "
            "passage_id, terms FROM contacts ORDER BY id")]
        self._contact_bags = [set(passage_terms((c["terms"] or "").split(), [])) for c in self._contacts]
        contact_df: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        for i, bag in enumerate(self._contact_bags):
            for term in bag:
                contact_df[term] = contact_df.get(term, 0) + 1
                postings.setdefault(term, []).append(i)
        # A handful of contacts is too few for BM25's IDF (it goes negative); a smoothed IDF is used.
        n_contacts = max(len(self._contacts), 1)
        self._contact_idf = {t: math.log(1 + n_contacts / df) for t, df in contact_df.items()}
        self._contact_postings = {t: np.array(ids, dtype=np.int64) for t, ids in postings.items()}
        # underthesea's import and model (≈ 1 s) load in a thread from here, while a bot connects to
        # its platform. Not earlier: beside the index load, both threads compete for the GIL and
        # the engine opens 0.4 s later in all (measured).
        warm_up_segmenter()

    def _stored_or_built(self, factory, fingerprint: str, table: str, size: int,
                         docs: Callable[[], Iterable[list[str]]]) -> TermIndex:
        """The index the build stored under `table` for this code (the 100,000-passage one loads in
        ≈ 0.2 s; counting it again would take seconds), else one built from `docs()` — the same
        ranking either way. rank-bm25 has no stored form and is always built."""
        load = getattr(factory, "load", None)
        stored = load(self._conn, fingerprint, table) if load else None
        if stored is not None and stored.size == size:
            return stored
        return factory(list(docs()))

    @classmethod
    def open(cls, kb_path: Path, engine: str | None = None) -> AskEngine:
        return cls(kb_path, engine)

    # -- reading ------------------------------------------------------------------------------------
    def _passage_rows(self, pids: list[int], sql: str | None = None) -> dict[int, sqlite3.Row]:
        if not pids:
            return {}
        marks = ",".join("?" * len(pids))
        with self._lock:
            rows = self._conn.execute((sql or self._row_sql).format(marks=marks), pids).fetchall()
        return {r["id"]: r for r in rows}

    def _hit(self, row: sqlite3.Row, score: float, kind: str = "passage", text: str | None = None) -> Hit:
        """A citation: `text` is what people read (the restored passage), `source_text` the raw one."""
        doc = self.docs.get(row["doc_id"], {})
        return Hit(doc_id=row["doc_id"], title=doc.get("title", ""), number=doc.get("number", ""),
                   date=doc.get("date", ""), issuer=doc.get("issuer", ""), section=row["section"] or "",
                   text=text if text is not None else shown_text(row), source_text=row["text"], score=score,
                   passage_id=row["id"], kind=kind, restored=row["display"] is not None)

    def passage(self, passage_id: int) -> Hit | None:
        row = self._passage_rows([passage_id]).get(passage_id)
        return self._hit(row, 0.0) if row is not None else None

    def documents(self) -> list[dict]:
        return list(self.docs.values())

    def questions(self) -> list[dict]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM questions ORDER BY id").fetchall()
        return [dict(r, options=json.loads(r["options"])) for r in rows]

    # -- contacts -----------------------------------------------------------------------------------
    def _contact_view(self, c: dict) -> ContactView:
        doc = self.docs.get(c["doc_id"], {})
        ref = " ".join(x for x in (doc.get("kind") or "Kế hoạch", doc.get("number", "")) if x)
        if not doc.get("number"):
            ref = (doc.get("title") or c["doc_id"])[:80]
        return ContactView(c["label"], c["value"], doc.get("issuer", ""), ref, c["sentence"],
                           c["passage_id"], c["doc_id"])

    def contacts(self, query: str = "") -> list[ContactView]:
        """All contacts (phones first), or those matching `query` best first."""
        if query.strip():
            ranked = self._rank_contacts(analyze(query))
            if ranked:
                return [self._contact_view(self._contacts[i]) for i, _ in ranked]
        order = sorted(self._contacts, key=lambda c: (c["kind"] != "phone", c["kind"] != "portal", c["id"]))
        seen, views = set(), []
        for c in order:
            if (c["kind"], c["value"]) not in seen:
                seen.add((c["kind"], c["value"]))
                views.append(self._contact_view(c))
        return views

    def help_contacts(self) -> tuple[str, str]:
        """The hotline and portal to point to when declining: the ones the plans name most."""
        phones = [c for c in self._contacts if c["kind"] == "phone"]
        portals = [c for c in self._contacts if c["kind"] == "portal"]

        def pick(items: list[dict], prefer: str) -> str:
            if not items:
                return ""
            items = sorted(items, key=lambda c: (prefer not in fold(c["label"]), len(c["value"]) < 6, c["id"]))
            return items[0]["value"]

        return pick(phones, "hotline"), pick(portals, "dichvucong")

    # -- asking -------------------------------------------------------------------------------------
    def ask(self, question: str, k: int = 3) -> AskResult:
        text = " ".join((question or "").split())
        if not text:
            return AskResult(question, False, "", reason="empty")
        terms = analyze(text)
        if not terms.content:
            return AskResult(question, False, "", reason="no_terms")
        q = understand(text, terms.tokens)
        missing = self._missing(q, terms, text)
        if missing is not None:
            return AskResult(question, False, "", reason="constraint", detail=missing)
        ranked, rows, scorer = self._rank(terms, max(k, CANDIDATES))
        if not ranked:
            return AskResult(question, False, "", reason="not_found")
        ranked = self._named_heading_first(q, ranked)
        rows.update(self._passage_rows([pid for pid, _ in ranked[:max(k, FIT_DEPTH)] if pid not in rows]))
        # The first candidate that respects the question's year and period leads; none → decline.
        fitting = [(pid, score) for pid, score in ranked[:FIT_DEPTH] if pid in rows and self._fits(q, rows[pid])]
        if not fitting and q.plan_numbers:
            fitting = self._numbered_passages(q, terms)
            rows.update(self._passage_rows([pid for pid, _ in fitting if pid not in rows]))
        if not fitting:
            return AskResult(question, False, "", reason="constraint", detail=self._unfit(q))
        ranked = fitting + [item for item in ranked if item not in fitting]
        ranked = self._holding_first(q, ranked, rows)
        top_pid = ranked[0][0]
        top_row = rows[top_pid]
        if q.meta:
            meta = self._meta_answer(q, question, ranked, rows, k)
            if meta is not None:
                return meta
        contact_hit = self._contact_answer(terms) if q.asks == "contact" else None
        if q.asks == "contact" and contact_hit is None and not _CONTACT_VALUE.search(top_row["text"]):
            # No contact of the asked kind belongs to what is asked about, and the passage names
            # none either: a number for another body would be the worst answer.
            return AskResult(question, False, "", reason="no_contact")
        named_plan = bool(q.plan_numbers) and all(self._numbered(n) for n in q.plan_numbers)
        if contact_hit is None and not self.confident(terms, top_row, ranked[0][1], named_plan):
            return AskResult(question, False, "", reason="not_found")
        hits: list[Hit] = []
        term_idf = scorer.term_idf
        score_sentences = self._sentence_scorer(scorer)
        if contact_hit is not None:
            contact, c_row, c_score = contact_hit
            display = f"{contact['label']}: {contact['value']}. {shown_text(c_row)}"
            hits.append(self._hit(c_row, c_score, kind="contact", text=display[:800]))
            answer, _ = select_answer(terms, term_idf, [(c_row, 1.0)], must_contain=contact["value"],
                                      score_sentences=score_sentences)
            answer = f"{contact['label']}: {contact['value']}.\n{answer}"
        else:
            answer, answer_pid = select_answer(terms, term_idf, [(top_row, 1.0)], score_sentences=score_sentences,
                                               listing=q.asks == "list", list_noun=q.listed)
            if not answer_holds(q, fold(_unnumbered(top_row["text"])), shown_text(top_row)):
                # "When", "how many teams", "how much is the fine": the passage has no such thing.
                return AskResult(question, False, "", reason="no_fact")
            answer = with_lead(q, answer)
            ranked = sorted(ranked, key=lambda item: item[0] != answer_pid)
        for pid, score in self._distinct(ranked, rows, k - len(hits), skip={h.passage_id for h in hits}):
            row = rows.get(pid) or self._passage_rows([pid]).get(pid)
            if row is not None:
                hits.append(self._hit(row, score))
        return AskResult(question, True, answer, _in_shown_order(hits))

    def _named_heading_first(self, q: Question, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """A passage under a heading the question names is raised by LIST_HEADING_BONUS among the
        first LIST_DEPTH candidates, whose other words (the plan's name) match elsewhere:
        - the list asked for: "Kế hoạch … có những chỉ tiêu gì?" and "II. MỘT SỐ CHỈ TIÊU CHỦ YẾU";
        - a body asked what it must do: "Sở Nội vụ có nhiệm vụ gì?" and "3. Sở Nội vụ" (a plan's
          duties are listed under each body's name; an appendix row naming it is not its section)."""
        if not q.listed and not q.duty:
            return ranked
        head = ranked[:LIST_DEPTH]
        marks = ",".join("?" * len(head))
        asked = f" {q.folded} "
        named = set()
        for pid, head_terms, innermost in self._conn.execute(
                f"SELECT id, head_terms, json_extract(COALESCE(headings_display, headings), '$[#-1]') "
                f"FROM passages WHERE id IN ({marks})", [pid for pid, _ in head]):
            if q.listed and f" {q.listed} " in f" {head_terms or ''} ":
                named.add(pid)
            elif q.duty:
                # "7. Đài Phát thanh và Truyền hình Hải Phòng, Báo Hải Phòng, …": each body it lists
                for part in re.split(r"[,;]", innermost or ""):
                    words = _NUMBERING_WORDS.sub("", fold(part)).split()
                    if len(words) >= 2 and f" {' '.join(words)} " in asked:
                        named.add(pid)
                        break
        if not named:
            return ranked
        head = sorted(((pid, score * (1.0 + LIST_HEADING_BONUS) if pid in named else score) for pid, score in head),
                      key=lambda item: -item[1])
        return head + ranked[LIST_DEPTH:]

    def _holding_first(self, q: Question, ranked: list[tuple[int, float]],
                       rows: dict[int, sqlite3.Row]) -> list[tuple[int, float]]:
        """For "how many / what share / which day" questions, a near-best candidate that holds such
        a thing goes before a best one that does not (the best shares the question's words, the
        next one has the 100%)."""
        if q.asks not in ("number", "day", "date", "rank") or not ranked:
            return ranked
        top = ranked[0][1] or 1.0

        def holds(pid: int) -> bool:
            row = rows.get(pid)
            return row is not None and answer_holds(q, fold(_unnumbered(row["text"])), row["text"], strict=True)

        if holds(ranked[0][0]):
            return ranked
        for i, (pid, score) in enumerate(ranked[1:HOLD_DEPTH], 1):
            if score >= HOLD_RATIO * top and holds(pid):
                return [ranked[i]] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _distinct(self, ranked: list[tuple[int, float]], rows: dict[int, sqlite3.Row], n: int,
                  skip: set[int]) -> list[tuple[int, float]]:
        """The first answer, then passages of other sections first: citations that add something."""
        if n <= 0:
            return []
        pool = [(pid, s) for pid, s in ranked[:max(CITE_DEPTH, n)] if pid not in skip]
        missing = [pid for pid, _ in pool if pid not in rows]
        rows.update(self._passage_rows(missing))
        chosen: list[tuple[int, float]] = []
        sections: set[tuple[str, str]] = set()
        seen_text: set[str] = set()
        for strict in (True, False):
            for pid, score in pool:
                if len(chosen) >= n or any(pid == c for c, _ in chosen) or pid not in rows:
                    continue
                row = rows[pid]
                key = (row["doc_id"], row["section"] or "")
                body = self._folded_text(row)[:300]
                if body in seen_text or (strict and key in sections and chosen):
                    continue
                chosen.append((pid, score))
                sections.add(key)
                seen_text.add(body)
        order = {pid: i for i, (pid, _) in enumerate(pool)}
        first = chosen[:1]
        rest = sorted(chosen[1:], key=lambda item: -item[1])  # scores shown in the order shown
        del order
        return first + rest

    # -- constraints and metadata -----------------------------------------------------------------
    def _kb_years(self) -> set[int]:
        got = getattr(self, "_years_cache", None)
        if got is None:
            got = self._years_cache = doc_years(list(self.docs.values()))
        return got

    def _kb_periods(self) -> set[str]:
        got = getattr(self, "_periods_cache", None)
        if got is None:
            got = self._periods_cache = periods_of(list(self.docs.values()))
        return got

    def _missing(self, q: Question, terms: QueryTerms, text: str = "") -> Missing | None:
        """A year, plan, period or place the knowledge base does not have at all."""
        years = self._kb_years()
        for year in q.years:
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
        for place in list(terms.places) + [p.replace(" ", "_") for p in places_named(" ".join(terms.tokens))]:
            if not self._known_place(place):
                return Missing("place", _as_written(text, place.replace("_", " ")))
        return None

    def _folded_doc(self, doc_id: str) -> str:
        got = self._doc_folded_cache.get(doc_id)
        if got is None:
            got = self._doc_folded_cache[doc_id] = doc_folded(self.docs.get(doc_id, {}))
        return got

    def _numbered(self, number: str) -> list[str]:
        """Ids of the documents that are plan `number`."""
        got = self._numbered_cache.get(number)
        if got is None:
            got = [doc_id for doc_id, doc in self.docs.items() if plan_numbered(number, doc)]
            if len(self._numbered_cache) < FOLD_CACHE:
                self._numbered_cache[number] = got
        return got

    def _fits(self, q: Question, row: sqlite3.Row) -> bool:
        if not (q.years or q.periods or q.plan_numbers):
            return True
        doc_id = row["doc_id"]
        numbered = bool(q.plan_numbers) and all(self._numbered(n) for n in q.plan_numbers)
        return fits(q, self._folded_text(row), self.docs.get(doc_id, {}), self._folded_doc(doc_id), numbered)

    def _folded_text(self, row: sqlite3.Row) -> str:
        """The passage text folded, kept per passage (texts never change inside one engine)."""
        pid = row["id"]
        got = self._fold_cache.get(pid)
        if got is None:
            if len(self._fold_cache) >= FOLD_CACHE:
                self._fold_cache.clear()
            got = self._fold_cache[pid] = fold(row["text"])
        return got

    def _numbered_passages(self, q: Question, terms: QueryTerms) -> list[tuple[int, float]]:
        """The asked plan's best passages when the overall ranking found none of them: the
        question names the plan, so its passages are the only fitting ones."""
        docs = {doc_id for n in q.plan_numbers for doc_id in self._numbered(n)}
        if not docs:
            return []
        ranked, rows, _ = self._rank(terms, max(CANDIDATES * 4, 200))
        rows.update(self._passage_rows([pid for pid, _ in ranked if pid not in rows]))
        return [(pid, score) for pid, score in ranked if pid in rows and self._fits(q, rows[pid])][:FIT_DEPTH]

    def _unfit(self, q: Question) -> Missing:
        if q.years:
            years = self._kb_years()
            return Missing("year", str(q.years[0]), tuple(str(y) for y in sorted(years, reverse=True)))
        have = self._kb_periods()
        return Missing("period", q.periods[0] if q.periods else "", tuple(sorted(have)))

    def _meta_answer(self, q: Question, question: str, ranked: list[tuple[int, float]],
                     rows: dict[int, sqlite3.Row], k: int) -> AskResult | None:
        """Number, issue date, issuer and signer of a plan come from its metadata, not a sentence."""
        if q.asks == "basis":
            return None  # answered by the plan's "Căn cứ" passage, ranked as usual
        doc_id = None
        for number in q.plan_numbers:
            doc_id = next((d for d, meta in self.docs.items() if (meta.get("number") or "").startswith(f"{number}/")),
                          None)
            if doc_id:
                break
        if doc_id is None:
            doc_id = rows[ranked[0][0]]["doc_id"]
        doc = self.docs.get(doc_id) or {}
        ref = describe_document(doc)
        if q.asks == "issued" and doc.get("date"):
            lead = f"{ref} ban hành ngày {doc['date']}."
        elif q.asks == "issuer" and doc.get("issuer"):
            lead = f"{ref} do {doc['issuer']} ban hành."
        elif q.asks == "plan_number" and doc.get("number"):
            lead = f"{doc.get('title') or 'Văn bản'} có số {doc['number']}."
        elif q.asks == "signer" and doc.get("signer"):
            lead = f"Người ký {ref[:1].lower() + ref[1:]}: {doc['signer']}."
        else:
            return None
        cite = [(pid, s) for pid, s in ranked if rows.get(pid) is not None and rows[pid]["doc_id"] == doc_id]
        if not cite:
            cite = self._first_passage(doc_id)
        hits = [self._hit(rows.get(pid) or self._passage_rows([pid])[pid], score)
                for pid, score in self._distinct(cite, rows, k, skip=set())]
        if q.asks == "signer" and doc.get("signature"):  # the signature block itself is cited first
            top = max((h.score for h in hits), default=0.0)
            hits = [Hit(doc_id=doc_id, title=doc.get("title", ""), number=doc.get("number", ""),
                        date=doc.get("date", ""), issuer=doc.get("issuer", ""), section=END_MATTER,
                        text=doc.get("signature_display") or doc["signature"], source_text=doc["signature"],
                        score=top, passage_id=0, kind="signature",
                        restored=bool(doc.get("signature_display")))] + hits[:k - 1]
        return AskResult(question, True, lead, hits)

    def _first_passage(self, doc_id: str) -> list[tuple[int, float]]:
        with self._lock:
            row = self._conn.execute("SELECT id FROM passages WHERE doc_id = ? ORDER BY ordinal LIMIT 1",
                                     (doc_id,)).fetchone()
        return [(row[0], 0.0)] if row else []

    def _term_idf(self, terms: QueryTerms) -> dict[str, float]:
        """Question term weight × IDF; terms the knowledge base never uses count for nothing, and
        terms that only say which plan (place, year, issuer) count less inside a plan."""
        return {t: w * self.index.idf(t) * (ROUTING_WEIGHT if t in self.routing_terms else 1.0)
                for t, w in terms.weights.items() if self.index.df(t)}

    def _rank(self, terms: QueryTerms, n: int) -> tuple[list[tuple[int, float]], dict[int, sqlite3.Row],
                                                          SentenceScorer]:
        """BM25 candidates × document prior, then the best RERANK re-scored by their best sentence."""
        weights = {t: w * (ROUTING_WEIGHT if t in self.routing_terms else 1.0) for t, w in terms.weights.items()}
        raw = self.index.search(weights, n)
        if not raw:
            return [], {}, SentenceScorer({})
        routing = {t: w for t, w in terms.weights.items() if t in self.routing_terms}
        doc_scores = self.doc_index.scores(routing) if routing else None
        if doc_scores is not None:  # only positive matches route (as `search` keeps only those)
            doc_scores = np.maximum(doc_scores, 0.0)
        best_doc = float(doc_scores.max()) if doc_scores is not None and len(doc_scores) else 0.0
        scored = []
        header_prior = 1.0 if terms.intent == "meta" else HEADER_PRIOR
        rows_at = np.fromiter((row for row, _ in raw), dtype=np.int64, count=len(raw))
        pids = self._pids[rows_at].tolist()
        docs = self._pdoc[rows_at].tolist()
        headers = self._is_header[rows_at].tolist()
        for (_, score), pid, doc, header in zip(raw, pids, docs, headers):
            d = float(doc_scores[doc]) / best_doc if best_doc > 0 and doc >= 0 else 0.0
            prior = (1.0 + DOC_PRIOR * d) * (header_prior if header else 1.0)
            scored.append((pid, score * prior, prior))
        scored.sort(key=lambda x: -x[1])
        head = scored[:RERANK]
        head_ids = [pid for pid, _, _ in head]
        scorer = self._scorer(self._term_idf(terms))
        rows: dict[int, sqlite3.Row] = {}
        windows = None
        if self._stored_ids and scorer.exact:  # only the ids are read; whole rows for the few shown
            blobs = self._passage_rows(head_ids, self._ids_sql)
            if all(blobs[pid]["token_ids"] is not None for pid in head_ids):
                windows = scorer.windows_ids([decode_ids(blobs[pid]["token_ids"]) for pid in head_ids])
        if windows is None:
            rows = self._passage_rows(head_ids)
            windows = scorer.windows_texts([rows[pid]["terms"] for pid in head_ids])
        reranked = []
        for (pid, score, prior), (window, _) in zip(head, windows):
            reranked.append((pid, score + SENTENCE_WEIGHT * window * prior))
        reranked.sort(key=lambda x: -x[1])
        return reranked + [(pid, s) for pid, s, _ in scored[RERANK:]], rows, scorer

    def _scorer(self, term_idf: dict[str, float]) -> SentenceScorer:
        """A scorer for this question; with stored ids, it uses this thread's code table."""
        if not self._stored_ids:
            return SentenceScorer(term_idf)
        table = getattr(self._tables, "table", None)
        if table is None:
            table = self._tables.table = code_table(len(self.index.vocab))
        return SentenceScorer(term_idf, self.index.vocab, table)

    def _sentence_scores(self, scorer: SentenceScorer, rows: list[sqlite3.Row],
                         heads: list[list[str]] | None = None) -> list[list[float]]:
        """Per row, per sentence: its score for the question (with `heads` appended to every
        sentence of the matching row), from the stored term ids when the build wrote them."""
        if self._stored_ids and scorer.exact and all(r["token_ids"] is not None for r in rows):
            suffixes = None if heads is None else [term_ids(h, self.index.vocab) for h in heads]
            return scorer.score_ids([decode_ids(r["token_ids"]) for r in rows], suffixes)
        return scorer.score_texts([r["terms"] for r in rows], heads)

    def _sentence_scorer(self, scorer: SentenceScorer) -> Callable[[sqlite3.Row, list[str]], list[float]]:
        return lambda row, head: self._sentence_scores(scorer, [row], [head])[0]

    def confident(self, terms: QueryTerms, row: sqlite3.Row, score: float, named_plan: bool = False) -> bool:
        """Answer only when the best passage holds enough of the question (coverage), and, for a
        partial match, when it also matches strongly (a score of several rare-term units: the unit is
        the IDF of a term no passage has, so the bar scales with the size of the knowledge base).
        Measured on 215 answerable and 75 out-of-scope questions (README): no answerable question
        declined, every out-of-scope one declined.

        `named_plan`: the question names, by number, the plan this passage belongs to (checked by
        the caller), which is the strong match the score bar stands for."""
        if any(not self._known_place(place) for place in terms.places):
            return False
        coverage = self.coverage(terms, row)
        if coverage < MIN_COVERAGE:
            return False
        return coverage >= STRONG_COVERAGE or named_plan or score >= MIN_SCORE_UNITS * unseen_idf(self.index.size)

    def _document_terms(self, doc_id: str) -> frozenset[str]:
        """A plan's metadata terms as a set, made when first needed (2,650 sets cost 0.07 s at start)."""
        terms = self._doc_term_sets.get(doc_id)
        if terms is None:
            doc = self.docs.get(doc_id) or {}
            terms = self._doc_term_sets[doc_id] = frozenset((doc.get("terms") or "").split())
        return terms

    def _known_place(self, place: str) -> bool:
        """Whether the plans name this place: as a pair anywhere, or (OCR-damaged: "tinh Phti Tho")
        within two edits of a place that follows an administrative word in them."""
        if self.index.df(place):
            return True
        return any(edit_distance(place, known) <= 2 for known in self._places if known[:1] == place[:1])

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
        body = f" {' '.join(_flat(row['terms']))} "
        head = f" {row['head_terms'] or ''} "
        extra = set((row["extra_terms"] or "").split())
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

    def _rank_contacts(self, terms: QueryTerms) -> list[tuple[int, float]]:
        """Contacts sharing terms with the question, best first (weighted, smoothed-IDF overlap)."""
        if not self._contacts:
            return []
        scores = np.zeros(len(self._contacts))
        for term, weight in terms.weights.items():
            holders = self._contact_postings.get(term)
            if holders is not None:  # each contact once per term: the same sums, term by term
                scores[holders] += weight * self._contact_idf[term]
        found = np.flatnonzero(scores > 0)
        order = found[np.argsort(-scores[found], kind="stable")]
        return list(zip(order.tolist(), scores[order].tolist()))

    def _contact_answer(self, terms: QueryTerms) -> tuple[dict, sqlite3.Row, float] | None:
        """The contact the question asks for: a phone for "hotline/tổng đài/số điện thoại", a portal
        for "cổng/website/địa chỉ", an email for "email"; the best match of that kind."""
        ranked = self._rank_contacts(terms)
        if not ranked:
            return None
        words = f" {' '.join(terms.tokens)} "
        wanted = set()
        if any(w in words for w in (" hotline ", " duong day nong ", " dien thoai ", " tong dai ", " goi ")):
            wanted.add("phone")
        if any(w in words for w in (" cong thong tin ", " website ", " trang web ", " dia chi ", " cong dich vu ")):
            wanted.add("portal")
        if " email " in words or " thu dien tu " in words:
            wanted.add("email")
        choice = next(((i, s) for i, s in ranked if self._contacts[i]["kind"] in wanted), None)
        if choice is None:  # the question asks for a kind of contact the plans do not name
            return None
        i, score = choice
        contact = self._contacts[i]
        # The question's other words must be about this contact: "số điện thoại cứu hỏa" shares
        # "số điện thoại" with the hotline, but "cứu hỏa" is nowhere near it.
        topic = [t for t in dict.fromkeys(terms.content) if t not in CONTACT_WORDS]
        if topic:
            bag = self._contact_bags[i]
            weight = {t: self.index.idf(t) if self.index.df(t) else unseen_idf(self.index.size) for t in topic}
            if sum(w for t, w in weight.items() if t in bag) < 0.5 * sum(weight.values()):
                return None
        row = self._passage_rows([contact["passage_id"]]).get(contact["passage_id"])
        return (contact, row, score) if row is not None else None

"""A read-only snapshot of one knowledge DB file: documents, passage rows, the stored ranking
indexes and the per-snapshot caches every stage reads. Reload opens a new snapshot and swaps it in
(handlers/knowledge_holder.py); in-flight questions finish on the old one.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from knowledge.text import fold
from retrieval.analyzer import passage_terms, warm_up_segmenter
from retrieval.answer import PreparedPassage, prepare_passage, shown_text
from retrieval.constraints import (
    doc_folded,
    doc_years,
    periods_of,
    plan_numbered,
)
from retrieval.derived import load as load_derived
from retrieval.index import RankBM25Index, TermIndex
from retrieval.index_terms import (
    DOCUMENT_INDEX_TABLE,
    DOCUMENT_TEXT_TABLE,
    PASSAGE_INDEX_SQL,
    document_index_fingerprint,
    document_index_terms,
    document_text_fingerprint,
    document_text_terms,
    passage_index_fingerprint,
    passage_index_terms,
)
from retrieval.inverted_index import TABLE as PASSAGE_INDEX_TABLE
from retrieval.normalize import edit_distance
from retrieval.results import Hit
from retrieval.token_ids import COLUMN as TOKEN_IDS
from retrieval.token_ids import stored as token_ids_stored

T = TypeVar("T")

FOLD_CACHE = 20_000  # folded passage texts kept per engine (≈ 10 MB at most)
# Passage rows kept per engine and query shape, most recently used (≈ 2 KB a row: ≤ 8 MB each). The
# knowledge DB is a read-only snapshot, so a row read once is the row; the same passages answer
# many questions (the best 30 of one question are mostly another's). Seed plans: reading rows was
# 0.22 of 1.71 ms a question (bench/bench_ask.py --breakdown).
ROW_CACHE = 4_096
PREPARED_CACHE = 2_000  # passages' sentences kept for answer picking (≈ 5 KB each: ≤ 10 MB)
def _engine_factory(name: str):
    if name == "rank-bm25":
        return RankBM25Index
    from retrieval.inverted_index import InvertedBM25Index

    return InvertedBM25Index


class KnowledgeSnapshot:
    """One knowledge DB file, opened read-only."""

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
            "passages, chars, terms, warnings "
            "FROM documents ORDER BY doc_id")}
        self._doc_ids = list(self.docs)
        self._doc_term_sets: dict[str, frozenset[str]] = {}  # filled as plans are asked about
        self._doc_folded_cache: dict[str, str] = {}
        self._numbered_cache: dict[str, list[str]] = {}
        self._passage_caches: dict[str, dict[int, Any]] = {}
        self._row_caches: dict[str, OrderedDict[int, sqlite3.Row]] = {}
        self.doc_index: TermIndex = self._stored_or_built(
            factory, document_index_fingerprint(), DOCUMENT_INDEX_TABLE, len(self.docs),
            lambda: (document_index_terms(d) for d in self.docs.values()))
        self.doc_text_index: TermIndex = self._stored_or_built(
            factory, document_text_fingerprint(), DOCUMENT_TEXT_TABLE, len(self.docs),
            lambda: document_text_terms(self._conn))
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
    def open(cls, kb_path: Path, engine: str | None = None) -> KnowledgeSnapshot:
        return cls(kb_path, engine)

    def _passage_rows(self, pids: list[int], sql: str | None = None) -> dict[int, sqlite3.Row]:
        """Rows of these passages (the query `sql`, default all columns), from the ROW_CACHE first."""
        if not pids:
            return {}
        sql = sql or self._row_sql
        with self._lock:
            cache = self._row_caches.get(sql)
            if cache is None:
                cache = self._row_caches[sql] = OrderedDict()
            got = {}
            for pid in pids:
                row = cache.get(pid)
                if row is not None:
                    cache.move_to_end(pid)
                    got[pid] = row
            missing = [pid for pid in pids if pid not in got]
            if missing:
                marks = ",".join("?" * len(missing))
                for row in self._conn.execute(sql.format(marks=marks), missing).fetchall():
                    got[row["id"]] = cache[row["id"]] = row
                while len(cache) > ROW_CACHE:
                    cache.popitem(last=False)
        return got

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

    def _kept(self, name: str, cap: int, pid: int, make: Callable[[], T]) -> T:
        """A value derived from one passage, kept per engine under `name` (a passage never changes
        inside one engine): its folded text, its sentences for answer picking, its coverage terms.
        A cache holding `cap` values starts over rather than tracking use (dict reads stay cheap)."""
        cache = self._passage_caches.setdefault(name, {})
        got = cache.get(pid)
        if got is None:
            if len(cache) >= cap:
                cache.clear()
            got = cache[pid] = make()
        return got

    def _folded_text(self, row: sqlite3.Row) -> str:
        """The passage text folded."""
        return self._kept("folded", FOLD_CACHE, row["id"], lambda: fold(row["text"]))

    def _prepared(self, row: sqlite3.Row) -> PreparedPassage:
        """A passage's sentences as answer picking reads them."""
        return self._kept("prepared", PREPARED_CACHE, row["id"], lambda: prepare_passage(row))

    def _first_passage(self, doc_id: str) -> list[tuple[int, float]]:
        with self._lock:
            row = self._conn.execute("SELECT id FROM passages WHERE doc_id = ? ORDER BY ordinal LIMIT 1",
                                     (doc_id,)).fetchone()
        return [(row[0], 0.0)] if row else []

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

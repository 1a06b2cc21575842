"""Analyse passages once, at build time, and store their terms in the knowledge DB.

Tokenizing, repairing OCR and expanding abbreviations is the slow part of indexing; doing it at
build time means a bot that starts on an existing knowledge DB only loads terms (issue: first
answer within 2 s) instead of re-analysing every passage.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlite_utils

from knowledge.display import display_pieces
from knowledge.structure import passage_pieces
from knowledge.workers import chunked, map_chunks
from retrieval.analyzer import places_in
from retrieval.inverted_index import CountedDocs, PostingsBuilder
from retrieval.normalize import OcrRepairer, acronyms, analyze_document, fold_tokens, lexicon, url_words

SENTENCE_BREAK = "|"  # separates the sentences of a passage in its stored terms


def corpus_counts(texts: list[str]) -> tuple[Counter, Counter]:
    """How often each valid syllable, and each pair of adjacent valid syllables, occurs in the
    corpus: the repairer's best evidence for what a damaged token was in this domain. Counted in
    worker processes for large corpora (sums of counts: the same numbers)."""
    counts: Counter = Counter()
    pairs: Counter = Counter()
    for part_counts, part_pairs in map_chunks(_count_chunk, chunked(texts, PASSAGES_PER_CHUNK), work=len(texts)):
        counts.update(part_counts)
        pairs.update(part_pairs)
    return counts, pairs


def _count_chunk(texts: Sequence[str]) -> tuple[Counter, Counter]:
    valid, _, _ = lexicon()
    counts: Counter = Counter()
    pairs: Counter = Counter()
    for text in texts:
        toks = fold_tokens(text)
        counts.update(t for t in toks if t in valid)
        pairs.update((a, b) for a, b in zip(toks, toks[1:]) if a in valid and b in valid)
    return counts, pairs


class _RememberingRepairer(OcrRepairer):
    """The same repairs, each decided once per (token, neighbours): a 100,000-passage build meets
    the same damaged token between the same words hundreds of times ("nim" after "thang cuoi"),
    and scoring ~35 candidates each time was most of the build (300 s → see bench/bench_ask.py).
    `_best` and `_prior` are pure functions of their arguments and of the corpus statistics fixed
    at construction, so remembering them changes no output (bench/bench_ask.py checks build time)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._decided: dict[tuple[int, str, str], tuple[list, str]] = {}
        self._priors: dict[str, float] = {}

    def _prior(self, cand: str) -> float:
        prior = self._priors.get(cand)
        if prior is None:
            prior = self._priors[cand] = super()._prior(cand)
        return prior

    def _best(self, cands: list[tuple[str, float]], prev: str, nxt: str) -> str:
        key = (id(cands), prev, nxt)
        hit = self._decided.get(key)
        if hit is not None and hit[0] is cands:  # the entry holds `cands`, so its id is not reused
            return hit[1]
        best = super()._best(cands, prev, nxt)
        self._decided[key] = (cands, best)
        return best


PASSAGES_PER_CHUNK = 2000
# The repairer of the build running in this thread: a worker process's (set by the pool's
# initializer, in the thread that then runs its tasks), or the calling thread's when the build
# stays in one process. Per thread, so two builds in one process never share one.
_state = threading.local()


def _start_repairer(counts: Counter, pairs: Counter) -> None:
    """The repairer for this thread's build, from the corpus counts of the whole build."""
    _state.repairer = _RememberingRepairer(counts, pairs)


def _repairer() -> _RememberingRepairer:
    repairer = getattr(_state, "repairer", None)
    if repairer is None:
        raise RuntimeError("_start_repairer was not called")
    return repairer


def _heading_terms(raw: str, restored: str, repairer) -> list[str]:
    """A passage's heading terms: the scan's heading as repaired, plus the words its restored
    heading adds. Headings name who a passage is about ("5. Sở Tư pháp", scanned as "5. S& Tw
    phap"), and the restorer, which reads the whole plan, gets them right where the word-by-word
    repair cannot; each term once, so a heading restored to its own words weighs as before."""
    terms = analyze_document(raw, repairer)
    if restored:
        seen = set(terms)
        terms += [t for t in dict.fromkeys(analyze_document(restored, repairer)) if t not in seen]
    return terms


def _with_restored(terms: list[str], restored: str, raw: str, repairer) -> list[str]:
    """`terms` (of the scan's `raw` text) plus the words its restored form adds, each once: the
    restorer reads the whole plan and gets words right that the word-by-word repair cannot
    ("S& Tw phap" → "Sở Tư pháp"); the scan's own terms stay, since restoration can be wrong too."""
    if not restored or restored == raw:
        return terms
    seen = set(terms)
    return terms + [t for t in dict.fromkeys(analyze_document(restored, repairer)) if t not in seen]


def _analyze_chunk(passages: Sequence[tuple[int, str, str, str | None]]) -> AnalyzedChunk:
    """Stored terms of each passage — (terms by sentence, heading terms, extra terms, id) — the
    places they name, and, counted here too, their index terms and term ids. A pure function of
    the passages and the corpus counts."""
    from retrieval.index_terms import passage_index_terms
    from retrieval.inverted_index import count_docs
    from retrieval.token_ids import encode_local

    repairer = _repairer()
    head_cache: dict[str, str] = {}
    places: set[str] = set()
    rows = []
    for pid, text, headings_json, shown_json, shown_text in passages:
        headings = json.loads(headings_json or "[]")
        shown = json.loads(shown_json or "[]")
        key = "\n".join(headings[-2:])
        shown_key = "\n".join(shown[-2:]) if len(shown) == len(headings) else ""
        if (key, shown_key) not in head_cache:
            head_cache[key, shown_key] = " ".join(_heading_terms(key, shown_key, repairer))
        raw_pieces = passage_pieces(text)
        restored = display_pieces(text, shown_text, raw_pieces) if shown_text else raw_pieces
        pieces = [" ".join(_with_restored(analyze_document(piece, repairer), r, piece, repairer))
                  for piece, r in zip(raw_pieces, restored)]
        for piece in pieces:
            places |= places_in(piece.split())
        extra = " ".join(dict.fromkeys(acronyms(text, repairer) + url_words(text)))
        rows.append((f" {SENTENCE_BREAK} ".join(pieces), head_cache[key, shown_key], extra, pid))
    counted = count_docs(passage_index_terms({"terms": t, "head_terms": h, "extra_terms": e})
                         for t, h, e, _ in rows)
    local_vocab = {term: i for i, term in enumerate(counted.terms)}
    codes = [encode_local(t, local_vocab) for t, _, _, _ in rows]
    return AnalyzedChunk(rows, places, counted, codes)


@dataclass
class AnalyzedChunk:
    rows: list[tuple[str, str, str, int]]
    places: set[str]
    counted: CountedDocs  # the passage index's counts for these passages
    token_codes: list[np.ndarray]  # per passage, its stored terms as ids of `counted.terms`


def write_index(db: sqlite_utils.Database, progress: Callable[[str, int, int], None] | None = None
                ) -> PostingsBuilder:
    """Add `terms`/`head_terms`/`extra_terms`/`token_ids` to passages, `terms` to documents and
    contacts; returns the passage index's postings, counted along the way."""
    from retrieval.token_ids import add_column, globalize, mark_stored

    shown = "headings_display" if "headings_display" in db["passages"].columns_dict else "NULL"
    body = "display" if "display" in db["passages"].columns_dict else "NULL"
    passages = [(r["id"], r["text"], r["headings"], r["shown"], r["body"]) for r in
                db.query(f"SELECT id, text, headings, {shown} AS shown, {body} AS body FROM passages ORDER BY id")]
    counts = corpus_counts([p[1] for p in passages])
    places: set[str] = set()
    updates = []
    builder = PostingsBuilder()
    for chunk in map_chunks(_analyze_chunk, chunked(passages, PASSAGES_PER_CHUNK), work=len(passages),
                            initializer=_start_repairer, initargs=counts):
        mapping = builder.add_counted(chunk.counted)  # chunks arrive in passage order
        updates.extend((terms, head, extra, globalize(codes, mapping), pid)
                       for (terms, head, extra, pid), codes in zip(chunk.rows, chunk.token_codes))
        places |= chunk.places
        if progress:
            progress("passages", len(updates), len(passages))
    del passages
    # The same repairer for the documents' and contacts' terms (built here when workers had theirs).
    repairer = getattr(_state, "repairer", None) or _RememberingRepairer(*counts)
    _state.repairer = None
    for column in ("terms", "head_terms", "extra_terms"):
        if column not in db["passages"].columns_dict:
            db["passages"].add_column(column, str)
    add_column(db.conn)
    db.conn.executemany("UPDATE passages SET terms = ?, head_terms = ?, extra_terms = ?, token_ids = ? WHERE id = ?",
                        updates)
    del updates

    doc_columns = db["documents"].columns_dict
    shown = ", ".join(c if c in doc_columns else f"NULL AS {c}" for c in ("title_display", "issuer_display"))
    docs = list(db.query(f"SELECT doc_id, title, issuer, number, date, header, {shown} FROM documents"))
    if "terms" not in doc_columns:
        db["documents"].add_column("terms", str)
    db.conn.executemany("UPDATE documents SET terms = ? WHERE doc_id = ?", [
        (" ".join(_with_restored(
            analyze_document(" ".join([d["title"], d["issuer"], d["number"], d["date"], d["header"]]), repairer),
            " ".join([d["title_display"] or "", d["issuer_display"] or ""]), "", repairer)), d["doc_id"])
        for d in docs])

    for d in docs:
        places |= places_in(analyze_document(" ".join([d["title"], d["issuer"], d["header"]]), repairer))
    db["meta"].insert({"key": "places", "value": json.dumps(sorted(places))}, pk="key", replace=True)
    mark_stored(db.conn)

    contacts = list(db.query("SELECT id, label, value, sentence, purpose FROM contacts"))
    if "terms" not in db["contacts"].columns_dict:
        db["contacts"].add_column("terms", str)
    db.conn.executemany("UPDATE contacts SET terms = ? WHERE id = ?", [
        (" ".join(analyze_document(" ".join([c["label"], c["value"], c["sentence"]]), repairer)
                  + url_words(c["value"] + " " + c["sentence"])), c["id"])
        for c in contacts])
    db.conn.commit()
    return builder


def index_knowledge_db(db: sqlite_utils.Database, progress: Callable[[str, int, int], None] | None = None) -> None:
    """The build's indexing step: stored terms and term ids (`write_index`, which also counts the
    passage index's postings where it analyses the passages), the start-up values of
    retrieval/derived.py, the document-prior index, then the finished passage index, so a bot
    opening the DB loads it instead of recounting every term (issue #7: first answer in 2 s at
    100,000 passages)."""
    from retrieval.derived import store as store_derived
    from retrieval.index_terms import passage_index_fingerprint, store_document_indexes
    from retrieval.inverted_index import InvertedBM25Index
    from retrieval.procedures import store_procedure_indexes

    builder = write_index(db, progress)
    store_derived(db.conn)
    store_procedure_indexes(db.conn)
    store_document_indexes(db.conn)
    if progress:
        progress("index", 0, 1)
    InvertedBM25Index.from_builder(builder).store(db.conn, passage_index_fingerprint())
    del builder
    db.conn.commit()
    if progress:
        progress("index", 1, 1)


def rebuild(docs_dir: Path, kb_path: Path, progress: Callable[[str, int, int], None] | None = None):
    """Build and index a new knowledge DB and swap it in (the old one serves until then)."""
    from knowledge.build import build_knowledge_db

    return build_knowledge_db(docs_dir, kb_path, indexer=lambda db: index_knowledge_db(db, progress),
                              progress=progress)


def ensure_knowledge_db(kb_path: Path, docs_dir: Path) -> None:
    """Build the knowledge DB on first use (from the embedded seeds), or when its schema is old."""
    from knowledge.build import SCHEMA_VERSION

    if kb_path.exists():
        try:
            db = sqlite_utils.Database(kb_path)
            rows = list(db.query("SELECT value FROM meta WHERE key = 'schema'")) if db["meta"].exists() else []
            db.close()
            if rows and rows[0]["value"] == SCHEMA_VERSION:
                return
        except Exception:  # an unreadable DB is rebuilt below
            pass
    rebuild(docs_dir, kb_path)

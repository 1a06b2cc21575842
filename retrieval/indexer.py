"""Analyse passages once, at build time, and store their terms in the knowledge DB.

Tokenizing, repairing OCR and expanding abbreviations is the slow part of indexing; doing it at
build time means a bot that starts on an existing knowledge DB only loads terms (issue: first
answer within 2 s) instead of re-analysing every passage.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from knowledge.structure import passage_pieces
from retrieval.analyzer import places_in
from retrieval.normalize import OcrRepairer, acronyms, analyze_document, fold_tokens, lexicon, url_words

SENTENCE_BREAK = "|"  # separates the sentences of a passage in its stored terms


def corpus_counts(texts: list[str]) -> tuple[Counter, Counter]:
    """How often each valid syllable, and each pair of adjacent valid syllables, occurs in the
    corpus: the repairer's best evidence for what a damaged token was in this domain."""
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


def write_index(db: sqlite_utils.Database, progress: Callable[[str, int, int], None] | None = None) -> None:
    """Add `terms`/`head_terms` to passages, `terms` to documents and contacts."""
    passages = list(db.query("SELECT id, text, headings FROM passages ORDER BY id"))
    repairer = _RememberingRepairer(*corpus_counts([p["text"] for p in passages]))
    head_cache: dict[str, str] = {}
    places: set[str] = set()
    updates = []
    for n, p in enumerate(passages, 1):
        headings = json.loads(p["headings"] or "[]")
        key = "\n".join(headings[-2:])
        if key not in head_cache:
            head_cache[key] = " ".join(analyze_document(key, repairer))
        pieces = [" ".join(analyze_document(piece, repairer)) for piece in passage_pieces(p["text"])]
        for piece in pieces:
            places |= places_in(piece.split())
        extra = " ".join(dict.fromkeys(acronyms(p["text"], repairer) + url_words(p["text"])))
        updates.append((f" {SENTENCE_BREAK} ".join(pieces), head_cache[key], extra, p["id"]))
        if progress and (n % 2000 == 0 or n == len(passages)):
            progress("passages", n, len(passages))
    for column in ("terms", "head_terms", "extra_terms"):
        if column not in db["passages"].columns_dict:
            db["passages"].add_column(column, str)
    db.conn.executemany("UPDATE passages SET terms = ?, head_terms = ?, extra_terms = ? WHERE id = ?", updates)

    docs = list(db.query("SELECT doc_id, title, issuer, number, date, header FROM documents"))
    if "terms" not in db["documents"].columns_dict:
        db["documents"].add_column("terms", str)
    db.conn.executemany("UPDATE documents SET terms = ? WHERE doc_id = ?", [
        (" ".join(analyze_document(" ".join([d["title"], d["issuer"], d["number"], d["date"], d["header"]]),
                                   repairer)), d["doc_id"]) for d in docs])

    for d in docs:
        places |= places_in(analyze_document(" ".join([d["title"], d["issuer"], d["header"]]), repairer))
    db["meta"].insert({"key": "places", "value": json.dumps(sorted(places))}, pk="key", replace=True)

    contacts = list(db.query("SELECT id, label, value, sentence, purpose FROM contacts"))
    if "terms" not in db["contacts"].columns_dict:
        db["contacts"].add_column("terms", str)
    db.conn.executemany("UPDATE contacts SET terms = ? WHERE id = ?", [
        (" ".join(analyze_document(" ".join([c["label"], c["value"], c["sentence"]]), repairer)
                  + url_words(c["value"] + " " + c["sentence"])), c["id"])
        for c in contacts])
    db.conn.commit()


def index_knowledge_db(db: sqlite_utils.Database, progress: Callable[[str, int, int], None] | None = None) -> None:
    """The build's indexing step: stored terms (`write_index`), then the finished passage index, so
    a bot opening the DB loads it instead of recounting every term (issue: first answer in 2 s at
    100,000 passages), and the start-up values of retrieval/derived.py. Separate calls, so
    write_index's working memory is freed first."""
    from retrieval.derived import store as store_derived
    from retrieval.inverted_index import store_passage_index
    from retrieval.token_ids import store as store_token_ids

    write_index(db, progress)
    store_derived(db.conn)
    if progress:
        progress("index", 0, 1)
    vocab = store_passage_index(db.conn).vocab  # the index's arrays are freed here; ids need its vocabulary
    store_token_ids(db.conn, vocab)
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

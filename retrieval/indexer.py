"""Analyse passages once, at build time, and store their terms in the knowledge DB.

Tokenizing and expanding abbreviations is the slow part of indexing; doing it at build time
means a bot that starts on an existing knowledge DB only loads terms (issue: first answer within
2 s) instead of re-analysing every passage. OCR damage is not repaired here: a scan's passages are
indexed from the text the restoration stage wrote for them (`_with_restored`).
"""

from __future__ import annotations

import json
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
from retrieval.normalize import acronyms, analyze_document, is_valid, url_words

SENTENCE_BREAK = "|"  # separates the sentences of a passage in its stored terms


PASSAGES_PER_CHUNK = 2000


def _with_restored(raw: str, restored: str | None) -> list[str]:
    """The index terms of a scanned text: its restored form's terms (what people read; the one
    repair of OCR damage is the restoration stage, knowledge/restore), plus each word of the scan
    the restored form read otherwise, set between its restored neighbours so that its pairs count
    too ("tận tụy" restored as "tận tay": "tan tuy chuyen" is added): restoration can be wrong, and
    a word the scan got right still finds it. The scan's damaged tokens ("nim", "s6") are not
    terms. Clean text (no restored form) is indexed as it is."""
    if not restored or restored == raw:
        return analyze_document(raw)
    terms = analyze_document(restored)
    scan = analyze_document(raw)
    if len(scan) != len(terms):  # tokens do not line up: the scan's other words, each once
        seen = set(terms)
        return terms + [t for t in dict.fromkeys(analyze_document(raw, valid_only=True)) if t not in seen]
    extra: list[str] = []
    i, n = 0, len(terms)
    while i < n:
        if scan[i] == terms[i] or not is_valid(scan[i]):
            i += 1
            continue
        j = i
        while j + 1 < n and scan[j + 1] != terms[j + 1] and is_valid(scan[j + 1]):
            j += 1
        extra += terms[max(0, i - 1):i] + scan[i:j + 1] + terms[j + 1:j + 2]
        i = j + 1
    return terms + extra


def _analyze_chunk(passages: Sequence[tuple[int, str, str, str | None]]) -> AnalyzedChunk:
    """Stored terms of each passage — (terms by sentence, heading terms, extra terms, id) — the
    places they name, and, counted here too, their index terms and term ids. A pure function of
    the passages."""
    from retrieval.index_terms import passage_index_terms
    from retrieval.inverted_index import count_docs
    from retrieval.token_ids import encode_local

    head_cache: dict[str, str] = {}
    places: set[str] = set()
    rows = []
    for pid, text, headings_json, shown_json, shown_text in passages:
        headings = json.loads(headings_json or "[]")
        shown = json.loads(shown_json or "[]")
        key = "\n".join(headings[-2:])
        shown_key = "\n".join(shown[-2:]) if len(shown) == len(headings) else ""
        if (key, shown_key) not in head_cache:
            head_cache[key, shown_key] = " ".join(_with_restored(key, shown_key))
        raw_pieces = passage_pieces(text)
        restored = display_pieces(text, shown_text, raw_pieces) if shown_text else raw_pieces
        pieces = [" ".join(_with_restored(piece, r)) for piece, r in zip(raw_pieces, restored)]
        for piece in pieces:
            places |= places_in(piece.split())
        extra = " ".join(dict.fromkeys(acronyms(text) + url_words(text)))
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
    places: set[str] = set()
    updates = []
    builder = PostingsBuilder()
    for chunk in map_chunks(_analyze_chunk, chunked(passages, PASSAGES_PER_CHUNK), work=len(passages)):
        mapping = builder.add_counted(chunk.counted)  # chunks arrive in passage order
        updates.extend((terms, head, extra, globalize(codes, mapping), pid)
                       for (terms, head, extra, pid), codes in zip(chunk.rows, chunk.token_codes))
        places |= chunk.places
        if progress:
            progress("passages", len(updates), len(passages))
    del passages
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
    doc_terms = {}
    for d in docs:
        raw = " ".join([d["title"], d["issuer"]])
        restored = " ".join([d["title_display"] or d["title"], d["issuer_display"] or d["issuer"]])
        scanned = restored != raw  # a scan's header: its damaged tokens are not terms
        doc_terms[d["doc_id"]] = (_with_restored(raw, restored) + analyze_document(" ".join([d["number"], d["date"]]))
                                  + analyze_document(d["header"], valid_only=scanned))
    db.conn.executemany("UPDATE documents SET terms = ? WHERE doc_id = ?",
                        [(" ".join(terms), doc_id) for doc_id, terms in doc_terms.items()])

    for d in docs:
        places |= places_in(doc_terms[d["doc_id"]])
    db["meta"].insert({"key": "places", "value": json.dumps(sorted(places))}, pk="key", replace=True)
    mark_stored(db.conn)

    shown = "sentence_display" if "sentence_display" in db["contacts"].columns_dict else "NULL AS sentence_display"
    contacts = list(db.query(f"SELECT id, label, value, sentence, {shown}, purpose FROM contacts"))
    if "terms" not in db["contacts"].columns_dict:
        db["contacts"].add_column("terms", str)
    db.conn.executemany("UPDATE contacts SET terms = ? WHERE id = ?", [
        (" ".join(_with_restored(" ".join([c["label"], c["value"], c["sentence"]]),
                                 " ".join([c["label"], c["value"], c["sentence_display"] or c["sentence"]]))
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
    store_document_indexes(db.conn, builder)
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

"""Values the engine needs at start-up, computed once at build time and stored in the knowledge DB.

A bot opening a 100,000-passage DB must answer within 2 s (issue #7). Three things used to be
recomputed at every start: the Viet74K word pairs (folding 74,000 dictionary lines, ≈ 0.65 s), the
routing terms of 2,600 plans (≈ 0.35 s) and which passages are plan headers (a scan of ≈ 150 MB of
stored terms, ≈ 0.3 s). The build stores them in `meta` under the fingerprint of the code and data
that computed them; the engine uses them only when the fingerprint still matches, and otherwise
computes them itself, so a stale DB gives the same answers, only slower to open.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.analyzer import bigrams
from retrieval.normalize import analyze_question, lexicon, lexicon_path, prime_word_pairs, word_pairs_primed

META_KEY = "derived"
HEADER_SECTIONS = ("", "Phần đầu")  # the plan's header and its "Căn cứ ..." preamble
ATTACHED = " kem theo ke hoach "  # "(kèm theo Kế hoạch số ...)": an appendix's title block
_SOURCES = ("retrieval/derived.py", "retrieval/normalize.py", "retrieval/analyzer.py", "knowledge/text.py")


@dataclass(frozen=True)
class Derived:
    routing_terms: frozenset[str]
    header_passages: frozenset[int]  # passage ids


def fingerprint() -> str:
    """The code computing these values and the dictionary they come from."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for rel in _SOURCES:
        h.update((root / rel).read_bytes())
    path = lexicon_path()
    h.update(f"{path.name}:{path.stat().st_size if path.exists() else -1}".encode())
    return h.hexdigest()[:24]


def routing_terms(docs: Iterable[dict]) -> frozenset[str]:
    """Terms that name a plan (place, issuer, year, number in its title and metadata, as scanned and
    as restored — "SOY TE" is "Sở Y tế"): they route a
    question to a plan through the document prior, and count less inside passages, so a plan's
    header does not outrank the passage that answers. None with fewer than two plans."""
    docs = list(docs)
    if len(docs) < 2:
        return frozenset()
    terms: set[str] = set()
    for doc in docs:
        meta = " ".join([doc.get("title") or "", doc.get("issuer") or "", doc.get("number") or "",
                         doc.get("date") or "", doc.get("title_display") or "", doc.get("issuer_display") or ""])
        toks = analyze_question(meta)
        terms.update(toks)
        terms.update(bigrams(toks))
    return frozenset(terms)


def header_passages(conn: sqlite3.Connection) -> frozenset[int]:
    """Passages that are a plan's header or preamble, or an appendix's "kèm theo Kế hoạch" block:
    they repeat the title, so they match every question about the plan but answer few of them."""
    marks = ",".join("?" * len(HEADER_SECTIONS))
    rows = conn.execute(
        f"SELECT id FROM passages WHERE section IN ({marks}) "
        "OR instr(' ' || COALESCE(terms, '') || ' ', ?) > 0", (*HEADER_SECTIONS, ATTACHED))
    return frozenset(r[0] for r in rows)


def _documents(conn: sqlite3.Connection) -> list[dict]:
    have = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    shown = [c if c in have else f"NULL AS {c}" for c in ("title_display", "issuer_display")]
    cur = conn.execute(f"SELECT title, issuer, number, date, {', '.join(shown)} FROM documents ORDER BY doc_id")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur]


def compute(conn: sqlite3.Connection) -> Derived:
    return Derived(routing_terms(_documents(conn)), header_passages(conn))


def store(conn: sqlite3.Connection) -> None:
    """Build time: compute and store (after the passages' terms are written)."""
    value = compute(conn)
    payload = {"fingerprint": fingerprint(), "routing_terms": sorted(value.routing_terms),
               "header_passages": sorted(value.header_passages), "word_pairs": "\n".join(sorted(lexicon()[2]))}
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (META_KEY, json.dumps(payload)))


def load(conn: sqlite3.Connection) -> Derived:
    """The stored values when the code and dictionary still match, else computed now. Also hands
    the stored word pairs to the question analyzer, which would otherwise fold Viet74K itself."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
        payload = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        payload = None
    if payload and payload.get("fingerprint") == fingerprint():
        if not word_pairs_primed():
            prime_word_pairs(frozenset(payload["word_pairs"].split("\n")))
        return Derived(frozenset(payload["routing_terms"]), frozenset(payload["header_passages"]))
    return compute(conn)

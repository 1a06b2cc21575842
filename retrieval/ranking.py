"""Ranking: one core for every corpus. BM25 over passage terms × a document prior (the plan a
question names) × the document's own text match, then the best candidates re-scored by their best
sentence; citations prefer other sections and other documents.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

import numpy as np

from knowledge.text import fold
from retrieval.analyzer import QueryTerms
from retrieval.index import top_k
from retrieval.question import Question, answer_holds
from retrieval.rerank import SentenceScorer, code_table, with_suffix
from retrieval.snapshot import FOLD_CACHE, PREPARED_CACHE
from retrieval.token_ids import decode as decode_ids
from retrieval.token_ids import term_ids

# A passage × (1 + DOC_TEXT_PRIOR · its document's whole-text BM25 / the best document's). Set on the
# laws (R@1: 0 → 0.690, 2 → 0.726 before the title weight; with it 2 → 0.827, 4 → 0.834, 8 → 0.836;
# R@5 0.930 at 2, 0.928 at 4 and 8 until CITE_DEPTH 20); the plans score the same at every value.
DOC_TEXT_PRIOR = 4.0
# Citations after the first: a passage of a section already cited yields to other sections unless
# it scores at least this share of that section's first (plans recall@3 0.959 -> 0.968: two rows of
# one appendix table). Preferring other documents the same way raised the laws' recall@5 (0.916 ->
# 0.928) but lowered the quiz-bank stems' recall@3 (0.964 -> 0.921): not kept.
SECTION_YIELD = 0.9
# A document this short (characters of its text) is one place to cite: its passages are the
# clauses of one answer (a law's article, ~850 characters at the median and 5,000 at the 99th
# percentile), so the citations after the first prefer other documents to its other clauses, as they
# prefer other sections of a long document. The seed plans are 7,000-27,000 characters.
SHORT_DOCUMENT_CHARS = 6000
DOC_PRIOR = 0.8  # passage score × (1 + DOC_PRIOR · the document's routing match, 0..1)
ROUTING_WEIGHT = 0.4  # weight inside passages of terms that only name the plan
CANDIDATES = 60
HEADER_PRIOR = 0.7  # plan headers and preambles, unless the question asks about issuance
# Candidates re-scored by their best sentence. Set on laws: R@5 0.954 at 30, 12 and 8, 0.958 at 5,
# 0.954 at 3, 0.949 at 1; quiz stems R@3 0.974 -> 0.977 at 5; plans the same from 3 to 30 (at 1,
# plans rise to 0.940 / 0.908 and laws fall). Fewer re-scored: 0.2 ms less a question.
RERANK = 5
FIT_DEPTH = 8  # candidates searched for one that respects the question's year and period
LIST_DEPTH = 20  # candidates searched for a heading naming the body a question asks the duties of …
# … whose score it raises by this share. Headings naming the asked list's noun ("những chỉ tiêu gì")
# were raised too until 2026-12-07: no effect on plans or quiz stems, laws R@1 0.840 -> 0.844 without
# ("hoạt động", "yếu tố" head many articles).
LIST_HEADING_BONUS = 1.0
HOLD_DEPTH = 5  # candidates searched for one holding the asked kind of fact …
HOLD_RATIO = 0.6  # … scoring at least this share of the best
# Candidates searched for citations of other sections and documents (12 → 20: laws R@5 0.928 → 0.930
# with DOC_TEXT_PRIOR 4; plans the same; 30 as 20).
CITE_DEPTH = 20
LIGHT_ROW_SQL = "SELECT id, doc_id, section, text FROM passages WHERE id IN ({marks})"
SENTENCE_WEIGHT = 0.3  # best-sentence score added in the re-rank (0, 0.15, 0.3, 0.6 measured)
_NUMBERING_WORDS = re.compile(r"^(?:(?:[ivxlc]+|\d+|[a-z])\s+)+")  # "iii 1 " before a folded heading
_NUMBERING = re.compile(r"(?m)^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*")
def unnumbered(text: str) -> str:
    """A passage without its list numbering ("1.", "II.", "a)"): those digits answer no "how many"."""
    return _NUMBERING.sub(" ", text)


class RankingStage:
    """Ranking over a `KnowledgeSnapshot` (mixed into the engine)."""

    def _named_body_first(self, q: Question, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """A body asked what it must do ("Sở Nội vụ có nhiệm vụ gì?"): a passage under a heading
        naming it ("3. Sở Nội vụ") is raised by LIST_HEADING_BONUS among the first LIST_DEPTH
        candidates (a plan's duties are listed under each body's name; an appendix row naming it
        is not its section)."""
        if not q.duty:
            return ranked
        head = ranked[:LIST_DEPTH]
        marks = ",".join("?" * len(head))
        asked = f" {q.folded} "
        named = set()
        for pid, innermost in self._conn.execute(
                f"SELECT id, json_extract(COALESCE(headings_display, headings), '$[#-1]') "
                f"FROM passages WHERE id IN ({marks})", [pid for pid, _ in head]):
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
                       rows: dict[int, sqlite3.Row], fitting: int | None = None) -> list[tuple[int, float]]:
        """For "how many / what share / which day" questions, a near-best candidate that holds such
        a thing goes before a best one that does not (the best shares the question's words, the
        next one has the 100%). Only the first `fitting` candidates respect the question's year,
        period, plan and place: no other may lead."""
        if q.asks not in ("number", "day", "date", "rank") or not ranked:
            return ranked
        top = ranked[0][1] or 1.0

        def holds(pid: int) -> bool:
            row = rows.get(pid)
            return row is not None and answer_holds(q, self._folded_unnumbered(row), row["text"], strict=True)

        if holds(ranked[0][0]):
            return ranked
        for i, (pid, score) in enumerate(ranked[1:min(HOLD_DEPTH, fitting or HOLD_DEPTH)], 1):
            if score >= HOLD_RATIO * top and holds(pid):
                return [ranked[i]] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _folded_unnumbered(self, row: sqlite3.Row) -> str:
        """A passage folded without its list numbering, as `answer_holds` reads it; kept per passage
        (the best candidates are checked by every question that reaches them)."""
        return self._kept("unnumbered", FOLD_CACHE, row["id"], lambda: fold(unnumbered(row["text"])))

    def _distinct(self, ranked: list[tuple[int, float]], rows: dict[int, sqlite3.Row], n: int,
                  skip: set[int]) -> list[tuple[int, float]]:
        """The first answer, then citations that add something: passages of other sections first,
        unless one scores at least SECTION_YIELD of the first passage of its section (two rows of
        one appendix table can both answer)."""
        if n <= 0:
            return []
        pool = [(pid, s) for pid, s in ranked[:max(CITE_DEPTH, n)] if pid not in skip]
        # Choosing needs a passage's document, section and text only; whole rows for the chosen.
        look = {**self._passage_rows([pid for pid, _ in pool if pid not in rows], LIGHT_ROW_SQL), **rows}
        chosen: list[tuple[int, float]] = []
        sections: dict[tuple[str, str], float] = {}
        seen_text: set[str] = set()
        for strict_section in (True, False):
            for pid, score in pool:
                if len(chosen) >= n or any(pid == c for c, _ in chosen) or pid not in look:
                    continue
                row = look[pid]
                short = self._short_document(row["doc_id"])
                key = (row["doc_id"], "" if short else row["section"] or "")
                body = self._folded_text(row)[:300]
                if body in seen_text:
                    continue
                if strict_section and key in sections and (short or score < SECTION_YIELD * sections[key]):
                    continue
                sections.setdefault(key, score)
                chosen.append((pid, score))
                seen_text.add(body)
        rows.update(self._passage_rows([pid for pid, _ in chosen if pid not in rows]))
        return chosen[:1] + sorted(chosen[1:], key=lambda item: -item[1])  # scores shown in the order shown

    def _short_document(self, doc_id: str) -> bool:
        """Whether a document is short enough to be one citation (SHORT_DOCUMENT_CHARS of text, as
        the build counted them)."""
        return ((self.docs.get(doc_id) or {}).get("chars") or 0) < SHORT_DOCUMENT_CHARS

    def _numbered_passages(self, q: Question, terms: QueryTerms) -> list[tuple[int, float]]:
        """The asked plan's best passages when the overall ranking found none of them: the
        question names the plan, so its passages are the only fitting ones."""
        docs = {doc_id for n in q.plan_numbers for doc_id in self._numbered(n)}
        if not docs:
            return []
        ranked, rows, _ = self._rank(terms, max(CANDIDATES * 4, 200))
        rows.update(self._passage_rows([pid for pid, _ in ranked if pid not in rows]))
        return [(pid, score) for pid, score in ranked if pid in rows and self._fits(q, rows[pid])][:FIT_DEPTH]

    def _term_idf(self, terms: QueryTerms) -> dict[str, float]:
        """Question term weight × IDF; terms the knowledge base never uses count for nothing, and
        terms that only say which plan (place, year, issuer) count less inside a plan."""
        return {t: w * self.index.idf(t) * (ROUTING_WEIGHT if t in self.routing_terms else 1.0)
                for t, w in terms.weights.items() if self.index.df(t)}

    def _rank(self, terms: QueryTerms, n: int, meta: bool = False
              ) -> tuple[list[tuple[int, float]], dict[int, sqlite3.Row],
                                                          SentenceScorer]:
        """BM25 candidates × document prior, then the best RERANK re-scored by their best sentence."""
        weights = {t: w * (ROUTING_WEIGHT if t in self.routing_terms else 1.0) for t, w in terms.weights.items()}
        all_scores = self.index.scores(weights)
        raw = top_k(all_scores, n) if all_scores is not None else []
        if not raw:
            return [], {}, SentenceScorer({})
        routing = {t: w for t, w in terms.weights.items() if t in self.routing_terms}
        doc_scores = self.doc_index.scores(routing) if routing else None
        text_scores = None
        if DOC_TEXT_PRIOR:
            text_scores = self.doc_text_index.scores(terms.weights)
            if text_scores is not None:
                text_scores = np.maximum(text_scores, 0.0)
                best_text = float(text_scores.max()) if len(text_scores) else 0.0
                text_scores = text_scores / best_text if best_text > 0 else None
        if doc_scores is not None:  # only positive matches route (as `search` keeps only those)
            doc_scores = np.maximum(doc_scores, 0.0)
        best_doc = float(doc_scores.max()) if doc_scores is not None and len(doc_scores) else 0.0
        header_prior = 1.0 if meta else HEADER_PRIOR  # a question about issuance is answered by the header
        # Per candidate, as arrays (the same floats as the per-candidate loop this replaced):
        # (1 + DOC_PRIOR · routing match) × header prior × (1 + DOC_TEXT_PRIOR · document text match).
        rows_at = np.fromiter((row for row, _ in raw), dtype=np.int64, count=len(raw))
        raw_scores = np.fromiter((score for _, score in raw), dtype=np.float64, count=len(raw))
        docs = self._pdoc[rows_at]
        known = docs >= 0
        at = np.maximum(docs, 0)
        prior = np.ones(len(raw))
        if best_doc > 0:
            prior = np.where(known, 1.0 + DOC_PRIOR * (doc_scores[at] / best_doc), 1.0)
        prior = prior * np.where(self._is_header[rows_at], header_prior, 1.0)
        if text_scores is not None:
            prior = np.where(known, prior * (1.0 + DOC_TEXT_PRIOR * text_scores[at]), prior)
        final = raw_scores * prior
        order = np.argsort(-final, kind="stable")
        scored = list(zip(self._pids[rows_at][order].tolist(), final[order].tolist(), prior[order].tolist()))
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
        """Scores of one row's sentences with `head` appended to each, as answer picking asks."""
        def score(row: sqlite3.Row, head: list[str]) -> list[float]:
            if self._stored_ids and scorer.exact and row["token_ids"] is not None:
                return scorer.score_ids([self._ids_with_head(row, head)])[0]
            return self._sentence_scores(scorer, [row], [head])[0]

        return score

    def _ids_with_head(self, row: sqlite3.Row, head: list[str]) -> np.ndarray:
        """A passage's stored ids with `head`'s inserted before every sentence break. Answer picking
        appends a passage's own headings, the same for every question: kept per passage."""
        key = tuple(head)

        def make() -> tuple[tuple[str, ...], np.ndarray]:
            ids = decode_ids(row["token_ids"])
            return key, with_suffix(ids, term_ids(head, self.index.vocab)) if head else ids

        kept_key, ids = self._kept("ids_with_head", PREPARED_CACHE, row["id"], make)
        return ids if kept_key == key else make()[1]

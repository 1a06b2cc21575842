"""Pick the sentence(s) of a passage that answer the question, not the whole passage.

Sentences are scored with the same sentence-level BM25 the re-ranker uses (retrieval/rerank.py),
times a bonus when they carry what the question type asks for: a number or percentage for
"bao nhiêu", a date for "khi nào", an agency for "ai / cơ quan nào". The passage's own heading is
put in front when it names who or what the sentences belong to ("Phòng Văn hóa - Xã hội xã: ...").

Sentences are found and scored in the raw passage (its stored terms are aligned with them); the
answer is then written from the same sentences and heading of the restored passage (`display`,
`headings_display`, token for token like the raw ones: knowledge/display.py), which is what people read.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.display import display_pieces
from knowledge.structure import passage_pieces
from knowledge.text import fold
from retrieval.analyzer import QueryTerms
from retrieval.rerank import many_sentence_scores, sentence_scores, split_sentence_terms

MAX_ANSWER_CHARS = 500
LIST_INTRO_MIN = 120  # a preamble shorter than this before a list's colon is kept
_ITEM = re.compile(r"^\s*(?:[-–+•*]|[a-zđ]\)|\d{1,2}[.)])\s")
_INTRO = re.compile(r"\b(nhu sau|gom|bao gom|cu the|cac noi dung|sau day)\s*$")
LIST_ANSWER_CHARS = 420  # a list answer stops adding items here (the lead and heading come on top)
_CLOSING = re.compile(r"^(tren day la|noi nhan|yeu cau cac (phong|don vi|co quan)[a-z ,]* nghiem tuc)")
_PERCENT = re.compile(r"\d+\s*%|\bphan tram\b")

# What a sentence answering each kind of question (`Question.answer_kind`) holds.
# A sentence holding the words the interrogative asks about ("… đề xuất gì?": "… đề xuất thực hiện
# những mô hình, sáng kiến …") counts as much more as one of the asked kind (plans answer 0.899 ->
# 0.903 at 1.5; 2.0 lost a sentence that named the focus only in passing: 0.894).
FOCUS_BOOST = 1.5
_KIND_PATTERNS = {
    "number": re.compile(r"\d+\s*%|\b\d+([.,]\d+)?\b"),
    "date": re.compile(r"\b\d{1,2}\s*/\s*\d{1,2}(\s*/\s*\d{2,4})?\b|\bng[a-z]{1,2}y\s+\d|\bth[a-z]{1,3}ng\s+\d|"
                       r"\bqu[a-z]\s+[ivx\d]|\bn[a-z]{1,2}m\s+\d{4}|\bthuong xuyen\b"),
    "who": re.compile(r"\b(phong|so|uy ban|ubnd|trung tam|ban|van phong|cong an|doan|hoi|co quan|don vi)\b"),
    "contact": re.compile(r"\b\d{3,5}\b|\.vn\b|@"),
}


@dataclass(frozen=True)
class PreparedPassage:
    """What picking an answer sentence reads of a passage, whatever the question: its sentences
    (as stored and folded, and as shown: restored), its headings. Engines keep these per passage."""

    pieces: list[str]
    folded: list[str]
    shown: list[str]
    shown_folded: list[str]
    headings: list[str]
    heading_lines: frozenset[str]
    shown_heads: list[str]
    stored_sentences: bool  # the stored terms are cut into the same sentences


def prepare_passage(row: sqlite3.Row) -> PreparedPassage:
    pieces = passage_pieces(row["text"])
    headings = json.loads(row["headings"] or "[]")
    shown = display_pieces(row["text"], shown_text(row), pieces)
    return PreparedPassage(pieces, [fold(p) for p in pieces], shown, [fold(p) for p in shown], headings,
                           frozenset(fold(h) for h in headings), shown_headings(row, headings),
                           len(split_sentence_terms(row["terms"])) == len(pieces))


def select_answer(terms: QueryTerms, term_idf: dict[str, float], pool: list[tuple[sqlite3.Row, float]],
                  must_contain: str | None = None,
                  score_sentences: Callable[[sqlite3.Row, list[str]], list[float]] | None = None,
                  listing: bool = False, list_noun: str = "", kind: str = "general",
                  percent: bool = False, focus: str = "",
                  prepare: Callable[[sqlite3.Row], PreparedPassage] = prepare_passage) -> tuple[str, int]:
    """The best sentence among the pool's passages (extended by its neighbour when short), ≤ 500
    characters, its heading first; returns (answer, id of the passage it comes from).

    Each sentence is scored with its passage's headings as context (a dash item under
    "11. Thành đoàn Hải Phòng" is about the Thành đoàn) and weighted by the passage's rank weight.
    `score_sentences(row, head)` scores a row's stored sentences with `head` appended to each (the
    engine passes its faster scorer); by default they are scored from the stored terms.
    `prepare` reads a passage's sentences (the engine passes one that keeps them per passage).
    """
    best: tuple[float, int, int] | None = None  # (score, pool index, piece index)
    prepared = []
    pattern = _KIND_PATTERNS.get(kind)
    if kind == "number" and percent:
        pattern = _PERCENT
    needle = fold(must_contain) if must_contain else ""
    for n, (row, weight) in enumerate(pool):
        prep = prepare(row)
        pieces = prep.pieces
        head = (row["head_terms"] or "").split()
        if prep.stored_sentences:
            if score_sentences is not None:
                scores = score_sentences(row, head)
            else:
                scores = many_sentence_scores(term_idf, [row["terms"]], [head])[0]
        else:  # stored terms from another segmentation
            scores = sentence_scores(term_idf, [fold(p).split() + head for p in pieces])
        for i, folded in enumerate(prep.folded):
            if _CLOSING.match(folded):
                scores[i] *= 0.2  # "Trên đây là Kế hoạch …": the plan's closing formula answers nothing
            if folded in prep.heading_lines and len(pieces) > 1:
                scores[i] = -1.0  # a heading alone answers nothing; it is prefixed when it names the owner
                continue
            if pattern is not None and pattern.search(folded):
                scores[i] *= 1.5
            if focus and (f" {focus} " in f" {folded} " or f" {focus} " in f" {prep.shown_folded[i]} "):
                scores[i] *= FOCUS_BOOST  # in the scan's words or as restored
            if needle and needle in folded:
                scores[i] += 1000.0
            scores[i] *= weight
            if best is None or scores[i] > best[0]:
                best = (scores[i], n, i)
        prepared.append((row, prep, scores))
    if best is None:
        row = pool[0][0]
        return shown_text(row)[:MAX_ANSWER_CHARS], row["id"]
    _, n, i = best
    row, prep, scores = prepared[n]
    pieces, shown, headings, heads = prep.pieces, prep.shown, prep.headings, prep.shown_heads
    if list_noun and headings and f" {list_noun} " in f" {row['head_terms'] or ''} ":
        whole = _whole_list(pieces, shown, headings, heads, i)
        if whole:
            return whole, row["id"]
    return _compose(pieces, shown, scores, i, headings, heads, listing), row["id"]


def _whole_list(pieces: list[str], shown: list[str], headings: list[str], shown_heads: list[str],
                best: int) -> str:
    """The passage is the list asked for (its heading names it: "II. MỘT SỐ CHỈ TIÊU CHỦ YẾU"):
    the heading, then its items in order, as many as LIST_ANSWER_CHARS holds; "" when that would
    leave out the best sentence (it goes first then, as for any question)."""
    heading_lines = {fold(h) for h in headings}
    lines: list[str] = []
    length, shown_best = 0, False
    for k, (piece, text) in enumerate(zip(pieces, shown)):
        if fold(piece) in heading_lines or _CLOSING.match(fold(piece)):
            continue
        if lines and length + len(text) > LIST_ANSWER_CHARS:
            break
        if lines and not _ITEM.match(piece):
            lines[-1] += " " + text.strip()  # a clause cut at ';' continues its item
        else:
            lines.append(text.strip())
        length += len(text)
        shown_best = shown_best or k == best
    if not shown_best:
        return ""
    heading = shown_heads[-1].strip().rstrip(":")[:150]
    answer = f"{heading}:\n" + "\n".join(lines)
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[:MAX_ANSWER_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return answer


def _column(row: sqlite3.Row, name: str) -> str | None:
    return row[name] if name in row.keys() else None


def shown_text(row: sqlite3.Row) -> str:
    """The passage as people read it: restored when its document was a damaged scan."""
    return _column(row, "display") or row["text"]


def shown_headings(row: sqlite3.Row, headings: list[str]) -> list[str]:
    stored = _column(row, "headings_display")
    shown = json.loads(stored) if stored else None
    return shown if isinstance(shown, list) and len(shown) == len(headings) else headings


def _compose(pieces: list[str], shown: list[str], scores: list[float], best: int, headings: list[str],
             shown_heads: list[str], listing: bool = False) -> str:
    chosen = [best]
    length = len(pieces[best])
    # A list is answered as the list: the sentence that introduces it ("… như sau:", "gồm:") and
    # the items after it, as far as the answer's length allows.
    if pieces[best].rstrip().endswith(":") or (listing and _INTRO.search(fold(pieces[best]))):
        j = best + 1
        while j < len(pieces) and _continues_list(pieces, scores, j, best, length):
            chosen.append(j)
            length += len(pieces[j])
            j += 1
    # A short best sentence is usually a clause cut at ';' or ':': add its better neighbour.
    if length < 160:
        neighbours = [j for j in (best + 1, best - 1) if 0 <= j < len(pieces) and scores[j] >= 0 and j not in chosen]
        neighbours.sort(key=lambda j: -scores[j])
        for j in neighbours:
            if length + len(pieces[j]) < MAX_ANSWER_CHARS - 60:
                chosen.append(j)
                break
    body = " ".join(shown[i] for i in sorted(chosen))
    owner = _owner_heading(headings, " ".join(pieces[i] for i in sorted(chosen)))
    heading = shown_heads[owner].strip()[:150] if owner is not None else ""
    answer = f"{heading}: {body}" if heading else body
    if len(answer) > MAX_ANSWER_CHARS:
        body = _from_list_intro(body, MAX_ANSWER_CHARS - len(heading) - 2)
        answer = f"{heading}: {body}" if heading else body
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[:MAX_ANSWER_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return answer


def _continues_list(pieces: list[str], scores: list[float], j: int, best: int, length: int) -> bool:
    """Whether piece `j` is the next item of the list introduced at `best`: the first one always
    (it is what the colon announces), then items ("- …", "a) …") or clauses of an item list cut at
    ';' ("trang thông tin; loa truyền thanh; …"), while the answer has room and before the closing."""
    if scores[j] < 0 or _CLOSING.match(fold(pieces[j])):
        return False
    if j == best + 1:
        return True
    return length + len(pieces[j]) < LIST_ANSWER_CHARS and bool(
        _ITEM.match(pieces[j]) or pieces[j - 1].rstrip().endswith(";"))


def _from_list_intro(body: str, room: int) -> str:
    """A sentence too long to show whole, with a list after a colon ("… tập trung vào một số lĩnh
    vực chủ yếu: các thủ tục …"): the list is the answer, so the text starts at the clause that
    introduces it (after the last comma or semicolon before the colon), not at the preamble."""
    colon = body.find(": ")
    if colon < LIST_INTRO_MIN or len(body) - colon < 40 or len(body) <= room:
        return body
    start = max(body.rfind(mark, 0, colon) for mark in (", ", "; ", ". "))
    if start < LIST_INTRO_MIN // 2:
        return body
    return "… " + body[start + 2:]


def _owner_heading(headings: list[str], body: str) -> int | None:
    """Which heading to put first: the innermost numbered one (not the Roman part title), unless
    the answer already holds it."""
    if len(headings) < 2:
        return None
    heading = headings[-1].strip()
    if fold(heading)[:40] and fold(heading)[:40] in fold(body):
        return None
    return len(headings) - 1


# -- the fact first -------------------------------------------------------------------------------
_DATE_SHOWN = re.compile(r"(?:(?:trước|sau|từ|đến|vào|trong)\s+)?(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?"
                         r"|(?:(?:trước|sau|từ|đến|vào)\s+)?ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
                         r"|(?:trong\s+)?tháng\s+\d{1,2}(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?"
                         r"|hằng\s+(?:quý|tháng|năm|tuần)|định\s+kỳ(?:\s+[^\s,.;:]+){0,3}|quý\s+(?:I{1,3}|IV|[1-4])",
                         re.IGNORECASE)
_NUMBER_SHOWN = re.compile(r"[^,;:.()]*?\d[\d.,]*\s*%[^,;:.()]*|[^,;:.()]*?\d[\d.,]*\s*(?:phần trăm|đồng|triệu|tỷ)"
                           r"[^,;:.()]*", re.IGNORECASE)
MAX_LEAD_CHARS = 140


def with_lead(q, answer: str) -> str:
    """The answer with a first line that states the asked fact ("Thời hạn: trước ngày 05/12/2025."),
    when the answer holds one; the supporting sentence follows as it is."""
    lead = ""
    if q.asks in ("day", "date"):
        m = _DATE_SHOWN.search(answer)
        if m:
            lead = f"Thời gian: {m.group().strip()}."
    elif q.asks == "number" and (q.percent or q.money):
        m = _NUMBER_SHOWN.search(answer.split(": ", 1)[-1])
        if m:
            clause = " ".join(m.group().split()).lstrip("-–+•* ")
            words = [w for w in clause.split() if w.isalpha()]
            # A lead is a clause a person can read: words around one share, not OCR debris ("4% %i").
            if 0 < len(clause) <= MAX_LEAD_CHARS and len(words) >= 4 and clause.count("%") <= 1:
                lead = clause[:1].upper() + clause[1:] + "."
    if not lead or fold(lead) == fold(answer):
        return answer
    return f"{lead}\n{answer}"

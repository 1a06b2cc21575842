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

import re
import sqlite3
from dataclasses import replace

from knowledge.structure import END_MATTER
from knowledge.text import fold
from retrieval.analyzer import analyze
from retrieval.answer import select_answer, shown_text, with_lead
from retrieval.constraints import Missing
from retrieval.contacts import CONTACT_VALUE as _CONTACT_VALUE
from retrieval.contacts import ContactsStage
from retrieval.declines import DeclineStage, as_written
from retrieval.parts_answers import CONTENT_SLOTS, PartsStage
from retrieval.question import Question, answer_holds, understand
from retrieval.ranking import CANDIDATES, FIT_DEPTH, RankingStage
from retrieval.results import AskResult, Hit
from retrieval.snapshot import KnowledgeSnapshot

ANSWER_POOL = 1  # passages whose sentences compete for the answer (more measured worse)
ANSWER_RANK_POWER = 1.0
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


# What a citation states of a document we only cite, besides its number: its date and its issuer
# ("Hội nghị lần thứ tư Ban Chấp hành Trung ương khóa XIII"), so which one, when and who. Counts,
# shares and amounts are its content (and a scan's junk holds stray digits and "%").
CHECKED_SLOTS = frozenset({"rank", "date", "day", "person"})
CITE_SEARCH = 30  # candidates searched for the passages citing a document the question names


_CODES_AND_DATES = re.compile(r"\S*\d+\s*[/-]\s*\S+")


def _citation_says(q: Question, text: str, cited: list[str]) -> bool:
    """Whether a sentence of `text` citing one of these documents holds what is asked, the cited
    number and its date left out ("Nghị định số 60/2021/NĐ-CP ngày 21/6/2021 …" holds no count)."""
    for sentence in re.split(r"(?<=[.;!?])\s+|\n", text):
        folded = f" {fold(sentence)} "
        if any(f" {number} " in folded for number in cited):
            # Every document code and date out ("60/2021/NĐ-CP", "111/2025/NĐ-CP", "21/6/2021"):
            # what is left must hold the fact.
            rest = _CODES_AND_DATES.sub(" ", sentence)
            if answer_holds(q, fold(rest), rest):
                return True
    return False


class AskEngine(KnowledgeSnapshot, RankingStage, PartsStage, DeclineStage, ContactsStage):
    """Answers questions from one knowledge DB file: understand → retrieve → read parts → compose →
    decline (with evidence)."""

    def ask(self, question: str, k: int = 3) -> AskResult:
        text = " ".join((question or "").split())
        if not text:
            return AskResult(question, False, "", reason="empty")
        terms = analyze(text)
        if not terms.content:
            return AskResult(question, False, "", reason="no_terms")
        q = understand(text, terms.tokens)
        if q.emergency:  # someone is in danger: the emergency numbers, never a plan's hotline
            return AskResult(question, False, "", reason="emergency")
        missing = self._missing(q, terms, text)
        if missing is not None:
            return AskResult(question, False, "", reason="constraint", detail=missing)
        if self.unknown_documents(q):
            return AskResult(question, False, "", reason="cited_only")
        # Other documents it names by number and symbol; and a plan by its number that is no
        # document of ours, when its own date, issuer or number is asked ("Kế hoạch số 12/KH-SYT …
        # ban hành ngày nào?"). "Yêu cầu … theo Kế hoạch 12" asks about ours: that number filters nothing.
        cited = self._cited_only(q) + [n for n in q.plan_numbers if q.meta and not self._numbered(n)]
        cited_lead = self._cited_lead(q, cited) if cited else None
        content_of_cited = bool(cited) and (q.asks in CONTENT_SLOTS or q.money or q.percent)
        citing_sentence = None
        if content_of_cited and cited_lead is None:
            return AskResult(question, False, "", reason="cited_only")  # we only cite it: its content is not here
        ranked, rows, scorer = self._rank(terms, max(k, CANDIDATES), meta=q.about_issuance)
        if not ranked:
            return AskResult(question, False, "", reason="not_found")
        ranked = self._named_body_first(q, ranked)
        rows.update(self._passage_rows([pid for pid, _ in ranked[:max(k, FIT_DEPTH)] if pid not in rows]))
        if cited_lead is not None:
            rows.update(self._passage_rows([pid for pid, _ in ranked[:CITE_SEARCH] if pid not in rows]))
            ranked = self._citing_first(cited, ranked, rows)
        if content_of_cited:
            # Its content is not here, unless the sentence citing it says what is asked ("Kết luận số
            # 21-KL/TW … của Hội nghị lần thứ tư Ban Chấp hành Trung ương khóa XIII": which plenum).
            checked = q.asks in CHECKED_SLOTS and not (q.money or q.percent)
            saying = [(pid, s) for pid, s in self._citing(cited, ranked, rows)
                      if checked and _citation_says(q, shown_text(rows[pid]), cited)]
            if not saying:
                return AskResult(question, False, "", reason="cited_only")
            ranked = saying + [item for item in ranked if item not in saying]
            cited_lead, citing_sentence = None, cited[0]  # the citing sentence is the answer
        # The first candidate that respects the question's year and period leads; none → decline.
        places = self._places_asked(terms)
        fitting = [(pid, score) for pid, score in ranked[:FIT_DEPTH] if pid in rows and self._fits(q, rows[pid])
                   and (not places or self.place_fits(places, rows[pid]))]
        if not fitting and q.plan_numbers:
            fitting = self._numbered_passages(q, terms)
            rows.update(self._passage_rows([pid for pid, _ in fitting if pid not in rows]))
        if not fitting:
            if places and not (q.years or q.periods or q.plan_numbers):
                return AskResult(question, False, "", reason="constraint",
                                 detail=Missing("place", as_written(text, places[0].replace("_", " "))))
            return AskResult(question, False, "", reason="constraint", detail=self._unfit(q))
        ranked = fitting + [item for item in ranked if item not in fitting]
        ranked = self._holding_first(q, ranked, rows, len(fitting))
        top_pid = ranked[0][0]
        top_row = rows[top_pid]
        if q.asks in ("recipients", "signer"):
            doc_id = self._asked_document(q, ranked, rows)
            read = (self._recipients_answer if q.asks == "recipients" else self._signer_answer)(q, question, doc_id)
            if read is not None:
                return read
        if q.meta and cited_lead is None:  # a cited document's date and issuer are in its citation
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
            answer, _ = select_answer(terms, term_idf, [(c_row, 1.0)], must_contain=contact["value"], kind="contact",
                                      score_sentences=score_sentences, prepare=self._prepared)
            answer = f"{contact['label']}: {contact['value']}.\n{answer}"
        else:
            answer, answer_pid = select_answer(terms, term_idf, [(top_row, 1.0)], must_contain=citing_sentence,
                                               score_sentences=score_sentences,
                                               kind=q.answer_kind, percent=q.percent,
                                               listing=q.asks == "list", list_noun=q.listed, focus=q.focus,
                                               prepare=self._prepared)
            if not answer_holds(q, self._folded_unnumbered(top_row), shown_text(top_row)):
                # "When", "how many teams", "how much is the fine": the passage has no such thing.
                return AskResult(question, False, "", reason="no_fact")
            answer = with_lead(q, answer)
            if cited_lead is not None and q.asks in ("issued", "issuer", "general", "agency", "basis", "date", "day"):
                answer = f"{cited_lead}\n{answer}"
            ranked = sorted(ranked, key=lambda item: item[0] != answer_pid)
        for pid, score in self._distinct(ranked, rows, k - len(hits), skip={h.passage_id for h in hits}):
            row = rows.get(pid) or self._passage_rows([pid]).get(pid)
            if row is not None:
                hits.append(self._hit(row, score))
        return AskResult(question, True, answer, _in_shown_order(hits))

    def _asked_document(self, q: Question, ranked: list[tuple[int, float]], rows: dict) -> str:
        """The document a question is about: the plan it names by number, else the best candidate's."""
        for number in q.plan_numbers:
            named = self._numbered(number)
            if named:
                return named[0]
        return rows[ranked[0][0]]["doc_id"]

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
        if q.asks in ("issued", "issuer", "plan_number"):
            # The document's top (number, place and date, issuer, title) states them: cited first,
            # before a passage that only shares the question's words ("Căn cứ Quyết định số …").
            top = max((s for _, s in cite), default=0.0)
            cite = [(pid, top) for pid, _ in self._first_passage(doc_id)] + cite
        if not cite:
            cite = self._first_passage(doc_id)
        # A plan named by number is also cited where other plans cite it ("Kế hoạch số 148/KH-SYT
        # ngày 31/7/2025"): the date or number shown may come from there when its own scan lost it.
        citing = [(pid, s) for pid, s in self._citing(list(q.plan_numbers), ranked, rows)
                  if rows[pid]["doc_id"] != doc_id][:1]
        own = self._distinct(cite, rows, k - len(citing), skip=set())
        # Cited first when the plan's own passages do not state its number (the scan lost it): the
        # citing sentence is then the evidence of the number and date shown.
        states = bool(self._citing(list(q.plan_numbers), own, rows))
        hits = [self._hit(rows.get(pid) or self._passage_rows([pid])[pid], score)
                for pid, score in (own + citing if states else citing + own)]
        if q.asks == "signer" and doc.get("signature"):  # the signature block itself is cited first
            top = max((h.score for h in hits), default=0.0)
            hits = [Hit(doc_id=doc_id, title=doc.get("title", ""), number=doc.get("number", ""),
                        date=doc.get("date", ""), issuer=doc.get("issuer", ""), section=END_MATTER,
                        text=doc.get("signature_display") or doc["signature"], source_text=doc["signature"],
                        score=top, passage_id=0, kind="signature",
                        restored=bool(doc.get("signature_display")))] + hits[:k - 1]
        return AskResult(question, True, lead, hits)

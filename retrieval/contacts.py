"""Contacts (hotlines, portals, emails) found in the documents: listed, ranked for a question, and
the one a contact question asks for.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import numpy as np

from knowledge.contacts import contact_owner
from knowledge.text import fold
from retrieval.analyzer import QueryTerms, analyze
from retrieval.index import unseen_idf

CONTACT_VALUE = re.compile(r"\d{3,5}[ .]?\d{3,4}(?:[ .]?\d{3,4})?|https?://|www\.|\w\.(?:gov\.)?vn\b|@\w")
# Words that only say "a contact" (which kind is read from them in _contact_answer).
CONTACT_WORDS = frozenset("so sdt dien thoai hotline duong day nong tong dai goi website web trang cong thong tin "
                          "email thu dia chi lien he".split())


@dataclass(frozen=True)
class ContactView:
    """A contact as handlers show it: what it is, its value, whose it is and where it is written."""

    label: str
    value: str
    owner: str
    doc_ref: str
    sentence: str
    passage_id: int
    doc_id: str


class ContactsStage:
    """Contacts of a `KnowledgeSnapshot` (mixed into the engine)."""

    def _contact_view(self, c: dict) -> ContactView:
        doc = self.docs.get(c["doc_id"], {})
        ref = " ".join(x for x in (doc.get("kind") or "Kế hoạch", doc.get("number", "")) if x)
        if not doc.get("number"):
            ref = (doc.get("title") or c["doc_id"])[:80]
        return ContactView(c["label"], c["value"], contact_owner(c["value"], doc.get("issuer", "")), ref, c["sentence"],
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
        if any(w in words for w in (" cong thong tin ", " website ", " trang web ", " dia chi ", " cong dich vu ",
                                    " trang thong tin ", " link ", " duong dan ")):
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

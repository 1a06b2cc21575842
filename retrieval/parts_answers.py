"""Read parts: questions whose slot is a part of the standard form of an administrative document
(Nghị định 30/2020) are answered from that part, not from a passage that resembles the question.

- recipients ("… gửi tới những nơi nào?"): the "Nơi nhận" items of the document;
- signer ("Ai ký …?"): the signature block's authority, position and name;
- a cited document ("Nghị định 130/2005/NĐ-CP ban hành ngày nào?"): its citation (kind, number,
  date, issuer, subject) as the citing text gives it. What the cited document itself says is not
  in the knowledge base, so a question about its content is declined (`cited_only`).

The parts come from the build (knowledge/parts); a knowledge DB without them answers as before.
"""

from __future__ import annotations

import re
import sqlite3

from knowledge.parts import DocumentParts, read_parts
from knowledge.text import fold
from retrieval.question import Question
from retrieval.results import AskResult, Hit

# Slots a cited-only document cannot fill: its numbers, durations, amounts, places, people.
CONTENT_SLOTS = frozenset({"number", "duration", "rank", "hours", "address", "person", "contact", "list", "yesno"})
PARTS_CACHE = 5_000
# A cited document's lead line, at most: with the answer's 500 characters under the 600 a chat
# bubble shows whole (the eval's --max-answer).
CITED_LEAD_CHARS = 90  # documents' parts kept per engine


def number_key(number: str) -> str:
    """A document number folded without punctuation: "60/2021/NĐ-CP" → "602021ndcp"."""
    return "".join(fold(number or "").split())


# NĐ 30/2020, art. 8 (Phụ lục I): the signing authority's abbreviations, in words.
_AUTHORITY = (("tm.", "thay mặt"), ("kt.", "ký thay"), ("tl.", "thừa lệnh"), ("tuq.", "thừa ủy quyền"),
              ("q.", "quyền"))


def authority_words(authority: str | None) -> str:
    """"KT. Chủ tịch" → "ký thay Chủ tịch"; "TM. Ủy ban nhân dân / KT. Chủ tịch" → "thay mặt Ủy ban
    nhân dân, ký thay Chủ tịch": what the abbreviation means, as a citizen reads it."""
    if not authority:
        return ""
    said = []
    for part in authority.split("/"):
        part = part.strip()
        for abbr, words in _AUTHORITY:
            if part.lower().startswith(abbr):
                said.append(f"{words} {part[len(abbr):].strip()}")
                break
        else:
            said.append(part)
    return ", ".join(x for x in said if x)


def _leading_digits(key: str) -> str:
    m = re.match(r"\d+", key)
    return m.group() if m else ""


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits[:2] in ("19", "20")


class PartsStage:
    """Answers from document parts (mixed into the engine over a `KnowledgeSnapshot`)."""

    def parts(self, doc_id: str) -> DocumentParts | None:
        cache = self.__dict__.setdefault("_parts_cache", {})
        if doc_id not in cache:
            if len(cache) >= PARTS_CACHE:
                cache.clear()
            with self._lock:
                cache[doc_id] = read_parts(self._conn, doc_id)
        return cache[doc_id]

    def _cited_only(self, q: Question) -> list[str]:
        """The numbers the question names that no document of the knowledge base carries: other
        documents, at most cited by ours."""
        if not q.cited:
            return []
        own = self.__dict__.get("_own_numbers")
        if own is None:
            own = self.__dict__["_own_numbers"] = {number_key(d.get("number") or "") for d in self.docs.values()}
        return [n for n in q.cited if number_key(n) not in own]

    def _cite_rows(self, numbers: list[str]) -> list[tuple[str, dict]]:
        """(doc_id, cite row) of our documents' citations of these numbers."""
        by_digits = self._cites_by_digits()
        wanted = {number_key(n) for n in numbers}

        def named(key: str) -> bool:  # "148" (a plan named by its number alone) is "148/KH-SYT"
            return key in wanted or any(w.isdigit() and key.startswith(w) and key[len(w):len(w) + 1].isalpha()
                                        for w in wanted)

        found = []
        for digits in {_leading_digits(w) for w in wanted}:
            found += [(doc_id, row) for key, doc_id, row in by_digits.get(digits, ()) if named(key)]
        return found

    def _cites_by_digits(self) -> dict[str, list[tuple[str, str, dict]]]:
        """Every citation of the knowledge base by the leading digits of the cited number, read once
        per engine: reading them for each question cost ≈ 100 ms at 2,600 plans (the p99)."""
        got = self.__dict__.get("_cites_index")
        if got is None:
            got = {}
            try:
                with self._lock:
                    rows = self._conn.execute("SELECT doc_id, kind, number, date, issuer, subject, source_text "
                                              "FROM doc_cites").fetchall()
            except sqlite3.OperationalError:  # a knowledge DB built before parts
                rows = []
            for r in rows:
                key = number_key(r["number"])
                got.setdefault(_leading_digits(key), []).append((key, r["doc_id"], dict(r)))
            self.__dict__["_cites_index"] = got
        return got

    def _cited_lead(self, q: Question, cited: list[str]) -> str | None:
        """What our citation of that document says of it (kind, number, date, issuer, subject):
        the lead line for a question asking its date, issuer or subject; None when no document of
        ours cites it."""
        found = self._cite_rows(cited)
        if not found:
            return None
        cite, said = found[0][1], -1
        for _, row in found:  # the first citation saying the most of date, issuer and subject
            says = bool(row["date"]) + bool(row["issuer"]) + bool(row["subject"])
            if says > said:
                cite, said = row, says
                if says == 3:  # nothing says more (a plan cited by thousands: stop at the first)
                    break
        bits = [" ".join(x for x in (cite["kind"], cite["number"]) if x)]
        if cite["date"]:
            y, m, d = cite["date"].split("-")
            bits.append(f"ngày {int(d):02d}/{int(m):02d}/{y}")
        if cite["issuer"]:
            bits.append(f"của {cite['issuer']}")
        if cite["subject"]:
            bits.append(cite["subject"])
        lead = " ".join(bits).rstrip(" .,;:")
        if len(lead) > CITED_LEAD_CHARS:  # the answer's sentence follows: the lead only names the document
            lead = lead[:CITED_LEAD_CHARS].rsplit(" ", 1)[0].rstrip(" .,;:") + " …"
        return lead + ("" if lead.endswith("…") else ".")

    def _citing_first(self, cited: list[str], ranked: list[tuple[int, float]],
                      rows: dict) -> list[tuple[int, float]]:
        """Candidates that cite the asked document (hold its number) go first, in rank order: what
        our documents say of it is in the sentences citing it."""
        head = self._citing(cited, ranked, rows)
        return head + [item for item in ranked if item not in head] if head else ranked

    def _citing(self, cited: list[str], ranked: list[tuple[int, float]], rows: dict) -> list[tuple[int, float]]:
        """The candidates (with rows read) that hold the numbers of these documents, in rank order."""
        groups = [g for n in cited for g in re.findall(r"\d+", n) if len(g) >= 2 and not _is_year(g)]
        if not groups:
            return []
        return [(pid, s) for pid, s in ranked if pid in rows
                and all(f" {g} " in f" {self._folded_text(rows[pid])} " for g in groups)]

    def _recipients_answer(self, q: Question, question: str, doc_id: str) -> AskResult | None:
        """Where the document was sent: every "Nơi nhận" item; declined when it has none."""
        parts = self.parts(doc_id)
        if parts is None:
            return None
        if not parts.recipients:
            return AskResult(question, False, "", reason="no_fact")
        items = [r.text for r in parts.recipients]
        ref = self._doc_ref(doc_id)
        lead = f"{ref} được gửi tới: " + "; ".join(items) + "."
        source = "\n".join(r.source_text or r.text for r in parts.recipients)
        return AskResult(question, True, lead, [self._part_hit(doc_id, "recipients", "\n".join(items), source)])

    def _signer_answer(self, q: Question, question: str, doc_id: str) -> AskResult | None:
        """Who signed: position and name from the signature block (the deputy who signs "KT." is
        named as the deputy, never as the head)."""
        parts = self.parts(doc_id)
        if parts is None or parts.signer is None or not (parts.signer.name or parts.signer.position):
            return None
        s = parts.signer
        ref = self._doc_ref(doc_id)
        said = authority_words(s.authority)
        who = " ".join(x for x in (s.position, f"({said})" if said else "", s.name) if x)
        lead = f"Người ký {ref[:1].lower() + ref[1:]}: {who}."
        shown = "\n".join(x for x in (s.authority, s.position, s.name, s.stamp) if x)
        doc = self.docs.get(doc_id) or {}
        # The signature block as the document has it (a scan interleaves it with "Nơi nhận").
        source = doc.get("signature") or s.source_text or shown
        text = doc.get("signature_display") or doc.get("signature") or shown
        return AskResult(question, True, lead, [self._part_hit(doc_id, "signer", text, source)])

    def _doc_ref(self, doc_id: str) -> str:
        doc = self.docs.get(doc_id) or {}
        kind = (doc.get("kind") or "Văn bản").strip()
        number = (doc.get("number") or "").strip()
        return f"{kind} {number}".strip() if number else (doc.get("title") or kind)[:120]

    def _part_hit(self, doc_id: str, part: str, text: str, source: str) -> Hit:
        doc = self.docs.get(doc_id) or {}
        return Hit(doc_id=doc_id, title=doc.get("title", ""), number=doc.get("number", ""),
                   date=doc.get("date", ""), issuer=doc.get("issuer", ""), section="", text=text[:800],
                   source_text=source, score=1.0, kind=part, part=part)

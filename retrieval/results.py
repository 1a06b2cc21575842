"""What a search returns: ranked hits and the answer built from them (the `cchc ask --json` shape)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Hit:
    """One ranked passage (or contact) with everything needed to cite it."""

    doc_id: str
    title: str
    number: str
    date: str
    issuer: str
    section: str
    text: str  # what the user sees (≤ ~800 characters): the restored text of a damaged scan
    source_text: str  # the passage exactly as stored from the document (the raw scan)
    score: float
    passage_id: int = 0
    kind: str = "passage"  # "passage" or "contact"
    restored: bool = False  # `text` was restored by machine from a damaged scan (`source_text`)
    # Which part of the document it is: "passage", or a part of the standard form read from it
    # (knowledge/parts): "header", "recipients", "signer", "cites", "tasks", "targets".
    part: str = "passage"

    def to_json(self) -> dict:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class AskResult:
    """An answer, or a decline (`found=False`) with the reason in `reason`."""

    question: str
    found: bool
    answer: str
    citations: list[Hit] = field(default_factory=list)
    # ok | empty | too_long | no_terms | not_found | constraint | no_fact | no_contact | emergency | cited_only
    reason: str = "ok"
    detail: object = None  # for "constraint": what the knowledge base lacks (retrieval.constraints.Missing)

    def to_json(self) -> dict:
        return {"question": self.question, "found": self.found, "answer": self.answer,
                "citations": [h.to_json() for h in self.citations]}

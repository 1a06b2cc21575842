"""A question answered from the procedure catalogue instead of the documents, when it is one.

One entry point for every path that answers a question (`AskService.ask`: `cchc ask`, the web
API, every chat channel): the documents answer first, then `retrieval.procedures.route` decides
whether the question is about a procedure instead; plan and law answers are never displaced by a
procedure that only shares their words.
"""

from __future__ import annotations

from typing import Any

from handlers.procedure_card import procedure_result
from retrieval.procedures import Routing, asked_field, matcher_for, route
from retrieval.results import AskResult

# Declines that carry evidence the question is about something specific the knowledge base lacks
# (a document it only cites, a contact nobody gives, an emergency): no procedure answers those.
EVIDENT_DECLINES = frozenset({"cited_only", "no_contact", "emergency"})


def routing_for(engine: Any, question: str, documents: AskResult, k: int = 3) -> Routing | None:
    """The routing decision for `question` (None when the knowledge base holds no procedure)."""
    matcher = matcher_for(engine)
    if not len(matcher):
        return None
    top = documents.citations[0] if documents.found and documents.citations else None
    text = f"{top.title} {top.text}" if top is not None else ""
    return route(matcher, question, documents.found, text, n=max(k, 3))


def answer_procedure(engine: Any, question: str, documents: AskResult, k: int = 3) -> AskResult | None:
    """The procedure answer to `question`, or None when the documents' answer (or decline) stands."""
    if documents.reason in EVIDENT_DECLINES:
        return None
    routing = routing_for(engine, question, documents, k)
    if routing is None or not routing.to_procedure:
        return None
    matcher = matcher_for(engine)
    records = [(rec, c.score) for c in routing.candidates[:k] if (rec := matcher.record(c.code)) is not None]
    if not records:
        return None
    return procedure_result(question, records, asked_field(question))

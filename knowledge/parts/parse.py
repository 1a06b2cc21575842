"""One entry point: a document's text (and its restored text) → its parts."""

from __future__ import annotations

import logging

from knowledge.parts.aligned import Aligned
from knowledge.parts.cites import find_cites
from knowledge.parts.closing import _appendix_line, find_block, read_block
from knowledge.parts.letterhead import header_end, issuer_from_body, plan_period, read_letterhead
from knowledge.parts.model import DocumentParts
from knowledge.parts.table import find_table_tasks
from knowledge.parts.targets import find_targets
from knowledge.parts.tasks import find_closing_tasks, find_tasks

log = logging.getLogger(__name__)


def parse_parts(raw_text: str, restored_text: str | None = None) -> DocumentParts:
    """The parts of one document, read from the restored text when given; every quoting part keeps
    the scan's wording in `source_text`. Pure: no I/O, nothing from other documents."""
    al = Aligned(raw_text or "", restored_text)
    end = header_end(al)
    head = read_letterhead(al, end)
    parts = DocumentParts(**head)
    if parts.issuer is None:
        parts.issuer = issuer_from_body(al, end, parts.title)
    block = find_block(al, end)
    appendix = next((i for i in range(end, len(al)) if _appendix_line(al, i)), None)
    body_end = block[0] if block else (appendix if appendix is not None else len(al))
    if block:
        parts.recipients, parts.signer = read_block(al, *block)
    tokens = [t for i in range(end, len(al)) if not (block and block[0] <= i < block[1]) for t in al.lines[i]]
    parts.cites = find_cites(tokens, parts.number)
    if parts.date and any(c.date and c.date > parts.date for c in parts.cites):
        parts.date = None  # a document cites none issued after it: the header's date was misread
    parts.tasks = find_tasks(al, end, body_end) + find_closing_tasks(al, end, body_end)
    if appendix is not None:
        parts.tasks += find_table_tasks(al, appendix)
    parts.targets = find_targets(al, end, body_end)
    parts.period_start, parts.period_end = plan_period(parts.title, parts.date)
    return parts


def parts_for_build(doc: dict, doc_id: str) -> DocumentParts:
    """The parts of a document the build read (`doc` as knowledge/build.py has it): its own parts,
    with a number and date recovered from other documents' citations when the scan lost them."""
    try:
        parts = parse_parts(doc["text"], doc.get("restored"))
    except Exception:  # a document the parser trips on keeps its passages; it has no parts
        log.exception("document parts not read for %s", doc_id)
        parts = DocumentParts()
    parts.doc_id = doc_id
    meta = doc.get("meta")
    if meta is not None and not parts.number and meta.number:
        parts.number = meta.number
        if meta.date and len(meta.date) == 10 and not parts.date:
            parts.date = f"{meta.date[6:]}-{meta.date[3:5]}-{meta.date[:2]}"
            parts.period_start, parts.period_end = plan_period(parts.title, parts.date)
    return parts

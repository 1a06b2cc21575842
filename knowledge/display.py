"""What a person reads: an OCR-damaged document's restored text, mapped onto what the build
extracted from the raw scan.

Sections, passages, metadata and contacts are still extracted from the raw text (measured: run on
the restored text, the extractors split half the seed passages differently, lost a date the
restorer dropped a digit of, and took the "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" column into an
issuer). The restoration stage (`knowledge.restore.restore`) rewrites a document token for token —
same lines, same whitespace — so every extracted fragment (a passage, a heading, a title, a
contact sentence, a quiz quote) is located among the raw tokens and read back from the restored
ones (`knowledge.token_map.TokenMap`). Titles and issuers are written from the lists of unit and body names
(`knowledge.restore.names`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.restore.names import display_issuer, display_title
from knowledge.token_map import TokenMap

_TOKEN = re.compile(r"\S+")


def display_span(raw: str, shown: str, start: int, end: int) -> str:
    """The part of `shown` (a restored passage, token for token like `raw`) that corresponds to
    `raw[start:end]`, widened to whole tokens; the raw part when the two do not align."""
    raw_tokens = list(_TOKEN.finditer(raw))
    shown_tokens = list(_TOKEN.finditer(shown))
    if raw == shown or len(raw_tokens) != len(shown_tokens):
        return raw[start:end]
    inside = [k for k, m in enumerate(raw_tokens) if m.end() > start and m.start() < end]
    if not inside:
        return raw[start:end]
    return shown[shown_tokens[inside[0]].start():shown_tokens[inside[-1]].end()]


def display_pieces(raw: str, shown: str | None, pieces: list[str]) -> list[str]:
    """The restored form of each piece of `raw` (pieces in order, e.g. its sentences): the same as
    `display_span` per piece, with both texts tokenized once (this runs for every answer)."""
    if not shown or shown == raw:
        return list(pieces)
    raw_tokens = list(_TOKEN.finditer(raw))
    shown_tokens = list(_TOKEN.finditer(shown))
    if len(raw_tokens) != len(shown_tokens):
        return list(pieces)
    starts = [m.start() for m in raw_tokens]
    out, cursor = [], 0
    for piece in pieces:
        at = raw.find(piece, cursor)
        if at < 0:
            out.append(piece)
            continue
        end = at + len(piece)
        cursor = end
        # tokens overlapping [at, end): from the first ending after `at` to the last starting before `end`
        first = bisect.bisect_right(starts, at)
        if first > 0 and raw_tokens[first - 1].end() > at:
            first -= 1
        last = bisect.bisect_left(starts, end) - 1
        if last < first:
            out.append(piece)
            continue
        out.append(shown[shown_tokens[first].start():shown_tokens[last].end()])
    return out


# -- one document --------------------------------------------------------------------------------
@dataclass
class DocumentDisplay:
    """What the build stores for people to read, beside the raw text it extracted."""

    restored: bool
    title: str
    issuer: str
    passages: list[str | None] = field(default_factory=list)  # None: same as the raw passage
    headings: list[list[str] | None] = field(default_factory=list)
    sentences: list[str | None] = field(default_factory=list)  # per contact


def document_display(text: str, restored: str | None, title: str, issuer: str,
                     passages: Sequence[tuple[str, Sequence[str]]], sentences: Sequence[str]) -> DocumentDisplay:
    """Map a document's extracted fragments (passages as (text, headings), contact sentences,
    title, issuer) onto its restored text; without one, only the issuer is put in proper case."""
    if restored is None or restored == text:
        return DocumentDisplay(False, title, display_issuer(issuer, None) if issuer else issuer,
                               [None] * len(passages), [None] * len(passages), [None] * len(sentences))
    tokens = TokenMap(text, restored)
    shown_passages: list[str | None] = []
    shown_headings: list[list[str] | None] = []
    cursor = 0
    for body, headings in passages:
        lines = []
        start = None
        for line in body.split("\n"):
            shown, end = tokens.map(line, cursor)
            if start is None:
                start = end - len(line.split())
            lines.append(shown)
            cursor = max(cursor, end)
        shown = "\n".join(lines)
        shown_passages.append(shown if shown != body else None)
        heads = [tokens.map(h, start or 0, before=True)[0] for h in headings]
        shown_headings.append(heads if heads != list(headings) else None)
    shown_sentences: list[str | None] = []
    for sentence in sentences:
        shown, _ = tokens.map(sentence, 0)
        shown_sentences.append(shown if shown != sentence else None)
    return DocumentDisplay(True, display_title(title, tokens), display_issuer(issuer, tokens) if issuer else issuer,
                           shown_passages, shown_headings, shown_sentences)


__all__ = ["DocumentDisplay", "TokenMap", "display_issuer", "display_pieces", "display_span",
           "display_title", "document_display"]

"""A plan's targets (chỉ tiêu): the sentences with a figure ("90% người dân hài lòng", "tối thiểu
30% …"), with the part of the plan they are in."""

from __future__ import annotations

import re

from knowledge.parts.aligned import Aligned, Token, raw_text, shown_text
from knowledge.parts.model import Target
from knowledge.parts.tasks import _items, _sentences
from knowledge.structure import _roman_heading

_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")


def find_targets(al: Aligned, body_start: int, body_end: int) -> list[Target]:
    targets: list[Target] = []
    section = ""
    last = ""
    for kind, mark, tokens in _items_with_sections(al, body_start, body_end):
        if kind == "section":
            section, last = mark, mark
            continue
        if not any("%" in r for r, _ in tokens) and not any("%" in s for _, s in tokens):
            continue
        for sentence in _sentences(tokens):
            text = shown_text(sentence)
            value = _PERCENT.search(text)
            if value is None:
                continue
            targets.append(Target(text.strip(), "".join(value.group(0).split()), section or None,
                                  raw_text(sentence)))
    del last
    return targets


def _items_with_sections(al: Aligned, start: int, end: int) -> list[tuple[str, str, list[Token]]]:
    out: list[tuple[str, str, list[Token]]] = []
    last = ""
    seg_start = start
    for i in range(start, end + 1):
        roman = _roman_heading(al.raw(i), last) if i < end and al.lines[i] else None
        if i == end or (roman is not None and not al.raw(i)[:1].isdigit()):
            out.extend(_items(al, seg_start, i))
            if i < end:
                last = roman or last
                out.append(("section", last, []))
                seg_start = i + 1
    return out

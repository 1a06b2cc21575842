"""Section structure and passages of an administrative plan.

Vietnamese plans share one skeleton: Roman-numeral parts (I. MỤC ĐÍCH, YÊU CẦU), numbered items
(1.), lettered items (a), b), đ)), dash items, then "Nơi nhận", signatures and an appendix table
(PHỤ LỤC / DANH MỤC). Every passage carries its section path (e.g. "III.1.a") and the headings
above it, because answers often live in the heading: "1. Phòng Văn hóa - Xã hội xã" is *who* does
the dash items below it. OCR damage is expected in the markers themselves ("I11." for III.,
"¢)" for c), a lost letter ")"), so the patterns are lenient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.text import fold

END_MATTER = "Nơi nhận"
CLOSING_SECTION = "Phần kết"  # the section label of the plan's closing paragraph ("Trên đây là Kế hoạch …")
_CLOSING = re.compile(r"tren day [l1i] ?[a23] (?:ke hoach|k[a-z0-9]{0,2} hoach)")  # "là" OCR'd 1a, ia, 12, 13
MAX_PASSAGE_CHARS = 800  # 350–800 measured; 650–800 best
HEADING_MAX_CHARS = 160

_ROMAN = re.compile(r"^\s*([IVXl1]{1,5}|[IVX][IVXl1]{0,4})\s*[.,:]\s*(\S.*)$")
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]\s*(\S.*)$")
_LETTER = re.compile(r"^\s*([a-iđ¢])\s*\)\s*(.*)$")
_LOST_LETTER = re.compile(r"^\s*\)\s+(\S.*)$")
_DASH = re.compile(r"^\s*[-–—•+*~]\s*(\S.*)$")
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[-–(\"“A-ZÀ-Ỹa-zà-ỹĐđ0-9])")
_LETTERS = "abcdđefghi"


@dataclass
class Unit:
    """One paragraph-sized piece of body text with where it sits in the document."""

    path: tuple[str, ...]
    headings: tuple[str, ...]
    text: str


@dataclass
class Passage:
    """What gets indexed and cited: ≤ ~800 characters of body text under one section path."""

    ordinal: int
    section: str  # "II.1.a"
    headings: tuple[str, ...]  # the section headings above it, outermost first
    text: str
    extra: dict = field(default_factory=dict)


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _roman_value(mark: str) -> str | None:
    mark = mark.replace("1", "I").replace("l", "I")
    if not re.fullmatch(r"X{0,3}(IX|IV|V?I{0,3})", mark) or not mark:
        return None
    return mark


_END_MATTER = re.compile(r"n[oe]i ?nh[a-z]{1,3}\b")
_APPENDIX = re.compile(r"(phu luc|danh muc)\b")
# Every line of every plan is tested for both; folding only its first 32 characters first rules
# out almost all of them (a third of the time of reading a plan went into folding whole lines).
# Exact: when that head folds to ≥ 12 characters, all but its last one start the line's fold.
_HEAD_CHARS, _HEAD_MIN = 32, 12
_END_MATTER_HEAD = re.compile(r"n[oe]i ?nh")
_APPENDIX_HEAD = re.compile(r"phu luc|danh muc")


def _starts_like(line: str, head_pattern: re.Pattern, pattern: re.Pattern) -> bool:
    head = fold(line[:_HEAD_CHARS])
    if len(head) >= _HEAD_MIN and not head_pattern.match(head):
        return False
    return bool(pattern.match(fold(line)))


def _is_end_matter(line: str) -> bool:
    return _starts_like(line, _END_MATTER_HEAD, _END_MATTER)


def _is_appendix(line: str) -> bool:
    return _starts_like(line, _APPENDIX_HEAD, _APPENDIX) and _upper_ratio(line) > 0.6


def _heading_text(text: str) -> str:
    return " ".join(text.split())[:HEADING_MAX_CHARS]


def split_units(text: str) -> tuple[list[str], list[Unit]]:
    """Split a document into header lines (before the body starts) and body units.

    A numbered or lettered item whose whole text is short and has no sentence end is a heading
    ("1. Mục đích", "1. Phòng Văn hóa - Xã hội xã"): it names the section instead of being a unit.
    That is only known when the item ends, so headings are decided at flush time.
    """
    lines = text.split("\n")
    start = _body_start(lines)
    header = [ln.strip() for ln in lines[:start] if ln.strip()]
    units: list[Unit] = []
    stack: list[list] = []  # [level, label, heading, units below] for roman=1, number=2, letter=3
    current: list[str] = []
    lead: str | None = None  # the marker-stripped text when `current` began with an item marker
    skipping = False
    last_letter = ""
    last_roman = ""
    node_text: dict[int, str] = {}

    def flush() -> None:
        nonlocal current, lead
        body = " ".join(" ".join(current).split())
        if body and not skipping:
            if lead is not None and stack and _looks_like_heading(" ".join(lead.split())):
                stack[-1][2] = _heading_text(body)
                node_text[id(stack[-1])] = body
            else:
                emit(body)
        current, lead = [], None

    emitted: list[tuple[str, str]] = []  # (label, heading) chain of the last emitted unit

    def emit(body: str) -> None:
        # Headings not yet shown by an earlier unit open this one: every line of the document
        # ends up in some passage, and a passage can be cited by its heading ("II. MỘT SỐ CHỈ TIÊU").
        chain = [(n[1], n[2]) for n in stack]
        fresh = [h for depth, (label, h) in enumerate(chain)
                 if h and (depth >= len(emitted) or emitted[depth] != (label, h))]
        emitted[:] = chain
        text = "\n".join([*fresh, body]) if fresh and not body.startswith(fresh[-1][:20]) else body
        units.append(Unit(tuple(n[1] for n in stack), tuple(n[2] for n in stack if n[2]), text))
        for node in stack:
            node[3] += 1

    def push(level: int, label: str, heading: str) -> None:
        while stack and stack[-1][0] >= level:
            node = stack[-1]
            if node[3] == 0 and node[2] and node[0] > 1 and not skipping:
                stack[-1][2] = ""  # a heading with nothing below it is content after all
                emit(node_text.get(id(node), ""))
            stack.pop()
        stack.append([level, label, heading, 0])

    prev_blank = False
    for raw in lines[start:]:
        line = raw.strip()
        if not line:
            prev_blank = True
            continue
        if _CLOSING.match(fold(line[:40])):
            # "Trên đây là Kế hoạch …": the closing paragraph is a section of its own. It was once
            # skipped whole (its formula answered "what must the units do"), and with it the
            # sentences after the formula: where reports go, by when, through which office. The
            # formula sentence is now weighed down where answers are read, not dropped here.
            flush()
            skipping = False
            stack.clear()
            push(1, CLOSING_SECTION, "")
            current = [line]
        elif _is_end_matter(line):
            # "Nơi nhận" and the signature block are no passage (measured: indexed, they pulled
            # recipients' names into answers); `end_matter` keeps them for "ai ký" questions.
            flush()
            skipping = True
        elif _is_appendix(line):
            flush()
            skipping = False
            if stack and stack[-1][1] == "Phụ lục" and stack[-1][3] == 0 and len(stack) == 1:
                # "PHỤ LỤC" over "DANH MỤC NHIỆM VỤ …": one heading, neither line lost
                stack[-1][2] = _heading_text(f"{stack[-1][2]} {line}")
                continue
            stack.clear()
            push(1, "Phụ lục", _heading_text(line))
        elif (roman := _roman_heading(line, last_roman)) is not None:
            flush()
            skipping = False
            last_roman, last_letter = roman, ""
            push(1, roman, _heading_text(line))
        elif (m := _NUMBER.match(line)) and not re.match(r"^\s*\d{1,2}\s*[.)]\s*\d", line):
            flush()
            push(2, m.group(1), "")
            current, lead, last_letter = [line], m.group(2), ""
        elif (m := _LETTER.match(line)) or (m := _LOST_LETTER.match(line)):
            flush()
            letter = ("c" if m.group(1) == "¢" else m.group(1)) if m.re is _LETTER else _next_letter(last_letter)
            last_letter = letter
            push(3, letter, "")
            current, lead = [line], m.groups()[-1]
        elif _DASH.match(line):
            flush()
            current = [line]
        elif current and line[:1].isupper() and (
                (prev_blank and current[-1].rstrip().endswith((".", ":", ";")))
                or (lead is not None and len(current) == 1 and _looks_like_heading(lead))):
            flush()  # a new paragraph, or the first line after a one-line heading
            current = [line]
        else:
            if lead is not None and current and len(current) >= 1:
                lead = lead + " " + line
            current.append(line)
        prev_blank = False
    flush()
    return header, units


_ROMAN_SEQUENCE = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _roman_heading(line: str, last: str) -> str | None:
    """The Roman label of a part heading ("II. NỘI DUNG"), OCR-tolerant ("I11.", "1. NHIỆM VỤ")."""
    m = _ROMAN.match(line) or _NUMBER.match(line)
    if not m or _upper_ratio(m.group(2)) <= 0.7 or len(re.sub(r"[^A-Za-z]", "", m.group(2))) < 4:
        return None
    expected = _ROMAN_SEQUENCE[min(_ROMAN_SEQUENCE.index(last) + 1, len(_ROMAN_SEQUENCE) - 1)] if last else "I"
    parsed = _roman_value(m.group(1)) if not m.group(1).isdigit() else None
    return parsed if parsed and parsed != last else expected


def _next_letter(last: str) -> str:
    if last in _LETTERS and _LETTERS.index(last) + 1 < len(_LETTERS):
        return _LETTERS[_LETTERS.index(last) + 1]
    return "a" if not last else last


def _looks_like_heading(rest: str) -> bool:
    """A short item text with no sentence end is a heading ("Mục đích", "Phòng Văn hóa - Xã hội")."""
    rest = rest.strip()
    return len(rest) <= 150 and not rest.endswith((".", ";", ",")) and len(rest.split()) <= 28


def _body_start(lines: list[str]) -> int:
    """Index of the first body line: the first 'Căn cứ'/'Thực hiện' preamble or Roman part."""
    for i, line in enumerate(lines[:80]):
        f = fold(line)
        if re.match(r"^(can c[a-z]{0,2}|thuc hien|th[a-z]{1,2}c hien|thyc hien)\b", f) and i > 0:
            return i
        if _roman_heading(line, "") is not None and not line.strip()[:1].isdigit():
            return i
    return 0


def split_sentences(text: str) -> list[str]:
    """Sentence-ish pieces: split after . ; : ! ? when the next piece starts a new clause."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    merged: list[str] = []
    for part in parts:  # an item marker ("3.", "a)", "II.") is not a sentence: keep it with its text
        if merged and len(merged[-1]) <= 5 and re.fullmatch(r"[\dIVXivxa-zđ]{1,4}[.)]?", merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [text.strip()]


def passage_pieces(text: str) -> list[str]:
    """The sentence-sized pieces of a passage (its lines, split into sentences): the units that
    answers are made of and that the re-ranker scores."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(s for s in split_sentences(line) if s.strip())
    return out or [text]


def build_passages(units: list[Unit], max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Group units of one section into passages of at most `max_chars`; split long units by sentence."""
    passages: list[Passage] = []
    buf: list[str] = []
    buf_key: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def emit() -> None:
        nonlocal buf
        if buf and buf_key is not None:
            passages.append(Passage(len(passages), ".".join(buf_key[0]), buf_key[1], "\n".join(buf)))
        buf = []

    for unit in units:
        key = (unit.path, unit.headings)
        pieces = _chunk(unit.text, max_chars)
        for piece in pieces:
            size = sum(len(b) + 1 for b in buf)
            if key != buf_key or size + len(piece) > max_chars:
                emit()
                buf_key = key
            buf.append(piece)
    emit()
    return passages


def _chunk(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    if "\n" in text:  # heading lines first, then the body cut by sentences
        head, _, body = text.rpartition("\n")
        pieces = _chunk(body, max_chars - len(head) - 1) if len(head) < max_chars // 3 else _chunk(body, max_chars)
        if len(head) < max_chars // 3:
            return [f"{head}\n{pieces[0]}", *pieces[1:]]
        return [*_chunk(head.replace("\n", " "), max_chars), *pieces]
    chunks: list[str] = []
    cur = ""
    for sentence in split_sentences(text):
        while len(sentence) > max_chars:  # a run-on OCR sentence: cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            if cur:
                chunks.append(cur)
                cur = ""
            chunks.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if cur and len(cur) + 1 + len(sentence) > max_chars:
            chunks.append(cur)
            cur = sentence
        else:
            cur = f"{cur} {sentence}".strip()
    if cur:
        chunks.append(cur)
    return chunks


def end_matter(text: str, max_lines: int = 14) -> str:
    """The "Nơi nhận" block with the signature beside it, as written (empty when there is none):
    from its first line to the appendix, a new part, or `max_lines` lines."""
    lines = text.split("\n")
    start = _body_start(lines)
    for i in range(start, len(lines)):
        if lines[i].strip() and _is_end_matter(lines[i].strip()):
            block = []
            for line in lines[i:i + max_lines]:
                if block and line.strip() and (_is_appendix(line.strip()) or _ROMAN.match(line.strip())):
                    break
                block.append(line.rstrip())
            return "\n".join(block).strip()
    return ""


def document_passages(text: str) -> tuple[list[str], list[Passage]]:
    """Header lines and the passages of a document (the header itself is the first passage)."""
    header, units = split_units(text)
    passages = build_passages(units)
    if header:
        # A header longer than one passage (a preamble the body start was not recognised in) is
        # cut into several, never truncated: no line of a document is lost.
        head_text = "\n".join(header)
        pieces = [head_text] if len(head_text) <= MAX_PASSAGE_CHARS else _chunk(head_text, MAX_PASSAGE_CHARS)
        passages = [Passage(0, "Phần đầu", (), piece) for piece in pieces] + passages
        for i, p in enumerate(passages):
            p.ordinal = i
    return header, passages

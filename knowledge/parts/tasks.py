"""A plan's duties, from the parts the standard form gives them:
- the "TỔ CHỨC THỰC HIỆN" part: a numbered heading names a unit ("1. Phòng Tổ chức - Hành chính")
  and the items under it are its tasks; an item that is a sentence names its own lead before
  "chủ trì" / "có trách nhiệm" / ":";
- the closing paragraph, where it sets a duty with a time ("… báo cáo hằng quý … gửi trước ngày 06
  của tháng cuối quý về Ủy ban nhân dân xã");
- the appendix table: knowledge/parts/table.py.
The deadline is kept as written ("trước ngày 15/10/2025", "Hằng quý", "Quý III/2025").
"""

from __future__ import annotations

import re

from knowledge.parts.aligned import Aligned, Token, fix_so, plain, raw_text, shown_text
from knowledge.parts.model import Task
from knowledge.structure import _looks_like_heading, _roman_heading
from knowledge.text import fold

_MARK_NUMBER = re.compile(r"^(\d{1,2})\s*[.)]$")
_MARK_LETTER = re.compile(r"^([a-iđ¢])\)$")
_DASH = "-–—•+*~"  # "~" is OCR's dash
_TCTH = re.compile(r"t[o6]ch\w{0,3}th\w{0,3}hi[e]n$")
_ROMAN_MARK = re.compile(r"^[IVXLl1]{1,5}[.,:]?$")
# Lower case on purpose: "Phòng Tổ chức - Hành chính" is a name, "… tổ chức hội nghị" a verb.
_LEAD_END = re.compile(r"\s+(?:chủ trì|Chủ trì|có trách nhiệm|phối hợp|tham mưu|thực hiện|căn cứ|tổ chức|"
                       r"triển khai|chỉ đạo|gửi|báo cáo)\b|:")
# What a unit's name starts with, when an item names its own lead ("Văn phòng UBND xã chủ trì …").
_UNIT_START = re.compile(
    r"^(?:các |cac )?(?:phòng|sở|ban|văn phòng|ubnd|ủy ban|uỷ ban|trung tâm|công an|đoàn|hội|khoa|trạm|đài|"
    r"bộ phận|tổ|đảng ủy|cơ quan|thủ trưởng|trưởng|chủ tịch|bí thư|mặt trận|liên đoàn|báo|trường|bệnh viện|"
    r"chi cục|cục|bộ|thanh tra|kho bạc|bảo hiểm|viện|đội|người đứng đầu|lãnh đạo|đơn vị|ngành|địa phương|"
    r"công chức|cán bộ|viên chức)\b", re.I)
# Verbs end the partners' names; lower case on purpose (a name's "Tổ chức" is no verb).
_SUPPORT = re.compile(r"(?:[Pp]hối hợp với|[Pp]hối hợp cùng|[Pp]hối hợp|[Cc]ùng với)\s+(.+?)"
                      r"(?=\s+(?:tuyên truyền|triển khai|"
                      r"thực hiện|tổ chức|xây dựng|hướng dẫn|kiểm tra|theo dõi|tham mưu|cử|trong|để|tiến hành|"
                      r"đôn đốc|cung cấp|đăng|rà soát|báo cáo|tập trung|chuẩn bị)\b|[.;:(]|$)")
_DEADLINE = re.compile(
    r"(?i:(?:hoan thanh\s+|cham nhat\s+|gui\s+)?truoc\s+ngay\s+\d{1,2}(?:\s*[/.]\s*\d{1,2}(?:\s*[/.]\s*\d{4})?"
    r"(?:\s*,\s*ngay\s+\d{1,2}\s*/\s*\d{1,2})*"  # "trước ngày 01/3, ngày 01/6, ngày 01/9"
    r"|\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?|\s+(?:cua\s+)?(?:thang\s+cuoi\s+(?:quy|ky)|hang\s+(?:thang|quy)))"
    r"|(?:dinh ky\s+)?hang\s+(?:quy|thang|nam|tuan)(?:\s*,\s*6\s+thang(?:\s*,|\s+va)\s+(?:mot\s+|01\s+)?nam)?"
    r"|thuong\s+xuyen(?:\s+trong\s+nam)?"
    r"|(?:trong\s+)?thang\s+\d{1,2}\s*/\s*\d{4}|truoc\s+thang\s+\d{1,2}(?:\s*/\s*\d{4})?)"
    r"|(?i:quy)\s+(?:I{1,3}|IV|[1-4])\b(?:\s*/\s*\d{4}|\s+(?i:nam)\s+\d{4})?")


_YEAR_CELL = re.compile(r"(?i:(?:trong\s+)?nam\s+\d{4}|\d{1,2}/\d{4})")  # a table's time cell: "Năm 2025"


def _plain(text: str) -> str:
    return plain(text)


def deadline_in(text: str, cell: bool = False) -> str | None:
    """The time or deadline phrases of a task as written, joined by "; "."""
    plain = _plain(text)
    found: list[str] = []
    for m in _DEADLINE.finditer(plain):
        found.append(text[m.start():m.end()])
    if cell and not found:
        found = [text[m.start():m.end()] for m in _YEAR_CELL.finditer(plain)]
    seen: list[str] = []
    for f in found:
        if fold(f) not in (fold(s) for s in seen):
            seen.append(f.strip())
    return "; ".join(seen) or None


def support_in(text: str) -> list[str]:
    m = _SUPPORT.search(text)
    if not m:
        return []
    units = [u.strip(" ,;") for u in re.split(r",\s*|\s+và\s+(?=" + _UNIT_START.pattern[1:] + ")", m.group(1),
                                                flags=re.I)]
    return [_so(u) for u in units if _UNIT_START.match(u) and len(u.split()) <= SUPPORT_MAX_WORDS][:8]


def _so(name: str) -> str:
    """"Sử Thông tin và Truyền thông" → "Sở Thông tin và Truyền thông" (aligned.fix_so)."""
    words = name.split()
    return " ".join(fix_so(words, words))


SUPPORT_MAX_WORDS = 8  # a unit's name; longer is the clause after it ("Sở Nội vụ cử cán bộ tham gia …")


def _lead_of(text: str) -> str | None:
    """"Văn phòng UBND xã chủ trì, …" → "Văn phòng UBND xã"; a heading is its own lead."""
    m = _LEAD_END.search(text)
    head = text[:m.start()] if m else text
    head = re.sub(r"^(?:Đề nghị|Giao|Yêu cầu)\s+", "", head.strip(" ,;.:"))
    return head if head and len(head.split()) <= 14 and _UNIT_START.match(head) else None


def _items(al: Aligned, start: int, end: int) -> list[tuple[str, str, list[Token]]]:
    """(kind, label, tokens) per item: 'num' / 'letter' item, 'dash' item, 'para' paragraph."""
    items: list[tuple[str, str, list[Token]]] = []
    blank = False
    for i in range(start, end):
        tokens = al.lines[i]
        if not tokens:
            blank = True
            continue
        first = tokens[0][0]
        if (m := _MARK_NUMBER.match(first)) or (m := _MARK_LETTER.match(first)):
            kind = "num" if m.re is _MARK_NUMBER else "letter"
            items.append((kind, m.group(1), list(tokens[1:])))
        elif first[:1] in _DASH:
            raw0, shown0 = tokens[0][0].lstrip(_DASH), tokens[0][1].lstrip(_DASH)
            items.append(("dash", "", ([(raw0, shown0)] if raw0 else []) + list(tokens[1:])))
        elif items and not (blank and raw_text(items[-1][2]).endswith((".", ":", ";"))) and not (
                items[-1][0] in ("num", "letter") and tokens[0][1][:1].isupper()
                and _looks_like_heading(shown_text(items[-1][2]))):  # the first line after a heading
            items[-1][2].extend(tokens)
        else:
            items.append(("para", "", list(tokens)))
        blank = False
    return items


def _appendix_line(al: Aligned, i: int) -> bool:
    from knowledge.parts.closing import _appendix_line as appendix_line

    return appendix_line(al, i)


def _next_roman(last: str) -> str:
    from knowledge.structure import _ROMAN_SEQUENCE

    return _ROMAN_SEQUENCE[_ROMAN_SEQUENCE.index(last) + 1] if last in _ROMAN_SEQUENCE[:-1] else "III"


def find_tasks(al: Aligned, body_start: int, body_end: int) -> list[Task]:
    """Tasks of the "Tổ chức thực hiện" part (found in [body_start, body_end))."""
    start = None
    label = ""
    last = ""
    for i in range(body_start, body_end):
        tokens = al.lines[i]
        roman = _roman_heading(al.raw(i), last) if tokens and not al.raw(i)[:1].isdigit() else None
        last = roman or last
        if not tokens or len(tokens) > 8:
            continue
        words = [r for r, _ in tokens]
        marked = _ROMAN_MARK.match(words[0]) or re.match(r"^[IVXLl1]{1,5}[.,]", words[0])
        if not marked:
            continue
        text = re.sub(r"[^a-z0-9]", "", fold(" ".join(words[1:] if marked else words)))
        shown = re.sub(r"[^a-z]", "", fold(" ".join(s for _, s in tokens[1:])))
        if marked and (_TCTH.search(text) or shown.endswith("tochucthuchien")):
            start = i + 1
            label = roman or _next_roman(last)
            break
    if start is None:
        return []
    end = start
    while end < body_end:
        raw = al.raw(end)
        if raw and (_roman_heading(raw, label) is not None and not raw[:1].isdigit() or _appendix_line(al, end)):
            break
        if raw[:1] in "TtNn" and fold(raw).startswith(("tren day", "noi nhan")):
            break
        end += 1
    tasks: list[Task] = []
    lead: str | None = None
    number = ""
    for kind, mark, tokens in _items(al, start, end):
        text = shown_text(tokens)
        if not text:
            continue
        if kind in ("num", "letter") and _looks_like_heading(text):
            lead = text.strip(" :")
            lead = re.sub(r"^(?:Đề nghị|Giao|Yêu cầu)\s+", "", lead)
            lead = (_lead_of(lead) or lead) if _UNIT_START.match(lead) else lead
            number = mark if kind == "num" else number
            continue
        own = _lead_of(text) if kind in ("num", "letter", "para") and not text.startswith("Căn cứ") else None
        if kind == "num":
            number = mark
        task_lead = own if own and own != text.strip(" .;") else lead
        task_lead = _so(task_lead) if task_lead else None
        tasks.append(Task(text.strip(), task_lead, support_in(text), deadline_in(text), None,
                          f"{label}.{number}" if number else label, raw_text(tokens)))
    return tasks


# -- the closing paragraph ---------------------------------------------------------------------
_CLOSING_LINE = re.compile(r"tren day [l1i] ?[a23] ")
_ASKED = re.compile(r"(?:yêu cầu|đề nghị|giao)\s+(.{3,160}?)(?=\s+(?:chỉ đạo|tổ chức|thực hiện|triển khai|báo cáo|"
                    r"gửi|nghiêm túc|chủ động|căn cứ)\b|[.:]|$)")
_RECEIVED = re.compile(r"^nh\w* d\w* (?:ke hoach|van ban) nay$")


def find_closing_tasks(al: Aligned, body_start: int, body_end: int) -> list[Task]:
    """Duties the closing paragraph sets with a time ("Thủ trưởng các phòng … báo cáo hằng quý …
    gửi trước ngày 06 của tháng cuối quý về Ủy ban nhân dân xã (qua Phòng Văn hóa - Xã hội)")."""
    start = next((i for i in range(body_start, body_end)
                  if al.raw(i)[:1] in "Tt" and _CLOSING_LINE.match(fold(al.raw(i)[:40]) + " ")), None)
    if start is None:
        return []
    tokens = [t for i in range(start, body_end) for t in al.lines[i]]
    tasks = []
    for sentence in _sentences(tokens, (".", "!", "?"))[1:]:  # the first is the formula ("Trên đây là …")
        text = shown_text(sentence)
        deadline = deadline_in(text)
        if deadline is None:
            continue
        first, _, rest = text.partition(",")
        head = rest.strip() if rest and _RECEIVED.match(fold(first)) else text  # "Nhận được kế hoạch này, …"
        asked = _ASKED.search(head)
        lead = asked.group(1).strip() if asked else _lead_of(head)
        tasks.append(Task(text.strip(), _so(lead) if lead else None, support_in(text), deadline, None,
                          "Phần kết", raw_text(sentence)))
    return tasks


def _sentences(tokens: list[Token], ends: tuple[str, ...] = (".", ";", "!", "?")) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for k, tok in enumerate(tokens):
        out[-1].append(tok)
        nxt = tokens[k + 1][0] if k + 1 < len(tokens) else ""
        if tok[0].endswith(ends) and (not nxt or nxt[:1].isupper() or nxt[:1] in _DASH):
            out.append([])
    return [s for s in out if s]

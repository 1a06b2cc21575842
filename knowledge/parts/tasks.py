"""A plan's duties and targets.

Tasks come from two places the standard form gives them:
- the "TỔ CHỨC THỰC HIỆN" part: a numbered heading names a unit ("1. Phòng Tổ chức - Hành chính")
  and the items under it are its tasks; an item that is a sentence names its own lead before
  "chủ trì" / "có trách nhiệm" / ":";
- the appendix table (PHỤ LỤC / DANH MỤC NHIỆM VỤ): STT, nhiệm vụ, chủ trì, phối hợp, thời gian,
  sản phẩm. A table whose cells are separated ("|", tabs, wide gaps, as .docx and PDF text give
  them) is read by its header; an OCR'd table, whose columns ran together, gives one task per
  numbered row with the time found in it.
Targets are the sentences with a figure ("90% người dân hài lòng", "tối thiểu 30% …").
The deadline is kept as written ("trước ngày 15/10/2025", "Hằng quý", "Quý III/2025").
"""

from __future__ import annotations

import re

from knowledge.parts.aligned import Aligned, Token, fix_so, plain, raw_text, shown_text
from knowledge.parts.model import Target, Task
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
_YEAR_CELL = re.compile(r"(?i:(?:trong\s+)?nam\s+\d{4}|\d{1,2}/\d{4})")
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{3,}")
_ROLES = (("stt", ("stt", "tt")), ("task", ("nhiem vu", "noi dung", "cong viec", "ten nhiem vu")),
          ("lead", ("chu tri",)), ("support", ("phoi hop",)),
          ("deadline", ("thoi gian", "thoi han", "tien do", "hoan thanh")), ("product", ("san pham", "ket qua")))


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


# -- the appendix table ---------------------------------------------------------------------------
def find_table_tasks(al: Aligned, start: int) -> list[Task]:
    """Rows of the first task table after line `start` (the appendix)."""
    header_at, roles = None, []
    for i in range(start, min(len(al), start + 40)):
        f = fold(al.shown(i)) + " " + fold(al.raw(i))
        if sum(w in f for w in ("nhiem vu", "noi dung", "cong viec", "chu tri", "phoi hop", "thoi gian",
                                "san pham", "stt")) >= 3:
            header_at = i
            cells = _CELL_SPLIT.split(al.raw_lines[i].strip().strip("|"))
            shown = _CELL_SPLIT.split(al.shown(i).strip().strip("|"))
            roles = [_role(c) or (_role(shown[k]) if len(shown) == len(cells) else "")
                     for k, c in enumerate(cells)] if len(cells) >= 3 else []
            if roles and "task" not in roles and "stt" in roles[:-1]:
                roles[roles.index("stt") + 1] = "task"  # the standard order: STT, then the task
            break
    if header_at is None:
        return []
    if roles and "task" in roles:
        return _cell_rows(al, header_at + 1, roles)
    return _free_rows(al, header_at + 1)


def _role(cell: str) -> str:
    f = fold(cell)
    for role, words in _ROLES:
        if any(f == w or f.startswith(w + " ") or f" {w}" in f" {f}" for w in words):
            return role
    return ""


def _split_tokens(tokens: list[Token], n: int) -> list[list[Token]] | None:
    """Tokens of one table line cut into its cells where the raw line is cut."""
    cells: list[list[Token]] = [[]]
    for raw, shown in tokens:
        if raw == "|":
            cells.append([])
            continue
        if raw.startswith("|"):
            cells.append([])
            raw, shown = raw[1:], shown[1:] if shown.startswith("|") else shown
        tail = raw.endswith("|") and len(raw) > 1
        if tail:
            raw, shown = raw[:-1], shown[:-1] if shown.endswith("|") else shown
        if raw:
            cells[-1].append((raw, shown))
        if tail:
            cells.append([])
    cells = [c for k, c in enumerate(cells) if c or 0 < k < len(cells) - 1]
    return cells if len(cells) == n else None


def _cell_rows(al: Aligned, start: int, roles: list[str]) -> list[Task]:
    rows: list[list[list[Token]]] = []
    for i in range(start, len(al)):
        line = al.raw(i)
        if not line.strip():
            continue
        if "|" in line:
            cells = _split_tokens(al.lines[i], len(roles))
        else:
            cells = _gap_cells(al, i, len(roles))
        if cells is None:
            if rows:
                break
            continue
        first = raw_text(cells[roles.index("stt")]) if "stt" in roles else "x"
        if rows and "stt" in roles and not first.strip():
            for k, cell in enumerate(cells):  # a cell that runs on to the next line
                rows[-1][k] = rows[-1][k] + cell
            continue
        rows.append(cells)
    tasks = []
    for cells in rows:
        by_role = {role: cells[k] for k, role in enumerate(roles) if role}
        task = shown_text(by_role.get("task", []))
        if not task:
            continue
        lead = shown_text(by_role.get("lead", [])) or None
        support = [s.strip() for s in re.split(r";|,\s*(?=[A-ZĐ])", shown_text(by_role.get("support", [])))
                   if s.strip()]
        deadline = shown_text(by_role.get("deadline", [])) or None
        product = shown_text(by_role.get("product", [])) or None
        source = " | ".join(raw_text(c) for c in cells)
        tasks.append(Task(task, lead, support, deadline, product, "Phụ lục", source))
    return tasks


def _gap_cells(al: Aligned, i: int, n: int) -> list[list[Token]] | None:
    """A line whose cells are separated by tabs or wide gaps, cut at the same places."""
    raw_line = al.lines[i]
    pieces = [p for p in _CELL_SPLIT.split(al.raw_lines[i].strip()) if p.strip()]
    if not pieces or len(pieces) != n:
        return None
    cells, k = [], 0
    for piece in pieces:
        count = len(piece.split())
        cells.append(raw_line[k:k + count])
        k += count
    return cells


def _free_rows(al: Aligned, start: int) -> list[Task]:
    """An OCR'd table: a row starts with its number; its time is found in it."""
    rows: list[list[Token]] = []
    for i in range(start, len(al)):
        tokens = al.lines[i]
        if not tokens:
            continue
        if re.fullmatch(r"\|?\d{1,2}[.|)]?\|?", tokens[0][0]) and len(tokens) > 2:
            rows.append(list(tokens[1:]))
        elif rows:
            rows[-1].extend(tokens)
    return [Task(shown_text(r), None, [], deadline_in(shown_text(r), cell=True), None, "Phụ lục", raw_text(r))
            for r in rows if shown_text(r)]


# -- targets --------------------------------------------------------------------------------------
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


def _sentences(tokens: list[Token], ends: tuple[str, ...] = (".", ";", "!", "?")) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for k, tok in enumerate(tokens):
        out[-1].append(tok)
        nxt = tokens[k + 1][0] if k + 1 < len(tokens) else ""
        if tok[0].endswith(ends) and (not nxt or nxt[:1].isupper() or nxt[:1] in _DASH):
            out.append([])
    return [s for s in out if s]

"""The top of the page: parent and issuing body, number and symbol, place and date, kind and
title (trích yếu), and the period a plan covers.

The letterhead's left column is the parent body over the issuing body ("UBND THÀNH PHỐ HẢI PHÒNG" /
"SỞ Y TẾ"); its right column is the national motto, which a scan or a pasted text merges onto the
same lines and which is never part of an issuer (`cut_motto`). A line that only continues a name
("ỦY BAN NHÂN DÂN" / "THÀNH PHỐ HẢI PHÒNG") is joined to it rather than read as a second body.
"""

from __future__ import annotations

import re

from knowledge.metadata import _DOC_KINDS, _NUMBER, _PLAN_TITLE, cut_motto, find_date_iso, find_number
from knowledge.parts.aligned import Aligned, match_name, proper_case, shown_text
from knowledge.structure import _body_start
from knowledge.text import fold, strip_marks

_MOTTO_LINE = re.compile(r"c[o0]ng\s*h[o0]a|d[o0]c\s*l[a-z]p|t[uư]\s*do|h[a-z]nh\s*ph[u]c")
# The motto as evidence that the first lines are a letterhead (a law's "tự do ý chí" is not).
_MOTTO_STRICT = re.compile(r"c[o0]ng\s*h[o0]a\s*x[a-z]\s*h[o0q]i|d[o0]c\s*l[a-z]p\s*t[uư]\s*do")
_DATE_LINE = re.compile(r"ng[a-z]{1,2}y\s*\{?\d|th[a-z]{1,3}ng\s*\d{1,2}\s*n[a-z]{1,3}m")
_CONTINUES = re.compile(r"^(thanh pho|tinh|huyen|quan|xa|phuong|thi xa|thi tran|khu vuc)\b")
_PLACE = re.compile(r"([A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){0,3})\s*,\s*ng[a-zà-ỹ]{1,3}y\b")


def header_end(al: Aligned) -> int:
    """Index of the first body line ("Căn cứ …", "Thực hiện …", "I. …"), or 0 when none: the
    passages' own rule, on the scan and on its restored text ("Cén cur" is "Căn cứ" only there)."""
    found = [n for n in (_body_start(al.raw_lines), _body_start([al.shown(i) for i in range(len(al))])) if n]
    return min(found) if found else 0


# Numbers the plan pattern (knowledge/metadata.py) does not take: a legal normative document's
# "107/2021/NĐ-CP", a công văn's "123/SYT-VP" (no type), a Party document's "21-KL/TW".
_LOOSE_NUMBER = re.compile(
    r"^\s*(?:s[o6ôóòốồée0]?|\$[o6]?)\s*[:.]?\s*"
    r"(\d{1,5}(?:\s*/\s*\d{4})?\s*/\s*[A-ZĐ][A-Za-zĐ]{0,5}(?:\s*-\s*[A-ZĐ][A-Za-zĐ]{0,7}){0,2}"
    r"|\d{1,5}\s*-\s*[A-ZĐ]{1,4}\s*/\s*[A-ZĐ]{1,6})", re.I)
_TYPES = {"KH", "QĐ", "QD", "TB", "BC", "CT", "NQ", "HD", "CTr", "ĐA", "DA", "NĐ", "ND", "TT", "QH", "TTr", "KL",
          "QC", "QyĐ", "PA", "BB", "HĐ", "CĐ", "GM", "GGT", "GUQ", "TTLT"}
LETTERHEAD_MAX_LINES = 15  # a document with no "Căn cứ" / "I." start: its letterhead is in its first lines
_VV = re.compile(r"^\s*v\s*/\s*v\b[.:]?\s*", re.I)


MOTTO_LINE_MAX_TOKENS = 16  # an issuer and the motto side by side; a law's sentence naming the country is longer


def _is_motto_line(al: Aligned, i: int) -> bool:
    """A letterhead's motto: the line ends with it ("… CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "… Độc lập -
    Tự do - Hạnh phúc"), unlike a sentence that names the country ("… nước Cộng hòa xã hội … là …")."""
    if len(al.lines[i]) > MOTTO_LINE_MAX_TOKENS:
        return False
    for text in (al.raw(i), al.shown(i)):
        f = fold(text)
        if _MOTTO_STRICT.search(f) and re.search(r"(?:n[a-z]m|ph[a-z]c)$", f):
            return True
    return False


def _kind_of(line: str) -> str | None:
    from knowledge.parts.cites import KINDS

    f = fold(line)
    return _DOC_KINDS.get(f) or KINDS.get(f)


def letterhead_end(al: Aligned, end: int) -> int:
    """Where the letterhead ends: the body's start, or for a document without one (a công văn, a
    notice) the "Kính gửi" line or the first long line."""
    if end:
        return end
    for i in range(min(len(al), LETTERHEAD_MAX_LINES)):
        if fold(al.raw(i)).startswith("kinh gui") or len(al.lines[i]) > 30:
            return i
    return min(len(al), LETTERHEAD_MAX_LINES)


# On a place-and-date line only: "ngày 05 thé.ng 3 nim 2025" (a word OCR broke between the numbers).
_LOOSE_DATE = re.compile(r"\bng\w{1,3}y\s*(\d{1,2})\s+[a-z]{1,6}(?:\s[a-z]{1,4})?\s*(\d{1,2})\s+[a-z]{1,5}\s*(\d{4})\b")


def _loose_date(folded: str) -> str | None:
    m = _LOOSE_DATE.search(folded)
    if not m:
        return None
    d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return f"{y}-{mo:02d}-{d:02d}" if 1 <= d <= 31 and 1 <= mo <= 12 and 1945 <= y <= 2100 else None


def _loose_number(raws: list[str]) -> str | None:
    for raw in raws[:12]:
        m = _LOOSE_NUMBER.search(strip_marks(raw))
        if m:
            number = re.sub(r"\s+", "", m.group(1))
            return re.sub(r"(?<=[/-])QD(?=[-/]|$)", "QĐ", re.sub(r"(?<=[/-])ND(?=[-/]|$)", "NĐ", number))
    return None


def read_letterhead(al: Aligned, end: int) -> dict:
    """parent, issuer, number, place, date, kind, title from the header lines [0, end)."""
    out: dict = {"parent": None, "issuer": None, "number": None, "place": None, "date": None,
                 "kind": None, "title": None}
    lines = [i for i in range(letterhead_end(al, end)) if al.lines[i]]
    raws = [al.raw(i) for i in lines]
    number = find_number(raws) or find_number([al.shown(i) for i in lines]) or _loose_number(raws)
    out["number"] = number or None
    left: list[str] = []
    kind_at = None
    past_number = False
    vv = None
    for pos, i in enumerate(lines):
        raw, shown = al.raw(i), al.shown(i)
        f = fold(raw)
        kind = _kind_of(raw) or _kind_of(shown)
        if kind:
            kind_at = pos
            out["kind"] = kind
            break
        if _VV.match(shown) and vv is None:
            vv = _VV.sub("", shown).strip()
            continue
        # a place-and-date line ("Hải Phòng, ngày 8 tháng 8 năm 2025"), not a date in a sentence
        date_here = _DATE_LINE.search(f) and ((f.startswith("ngay") and len(al.lines[i]) <= 8)
                                              or _PLACE.search(shown) or _PLACE.search(raw))
        if date_here and out["date"] is None:
            out["date"] = find_date_iso(f) or find_date_iso(fold(shown)) or _loose_date(f) or None
            m = _PLACE.search(shown) or _PLACE.search(raw)
            if m:
                out["place"] = m.group(1)
        if _NUMBER.search(strip_marks(raw)) or _LOOSE_NUMBER.search(strip_marks(raw)) or date_here:
            past_number = True
            continue
        if not past_number and len(left) < 4:
            cut = cut_motto(shown).strip(" -,.|") if cut_motto(raw) != raw or cut_motto(shown) != shown else shown
            if cut and not _MOTTO_LINE.search(fold(cut)) and len(fold(cut)) > 2:
                left.append(_name_from(al, i, cut))
    motto = any(_is_motto_line(al, i) for i in lines)
    if past_number or kind_at is not None or motto:  # a letterhead, not a note's first line
        out["parent"], out["issuer"] = _split_bodies(left)
    if kind_at is not None:
        title_lines = [al.shown(i) for i in lines[kind_at + 1:]]
        out["title"] = " ".join(" ".join(title_lines).split()) or None
    elif vv:  # "Số: 123/SYT-VP" + "V/v …": a công văn, titled by its "về việc"
        out["kind"] = "Công văn" if not out["number"] or not set(re.split(r"[/-]", out["number"])) & _TYPES \
            else None
        out["title"] = vv
    else:
        rest = [al.shown(i) for i in lines if not _DATE_LINE.search(fold(al.raw(i)))
                and not _NUMBER.search(strip_marks(al.raw(i))) and not _MOTTO_LINE.search(fold(al.raw(i)))]
        if rest and _PLAN_TITLE.search(fold(rest[0])):
            out["kind"] = "Kế hoạch"
            out["title"] = " ".join(" ".join(rest[:3]).split())
            out["parent"] = out["issuer"] = None  # the lines read were the title, not a letterhead
    return out


def _name_from(al: Aligned, i: int, cut: str) -> str:
    """The body named on letterhead line i (motto removed): a standard name when the scan spells
    one ("SOY TE" = "SỞ Y TẾ"), else the restored words."""
    n = len(cut.split())
    tokens = al.lines[i][:n]
    matched = match_name(tokens, fuzzy=al.damaged)
    if matched and matched[1] == n:
        return matched[0].upper()
    return shown_text(tokens) if tokens else cut


_LEVEL_WORDS = {"tinh", "thanh pho", "huyen", "quan", "xa", "phuong", "thi xa", "thi tran"}


def _inline_bodies(line: str) -> list[str]:
    """A .docx letterhead cell on one line, "SỞ Y TẾ TỈNH PHÚ THỌ TRUNG TÂM Y TẾ KHU VỰC THANH SƠN":
    cut before a standard body's name once the part before it has named its place (a parent
    ends with its place: "… TỈNH PHÚ THỌ"); "THÀNH PHỐ HẢI PHÒNG" is not cut at "PHÒNG"."""
    words = line.split()
    if sum(c.isupper() for c in line) < 0.6 * max(1, sum(c.isalpha() for c in line)):
        return [line]
    out, start = [], 0
    for k in range(1, len(words) - 1):
        before = fold(" ".join(words[start:k]))
        placed = any(f" {level} " in f" {before} " for level in _LEVEL_WORDS) and not any(
            before.endswith(level) for level in _LEVEL_WORDS)
        if placed:
            matched = match_name([(w, w) for w in words[k:]], fuzzy=False)
            if matched and matched[1] >= 2:
                out.append(" ".join(words[start:k]))
                start = k
    out.append(" ".join(words[start:]))
    return out


def _split_bodies(left: list[str]) -> tuple[str | None, str | None]:
    """Left-column lines → (parent, issuer): continuation lines join the line above; the last body
    is the issuer, the ones above it its parent."""
    bodies: list[str] = []
    for line in [body for entry in left for body in _inline_bodies(entry)]:
        if bodies and _CONTINUES.match(fold(line)):
            bodies[-1] = f"{bodies[-1]} {line}"
        else:
            bodies.append(line)
    if not bodies:
        return None, None
    cased = [proper_case(b) for b in bodies]
    return (" — ".join(cased[:-1]) or None), cased[-1]


_BODY_ISSUER = re.compile(
    r"((?:uy ban nhan dan|ubnd|so [a-z ]{2,30}?|trung tam [a-z ]{2,50}?|phong [a-z ]{2,40}?|ban [a-z ]{2,40}?)"
    r"(?:\s+(?:xa|phuong|huyen|tinh|thanh pho|thi xa|thi tran)(?:\s+[a-z]+){0,3})?)\s+xay dung\s+k\w{0,2}\s*hoach")


def issuer_from_body(al: Aligned, end: int, title: str | None) -> str | None:
    """A plan whose letterhead was lost names itself in its preamble: "Ủy ban nhân dân xã xây dựng
    kế hoạch …" (the place from the title: "… xã Phú Thái")."""
    start = max(end, 0)
    text = " ".join(al.shown(i) for i in range(start, min(len(al), start + 25)))
    m = None
    for body in re.split(r"[;:]|\.\s|\b[a-zđ]\)\s", text):  # one clause: a name never spans a list's items
        m = _BODY_ISSUER.search(fold(body))
        if m:
            break
    if not m:
        return None
    subject = m.group(1).strip()
    words = subject.split()
    # the same words as written in the restored text
    pieces = body.split()
    folded_pieces = [fold(p) for p in pieces]
    written = None
    for k in range(len(folded_pieces) - len(words) + 1):
        if [w for p in folded_pieces[k:k + len(words)] for w in p.split()] == words:
            written = " ".join(pieces[k:k + len(words)]).strip(",;.")
            break
    written = written or subject
    place = re.search(r"\b(xa|phuong|huyen|tinh|thanh pho|thi xa|thi tran) ([a-z]+(?: [a-z]+)?)\b", fold(title or ""))
    if place and fold(written).endswith(place.group(1)):
        title_words = (title or "").split()
        tail = _words_after_level(title_words, place.group(1))
        if tail:
            written = f"{written} {tail}"
    return written[:1].upper() + written[1:]


def _words_after_level(words: list[str], level: str) -> str:
    n = len(level.split())
    for k in range(len(words) - n):
        if fold(" ".join(words[k:k + n])) == level:
            place = []
            for w in words[k + n:k + n + 3]:
                if not w[:1].isupper():
                    break
                place.append(w.strip(",;."))
            return " ".join(place)
    return ""


# -- the period a plan covers --------------------------------------------------------------------
_HALF = re.compile(r"6 thang (cuoi|dau) nam(?: (\d{4}))?")  # no year: the document's own
_QUARTER = re.compile(r"quy (i{1,3}|iv|[1-4])\b(?: (?:nam )?(\d{4}))?")
_SPAN = re.compile(r"giai doan (\d{4}) (?:den )?(\d{4})")
_YEAR = re.compile(r"nam (\d{4})")
_QUARTER_NUM = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_END = {1: "03-31", 2: "06-30", 3: "09-30", 4: "12-31"}


def plan_period(title: str | None, date: str | None) -> tuple[str | None, str | None]:
    """From the title ("6 tháng cuối năm 2025", "quý III năm 2025", "giai đoạn 2021–2025",
    "năm 2025"), else the year of the document's date."""
    f = fold(title or "")
    own = date[:4] if date else None
    if (m := _HALF.search(f)) and (m.group(2) or own):
        y = m.group(2) or own
        return (f"{y}-07-01", f"{y}-12-31") if m.group(1) == "cuoi" else (f"{y}-01-01", f"{y}-06-30")
    if (m := _QUARTER.search(f)) and (m.group(2) or own):
        q, y = _QUARTER_NUM[m.group(1)], m.group(2) or own
        return f"{y}-{3 * q - 2:02d}-01", f"{y}-{_QUARTER_END[q]}"
    if m := _SPAN.search(f):
        return f"{m.group(1)}-01-01", f"{m.group(2)}-12-31"
    if m := _YEAR.search(f):
        return f"{m.group(1)}-01-01", f"{m.group(1)}-12-31"
    if date:
        return f"{date[:4]}-01-01", f"{date[:4]}-12-31"
    return None, None

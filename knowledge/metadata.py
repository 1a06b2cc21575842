"""Document metadata from the header of a Vietnamese administrative document.

A plan's header holds the issuer (left column), "Số: 155/KH-SYT", "Hải Phòng, ngày 8 tháng 8 năm
2025", the kind ("KẾ HOẠCH") and the title. OCR damages every part of it ("S6:155  IKH-SYT",
"thang8 ndam 2025", "$6: 24 /KH-UBND"), so matching happens on folded text with lenient patterns,
and a number that OCR destroyed can be recovered when another document cites this one
("Kế hoạch số 148/KH-SYT ngày 31/7/2025 của Sở Y tế ... về cải cách hành chính 6 tháng cuối năm 2025").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.text import fold, strip_marks

_DOC_KINDS = {
    "ke hoach": "Kế hoạch", "quyet dinh": "Quyết định", "thong bao": "Thông báo",
    "bao cao": "Báo cáo", "cong van": "Công văn", "chi thi": "Chỉ thị", "nghi quyet": "Nghị quyết",
    "huong dan": "Hướng dẫn", "chuong trinh": "Chương trình", "de an": "Đề án",
}
# "Số: 155/KH-SYT" with OCR noise: S6/$6/Sé, '/' read as I, |, l or lost, spaces anywhere.
_NUMBER = re.compile(
    r"(?:^|\s)(?:s|\$)[o6ôóòốồée0]?\s*[:.]?\s*(\d{1,5})\s*[/|Il1]?\s*"
    r"(KH|QD|QĐ|TB|BC|CV|CT|NQ|HD|CTr|ĐA|DA)\s*[-~–]\s*([A-ZĐ]{2,10}(?:-[A-ZĐ]{2,10})?)", re.I)  # "~": OCR's "-"
_NUMBER_SUFFIX = re.compile(r"/\s*(KH|QD|QĐ|TB|BC|CT|NQ|HD)\s*-\s*([A-ZĐ]{2,10})", re.I)
_DATE_WORDS = re.compile(
    r"ng[a-z]{1,2}y\s*\{?(\d{1,2})\s*(?:/|th[a-z]{1,3}ng)\s*(\d{1,2})\s*(?:/|n[a-z]{1,3}m?|ndin)\s*(\d{4})")
_DATE_NUMERIC = re.compile(r"ng[a-z]{1,2}y\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_CITED = re.compile(
    r"(?:ke hoach|quyet dinh|k[a-z]? hoach)\s+s[a-z0-9]{0,2}\s*(\d{1,5})\s+(kh|qd)\s+([a-z]{2,10})\s+"
    r"ngay\s+(\d{1,2})\s+(\d{1,2})\s+(\d{4})\s+(?=(.{0,160}))")
# What the first line of a plan's title says when the "KẾ HOẠCH" kind line above it was lost.
_PLAN_TITLE = re.compile(r"\b(ke hoach|tuyen truyen|cai cach hanh chinh)\b")
_NATIONAL_MOTTO = re.compile(r"c[o0]ng\s*h[o0]a.*?viet\s*nam|d[o0]c\s*l[a-z]p.*?h[a-z]nh\s*ph[a-z]c", re.I)


@dataclass
class DocumentMeta:
    """What a citation needs: kind and title, number, date, issuer; plus what could not be read."""

    title: str = ""
    kind: str = ""
    number: str = ""
    date: str = ""  # dd/mm/yyyy, or yyyy when only the year is known
    issuer: str = ""
    signer: str = ""  # "Phó Giám đốc (ký thay Giám đốc)": who signed, from the signature block
    warnings: list[str] = field(default_factory=list)


def extract_metadata(header: list[str], body: str, filename: str = "") -> DocumentMeta:
    """Read the header lines (and the first part of the body) of one document."""
    meta = DocumentMeta()
    head_text = "\n".join(header)
    folded_lines = [fold(line) for line in header]
    meta.number = _find_number(header)
    meta.date = _find_date("\n".join(folded_lines)) or _find_date(fold(body[:1500]))
    meta.kind, meta.title = _find_title(header, body)
    meta.issuer = _find_issuer(header, body, meta.title)
    meta.signer = find_signer(body)
    if not meta.date:
        years = re.findall(r"\b(20\d\d|19\d\d)\b", fold(meta.title) + " " + fold(head_text))
        if years:
            meta.date = years[-1]
            meta.warnings.append("chỉ đọc được năm ban hành")
        else:
            meta.warnings.append("không đọc được ngày ban hành")
    if not meta.number:
        meta.warnings.append("không đọc được số hiệu văn bản")
    if not meta.title:
        meta.title = filename
        meta.warnings.append("không đọc được tên văn bản")
    return meta


def _find_number(header: list[str]) -> str:
    for line in header[:12]:
        plain = strip_marks(line)
        m = _NUMBER.search(plain)
        if m:
            kind = m.group(2).upper().replace("QĐ", "QĐ").replace("QD", "QĐ")
            return f"{int(m.group(1))}/{kind}-{m.group(3).upper()}"
    return ""


def find_number(lines: list[str]) -> str:
    """"155/KH-SYT" from the first header lines that carry "Số: …" (OCR-tolerant), or ""."""
    return _find_number(lines)


def find_date_iso(folded: str) -> str:
    """The first valid "ngày 8 tháng 8 năm 2025" / "ngày 08/8/2025" of folded text as YYYY-MM-DD, or ""."""
    found = _find_date(folded)
    return f"{found[6:]}-{found[3:5]}-{found[:2]}" if found else ""


def number_suffix(header: list[str]) -> str:
    """The '/KH-SYT' part when the digits are unreadable (used to match citations elsewhere)."""
    for line in header[:12]:
        m = _NUMBER_SUFFIX.search(strip_marks(line))
        if m:
            return f"{m.group(1).upper()}-{m.group(2).upper()}"
    return ""


def _valid_date(d: int, m: int, y: int) -> bool:
    return 1 <= d <= 31 and 1 <= m <= 12 and 1945 <= y <= 2100


def _find_date(folded: str) -> str:
    for pattern in (_DATE_WORDS, _DATE_NUMERIC):
        for m in pattern.finditer(folded):
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if _valid_date(d, mo, y):
                return f"{d:02d}/{mo:02d}/{y}"
    return ""


def _find_title(header: list[str], body: str) -> tuple[str, str]:
    """The kind line ("KẾ HOẠCH") and the title lines after it; without a kind line, the first lines
    when they read like a plan's title, else the document's own first line (a note is not a plan)."""
    for i, line in enumerate(header):
        f = fold(line)
        kind = _DOC_KINDS.get(f)
        if kind:
            title_lines = []
            for nxt in header[i + 1:i + 5]:
                if re.match(r"^(can c|thuc hien|th[a-z]c hien)", fold(nxt)):
                    break
                title_lines.append(nxt.strip())
            title = " ".join(" ".join(title_lines).split())
            return kind, f"{kind} {title}".strip()
    lines = [ln.strip() for ln in header if ln.strip() and not _NATIONAL_MOTTO.search(fold(ln))]
    if not lines:
        return "", ""
    # No kind line: an OCR'd plan whose "KẾ HOẠCH" was lost still starts with its subject
    # ("Tuyên truyền cải cách hành chính ..."). Only the first line decides, so that a note titled
    # "Ghi chú họp" whose next line merely mentions a plan keeps its own title and gets no kind.
    if _PLAN_TITLE.search(fold(lines[0])):
        title = " ".join(" ".join(lines[:3]).split())[:200]
        return "Kế hoạch", title if fold(title).startswith("ke hoach") else f"Kế hoạch {title}"
    return "", " ".join(lines[0].split())[:200]


# Where the right column's national motto starts on a letterhead line, on the line with its marks
# removed letter for letter (so the index holds for the line itself): "Sở Y tế tỉnh Phú Thọ Cộng Hòa
# xã Hội…" (typed, mixed case), "SOY TE Péc lap - Tw do" and "CONG HOA XA HQI" (OCR).
_MOTTO_START = re.compile(r"\b(?:c[o0]ng\s*h[o0]a\b|[pdb][oe6]c\s*l[a-z]p\b|poc\s*l)", re.I)


def cut_motto(line: str) -> str:
    """The letterhead line without the national motto and whatever follows it on the line: the
    motto ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc") is never part of an
    issuer, however the two columns were merged."""
    plain = strip_marks(line)
    if len(plain) != len(line):  # letter for letter, so that the index holds for the line itself
        plain = "".join((strip_marks(ch) or ch)[:1] for ch in line)
    m = _MOTTO_START.search(plain)
    return line[:m.start()] if m else line


def _find_issuer(header: list[str], body: str, title: str) -> str:
    """The header's left column (the motto on the right removed); else the plan's own subject."""
    left: list[str] = []
    has_kind_line = any(_DOC_KINDS.get(fold(line)) for line in header)
    for line in header[:4] if has_kind_line else []:
        f = fold(line)
        if _DOC_KINDS.get(f) or _NUMBER.search(strip_marks(line)) or _NUMBER_SUFFIX.search(strip_marks(line)):
            break
        cut = _NATIONAL_MOTTO.sub("", cut_motto(line)).strip(" -,.|")  # "|": a .docx table cell
        if cut and len(fold(cut)) > 2:
            left.append(cut)
    if left:
        return " — ".join(left)
    m = re.search(r"((?:uy ban nhan dan|ubnd|so [a-z ]{2,30}|trung tam [a-z ]{2,40})\s+(?:xa|phuong|huyen|"
                  r"tinh|thanh pho)?)\s*(?:xay dung|ban hanh)\s+k", fold(body[:1500]))
    if m:
        subject = m.group(1).strip()
        place = re.search(r"\b(xa|phuong|huyen|tinh|thanh pho) ([a-z]+(?: [a-z]+)?)\b", fold(title))
        if place and subject.endswith(place.group(1)):
            subject = f"{subject} {place.group(2)}"
        return subject.capitalize()
    return ""


Citation = tuple[str, ...]  # the groups of one `_CITED` match: number, kind, agency, d, m, y, tail


def citations_in(text: str) -> list[Citation]:
    """The plans `text` cites by number, date and title: read once per document of a build, however
    many of the others lost their number (each once re-folded every document: seconds at 2,600)."""
    return [m.groups() for m in _CITED.finditer(fold(text))]


def resolve_from_citations(number_suffix_value: str, meta: DocumentMeta,
                           other_citations: list[list[Citation]]) -> bool:
    """Fill a damaged number/date from another document that cites this one by number and title
    (`other_citations`: `citations_in` of each other document).

    Another plan citing "Kế hoạch số 148/KH-SYT ngày 31/7/2025 của Sở Y tế ... về <title>" with the
    same number suffix and a title that matches ours is trusted over OCR garbage in our header.
    """
    if meta.number or not number_suffix_value:
        return False
    kind, _, agency = number_suffix_value.lower().partition("-")
    title_words = set(fold(meta.title).split()) - {"ke", "hoach"}
    best: tuple[float, str, str] | None = None
    for cited in other_citations:
        for number, cited_kind, cited_agency, day, month, year, tail in cited:
            if cited_kind != kind.replace("đ", "d") or cited_agency != agency:
                continue
            tail = tail.split(" ve ", 1)[1] if " ve " in tail else tail
            tail_words = set(tail.split()[: len(title_words) + 4])
            overlap = len(title_words & tail_words) / max(len(title_words), 1)
            if overlap >= 0.6 and (best is None or overlap > best[0]):
                d, mo, y = int(day), int(month), int(year)
                date = f"{d:02d}/{mo:02d}/{y}" if _valid_date(d, mo, y) else ""
                best = (overlap, f"{int(number)}/{number_suffix_value}", date)
    if best is None:
        return False
    meta.number = best[1]
    if best[2]:
        meta.date = best[2]
    meta.warnings = [w for w in meta.warnings if "số hiệu" not in w]
    meta.warnings.append("số hiệu và ngày lấy từ văn bản khác dẫn chiếu tới văn bản này")
    return True


# -- the signature block ---------------------------------------------------------------------------
# Official titles that sign Vietnamese administrative documents (folded), longest first, and how
# they are written. A Vietnamese document signs as "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" (a deputy signing
# for the head), "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" (for the body) or just the title.
_TITLES = {
    "pho chu tich": "Phó Chủ tịch", "chu tich": "Chủ tịch", "pho giam doc": "Phó Giám đốc",
    "giam doc": "Giám đốc", "pho truong ban": "Phó Trưởng ban", "truong ban": "Trưởng ban",
    "pho truong phong": "Phó Trưởng phòng", "truong phong": "Trưởng phòng", "pho bi thu": "Phó Bí thư",
    "bi thu": "Bí thư", "chanh van phong": "Chánh Văn phòng", "pho chanh van phong": "Phó Chánh Văn phòng",
    "thu truong": "Thủ trưởng", "hieu truong": "Hiệu trưởng", "vien truong": "Viện trưởng",
    "cuc truong": "Cục trưởng", "vu truong": "Vụ trưởng", "tong giam doc": "Tổng Giám đốc",
}
_ON_BEHALF = {"kt": "ký thay", "tm": "thay mặt", "tl": "thừa lệnh", "tuq": "thừa ủy quyền"}
# OCR reads Đ as P, B or D and ô as o/6: "GIAM POC", "CHU TICH", "PHO GIAM DOC".
_OCR_DOC = re.compile(r"\b[pbd][o6]c\b")
_MARKER = re.compile(r"\b(KT|TM|TL|TUQ)\s*[.,]\s*(\S.{2,60})$")


def _title_fold(line: str) -> str:
    return _OCR_DOC.sub("doc", fold(line).replace(" 6 ", " o "))


def find_signer(body: str) -> str:
    """Who signed the document, from its signature block: "Phó Giám đốc (ký thay Giám đốc)".

    The block is found by its "KT." / "TM." / "TL." line (an appendix may follow it); the title
    under it is the signer's. Names are left out: OCR garbles them beyond what a reader trusts."""
    lines = [line for line in body.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if _MARKER.search(line)]
    if not starts:
        return ""
    start = starts[0] if len(starts) == 1 else next(
        (i for i in starts if any(_MARKER.search(x) for x in lines[i + 1:i + 3])), starts[-1])
    marker_title, signer_title, marker = "", "", ""
    for line in lines[start:start + 8]:
        m = _MARKER.search(line)
        if m and not marker:
            title = _title_in(_title_fold(m.group(2)))
            marker = m.group(1).lower()
            marker_title = title or _body_name(line)
            continue
        if m and marker == "tm" and not signer_title:  # "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"
            title = _title_in(_title_fold(m.group(2)))
            if title:
                signer_title = f"Cấp phó ký thay {title}" if m.group(1) == "KT" else title
                continue
        if not signer_title:
            title = _title_in(_title_fold(line)[-24:])
            if title and title != marker_title:
                signer_title = title
    if not marker_title and not signer_title:
        return ""
    owner = marker_title if marker_title in _TITLES.values() else marker_title[:1].lower() + marker_title[1:]
    behalf = f"{_ON_BEHALF[marker]} {owner}" if marker else ""
    if signer_title:
        return f"{signer_title} ({behalf})" if behalf else signer_title
    if marker == "kt":
        return f"Cấp phó {behalf} (KT. {marker_title})"
    return marker_title


def _title_in(folded_tail: str) -> str:
    words = folded_tail.split()
    for n in (4, 3, 2):
        for i in range(len(words) - n + 1):
            title = _TITLES.get(" ".join(words[i:i + n]))
            if title:
                return title
    return ""


def _body_name(line: str) -> str:
    """"TM. ỦY BAN NHÂN DÂN" → "Ủy ban nhân dân" (for "thay mặt Ủy ban nhân dân")."""
    tail = re.split(r"\b(?:KT|TM|TL|TUQ)\s*[.,]\s*", line, flags=re.I)[-1].strip()
    folded = fold(tail)
    if folded.startswith("uy ban nhan dan"):
        return "Ủy ban nhân dân"
    return tail.title()[:60]

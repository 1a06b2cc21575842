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
    r"(?:^|\s)(?:s|\$)[o6ôóòốồé0]?\s*[:.]?\s*(\d{1,5})\s*[/|Il1]?\s*"
    r"(KH|QD|QĐ|TB|BC|CV|CT|NQ|HD|CTr|ĐA|DA)\s*-\s*([A-ZĐ]{2,10}(?:-[A-ZĐ]{2,10})?)", re.I)
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


def _find_issuer(header: list[str], body: str, title: str) -> str:
    """The header's left column (the motto on the right removed); else the plan's own subject."""
    left: list[str] = []
    has_kind_line = any(_DOC_KINDS.get(fold(line)) for line in header)
    for line in header[:4] if has_kind_line else []:
        f = fold(line)
        if _DOC_KINDS.get(f) or _NUMBER.search(strip_marks(line)) or _NUMBER_SUFFIX.search(strip_marks(line)):
            break
        cut = re.split(r"\b(C[OÔ0]NG\s*H[OÒ0]A|CONG HOA|Đ[OỘ]C L[AẬ]P|[PĐD][oóôé]c\s*l[aâậi]p|Poc\s*l)", line,
                       maxsplit=1, flags=re.I)[0]
        cut = _NATIONAL_MOTTO.sub("", cut).strip(" -,.")
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


def resolve_from_citations(number_suffix_value: str, meta: DocumentMeta, other_texts: list[str]) -> bool:
    """Fill a damaged number/date from another document that cites this one by number and title.

    Another plan citing "Kế hoạch số 148/KH-SYT ngày 31/7/2025 của Sở Y tế ... về <title>" with the
    same number suffix and a title that matches ours is trusted over OCR garbage in our header.
    """
    if meta.number or not number_suffix_value:
        return False
    kind, _, agency = number_suffix_value.lower().partition("-")
    title_words = set(fold(meta.title).split()) - {"ke", "hoach"}
    best: tuple[float, str, str] | None = None
    for text in other_texts:
        for m in _CITED.finditer(fold(text)):
            if m.group(2) != kind.replace("đ", "d") or m.group(3) != agency:
                continue
            tail = m.group(7)
            tail = tail.split(" ve ", 1)[1] if " ve " in tail else tail
            tail_words = set(tail.split()[: len(title_words) + 4])
            overlap = len(title_words & tail_words) / max(len(title_words), 1)
            if overlap >= 0.6 and (best is None or overlap > best[0]):
                d, mo, y = int(m.group(4)), int(m.group(5)), int(m.group(6))
                date = f"{d:02d}/{mo:02d}/{y}" if _valid_date(d, mo, y) else ""
                best = (overlap, f"{int(m.group(1))}/{number_suffix_value}", date)
    if best is None:
        return False
    meta.number = best[1]
    if best[2]:
        meta.date = best[2]
    meta.warnings = [w for w in meta.warnings if "số hiệu" not in w]
    meta.warnings.append("số hiệu và ngày lấy từ văn bản khác dẫn chiếu tới văn bản này")
    return True

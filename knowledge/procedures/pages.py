"""A procedure's detail page (Word, PDF, HTML or text, as offices download it from their portal)
→ a record with the catalogue's field names.

The portal prints every procedure under the same headings ("Trình tự thực hiện", "Cách thức thực
hiện", "Thành phần hồ sơ", "Thời hạn giải quyết", …), as lines or as two-column table rows ("Thời
hạn giải quyết | 05 ngày làm việc", which the Word reader gives as "cell | cell"). A heading starts a
field; everything up to the next heading is its value. The heading may be numbered ("3.") or
bold-marked, and may carry its value on the same line after ":" or "|".
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from knowledge.text import strip_marks

# Folded heading → field. Longer headings first, so "co quan co tham quyen" is not read as "co quan".
HEADINGS: list[tuple[str, str]] = sorted([
    ("ma thu tuc", "ma_thu_tuc"), ("ma so", "ma_thu_tuc"), ("ten thu tuc", "ten_thu_tuc"),
    ("so quyet dinh", "so_quyet_dinh"), ("quyet dinh cong bo", "so_quyet_dinh"),
    ("cap thuc hien", "cap_thuc_hien"), ("loai thu tuc", "loai_thu_tuc"), ("linh vuc", "linh_vuc"),
    ("trinh tu thuc hien", "trinh_tu_thuc_hien"), ("cach thuc thuc hien", "cach_thuc_thuc_hien"),
    ("thanh phan ho so", "thanh_phan_ho_so"), ("thanh phan, so luong ho so", "thanh_phan_ho_so"),
    ("thanh phan ho so, so luong ho so", "thanh_phan_ho_so"),
    ("so luong ho so", "so_luong_ho_so"), ("so bo ho so", "so_luong_ho_so"),
    ("thoi han giai quyet", "thoi_han_giai_quyet"), ("doi tuong thuc hien", "doi_tuong_thuc_hien"),
    ("co quan thuc hien", "co_quan_thuc_hien"), ("co quan giai quyet", "co_quan_thuc_hien"),
    ("co quan co tham quyen", "co_quan_thuc_hien"), ("dia chi tiep nhan ho so", "co_quan_thuc_hien"),
    ("ket qua thuc hien", "ket_qua"), ("ket qua thuc hien thu tuc hanh chinh", "ket_qua"), ("ket qua", "ket_qua"),
    ("phi, le phi", "phi_le_phi"), ("phi le phi", "phi_le_phi"), ("le phi", "phi_le_phi"),
    ("ten mau don, mau to khai", "mau_don_to_khai"), ("mau don, to khai", "mau_don_to_khai"),
    ("mau don to khai", "mau_don_to_khai"),
    ("yeu cau, dieu kien thuc hien", "yeu_cau_dieu_kien"), ("yeu cau dieu kien thuc hien", "yeu_cau_dieu_kien"),
    ("yeu cau, dieu kien", "yeu_cau_dieu_kien"), ("dieu kien thuc hien", "yeu_cau_dieu_kien"),
    ("can cu phap ly", "can_cu_phap_ly"), ("can cu phap ly cua thu tuc hanh chinh", "can_cu_phap_ly"),
], key=lambda h: -len(h[0]))
_LEAD = re.compile(r"^\s*(?:[-*•#]+\s*)?(?:[0-9IVX]{1,4}[.)]\s*)?(?:\*\*|__)?")


_PATTERNS = [(re.compile(r"\s*,?\s*".join(r"\s+".join(w.split()) for w in head.split(",")) + r"\b"), field)
             for head, field in HEADINGS]


def _heading(line: str) -> tuple[str, str] | None:
    """(field, rest of the line) when `line` starts with a heading, else None. A line that merely
    begins with the words ("Kết quả là …") is not a heading: a heading ends the line or is followed
    by ":" or "|"."""
    lead = _LEAD.match(line)
    body = line[lead.end():] if lead else line
    plain = strip_marks(body).lower()  # one character per character of NFC text: same offsets
    for pattern, field in _PATTERNS:
        match = pattern.match(plain)
        if not match:
            continue
        rest = body[match.end():]
        tail = re.match(r"\s*(?:\*\*|__)?\s*(?:\([^)]{0,40}\))?\s*([:|])?", rest)
        value = rest[tail.end():].strip().strip("*_").strip() if tail else rest.strip()
        if value and not (tail and tail.group(1)):
            return None
        return field, value
    return None


def parse_page(text: str) -> dict[str, str]:
    """The fields a detail page's text holds, under the catalogue's names (values as written)."""
    from knowledge.text import nfc

    text = nfc(text)
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            if current:
                fields[current].append("")
            continue
        found = _heading(line)
        if found:
            current, rest = found
            fields.setdefault(current, [])
            if rest:
                fields[current].append(rest)
            continue
        if current:
            fields[current].append(line)
    out = {}
    for field, lines in fields.items():
        value = "\n".join(lines).strip()
        value = re.sub(r"\n{2,}", "\n", value)
        if value:
            out[field] = value
    return out


class _TextOf(HTMLParser):
    """The visible text of an HTML page: block elements and table cells become line breaks and
    " | " separators, scripts and styles are dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "dt", "dd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    lines = []
    for line in "".join(parser.parts).split("\n"):
        line = " ".join(html.unescape(line).split()).strip(" |")
        line = re.sub(r"^\|\s*", "", line)
        lines.append(line)
    return "\n".join(lines)

"""Documents a text cites, as it cites them: kind, number and symbol, date, issuer, subject.

"Căn cứ Quyết định số 3041/QĐ-UBND ngày 26/7/2025 của UBND thành phố ban hành Kế hoạch …",
"Kết luận số 01-KL/TW, ngày 18/5/2021 của Bộ Chính trị về …", "Nghị quyết số 76/NQ-CP ngày 15 tháng
7 năm 2021 của Chính phủ …". Read on the restored text with its marks removed letter for letter
(so positions hold), case kept (symbols are upper case: "CPngày" ends the symbol at "CP").
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

from knowledge.parts.aligned import Token, plain
from knowledge.parts.model import Cite

KINDS = {
    "thong tu lien tich": "Thông tư liên tịch", "ke hoach": "Kế hoạch", "quyet dinh": "Quyết định",
    "nghi quyet": "Nghị quyết", "nghi dinh": "Nghị định", "chi thi": "Chỉ thị", "thong tu": "Thông tư",
    "ket luan": "Kết luận", "quy dinh": "Quy định", "cong van": "Công văn", "thong bao": "Thông báo",
    "huong dan": "Hướng dẫn", "chuong trinh": "Chương trình", "luat": "Luật", "de an": "Đề án",
    "cong dien": "Công điện", "bao cao": "Báo cáo", "van ban": "Văn bản",
}
_KIND_ALT = "|".join(sorted((k.replace(" ", r"\s+") for k in KINDS), key=len, reverse=True))
# Numbers: "3041/QĐ-UBND", "107/2021/NĐ-CP", "23/CT-TTg", "12/KH- SYT", Party "21-KL/TW", "101-QĐ/TW".
_SYMBOL_ISSUER = r"[A-Z]+(?:[a-z](?![a-z]))?(?:\s?-\s?[A-Z]+)?"
_NUMBER = (r"(?:\d{1,5}[a-z¢]?(?:\s*/\s*\d{4})?\s*/\s*[A-Z][A-Za-z]{0,3}(?:\s*-\s*" + _SYMBOL_ISSUER + r")?"
           r"|\d{1,5}\s*-\s*[A-Z]{1,4}\s*/\s*[A-Z]{1,6})")
_CITE = re.compile(
    r"(?i:\b(?P<kind>" + _KIND_ALT + r")\s+(?:so\s*[:.]?\s*)?)(?P<number>" + _NUMBER + r")"
    r"(?:\s*,?\s*(?i:ngay)\s+(?P<d>\d{1,2})\s*(?:[/.\-Il|]|\s+(?i:thang)\s+)(?P<m>\d{1,2})\s*"
    r"(?:[/.\-Il|]|\s+(?i:nam)\s+)(?P<y>\d{4}))?"  # OCR reads "/" as I, l or |
    r"(?:\s*,?\s*(?i:cua)\s+(?P<issuer>[^;,.()“\"]{2,80}?)(?=\s+(?i:ve|ban\s+hanh|quy\s+dinh|huong\s+dan|v/v)\s|\s*[;,.(“\"]"
    r"|\s+(?:" + "|".join((k[0].upper() + k[1:]).replace(" ", r"\s+") for k in KINDS) + r")\b|\s*$))?")
_VERB = re.compile(r"\s*(?i:(ve viec|ve|ban hanh|quy dinh|v/v))\s+")
_SUBJECT_END = re.compile(
    r"\s*;|\.\s|\.$|\./\.|,\s*(?i:ngay)\s|[,\s]+(?i:va\s+)?(?=(?i:" + _KIND_ALT + r")\s+(?i:so)\b)"
    r"|,\s+(?=[^,;]{0,60}?(?i:xay\s+dung|trien\s+khai)\s)")  # "…, Sở Y tế xây dựng kế hoạch": the preamble's end
_STARTS_CITE = re.compile(r"\s*(?i:(?:" + _KIND_ALT + r")\s+so)\b")
SUBJECT_MAX_CHARS = 200
_SELF = re.compile(r"(?i:kem\s+theo)\s*$")


def _plain(text: str) -> str:
    return plain(text)


def _normalize_number(number: str) -> str:
    number = re.sub(r"\s+", "", number).replace("¢", "c")
    parts = re.split(r"([/-])", number)
    # Đ read as D, P or b: "QD", "QP", "Qb", "QDP" = QĐ; "NP" = NĐ
    fixed = {"QD": "QĐ", "QP": "QĐ", "Qb": "QĐ", "QDP": "QĐ", "QDb": "QĐ", "ND": "NĐ", "NP": "NĐ", "Nb": "NĐ",
             "QyD": "QyĐ", "DA": "ĐA"}
    parts = [fixed.get(p, p) for p in parts]
    parts = ["QĐ" if re.fullmatch(r"Q[PDbĐ][Il]?", p) else "NĐ" if re.fullmatch(r"N[PDbĐ][Il]", p) else p
             for p in parts]  # "QPI" = QĐ
    return "".join(parts)


# Where a number and symbol may start ("3041/", "21-KL", "107/2021"): the full pattern is tried only
# in a window before each (it cost 9 ms a plan run over the whole text; windows: under 1 ms).
_NUMBER_HINT = re.compile(r"\d[a-z¢]?\s*[/-]\s*[A-Z]")  # dates ("26/7/2025") are no hint
KIND_WINDOW_CHARS = 40  # "Thông tư liên tịch số " and OCR spaces fit


def _matches(plain: str) -> list[re.Match]:
    out: list[re.Match] = []
    done = 0
    for hint in _NUMBER_HINT.finditer(plain):
        if hint.start() < done:
            continue
        start = max(done, hint.start() - KIND_WINDOW_CHARS)
        while start < hint.start():
            m = _CITE.search(plain, start, hint.end() + 400)
            if m is None or m.start() > hint.start():
                break
            if m.end("number") >= hint.end() - 1:
                out.append(m)
                done = m.end()
                break
            start = m.start() + 1
    return out


def _word(raw: str, shown: str) -> str:
    """The restored word, except "về" that the restorer read as "và" ("Bộ Chính trị vé tiếp tục"):
    a citation's issuer ends at its "về"."""
    if shown.lower() == "và" and raw.lower() in ("vé", "vè", "vê", "vẻ", "vể"):
        return "về"
    return shown


def find_cites(tokens: list[Token], own_number: str | None = None) -> list[Cite]:
    """Every cited document, once (the first citation, completed by later ones), in text order."""
    words = [s for _, s in tokens]
    for k in [k for k, w in enumerate(words) if w == "và" or w == "Và"]:
        words[k] = _word(tokens[k][0], words[k])
    shown = " ".join(words)
    starts = list(accumulate((len(w) + 1 for w in words[:-1]), initial=0))
    plain = _plain(shown)
    found: dict[tuple[str, str, str], Cite] = {}
    order: list[tuple[str, str, str]] = []
    for m in _matches(plain):
        if _SELF.search(plain[max(0, m.start() - 20):m.start()]):
            continue  # "(Kèm theo Kế hoạch số …)": the document's own appendix
        number = _normalize_number(m.group("number"))
        if own_number and number == own_number:
            continue
        kind = KINDS.get(" ".join(m.group("kind").lower().split()))
        date = None
        if m.group("y"):
            d, mo, y = int(m.group("d")), int(m.group("m")), int(m.group("y"))
            if 1 <= d <= 31 and 1 <= mo <= 12 and 1945 <= y <= 2100:
                date = f"{y}-{mo:02d}-{d:02d}"
        issuer = shown[m.start("issuer"):m.end("issuer")].strip() if m.group("issuer") else None
        end = m.end()
        subject = None
        rest = plain[end:end + SUBJECT_MAX_CHARS + 40]
        verb = _VERB.match(rest)
        if verb or (rest.strip()[:1].isupper() or rest.strip()[:1] in "“\""):
            begin = verb.end() if verb and verb.group(1).lower() in ("ve", "ve viec", "v/v") else (
                verb.start(1) if verb else len(rest) - len(rest.lstrip()))
            stop = _SUBJECT_END.search(rest, begin) if not _STARTS_CITE.match(rest, begin) else None
            stop = stop or (re.compile("").match(rest, begin) if _STARTS_CITE.match(rest, begin) else None)
            cut = stop.start() if stop else min(len(rest), SUBJECT_MAX_CHARS)
            cut = min(cut, SUBJECT_MAX_CHARS)
            subject = shown[end + begin:end + cut].strip(" ,;“”\"") or None
            if subject:
                end = end + cut
        first = bisect.bisect_right(starts, m.start()) - 1
        last = bisect.bisect_left(starts, end)
        source = " ".join(r for r, _ in tokens[first:last])
        key = (kind or "", number, date or "")
        same = [k for k in found if k[:2] == key[:2]]  # the same number twice: one document, unless
        if key not in found and same:  # two dates tell two ("76/NQ-CP" of 2013 and of 2021)
            undated = [k for k in same if not found[k].date]
            key = same[0] if date is None else (undated[0] if undated else key)
        if key in found:
            old = found[key]
            old.date, old.issuer, old.subject = old.date or date, old.issuer or issuer, old.subject or subject
            continue
        found[key] = Cite(kind, number, date, issuer, subject, source)
        order.append(key)
    return [found[k] for k in order]

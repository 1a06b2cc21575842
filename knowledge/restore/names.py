"""Names in titles and issuers, written from lists: units ("xã", "thành phố") and state bodies
("Sở Y tế", "Phòng Văn hóa - Xã hội"), matched on their letters so OCR's lost marks and spaces do not
matter ("SOY TE" is Sở Y tế); the words between them (a place, a field) as the restorer wrote them
throughout the document when it agrees with itself, else as scanned.

`tokens` is a `knowledge.token_map.TokenMap` (duck-typed: `consensus`, `locate`, `shown_part`).
"""

from __future__ import annotations

import re
from typing import Any

from knowledge.text import fold

_LETTERS = re.compile(r"[^a-z]+")

# -- names: titles and issuers in proper case ----------------------------------------------------
# Administrative units before a place name, and the agencies plans are issued by, folded → written.
_UNITS = {
    "xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "huyen": "huyện", "quan": "quận",
    "thi xa": "thị xã", "tinh": "tỉnh", "thanh pho": "thành phố", "khu vuc": "khu vực",
}
_AGENCIES = {
    "uy ban nhan dan": "Ủy ban nhân dân", "ubnd": "Ủy ban nhân dân", "hoi dong nhan dan": "Hội đồng nhân dân",
    "so y te": "Sở Y tế", "so tu phap": "Sở Tư pháp", "so noi vu": "Sở Nội vụ", "so tai chinh": "Sở Tài chính",
    "so xay dung": "Sở Xây dựng", "so cong thuong": "Sở Công Thương", "so ngoai vu": "Sở Ngoại vụ",
    "so giao duc va dao tao": "Sở Giáo dục và Đào tạo", "so khoa hoc va cong nghe": "Sở Khoa học và Công nghệ",
    "so thong tin va truyen thong": "Sở Thông tin và Truyền thông",
    "so van hoa the thao va du lich": "Sở Văn hóa, Thể thao và Du lịch",
    "so tai nguyen va moi truong": "Sở Tài nguyên và Môi trường",
    "so nong nghiep va moi truong": "Sở Nông nghiệp và Môi trường",
    "so nong nghiep va phat trien nong thon": "Sở Nông nghiệp và Phát triển nông thôn",
    "so ke hoach va dau tu": "Sở Kế hoạch và Đầu tư", "so giao thong van tai": "Sở Giao thông vận tải",
    "so lao dong thuong binh va xa hoi": "Sở Lao động - Thương binh và Xã hội",
    "so dan toc va ton giao": "Sở Dân tộc và Tôn giáo",
    "trung tam y te": "Trung tâm Y tế", "trung tam phuc vu hanh chinh cong": "Trung tâm Phục vụ hành chính công",
    "van phong": "Văn phòng", "thanh doan": "Thành đoàn", "cong an": "Công an", "benh vien": "Bệnh viện",
    "phong noi vu": "Phòng Nội vụ", "phong van hoa xa hoi": "Phòng Văn hóa - Xã hội",
    "phong tu phap": "Phòng Tư pháp", "phong kinh te": "Phòng Kinh tế",
    "phong to chuc hanh chinh": "Phòng Tổ chức - Hành chính",
}
# Matched on letters only, so OCR's lost and extra spaces do not matter ("SOY TE" is Sở Y tế).
_LEXICON = {k.replace(" ", ""): v for k, v in {**_UNITS, **_AGENCIES}.items()}
_UNIT_WORDS = set(_UNITS.values())
_AGENCY_HEADS = ("Sở ", "Phòng ", "Trung tâm ", "Văn phòng ", "Thành đoàn", "Công an", "Bệnh viện", "Ban ",
                 "Chi cục ", "Cục ")
_MAX_LEXICON_TOKENS = 8


def _letters(token: str) -> str:
    return _LETTERS.sub("", fold(token))


def _segments(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """Tokens split into ("lexicon", [written form]) and ("other", [tokens]) runs, longest match first."""
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + _MAX_LEXICON_TOKENS), i, -1):
            key = "".join(_letters(t) for t in tokens[i:j])
            if key and key in _LEXICON and _letters(tokens[j - 1]):
                out.append(("lexicon", [_LEXICON[key]]))
                i = j
                break
        else:
            if out and out[-1][0] == "other":
                out[-1][1].append(tokens[i])
            else:
                out.append(("other", [tokens[i]]))
            i += 1
    return out


def _title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.7 * len(letters)


def _name(run: list[str], tokens: Any, after_unit: bool) -> str:
    """A run of words that is not administrative vocabulary: a place or a field name. Written as
    the restorer wrote it throughout the document when it agrees with itself, else as scanned;
    title case after a unit word ("xã Phú Thái"), sentence case for an all-capitals run."""
    raw = " ".join(run)
    agreed = tokens.consensus(raw) if tokens is not None else None
    text = agreed if agreed is not None else raw
    if after_unit:
        return _title_case(text)
    if _is_upper(raw):
        return text.lower()
    return text


def _part(raw: str, tokens: Any) -> str:
    words: list[str] = []
    after_unit = False
    for kind, run in _segments(raw.split()):
        if kind == "lexicon":
            words.append(run[0])
            after_unit = run[0] in _UNIT_WORDS
        else:
            words.append(_name(run, tokens, after_unit))
            after_unit = False
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def _starts_with_unit(text: str) -> bool:
    return any(f"{text.lower()} ".startswith(f"{unit} ") for unit in _UNIT_WORDS)


def display_issuer(issuer: str, tokens: Any) -> str:
    """The issuer as people write it: "Ủy ban nhân dân xã Phú Thái", "Sở Y tế thành phố Hải Phòng".

    The raw issuer is a letterhead's left column (lines joined by " — ", e.g. "UBND THANH PHO HAI
    PHONG — SOY TE") or a phrase of the plan's first paragraph. An agency under a people's
    committee is named with the committee's place ("Sở Y tế thành phố Hải Phòng")."""
    parts = [_part(p, tokens) for p in issuer.split(" — ") if p.strip()]
    parts = [p for p in parts if p]
    if not parts:
        return issuer
    committee = "Ủy ban nhân dân"
    if len(parts) >= 2 and parts[0].startswith(committee) and parts[-1].startswith(_AGENCY_HEADS):
        place = parts[0][len(committee):].strip()
        return f"{parts[-1]} {place}".strip()
    if len(parts) >= 2 and parts[0] == committee:
        return " ".join([parts[0], *(p[:1].lower() + p[1:] if _starts_with_unit(p) else p for p in parts[1:])])
    return " — ".join(parts)


def display_title(title: str, tokens: Any) -> str:
    """The title read back from the restored header; words that name a place (capitalized in the
    scan, after a unit word) are written as in `_name`, the unit word itself as in the lexicon."""
    if tokens is None:
        return title
    raw_words = title.split()
    shown_words = raw_words
    for skip in range(min(3, len(raw_words))):  # "Kế hoạch" is the build's, not the scan's
        start = tokens.locate(raw_words[skip:], 0)
        if start is not None:
            rest = [tokens.shown_part(start + k, w) for k, w in enumerate(raw_words[skip:])]
            shown_words = raw_words[:skip] + rest
            break
    out: list[str] = []
    i = 0
    while i < len(raw_words):
        word = raw_words[i]
        unit = _LEXICON.get(_letters(word))
        nxt = raw_words[i + 1] if i + 1 < len(raw_words) else ""
        if unit in _UNIT_WORDS and unit != "thành phố" and nxt[:1].isupper():
            j = i + 1
            while j < len(raw_words) and raw_words[j][:1].isupper() and not any(c.isdigit() for c in raw_words[j]):
                j += 1
            out.append(unit)
            out.append(_name(raw_words[i + 1:j], tokens, True))
            i = j
            continue
        out.append(shown_words[i])
        i += 1
    return " ".join(out)

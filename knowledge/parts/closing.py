"""The end of the page: "Nơi nhận" (bottom left) and the signature block (bottom right).

The two columns sit side by side; a scan (and a text pasted from a PDF) reads them line by line
across: "Nơi nhận: KT. CHỦ TỊCH" / "- Sở Nội vụ; PHÓ CHỦ TỊCH". Each line is cut where the right
column starts (an authority word KT. / TM. / TL. / TUQ. / Q., an official title, a person's name),
so the left half is a recipient and the right half belongs to the signature.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from knowledge.metadata import _OCR_DOC, _TITLES
from knowledge.parts.aligned import (
    Aligned,
    Token,
    fix_so,
    keep_abbreviation,
    match_name,
    proper_case,
    raw_text,
    squeeze,
)
from knowledge.parts.model import Recipient, Signer
from knowledge.structure import _is_appendix, _is_end_matter, _roman_heading
from knowledge.text import fold

BLOCK_MAX_LINES = 30  # "Nơi nhận" lists run to ~12 lines; a stamp and a name add a few
_AUTHORITY = {"KT": "KT.", "TM": "TM.", "TL": "TL.", "TUQ": "TUQ.", "Q": "Q."}
_SURNAMES = {fold(s): s for s in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Đinh Mai Trịnh Đào Lương "
    "Cao Lâm Tạ Phùng Chu Đoàn Vương Trương Lưu Thái Tô Quách Kiều Triệu Hứa Lã Lò Lục Nông Mạc Khổng Tăng "
    "Thân Ninh Giang Hàn Hồng Âu Doãn Khúc Tống Bạch Nghiêm Đàm Văn Tôn Thạch Lại Lưu Quan Châu").split()}
_STAMP_TIME = re.compile(r"(\d{1,2}[./]\d{1,2}[./]\d{4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*[+-]\d{2}:?\d{2})?)")
_KY = re.compile(r"[Kk][ýyíỳỷ]")  # "Ký bởi", "Thời gian ký": lines worth folding
_LABEL = re.compile(r"^n[oe]i ?nh[a-z]{1,3}$")


def _title_of(words: list[str], fuzzy: bool = False) -> str | None:
    """The official title the words spell exactly ("PHO GIAM POC" → "Phó Giám đốc"), or with
    `fuzzy` nearly ("GIAM PQC"), else None."""
    key = _OCR_DOC.sub("doc", fold(" ".join(words)).replace(" 6 ", " o "))
    if key in _TITLES or not fuzzy:
        return _TITLES.get(key)
    squeezed = key.replace(" ", "")
    best = max(((SequenceMatcher(None, squeezed, k.replace(" ", "")).ratio(), v) for k, v in _TITLES.items()),
               default=(0.0, None))
    return best[1] if best[0] >= TITLE_MIN_RATIO else None


TITLE_MIN_RATIO = 0.7  # "giampqc" is 0.71 from "giamdoc"; only tried on ≤ 3 words after KT./TM. (a title's
# place; a body there, "ỦY BAN NHÂN DÂN", has 4+), the nearest title winning


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _is_name(tokens: list[Token]) -> bool:
    words = [s.strip(",.;") for _, s in tokens]
    if not 2 <= len(words) <= 5 or fold(words[0]) not in _SURNAMES:
        return False
    return all(w[:1].isupper() and w.isalpha() and not w.isupper() for w in words) and _title_of(words) is None


def _right_start(tokens: list[Token]) -> int | None:
    """Where the signature column starts on a line (None: the line is all left column)."""
    for j, (raw, _shown) in enumerate(tokens):
        core = raw.rstrip(".,")
        if core in _AUTHORITY and raw != core and (j + 1 < len(tokens)):
            return j
        if raw[:1].isupper() and len(tokens) - j <= 5:
            rest = [s for _, s in tokens[j:] if _letters(s) >= 2]
            rest_raw = [r for r, _ in tokens[j:] if _letters(r) >= 2]
            if rest and _upper(" ".join(rest_raw)) and (_title_of(rest) or _title_of(rest_raw)):
                return j  # the standard form writes the signer's title in capitals
        if j > 0 and tokens[j - 1][0].endswith((";", ".", ",")) and _is_name(tokens[j:]):
            return j
    return None


def _appendix_line(al: Aligned, i: int) -> bool:
    """A "PHỤ LỤC" / "DANH MỤC" line (the first letter checked first: this runs on every line)."""
    raw = al.raw(i)
    return raw[:1] in "PDĐ" and raw[1:2].isupper() and (_is_appendix(raw) or _is_appendix(al.shown(i)))


def find_block(al: Aligned, body_start: int) -> tuple[int, int] | None:
    """(first, end) lines of the "Nơi nhận" + signature block; without a "Nơi nhận", the block
    from the first authority line (KT. / TM. …) near the end."""
    start = None
    for i in range(body_start, len(al)):
        raw = al.raw(i)
        if raw[:1] in "Nn" and (_is_end_matter(raw) or _is_end_matter(al.shown(i))):
            start = i
            break
    if start is None:
        for i in range(len(al) - 1, max(body_start, len(al) - 60) - 1, -1):
            toks = al.lines[i]
            if toks and toks[0][0].rstrip(".,") in _AUTHORITY and toks[0][0][-1] in ".,":
                start = i
    if start is None:
        return None
    end = start + 1
    while end < min(len(al), start + BLOCK_MAX_LINES):
        raw = al.raw(end)
        if raw and (_appendix_line(al, end) or _roman_heading(raw, "") is not None):
            break
        end += 1
    return start, end


def read_block(al: Aligned, start: int, end: int) -> tuple[list[Recipient], Signer | None]:
    left_lines: list[list[Token]] = []
    right_lines: list[list[Token]] = []
    right_at: list[int] = []  # the lines the signature is on
    for i in range(start, end):
        tokens = list(al.lines[i])
        if i == start:  # the "Nơi nhận:" label
            for k in range(min(3, len(tokens)), 0, -1):
                if _LABEL.match(fold(" ".join(r for r, _ in tokens[:k]))) or _LABEL.match(
                        fold(" ".join(s for _, s in tokens[:k]))):
                    tokens = tokens[k:]
                    break
        if not tokens:
            continue
        bar = next((k for k, (r, _) in enumerate(tokens) if r == "|"), None)
        if bar is not None:  # a .docx table row: "Nơi nhận: - A; - B. | KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Lê Văn C"
            left_lines.extend(_dash_items(tokens[:bar]))
            segments = _signature_segments(tokens[bar + 1:])
            right_lines.extend(segments)
            right_at.extend([i] * bool(segments))
            continue
        j = _right_start(tokens)
        if j is None and _is_name(tokens):
            j = 0
        left_lines.append(tokens[:j] if j is not None else tokens)
        if j is not None:
            right_lines.extend(_signature_segments(tokens[j:]))
            right_at.append(i)
    recipients = _recipients(left_lines, al.damaged)
    block_raw = "\n".join(al.raw(i) for i in range(start, end))
    block_shown = "\n".join(al.shown(i) for i in range(start, end))
    signer = _signer(right_lines, block_raw, block_shown)
    if signer is not None:  # cited as the scan has it: whole lines, both columns ("- TTTU, TTHDND TP; KT, CHU TICH")
        stamp_at = [i for i in range(start, end) if _KY.search(al.raw(i)) and i not in right_at]
        stamp_at += [i + 1 for i in stamp_at if i + 1 < end and re.match(r"\d{1,2}:\d{2}", al.raw(i + 1))]
        signer.source_text = "\n".join(al.raw_lines[i].strip() for i in sorted({*right_at, *stamp_at}))
    return recipients, signer


def _dash_items(tokens: list[Token]) -> list[list[Token]]:
    """A list written on one line ("- Sở Y tế (b/c); - Ban Giám đốc; - Lưu: VT.") as one line an item."""
    lines: list[list[Token]] = [[]]
    for k, tok in enumerate(tokens):
        if tok[0][:1] in "-–+•" and k > 0 and tokens[k - 1][0].endswith((";", ".", ":", ",")) and lines[-1]:
            lines.append([])
        lines[-1].append(tok)
    return [line for line in lines if line]


def _title_at(tokens: list[Token], k: int) -> int:
    """How many tokens from k spell an official title in capitals (0: none)."""
    for n in (4, 3, 2, 1):
        words = [s for _, s in tokens[k:k + n]]
        raws = [r for r, _ in tokens[k:k + n]]
        if len(words) == n and _upper(" ".join(raws)) and (_title_of(words) or _title_of(raws)):
            return n
    return 0


def _signature_segments(tokens: list[Token]) -> list[list[Token]]:
    """One line of the signature column cut where a new piece starts: an authority word, a title,
    a name ("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Lê Thị Minh Phương" → three lines, as the form writes them)."""
    segments: list[list[Token]] = []
    k = 0
    while k < len(tokens):
        raw = tokens[k][0]
        if raw.rstrip(".,") in _AUTHORITY and raw[-1:] in ".," and k + 1 < len(tokens):
            n = _title_at(tokens, k + 1)
            if not n:  # "TM. ỦY BAN NHÂN DÂN …": the body, to the next authority word or title
                n = 1
                while (k + 1 + n < len(tokens) and tokens[k + 1 + n][0].rstrip(".,") not in _AUTHORITY
                       and not _title_at(tokens, k + 1 + n) and not _is_name(tokens[k + 1 + n:])):
                    n += 1
            segments.append(tokens[k:k + 1 + n])
            k += 1 + n
        elif n := _title_at(tokens, k):
            segments.append(tokens[k:k + n])
            k += n
        elif _is_name(tokens[k:]):
            segments.append(tokens[k:])
            break
        else:
            if not segments:
                segments.append([])
            segments[-1].append(tokens[k])
            k += 1
    return [seg for seg in segments if seg]


# -- recipients -----------------------------------------------------------------------------------
def _recipients(lines: list[list[Token]], damaged: bool) -> list[Recipient]:
    items: list[list[Token]] = []
    for tokens in lines:
        if not tokens:
            continue
        first = tokens[0][0]
        if first[:1] in "-–+•":
            raw0, shown0 = tokens[0]
            raw0, shown0 = raw0.lstrip("-–+• "), shown0.lstrip("-–+• ")
            tokens = ([(raw0, shown0)] if raw0 else []) + tokens[1:]
            items.append(tokens)
        elif (items and items[-1] and not items[-1][-1][0].endswith((";", "."))
              and _letters(raw_text(tokens)) >= 0.6 * len(raw_text(tokens).replace(" ", ""))):
            items[-1] = items[-1] + tokens
        elif not items and _letters(raw_text(tokens)) >= 3 and raw_text(tokens).endswith((";", ".")):
            items.append(tokens)  # "Như trên;" written without its dash
    out: list[Recipient] = []
    for item in items:
        for piece in _split_semicolons(item):
            if _letters(raw_text(piece)) < 3:
                continue
            text = _render(piece, damaged)
            if text:
                out.append(Recipient(text, raw_text(piece).strip(" ;,.")))
    return out


def _split_semicolons(item: list[Token]) -> list[list[Token]]:
    pieces: list[list[Token]] = [[]]
    for tok in item:
        pieces[-1].append(tok)
        if tok[0].endswith(";"):
            pieces.append([])
    return [p for p in pieces if p]


def _render(tokens: list[Token], damaged: bool) -> str:
    """A recipient as people read it; the repairs below are for scans only (a typed "Phong Thổ" stays)."""
    words = [keep_abbreviation(r, s) for r, s in tokens]
    if damaged and words and re.fullmatch(r"c[eid]c", squeeze(tokens[0][0])):  # "Céc khoa" read as "Cục khoa"
        words[0] = "Các" + words[0][len(words[0].rstrip(",;.:")):]
    if damaged and words and words[0] in ("Phong", "phong"):  # left unmarked by the restorer: "Phòng"
        words[0] = "Phòng"
    if damaged:
        words = fix_so(words, [r for r, _ in tokens])
    matched = match_name(tokens, fuzzy=damaged)
    if matched:
        name, n = matched
        tail = words[n - 1][len(words[n - 1].rstrip(",;.:")):] if n else ""
        words = [name + tail, *words[n:]]
    text = " ".join(words).strip(" ;,")
    text = text.rstrip(".") if not text.endswith("..") else text
    return text[:1].upper() + text[1:]


# -- signature ------------------------------------------------------------------------------------
def _signer(lines: list[list[Token]], block_raw: str, block_shown: str) -> Signer | None:
    authority: list[str] = []
    position: str | None = None
    name: str | None = None
    last_title: str | None = None
    for tokens in lines:
        raw0 = tokens[0][0].rstrip(".,")
        if raw0 in _AUTHORITY and len(tokens) > 1:
            rest_shown = re.sub(r"[:\-]", " ", " ".join(s for _, s in tokens[1:])).split()
            rest_raw = re.sub(r"[:\-]", " ", " ".join(r for r, _ in tokens[1:])).split()
            title = _title_of(rest_shown) or _title_of(rest_raw) or _title_of(rest_raw, fuzzy=len(rest_raw) <= 3)
            if title is None:
                body = match_name([(w, w) for w in rest_raw], fuzzy=False) or match_name(
                    [(w, w) for w in rest_shown], fuzzy=False)
                title = body[0] if body else proper_case(" ".join(rest_shown))
            authority.append(f"{_AUTHORITY[raw0]} {title}")
            last_title = title
            continue
        words = [s for _, s in tokens if _letters(s) >= 2]
        title = _title_of(words) or _title_of([r for r, _ in tokens if _letters(r) >= 2])
        if title and position is None and _upper(raw_text(tokens)):
            position = title
        elif _is_name(tokens) and name is None:
            first = fold(tokens[0][1])
            name = " ".join([_SURNAMES[first], *(s.strip(",.;") for _, s in tokens[1:])])
    stamp = _stamp(block_raw, block_shown)
    inferred = False
    if position is None and authority and authority[-1].startswith("KT.") and last_title in _TITLES.values():
        position = last_title if last_title.startswith("Phó") else f"Phó {last_title}"
        inferred = True
    if not (authority or position or name or stamp):
        return None
    source = "\n".join(raw_text(t) for t in lines)
    return Signer(" / ".join(authority) or None, position, name, stamp, inferred, source)


def _stamp(block_raw: str, block_shown: str) -> str | None:
    """A digital signature's "Thời gian ký: 19.01.2018 15:30:33 +07:00" (and "Ký bởi: …")."""
    parts = []
    for text in (block_shown, block_raw):
        folded_lines = text.split("\n")
        for k, line in enumerate(folded_lines):
            if not _KY.search(line):
                continue
            f = fold(line)
            if f.startswith("ky boi") and not any(p.startswith("Ký bởi") for p in parts):
                parts.append("Ký bởi: " + line.split(":", 1)[-1].strip())
            if "thoi gian ky" in f and not any(p.startswith("Thời gian ký") for p in parts):
                joined = " ".join(x.strip() for x in folded_lines[k:k + 2])
                m = _STAMP_TIME.search(joined)
                if m:
                    parts.append(f"Thời gian ký: {' '.join(m.group(1).split())}")
    return "; ".join(parts) or None

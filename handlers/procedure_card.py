"""The procedure card: what a citizen needs to get a procedure done, from one catalogue record.

First the field the question asked (documents, fees, time, where/how, …), then the rest in the
order people act on it: documents to file (numbered, with copies and forms), processing time, fees,
where and how to file, steps, conditions, result, legal basis; then the procedure's name, code,
level and field, the record's source (the decision that published it and the national portal's
page) and the follow-up hint. A field the record leaves empty is said to be missing, never guessed.

Each section is one paragraph and each document one line, so a channel that splits a long card at
line breaks (handlers/render_text.py split_text, bot/telegram_render.py) never cuts an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.procedures.records import portal_url
from retrieval.results import AskResult, Hit

# Catalogue field → (heading on the card, the words for "the database does not record …").
LABELS: dict[str, tuple[str, str]] = {
    "thanh_phan_ho_so": ("Hồ sơ cần nộp", "thành phần hồ sơ"),
    "thoi_han_giai_quyet": ("Thời hạn giải quyết", "thời hạn giải quyết"),
    "phi_le_phi": ("Phí, lệ phí", "phí, lệ phí"),
    "co_quan_thuc_hien": ("Nơi nộp / cơ quan thực hiện", "cơ quan thực hiện"),
    "cach_thuc_thuc_hien": ("Cách thức nộp", "cách thức thực hiện"),
    "trinh_tu_thuc_hien": ("Trình tự thực hiện", "trình tự thực hiện"),
    "yeu_cau_dieu_kien": ("Yêu cầu, điều kiện", "yêu cầu, điều kiện"),
    "ket_qua": ("Kết quả", "kết quả thực hiện"),
    "can_cu_phap_ly": ("Căn cứ pháp lý", "căn cứ pháp lý"),
    "doi_tuong_thuc_hien": ("Đối tượng thực hiện", "đối tượng thực hiện"),
    "mau_don_to_khai": ("Mẫu đơn, tờ khai", "mẫu đơn, tờ khai"),
}
CARD_ORDER = ("thanh_phan_ho_so", "thoi_han_giai_quyet", "phi_le_phi", "co_quan_thuc_hien", "cach_thuc_thuc_hien",
              "trinh_tu_thuc_hien", "yeu_cau_dieu_kien", "ket_qua", "can_cu_phap_ly")
FOLLOW_UP_HINT = "Hỏi tiếp: hồ sơ? lệ phí? thời hạn? nộp ở đâu?"
SECTION_CHARS = 1500  # one section's text on the card; the portal page has the rest
DOCUMENTS_CHARS = 8000  # the documents list is what people come for: all of it (the longest shipped ≈ 7,000)
SHORT_ANSWER_CHARS = 560  # `cchc ask` answers stay under the evaluation's 600-character limit
QUOTE_CHARS = 800  # a citation's quoted field (as a passage citation's text)


def missing_text(field_name: str) -> str:
    return f"Cơ sở dữ liệu không ghi {LABELS[field_name][1]} của thủ tục này."


def _documents(rec: dict[str, Any]) -> str:
    """The documents to file, numbered, each with its copies and form on its one line."""
    items = rec.get("thanh_phan_ho_so_items") or []
    lines: list[str] = []
    if items:
        group = None
        for it in items:
            if it.get("nhom") and it["nhom"] != group:
                group = it["nhom"]
                lines.append(f"{group}:")
            line = f"{len([x for x in lines if x[:1].isdigit()]) + 1}. {' '.join(it['ten_giay_to'].split())}"
            if it.get("so_luong"):
                line += f" ({it['so_luong']})"
            if it.get("mau_don"):
                line += f" — mẫu: {it['mau_don']}"
            lines.append(line)
        return "\n".join(lines)
    text = rec.get("thanh_phan_ho_so") or ""
    n = 0
    for raw in text.split("\n"):
        raw = raw.strip()
        if not raw:
            continue
        if raw.startswith("- "):
            n += 1
            raw = f"{n}. {raw[2:]}"
        lines.append(raw.replace("[mẫu: ", "— mẫu: ").replace("]", "") if "[mẫu: " in raw else raw)
    return "\n".join(lines)


_SPACES = re.compile(r"[ \t]+")
SHORTEN_SLACK = 400  # characters kept past the limit before tidying, so the cut still finds a line end


def _shorten(text: str, limit: int) -> str:
    """Cut at a line (else a sentence, else a word) boundary, saying that the rest is on the portal."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = max(text.rfind(". ", 0, limit) + 1, text.rfind(" ", 0, limit))
    return text[:max(cut, 1)].rstrip() + "\n… (xem đủ trên Cổng Dịch vụ công)"


def field_text(rec: dict[str, Any], field_name: str, limit: int = SECTION_CHARS) -> str:
    """The value of one field as shown (documents numbered), or "" when the record leaves it empty."""
    if field_name == "thanh_phan_ho_so":
        value = _documents(rec)
    elif field_name == "co_quan_thuc_hien":
        value = " | ".join(p.strip() for p in (rec.get(field_name) or "").split("|") if p.strip())
    elif field_name == "can_cu_phap_ly":
        value = "\n".join(f"- {p.strip()}" for p in (rec.get(field_name) or "").split(" | ") if p.strip())
    elif field_name == "thoi_han_giai_quyet":  # "Trực tuyến: 1": the catalogue lost the unit; say so
        value = re.sub(r"(?m)(:\s*\d+(?:[.,]\d+)?)\s*$", r"\1 (cơ sở dữ liệu không ghi đơn vị)",
                       rec.get(field_name) or "")
    else:
        value = rec.get(field_name) or ""
    value = _SPACES.sub(" ", value[:limit + SHORTEN_SLACK]).strip()  # no need to tidy what is cut
    return _shorten(value, limit) if value else ""


def _section(rec: dict[str, Any], field_name: str) -> str:
    value = field_text(rec, field_name, DOCUMENTS_CHARS if field_name == "thanh_phan_ho_so" else SECTION_CHARS)
    heading = LABELS[field_name][0]
    return f"{heading}:\n{value}" if value else f"{heading}: {missing_text(field_name)}"


def identity_lines(rec: dict[str, Any]) -> list[str]:
    level = rec.get("cap_thuc_hien") or "không ghi"
    lines = [f"Thủ tục: {rec['ten_thu_tuc']}",
             f"Mã: {rec['ma_thu_tuc']} · Cấp thực hiện: {level} · Lĩnh vực: {rec.get('linh_vuc') or 'không ghi'}"]
    source = rec.get("so_quyet_dinh") or "cơ sở dữ liệu không ghi quyết định công bố"
    lines.append(f"Nguồn: {source}; {portal_url(rec)}")
    return lines


def card_text(rec: dict[str, Any], asked: str = "", note: str = "") -> str:
    """The whole card as plain text (channels escape and split it)."""
    first = asked if asked in LABELS else "thanh_phan_ho_so"
    order = [first] + [f for f in CARD_ORDER if f != first]
    if first == "cach_thuc_thuc_hien":  # "nộp online được không?": how, then where
        order.remove("co_quan_thuc_hien")
        order.insert(1, "co_quan_thuc_hien")
    parts = [note] if note else []
    parts += [_section(rec, f) for f in order]
    parts.append("\n".join(identity_lines(rec)))
    parts.append(FOLLOW_UP_HINT)
    return "\n\n".join(p for p in parts if p)


def short_answer(rec: dict[str, Any], asked: str = "") -> str:
    """The one-paragraph answer of `cchc ask` and the web API: the asked field of the procedure."""
    first = asked if asked in LABELS else "thanh_phan_ho_so"
    head = f"{rec['ten_thu_tuc']} (mã {rec['ma_thu_tuc']}, {rec.get('cap_thuc_hien') or 'cấp không ghi'})"
    value = field_text(rec, first, SHORT_ANSWER_CHARS - len(head) - 40) or missing_text(first)
    return f"{head} — {LABELS[first][0]}:\n{value}"


@dataclass(frozen=True)
class ProcedureHit(Hit):
    """A procedure cited like a passage (doc_id = the code, title = the name, number = the decision,
    section = the field quoted), with the procedure's own keys in `cchc ask --json`."""

    procedure_code: str = ""
    procedure_name: str = ""
    field: str = ""  # the catalogue field quoted in `text` ("thanh_phan_ho_so", …)
    level: str = ""
    linh_vuc: str = ""
    url: str = ""
    def to_json(self) -> dict:
        data = super().to_json()
        data["part"] = "procedure"
        return data


def procedure_hit(rec: dict[str, Any], asked: str, score: float) -> ProcedureHit:
    first = asked if asked in LABELS else "thanh_phan_ho_so"
    quote = field_text(rec, first, QUOTE_CHARS) or missing_text(first)
    return ProcedureHit(doc_id=rec["ma_thu_tuc"], title=rec["ten_thu_tuc"], number=rec.get("so_quyet_dinh", ""),
                        date="", issuer=(rec.get("co_quan_thuc_hien") or "").split("|")[0].strip(),
                        section=LABELS[first][0], text=quote, source_text=rec.get(first) or "", score=score,
                        kind="procedure", procedure_code=rec["ma_thu_tuc"], procedure_name=rec["ten_thu_tuc"],
                        field=first, level=rec.get("cap_thuc_hien", ""), linh_vuc=rec.get("linh_vuc", ""),
                        url=portal_url(rec))


def procedure_result(question: str, records: list[tuple[dict[str, Any], float]], asked: str) -> AskResult:
    """An answer from the best procedure, citing it and the other candidates (best first)."""
    best = records[0][0]
    return AskResult(question, True, short_answer(best, asked),
                     [procedure_hit(rec, asked, score) for rec, score in records], reason="procedure")

"""A document's parts as a card with Vietnamese labels: what `cchc kb show ID` prints and the
dashboard's documents page shows (one wording for both)."""

from __future__ import annotations

from knowledge.parts.model import DocumentParts

LABELS = {
    "parent": "Cơ quan chủ quản", "issuer": "Cơ quan ban hành", "number": "Số, ký hiệu", "place": "Địa danh",
    "date": "Ngày ban hành", "kind": "Loại văn bản", "title": "Trích yếu", "period": "Thời kỳ kế hoạch",
    "recipients": "Nơi nhận", "signer": "Người ký", "cites": "Văn bản được dẫn", "tasks": "Nhiệm vụ",
    "targets": "Chỉ tiêu",
}
MISSING = "(không có)"
TASK_CHARS = 160  # a task's text in the card; the JSON has it whole


def vn_date(iso: str | None) -> str:
    """"2025-08-08" → "08/08/2025"."""
    if not iso or len(iso) != 10:
        return iso or MISSING
    return f"{iso[8:]}/{iso[5:7]}/{iso[:4]}"


def signer_line(parts: DocumentParts) -> str:
    s = parts.signer
    if s is None:
        return MISSING
    pieces = [p for p in (s.authority, s.position + (" (suy từ “KT.”)" if s.position_inferred else "")
                          if s.position else None, s.name) if p]
    line = " — ".join(pieces) or MISSING
    return f"{line}; {s.stamp}" if s.stamp else line


def card_fields(parts: DocumentParts) -> list[tuple[str, str | list[str]]]:
    """(label, value or list of lines) in page order."""
    period = MISSING
    if parts.period_start and parts.period_end:
        period = f"{vn_date(parts.period_start)} – {vn_date(parts.period_end)}"
    cites = []
    for c in parts.cites:
        bits = [c.kind or "Văn bản", f"số {c.number}"]
        if c.date:
            bits.append(f"ngày {vn_date(c.date)}")
        if c.issuer:
            bits.append(f"của {c.issuer}")
        line = " ".join(bits)
        cites.append(f"{line}: {c.subject}" if c.subject else line)
    tasks = []
    for t in parts.tasks:
        text = t.task if len(t.task) <= TASK_CHARS else t.task[:TASK_CHARS].rsplit(" ", 1)[0] + " …"
        extra = [f"chủ trì: {t.lead}" if t.lead else "", f"phối hợp: {', '.join(t.support)}" if t.support else "",
                 f"thời hạn: {t.deadline}" if t.deadline else "", f"sản phẩm: {t.product}" if t.product else ""]
        extra = [e for e in extra if e]
        tasks.append(f"{text}" + (f" ({'; '.join(extra)})" if extra else ""))
    targets = [f"{t.value}: {t.text}" if t.value else t.text for t in parts.targets]
    return [
        (LABELS["parent"], parts.parent or MISSING), (LABELS["issuer"], parts.issuer or MISSING),
        (LABELS["number"], parts.number or MISSING), (LABELS["place"], parts.place or MISSING),
        (LABELS["date"], vn_date(parts.date)), (LABELS["kind"], parts.kind or MISSING),
        (LABELS["title"], parts.title or MISSING), (LABELS["period"], period),
        (LABELS["signer"], signer_line(parts)),
        (LABELS["recipients"], [r.text for r in parts.recipients]),
        (LABELS["cites"], cites), (LABELS["tasks"], tasks), (LABELS["targets"], targets),
    ]


def render_card(parts: DocumentParts) -> str:
    lines = [f"Tài liệu {parts.doc_id}" if parts.doc_id else "Tài liệu"]
    for label, value in card_fields(parts):
        if isinstance(value, list):
            lines.append(f"{label} ({len(value)}):" if value else f"{label}: {MISSING}")
            lines.extend(f"  {k}. {item}" for k, item in enumerate(value, 1))
        else:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)

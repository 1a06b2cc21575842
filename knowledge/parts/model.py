"""The parts of an administrative document (Nghị định 30/2020/NĐ-CP form) as plain dataclasses.

Every part that quotes the document keeps `source_text`: the scan's own wording of the same span,
so an answer can cite what the document says while people read the restored text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Recipient:
    """One item of "Nơi nhận" ("Sở Nội vụ", "UBND thành phố (để b/c)", "Lưu: VT, TCHC")."""

    text: str
    source_text: str = ""


@dataclass
class Signer:
    """The signature block: "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn A", and a digital-signature
    stamp ("Thời gian ký: 19.01.2018 15:30:33 +07:00") when the text layer has one."""

    authority: str | None = None  # "KT. Chủ tịch", "TM. Ủy ban nhân dân / KT. Chủ tịch"
    position: str | None = None  # "Phó Chủ tịch"
    name: str | None = None
    stamp: str | None = None
    position_inferred: bool = False  # "KT." with the deputy's own line lost: the position is the deputy's
    source_text: str = ""


@dataclass
class Cite:
    """A document the text cites: "Quyết định số 3041/QĐ-UBND ngày 26/7/2025 của UBND thành phố về …"."""

    kind: str | None
    number: str
    date: str | None  # ISO
    issuer: str | None
    subject: str | None
    source_text: str = ""


@dataclass
class Task:
    """One duty of a plan: from "Tổ chức thực hiện" (a unit's heading and its items) or a row of
    the appendix table. `deadline` is the time as written ("trước ngày 15/10/2025", "Hằng quý")."""

    task: str
    lead: str | None = None
    support: list[str] = field(default_factory=list)
    deadline: str | None = None
    product: str | None = None
    section: str | None = None
    source_text: str = ""


@dataclass
class Target:
    """A target (chỉ tiêu) with its figure: "90% người dân hài lòng …" → value "90%"."""

    text: str
    value: str | None = None
    section: str | None = None
    source_text: str = ""


@dataclass
class DocumentParts:
    parent: str | None = None
    issuer: str | None = None
    number: str | None = None
    place: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    kind: str | None = None
    title: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    signer: Signer | None = None
    cites: list[Cite] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    period_start: str | None = None
    period_end: str | None = None
    doc_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The object `cchc kb show ID --json` prints (issue 18), plus "period": [start, end]."""
        signer = None
        if self.signer is not None:
            signer = {"authority": self.signer.authority, "position": self.signer.position,
                      "name": self.signer.name}
        return {
            "id": self.doc_id, "parent": self.parent, "issuer": self.issuer, "number": self.number,
            "place": self.place, "date": self.date, "kind": self.kind, "title": self.title,
            "recipients": [r.text for r in self.recipients],
            "signer": signer,
            "cites": [{"kind": c.kind, "number": c.number, "date": c.date, "issuer": c.issuer,
                       "subject": c.subject} for c in self.cites],
            "tasks": [{"task": t.task, "lead": t.lead, "support": list(t.support), "deadline": t.deadline,
                       "product": t.product} for t in self.tasks],
            "targets": [{"text": t.text, "value": t.value} for t in self.targets],
            "period": [self.period_start, self.period_end],
        }

    def as_dict(self) -> dict[str, Any]:
        """Everything, source texts included (for tests and debugging)."""
        return asdict(self)

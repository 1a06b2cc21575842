"""The office that runs the bot: its own name, hotline, portal and address (CCHC_OFFICE_* settings).

WHY: the documents are often other places' plans (the five seed plans are), so the contacts they
name belong to someone else. Declines, /hotline and the web page must point first to the office's
own line, and name a national number as national, never as the line of the commune whose plan
happens to quote it (issue 22: "1800 1096 — Ủy ban nhân dân xã Phú Thái").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.contacts import national_owner

# National lines worth pointing to when a question cannot be answered, best first. The emergency
# numbers (112–115) are national too but are no help with an administrative procedure.
HELP_NUMBERS = ("18001096", "1022")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _host(value: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", value.strip().lower()).split("/", 1)[0]


@dataclass(frozen=True)
class Office:
    """What CCHC_OFFICE_NAME, _HOTLINE, _PORTAL and _ADDRESS say; every field may be empty."""

    name: str = ""
    hotline: str = ""
    portal: str = ""
    address: str = ""

    @property
    def has_contact(self) -> bool:
        return bool(self.hotline or self.portal)

    @property
    def is_set(self) -> bool:
        return bool(self.name or self.hotline or self.portal or self.address)

    def owns(self, value: str) -> bool:
        """True when a contact found in the documents is one of the office's own (not listed twice)."""
        if self.hotline and _digits(value) and _digits(value) == _digits(self.hotline):
            return True
        return bool(self.portal) and "." in value and _host(value) == _host(self.portal)

    def lines(self) -> list[str]:
        """The office's block in /hotline: a heading and one bullet per detail set."""
        if not self.is_set:
            return []
        out = [f"Liên hệ {self.name}:" if self.name else "Liên hệ cơ quan quản lý trợ lý này:"]
        if self.hotline:
            out.append(f"• Đường dây nóng: {self.hotline}")
        if self.portal:
            out.append(f"• Cổng thông tin: {self.portal}")
        if self.address:
            out.append(f"• Địa chỉ: {self.address}")
        return out

    def help_sentence(self) -> str:
        """"Để được hỗ trợ, …" pointing to the office's own hotline and portal, or "" when unset."""
        pointers = []
        if self.hotline:
            pointers.append(f"gọi đường dây nóng {self.hotline}")
        if self.portal:
            pointers.append(f"truy cập {self.portal}")
        if not pointers:
            return ""
        whom = f"liên hệ {self.name}: " if self.name else ""
        return f"Để được hỗ trợ, bạn có thể {whom}" + " hoặc ".join(pointers) + "."


def help_number_from(values: list[str]) -> str:
    """The national help line among contact values the documents name ("1800 1096" before "1022")."""
    by_digits = {_digits(v): v for v in values if national_owner(v)}
    return next((by_digits[d] for d in HELP_NUMBERS if d in by_digits), "")

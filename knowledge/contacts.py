"""Contacts named in the plans: hotlines, switchboards, phone numbers, portals, emails.

Each contact keeps the sentence it comes from, so that "/hotline" and "số đường dây nóng" answer
with a source, and so that a short number like 1022 is only taken when a cue word ("tổng đài",
"hotline", "đường dây nóng", "điện thoại") stands right before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.structure import split_sentences
from knowledge.text import fold

_TOLL_FREE = re.compile(r"\b(1[89]00)[\s.]?(\d{3,4})(?:[\s.]?(\d{2,3}))?\b")
_LANDLINE = re.compile(r"(?<![\d/])\(?0\d{2,3}\)?[\s.]?\d{3,4}[\s.]?\d{3,4}\b")
_URL = re.compile(r"\b(?:https?://)?(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:gov\.vn|com\.vn|org\.vn|"
                  r"vn|com|org|net)(?:/[\w./?=&%-]*)?", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# What a match of each pattern must contain: sentences without it are not scanned. The URL and
# e-mail patterns try every word start (and backtrack through every word), which made contact
# extraction a sixth of a 100,000-passage build; the literal tests are exact and ~100× cheaper.
_HAS_DOMAIN = re.compile(r"\.(?:vn|com|org|net)", re.I)
_HAS_DIGITS = re.compile(r"\d{3}")
# Cue words, folded, with the label shown to users.
_CUES = [
    ("duong day nong", "Đường dây nóng"), ("hotline", "Đường dây nóng (hotline)"),
    ("tong dai", "Tổng đài"), ("dien thoai", "Điện thoại"), ("so dt", "Điện thoại"), ("sdt", "Điện thoại"),
]
# Numbers and portals that belong to the whole country, not to the office whose plan names them: a
# commune's plan that publishes "hotline 1800.1096" is pointing to the national public-service line,
# and /hotline listed it as "— Ủy ban nhân dân xã Phú Thái" (issue 22). Keyed by digits only / host.
NATIONAL_NUMBERS = {
    "18001096": "Tổng đài quốc gia hỗ trợ dịch vụ công",
    "1022": "Tổng đài quốc gia về dịch vụ công, phản ánh kiến nghị",
    "112": "Tổng đài quốc gia khẩn cấp (tìm kiếm, cứu nạn)",
    "113": "Tổng đài quốc gia khẩn cấp (công an)",
    "114": "Tổng đài quốc gia khẩn cấp (cứu hỏa, cứu nạn cứu hộ)",
    "115": "Tổng đài quốc gia khẩn cấp (cấp cứu y tế)",
}
NATIONAL_PORTALS = {"dichvucong.gov.vn": "Cổng Dịch vụ công quốc gia"}
_SHORT_AFTER_CUE = re.compile(r"(duong day nong|hotline|tong dai|dien thoai|so dt|sdt)\s+(?:so\s+)?(\d{3,5})\b")


@dataclass(frozen=True)
class Contact:
    kind: str  # phone | portal | email
    label: str  # Vietnamese label: "Đường dây nóng (hotline)", "Tổng đài", "Cổng thông tin", "Email"
    value: str  # as users should type it: "1800 1096", "dichvucong.gov.vn"
    sentence: str  # the source sentence, as stored
    purpose: str  # what the sentence says it is for (folded text after the value, short)


def _label_before(folded_prefix: str) -> str:
    tail = folded_prefix[-60:]
    best = ("", -1)
    for cue, label in _CUES:
        pos = tail.rfind(cue)
        if pos > best[1]:
            best = (label, pos)
    return best[0] or "Điện thoại"


def _purpose(sentence: str, value: str) -> str:
    f = fold(sentence)
    v = fold(value)
    pos = f.find(v)
    after = f[pos + len(v):] if pos >= 0 else f
    m = re.search(r"\b(de|nham|phuc vu)\s+(.{10,90}?)(?:\s(?:ket noi|va)\s|$)", after)
    return m.group(2) if m else ""


def extract_contacts(text: str) -> list[Contact]:
    """Every distinct contact in `text`, each with the sentence that names it."""
    found: dict[tuple[str, str], Contact] = {}
    flat = " ".join(text.split())
    sentences = split_sentences(flat)
    for n, sentence in enumerate(sentences):
        if len(sentence) < 80 and n + 1 < len(sentences):  # "hotline 1800.1096;" — keep what follows
            sentence = f"{sentence} {sentences[n + 1]}"
        if _HAS_DIGITS.search(sentence):
            _phones(sentence, found)
        if _HAS_DOMAIN.search(sentence):
            _portals(sentence, found)
        if "@" in sentence:
            for m in _EMAIL.finditer(sentence):
                value = m.group(0).lower()
                found.setdefault(("email", value), Contact("email", "Email", value, sentence, ""))
    return list(found.values())


def _phones(sentence: str, found: dict[tuple[str, str], Contact]) -> None:
    """Toll-free numbers, landlines after a cue word, and short numbers right after a cue word."""
    for m in _TOLL_FREE.finditer(sentence):
        value = " ".join(g for g in m.groups() if g)
        prefix = fold(sentence[:m.start()])
        found.setdefault(("phone", value.replace(" ", "")), Contact(
            "phone", _label_before(prefix), value, sentence, _purpose(sentence, m.group(0))))
    for m in _LANDLINE.finditer(sentence):
        prefix = fold(sentence[:m.start()])
        if not any(cue in prefix[-60:] for cue, _ in _CUES):
            continue  # a bare digit run in an OCR table is not a phone number
        value = re.sub(r"[\s.()]+", " ", m.group(0)).strip()
        found.setdefault(("phone", value.replace(" ", "")), Contact(
            "phone", _label_before(prefix), value, sentence, _purpose(sentence, m.group(0))))
    for m in _SHORT_AFTER_CUE.finditer(fold(sentence)):
        value = m.group(2)
        if ("phone", value) in found or any(value in k[1] for k in found if k[0] == "phone"):
            continue
        label = dict(_CUES).get(m.group(1), "Điện thoại")
        found[("phone", value)] = Contact("phone", label, value, sentence, _purpose(sentence, value))


def _portals(sentence: str, found: dict[tuple[str, str], Contact]) -> None:
    for m in _URL.finditer(sentence):
        raw = m.group(0).rstrip("./")
        if "@" in sentence[max(0, m.start() - 1):m.start()]:
            continue
        value = re.sub(r"^https?://", "", raw, flags=re.I).lower()
        if value.replace(".", "").isdigit() or len(value) < 6:
            continue
        found.setdefault(("portal", value), Contact("portal", "Cổng thông tin", value, sentence,
                                                    _purpose(sentence, raw)))


def national_owner(value: str) -> str:
    """Who runs `value` when it is a national number or portal ("Tổng đài quốc gia …"), else "".

    WHY: a contact's owner used to be the issuer of the plan naming it, so a national number quoted
    in a commune's plan read as that commune's own line.
    """
    raw = value.strip().lower()
    if re.fullmatch(r"[\d\s.()-]+", raw):
        return NATIONAL_NUMBERS.get(re.sub(r"\D", "", raw), "")
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", raw).split("/", 1)[0]
    return NATIONAL_PORTALS.get(host, "")


def contact_owner(value: str, issuer: str) -> str:
    """The owner to show beside a contact: the nation for a national number or portal, else the
    issuer of the document that names it."""
    return national_owner(value) or issuer

"""One procedure record of the national catalogue, checked before it is kept.

Records keep the catalogue's own field names (`ma_thu_tuc`, `ten_thu_tuc`, …) so a file exported
from the national database, the shipped catalogue and an office's own records read the same way.
A record is refused with a Vietnamese reason (never half-kept) when it has no usable code or name,
or nothing a citizen could use; values are kept as given (the card shows them, never guesses).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from knowledge.text import nfc

TEXT_FIELDS: tuple[str, ...] = (
    "ma_thu_tuc", "ten_thu_tuc", "linh_vuc", "cap_thuc_hien", "loai_thu_tuc", "so_quyet_dinh",
    "trinh_tu_thuc_hien", "cach_thuc_thuc_hien", "thanh_phan_ho_so", "so_luong_ho_so", "thoi_han_giai_quyet",
    "doi_tuong_thuc_hien", "co_quan_thuc_hien", "ket_qua", "phi_le_phi", "mau_don_to_khai",
    "yeu_cau_dieu_kien", "can_cu_phap_ly",
)
# The fields a citizen acts on: a record with none of them is only a name, and is refused.
DETAIL_FIELDS: tuple[str, ...] = (
    "trinh_tu_thuc_hien", "cach_thuc_thuc_hien", "thanh_phan_ho_so", "thoi_han_giai_quyet",
    "co_quan_thuc_hien", "ket_qua", "phi_le_phi", "yeu_cau_dieu_kien",
)
ITEM_FIELDS = ("nhom", "ten_giay_to", "mau_don", "so_luong")
# Codes of the national catalogue: "1.001193", "2.000748"; an office's local ones: "1.012753.H19".
CODE = re.compile(r"\d{1,2}\.\d{3,7}(?:\.[A-Za-z0-9-]{1,12})?")
MAX_FIELD_CHARS = 60_000  # the longest field of the 2,849 shipped records is ≈ 25,000 characters
MAX_NAME_CHARS = 2000  # five shipped names run to ≈ 1,100 characters (a list of cases)
MIN_NAME_CHARS = 5
# Common spellings of the fields in hand-made spreadsheets → the catalogue's names.
ALIASES: dict[str, str] = {
    "ma": "ma_thu_tuc", "ma_tthc": "ma_thu_tuc", "code": "ma_thu_tuc", "mã thủ tục": "ma_thu_tuc",
    "ten": "ten_thu_tuc", "ten_tthc": "ten_thu_tuc", "name": "ten_thu_tuc", "tên thủ tục": "ten_thu_tuc",
    "linh vuc": "linh_vuc", "lĩnh vực": "linh_vuc", "cap": "cap_thuc_hien", "cấp thực hiện": "cap_thuc_hien",
}


class RecordError(ValueError):
    """A record that cannot be kept; `args[0]` is the Vietnamese reason."""


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, list)):
        raise RecordError(f"trường {field} không phải văn bản")
    if isinstance(value, list):  # "căn cứ pháp lý" given as a list: the catalogue joins with " | "
        if not all(isinstance(v, (str, int, float)) for v in value):
            raise RecordError(f"trường {field} không phải văn bản")
        value = " | ".join(str(v).strip() for v in value if str(v).strip())
    text = nfc(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > MAX_FIELD_CHARS:
        raise RecordError(f"trường {field} dài quá ({len(text)} ký tự, tối đa {MAX_FIELD_CHARS})")
    return text


def _items(value: Any) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise RecordError("trường thanh_phan_ho_so_items phải là danh sách")
    items = []
    for item in value:
        if not isinstance(item, Mapping):
            raise RecordError("một giấy tờ trong thanh_phan_ho_so_items không đúng dạng")
        row = {k: _text(item.get(k), k) for k in ITEM_FIELDS}
        if row["ten_giay_to"]:
            items.append(row)
    return items


def items_text(items: list[dict[str, str]]) -> str:
    """The catalogue's one-line-per-document form of `items`: "- name (copies) [mẫu: form]"."""
    lines = []
    for it in items:
        line = f"- {it['ten_giay_to']}"
        if it.get("so_luong"):
            line += f" ({it['so_luong']})"
        if it.get("mau_don"):
            line += f" [mẫu: {it['mau_don']}]"
        lines.append(line)
    return "\n".join(lines)


def normalize_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The record as kept: every catalogue field present (empty when absent), text in NFC.
    Raises `RecordError` with the reason it is refused."""
    if not isinstance(raw, Mapping):
        raise RecordError("không phải một bản ghi (cần một đối tượng có các trường của thủ tục)")
    data = {ALIASES.get(str(k).strip().lower(), str(k).strip()): v for k, v in raw.items()}
    rec: dict[str, Any] = {f: _text(data.get(f), f) for f in TEXT_FIELDS}
    code = rec["ma_thu_tuc"].removeprefix("Mã thủ tục:").strip()
    if not code:
        raise RecordError("thiếu mã thủ tục (ma_thu_tuc)")
    if not CODE.fullmatch(code):
        raise RecordError(f"mã thủ tục “{code[:40]}” không đúng dạng (ví dụ 1.001193 hoặc 1.012753.H19)")
    rec["ma_thu_tuc"] = code
    name = " ".join(rec["ten_thu_tuc"].split())
    if len(name) < MIN_NAME_CHARS:
        raise RecordError("thiếu tên thủ tục (ten_thu_tuc)")
    if len(name) > MAX_NAME_CHARS:
        raise RecordError(f"tên thủ tục dài quá ({len(name)} ký tự)")
    rec["ten_thu_tuc"] = name
    rec["thanh_phan_ho_so_items"] = _items(data.get("thanh_phan_ho_so_items"))
    if not rec["thanh_phan_ho_so"] and rec["thanh_phan_ho_so_items"]:
        rec["thanh_phan_ho_so"] = items_text(rec["thanh_phan_ho_so_items"])
    if not any(rec[f] for f in DETAIL_FIELDS):
        raise RecordError("không có nội dung nào (trình tự, hồ sơ, thời hạn, cơ quan, lệ phí… đều trống)")
    source = data.get("nguon")
    rec["nguon"] = {str(k): _text(v, "nguon") for k, v in source.items()
                    if isinstance(v, (str, int, float))} if isinstance(source, Mapping) else {}
    return rec


LEVELS = {"bo": "Cấp bộ", "tinh": "Cấp tỉnh", "xa": "Cấp xã", "huyen": "Cấp huyện", "khac": "Cơ quan khác"}


def level_keys(level_text: str) -> list[str]:
    """"Cấp Bộ, Cấp tỉnh" → ["bo", "tinh"]: the levels a record is performed at, folded."""
    from knowledge.text import fold

    folded = fold(level_text)
    return [key for key in LEVELS if re.search(rf"\b{key}\b", folded)]


def portal_url(rec: Mapping[str, Any]) -> str:
    """The national portal's page for the record: the one it came with, else the code's page."""
    url = (rec.get("nguon") or {}).get("url") or ""
    if url.startswith("http"):
        return url
    return f"https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={rec['ma_thu_tuc']}"


_PERSON_FILER = re.compile(r"\b(cong dan|ca nhan|nguoi viet nam|ho gia dinh)\b")


def filed_by_person(rec: Mapping[str, Any]) -> bool:
    """A citizen (or a household) may file it, not only a business or an organisation."""
    from knowledge.text import fold

    return bool(_PERSON_FILER.search(fold(rec.get("doi_tuong_thuc_hien") or "")))

"""The procedure catalogue a knowledge base is built with: the national catalogue shipped with the
package (filtered to the levels and fields an office serves) plus the office's own imports, minus
what the office removed.

The office's imports live in the data dir (`tthc/office.jsonl`, `tthc/removed.json`), not in the
knowledge DB: the knowledge DB is derived and rebuilt, and a rebuild must keep what an admin
imported. Both files are written to a temporary name and swapped in, like the knowledge DB.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.procedures.importers import ReadResult
from knowledge.procedures.records import LEVELS, RecordError, level_keys, normalize_record
from knowledge.text import fold

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "catalogue.jsonl.gz"
OFFICE_DIR = "tthc"
OFFICE_FILE = "office.jsonl"
REMOVED_FILE = "removed.json"
LEVELS_ENV = "CCHC_TTHC_LEVELS"
FIELDS_ENV = "CCHC_TTHC_FIELDS"
_LEVEL_WORDS = {"bo": "bo", "tinh": "tinh", "xa": "xa", "huyen": "huyen", "khac": "khac", "co quan khac": "khac",
                "cap bo": "bo", "cap tinh": "tinh", "cap xa": "xa", "cap huyen": "huyen"}


def office_dir(data_dir: Path) -> Path:
    return Path(data_dir) / OFFICE_DIR


@dataclass(frozen=True)
class Scope:
    """Which part of the shipped catalogue an office serves (empty: all of it)."""

    levels: frozenset[str] = frozenset()  # keys of records.LEVELS
    fields: tuple[str, ...] = ()  # folded field names (a record's field contains one of them)
    none: bool = False  # "CCHC_TTHC_LEVELS=none": no shipped procedure, only the office's own

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Scope:
        env = os.environ if environ is None else environ
        raw_levels = fold(env.get(LEVELS_ENV, ""))
        if raw_levels in ("none", "khong", "0"):
            return cls(none=True)
        levels = set()
        for part in re.split(r"[,;]", env.get(LEVELS_ENV, "")):
            key = _LEVEL_WORDS.get(fold(part))
            if key:
                levels.add(key)
        fields = tuple(f for f in (fold(p) for p in re.split(r"[;|]", env.get(FIELDS_ENV, ""))) if f)
        return cls(frozenset(levels), fields)

    def keeps(self, rec: dict[str, Any]) -> bool:
        if self.none:
            return False
        if self.levels and not self.levels & set(level_keys(rec.get("cap_thuc_hien", ""))):
            return False
        if self.fields:
            folded = fold(rec.get("linh_vuc", ""))
            return any(f in folded for f in self.fields)
        return True

    def describe(self) -> str:
        if self.none:
            return "không dùng danh mục quốc gia kèm theo"
        bits = []
        if self.levels:
            bits.append("cấp " + ", ".join(LEVELS[k].removeprefix("Cấp ") for k in sorted(self.levels)))
        if self.fields:
            bits.append("lĩnh vực chứa: " + "; ".join(self.fields))
        return "; ".join(bits) or "toàn bộ danh mục"


# The shipped catalogue as last read in this process, by the file's (mtime, size): a reload reads
# it again only when the package data changed (checking 2,849 records took 1.2 s of each rebuild).
_shipped: tuple[tuple[int, int], list[dict[str, Any]]] | None = None


def default_records() -> list[dict[str, Any]]:
    """The shipped national catalogue (already checked when it was packaged; checked again here,
    so a damaged package data file costs its bad lines only). Each call gets its own list and
    record dicts; the values inside are shared, so callers replace them rather than edit them."""
    global _shipped
    try:
        st = os.stat(DEFAULT_CATALOGUE)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        return []
    if _shipped is None or _shipped[0] != stamp:
        _shipped = (stamp, _read_shipped())
    return [dict(r) for r in _shipped[1]]


def _read_shipped() -> list[dict[str, Any]]:
    out = []
    try:
        with gzip.open(DEFAULT_CATALOGUE, "rt", encoding="utf-8") as fh:
            for line in fh:
                try:
                    out.append(normalize_record(json.loads(line)))
                except (ValueError, RecordError):
                    continue
    except (OSError, EOFError):
        return out
    return out


def office_records(data_dir: Path) -> dict[str, dict[str, Any]]:
    path = office_dir(data_dir) / OFFICE_FILE
    records: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return records
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                rec = normalize_record(json.loads(line))
            except (ValueError, RecordError):
                continue
            records[rec["ma_thu_tuc"]] = rec
    return records


def removed_codes(data_dir: Path) -> set[str]:
    path = office_dir(data_dir) / REMOVED_FILE
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def load_catalogue(data_dir: Path | None, scope: Scope | None = None,
                   shipped: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """What a knowledge base serves: the shipped records in scope, replaced by the office's records
    of the same code, plus the office's other records; removed codes left out. Order: by code."""
    scope = scope or Scope.from_env()
    shipped = default_records() if shipped is None else shipped
    merged = {r["ma_thu_tuc"]: {**r, "nguon_nhap": "danh mục quốc gia"} for r in shipped if scope.keeps(r)}
    if data_dir is not None:
        for code, rec in office_records(data_dir).items():
            merged[code] = {**rec, "nguon_nhap": "cơ quan nhập"}
        for code in removed_codes(data_dir):
            merged.pop(code, None)
    return [merged[c] for c in sorted(merged)]


def write_catalogue(db: Any, data_dir: Path) -> int:
    """The build's step: the served procedures into `db`, with the rest of the shipped catalogue as
    reference words for ranking (knowledge/procedures/table.py); returns how many are served."""
    from knowledge.procedures.table import write_procedures

    shipped = default_records()
    served = load_catalogue(data_dir, shipped=shipped)
    codes = {r["ma_thu_tuc"] for r in served}
    return write_procedures(db, served, [r for r in shipped if r["ma_thu_tuc"] not in codes])


@dataclass
class ImportReport:
    """What an import did, for the command line, the admin chat and the web page."""

    imported: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    replaced: list[tuple[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def text(self, limit: int = 20) -> str:
        lines = [f"Nhập thủ tục: {len(self.imported)} thủ tục mới, {len(self.replaced)} thủ tục thay thế "
                 f"(cùng mã), {len(self.refused)} bị từ chối."]
        for title, rows in (("Mới", self.imported), ("Thay thế", self.replaced)):
            for code, name in rows[:limit]:
                lines.append(f"• {title}: {code} — {name}")
            if len(rows) > limit:
                lines.append(f"• … và {len(rows) - limit} thủ tục khác")
        for reason in self.refused[:limit]:
            lines.append(f"✗ Từ chối: {reason}")
        if len(self.refused) > limit:
            lines.append(f"✗ … và {len(self.refused) - limit} lý do khác")
        return "\n".join(lines)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def import_records(data_dir: Path, read: ReadResult) -> ImportReport:
    """Keep `read`'s good records in the office's store (a code already served is replaced) and
    report each one; the refusals are passed on. Nothing is written when nothing is good."""
    report = ImportReport(refused=list(read.refused))
    if not read.records:
        return report
    office = office_records(data_dir)
    removed = removed_codes(data_dir)
    known = {r["ma_thu_tuc"] for r in load_catalogue(data_dir)} | set(office)
    batch: dict[str, dict[str, Any]] = {}
    for rec in read.records:
        code = rec["ma_thu_tuc"]
        if code in batch:
            report.refused.append(f"Mã {code} xuất hiện nhiều lần trong dữ liệu nhập; giữ bản ghi sau cùng.")
        batch[code] = rec
    for code, rec in batch.items():
        (report.replaced if code in known else report.imported).append((code, rec["ten_thu_tuc"]))
        office[code] = rec
        removed.discard(code)
    store = office_dir(data_dir)
    _write_office(data_dir, office)
    _write_atomic(store / REMOVED_FILE, json.dumps(sorted(removed)))
    return report


def _write_office(data_dir: Path, office: dict[str, dict[str, Any]]) -> None:
    _write_atomic(office_dir(data_dir) / OFFICE_FILE,
                  "".join(json.dumps(office[c], ensure_ascii=False) + "\n" for c in sorted(office)))


def remove_code(data_dir: Path, code: str) -> bool:
    """Stop serving `code` (an office record is deleted, a shipped one is remembered as removed);
    False when no served record has this code."""
    code = code.strip()
    office = office_records(data_dir)
    served = {r["ma_thu_tuc"] for r in load_catalogue(data_dir)}
    if code not in served and code not in office:
        return False
    store = office_dir(data_dir)
    if code in office:
        del office[code]
        _write_office(data_dir, office)
    if code in {r["ma_thu_tuc"] for r in default_records()}:
        _write_atomic(store / REMOVED_FILE, json.dumps(sorted(removed_codes(data_dir) | {code})))
    return True

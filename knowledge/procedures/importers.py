"""Read procedure records from what offices have: catalogue exports (JSONL, JSON, CSV, gzipped
too) and detail pages (Word, PDF, HTML, text). Each file gives good records and refusals with their
reasons; one bad line never keeps the others out, and nothing here raises on bad input.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.procedures.pages import html_text, parse_page
from knowledge.procedures.records import RecordError, normalize_record

TABLE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")
PAGE_SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".txt", ".md")
MAX_FILE_BYTES = 200 << 20  # the whole national export is ≈ 25 MB as JSON; 200 MB is no catalogue
MAX_RECORDS_PER_FILE = 100_000


@dataclass
class ReadResult:
    """The records a file or folder gave, and a Vietnamese line per refusal."""

    records: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    files: int = 0


def supported(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(TABLE_SUFFIXES + PAGE_SUFFIXES) and not path.name.startswith(".")


def read_any(path: Path) -> ReadResult:
    """Every record in a file, or in every supported file of a folder (sorted by name)."""
    path = Path(path)
    if path.is_dir():
        out = ReadResult()
        for child in sorted(p for p in path.rglob("*") if p.is_file() and supported(p)):
            part = read_any(child)
            out.records += part.records
            out.refused += part.refused
            out.files += 1
        if not out.files:
            out.refused.append(f"Thư mục {path.name} không có tệp thủ tục nào (.jsonl, .json, .csv, .docx, .pdf, "
                               ".html, .txt).")
        return out
    if not path.exists():
        return ReadResult(refused=[f"Không tìm thấy tệp {path}."])
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ReadResult(refused=[f"Tệp {path.name} lớn quá (trên {MAX_FILE_BYTES >> 20} MB)."], files=1)
        data = path.read_bytes()
    except OSError as exc:
        return ReadResult(refused=[f"Không mở được tệp {path.name}: {exc.strerror or exc}."], files=1)
    return read_bytes(data, path.name)


def read_bytes(data: bytes, filename: str) -> ReadResult:
    """The records in one file's bytes (the admin chat and the web page hand bytes, not paths)."""
    name = Path(filename).name
    lower = name.lower()
    if lower.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, gzip.BadGzipFile):
            return ReadResult(refused=[f"Tệp {name}: tệp nén .gz bị hỏng."], files=1)
        lower = lower.removesuffix(".gz")
    try:
        if lower.endswith((".jsonl", ".ndjson")):
            return _from_rows(name, _jsonl_rows(name, data))
        if lower.endswith(".json"):
            return _from_rows(name, _json_rows(name, data))
        if lower.endswith(".csv"):
            return _from_rows(name, _csv_rows(name, data))
        if lower.endswith(PAGE_SUFFIXES):
            return _from_page(name, data, lower)
    except _FileRefused as exc:
        return ReadResult(refused=[str(exc)], files=1)
    return ReadResult(refused=[f"Tệp {name}: chỉ nhận .jsonl, .json, .csv (có thể nén .gz), .docx, .pdf, "
                               ".html hoặc .txt."], files=1)


class _FileRefused(Exception):
    pass


def _decode(name: str, data: bytes) -> str:
    from knowledge.encodings import UnknownEncoding, decode_text

    try:
        return decode_text(data).text
    except UnknownEncoding as exc:
        raise _FileRefused(f"Tệp {name}: không nhận ra bảng mã; hãy lưu lại dưới dạng UTF-8.") from exc


Row = tuple[str, Any]  # (where: "dòng 3", the parsed value or an exception's reason as str)


def _jsonl_rows(name: str, data: bytes) -> Iterable[Row]:
    for n, line in enumerate(_decode(name, data).splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"dòng {n}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"dòng {n}", _Bad(f"không phải JSON hợp lệ ({exc.msg})")


def _json_rows(name: str, data: bytes) -> Iterable[Row]:
    try:
        value = json.loads(_decode(name, data))
    except json.JSONDecodeError as exc:
        raise _FileRefused(f"Tệp {name}: không phải JSON hợp lệ (dòng {exc.lineno}: {exc.msg}).") from exc
    if isinstance(value, dict):
        inner = next((value[k] for k in ("procedures", "thu_tuc", "data", "items") if isinstance(value.get(k), list)),
                     None)
        value = inner if inner is not None else [value]
    if not isinstance(value, list):
        raise _FileRefused(f"Tệp {name}: cần một danh sách thủ tục hoặc một thủ tục.")
    for n, item in enumerate(value, 1):
        yield f"bản ghi {n}", item


def _csv_rows(name: str, data: bytes) -> Iterable[Row]:
    text = _decode(name, data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or not any(f and f.strip() for f in reader.fieldnames):
        raise _FileRefused(f"Tệp {name}: không có dòng tiêu đề (ma_thu_tuc, ten_thu_tuc, …).")
    try:
        for row in reader:
            row = {k: v for k, v in row.items() if k is not None}
            items = row.get("thanh_phan_ho_so_items")
            if isinstance(items, str) and items.strip().startswith("["):
                try:
                    row["thanh_phan_ho_so_items"] = json.loads(items)
                except json.JSONDecodeError:
                    row["thanh_phan_ho_so_items"] = None
            nguon = row.get("nguon")
            if isinstance(nguon, str) and nguon.strip().startswith("{"):
                try:
                    row["nguon"] = json.loads(nguon)
                except json.JSONDecodeError:
                    row["nguon"] = None
            yield f"dòng {reader.line_num}", row
    except csv.Error as exc:
        yield f"dòng {reader.line_num}", _Bad(f"dòng CSV hỏng ({exc})")


class _Bad(str):
    """A row that could not even be parsed; the string is the reason."""


def _from_rows(name: str, rows: Iterable[Row]) -> ReadResult:
    out = ReadResult(files=1)
    for where, raw in rows:
        if len(out.records) >= MAX_RECORDS_PER_FILE:
            out.refused.append(f"Tệp {name}: quá {MAX_RECORDS_PER_FILE} bản ghi, phần còn lại bị bỏ qua.")
            break
        if isinstance(raw, _Bad):
            out.refused.append(f"Tệp {name}, {where}: {raw}.")
            continue
        try:
            rec = normalize_record(raw)
        except RecordError as exc:
            code = raw.get("ma_thu_tuc") if isinstance(raw, dict) else None
            label = f" (mã {str(code)[:30]})" if code else ""
            out.refused.append(f"Tệp {name}, {where}{label}: {exc.args[0]}.")
            continue
        out.records.append(rec)
    if not out.records and not out.refused:
        out.refused.append(f"Tệp {name} không có bản ghi nào.")
    return out


def _from_page(name: str, data: bytes, lower: str) -> ReadResult:
    """One procedure from its detail page."""
    from knowledge.readers import DocumentError
    from knowledge.readers import read_bytes as read_document

    if lower.endswith((".html", ".htm")):
        text = html_text(_decode(name, data))
    else:
        try:
            text = read_document(data, name).text
        except DocumentError as exc:
            if "gần như không có nội dung" not in str(exc):
                raise _FileRefused(str(exc)) from exc
            text = _decode(name, data)  # a short page is still a page
        except Exception as exc:  # a reader library choking on a hostile file refuses that file only
            raise _FileRefused(f"Không đọc được tệp {name}: tệp bị hỏng ({type(exc).__name__}).") from exc
    fields = parse_page(text)
    if not fields:
        raise _FileRefused(f"Tệp {name}: không thấy các mục của một thủ tục (Mã thủ tục, Tên thủ tục, "
                           "Trình tự thực hiện, Thành phần hồ sơ, …).")
    fields["nguon"] = {"tep": name}
    return _from_rows(name, [("trang", fields)])

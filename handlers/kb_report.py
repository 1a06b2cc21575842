"""What a knowledge-base build tells the admin: a short summary, and the full report in a file.

A folder build of 2,000 documents used to print every added name on one line (40,000 characters)
and three "không đọc được …" lines per law article: nobody reads that in a terminal or a chat. The
summary has counts and the first few names and stays under 30 lines whatever the folder holds;
everything (every name, refusal and warning) goes to the report file beside the knowledge DB, and
`cchc kb build --verbose` prints it. Warnings are also kept in the knowledge DB, so
`cchc kb warnings` lists them at any time.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from knowledge.build import BuildReport

REPORT_NAME = "kb-report.txt"  # beside knowledge.db, rewritten by every build
NAMES_SHOWN = 5  # names shown per list in the summary
REFUSAL_LINES_SHOWN = 8  # refusal lines (grouped by reason) shown in the summary
WARNINGS_SHOWN = 5  # warnings shown in the summary
GROUP_FROM = 3  # refusals sharing one reason are listed as one line of file names from this many on
WARNINGS_COMMAND = "cchc kb warnings"


def names_text(names: list[str], shown: int = NAMES_SHOWN) -> str:
    """'không', the names, or the count with the first few names."""
    if not names:
        return "không"
    if len(names) <= shown:
        return ", ".join(names)
    return f"{len(names)} tài liệu ({', '.join(names[:shown])}, …)"


def refusal_lines(refusals: list[str], names: list[str], shown: int | None = None) -> list[str]:
    """Every refusal as a bullet. Refusals that differ only by the file they name become one line
    listing those files (all of them, or the first `shown` with the count when `shown` is given).
    `names` are the folder's file names, to recognise them in the text."""
    by_length = sorted(set(names), key=len, reverse=True)
    templates: list[tuple[str, str]] = []  # (template, file name) per refusal; "" when none is named
    for text in refusals:
        name = next((n for n in by_length if n and n in text), "")
        templates.append((text.replace(name, "…") if name else text, name))
    counts: dict[str, int] = {}
    for template, name in templates:
        if name:
            counts[template] = counts.get(template, 0) + 1
    lines: list[str] = []
    done: set[str] = set()
    for text, (template, name) in zip(refusals, templates):
        if not name or counts[template] < GROUP_FROM:
            lines.append(f"• {text}")
        elif template not in done:
            done.add(template)
            files = [n for t, n in templates if t == template]
            reason = template.replace("Tệp … ", "").replace("tệp … ", "").rstrip(".")
            listed = files if shown is None or len(files) <= shown else [*files[:shown], "…"]
            lines.append(f"• {len(files)} tệp — {reason}: {', '.join(listed)}.")
    return lines


def summary_lines(refusals: list[str], names: list[str]) -> list[str]:
    """The refusals as at most REFUSAL_LINES_SHOWN + 1 short lines."""
    lines = refusal_lines(refusals, names, shown=NAMES_SHOWN)
    if len(lines) > REFUSAL_LINES_SHOWN:
        lines = [*lines[:REFUSAL_LINES_SHOWN], f"• … và {len(lines) - REFUSAL_LINES_SHOWN} dòng khác."]
    return [line if len(line) <= 400 else line[:399] + "…" for line in lines]


def report_text(report: BuildReport, added: list[str], removed: list[str], changed: list[str], *,
                full_report: bool, names: list[str], report_path: Path | None) -> str:
    """The admin's summary. Warnings only for what this change added or modified (the seed plans'
    warnings are said once, when they first go in); refusals after a whole-folder rebuild, as a
    count after an add/remove (which cannot have caused them: see KnowledgeAdmin's guard)."""
    lines = [f"Đã dựng lại cơ sở tri thức trong {report.seconds:.1f} giây: "
             f"{len(report.documents)} tài liệu, {report.passages} đoạn văn, {report.contacts} liên hệ, "
             f"{report.questions} câu hỏi trắc nghiệm, {report.procedures} thủ tục hành chính."]
    lines.append(f"Thêm: {names_text(added)}; bỏ: {names_text(removed)}; thay đổi: {names_text(changed)}.")
    if report.restored:
        lines.append(f"Văn bản quét: {report.restored} tài liệu được máy tự động khôi phục dấu tiếng Việt "
                     "để hiển thị (bản quét gốc vẫn được lưu để đối chiếu).")
    if report.refused and full_report:
        lines.append(f"Không dùng được {len(report.refused)} mục (đã bỏ qua, phần còn lại vẫn được dựng):")
        lines += summary_lines(report.refused, names)
    elif report.refused:
        lines.append(f"Vẫn còn {len(report.refused)} mục không dùng được như lần dựng trước "
                     f"(xem: {WARNINGS_COMMAND}).")
    new_docs = [*added, *changed]
    by_doc = report.warnings_by_doc
    warnings = [w for d in new_docs for w in by_doc.get(d, [])]
    if warnings:
        lines.append(f"Cảnh báo ({len(warnings)}):")
        lines += [f"• {w}" for w in warnings[:WARNINGS_SHOWN]]
        if len(warnings) > WARNINGS_SHOWN:
            lines.append(f"• … và {len(warnings) - WARNINGS_SHOWN} cảnh báo khác (xem: {WARNINGS_COMMAND}).")
    known = sum(len(ws) for d, ws in by_doc.items() if d not in new_docs)
    if known:
        lines.append(f"({known} cảnh báo về các tài liệu không đổi đã báo ở lần trước, không nhắc lại; "
                     f"xem: {WARNINGS_COMMAND}.)")
    if report_path is not None:
        lines.append(f"Báo cáo đầy đủ: {report_path}")
    return "\n".join(lines)


def full_text(report: BuildReport, added: list[str], removed: list[str], changed: list[str],
              names: list[str]) -> str:
    """Everything the build found: every name, every refusal, every warning."""
    lines = [f"Dựng cơ sở tri thức: {len(report.documents)} tài liệu, {report.passages} đoạn văn, "
             f"{report.contacts} liên hệ, {report.questions} câu hỏi trắc nghiệm, {report.seconds:.1f} giây."]
    for label, items in (("Thêm", added), ("Bỏ", removed), ("Thay đổi", changed)):
        lines.append(f"{label} ({len(items)}):")
        lines += [f"  {name}" for name in items]
    lines.append(f"Không dùng được ({len(report.refused)}):")
    lines += [f"  {line[2:]}" for line in refusal_lines(report.refused, names)]
    total = sum(len(ws) for ws in report.warnings_by_doc.values())
    lines.append(f"Cảnh báo ({total}):")
    lines += [f"  {w}" for ws in report.warnings_by_doc.values() for w in ws]
    return "\n".join(lines) + "\n"


def write_report(path: Path, text: str) -> bool:
    """Replace the report file as a whole; False (and the summary says nothing of it) on failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False


def warnings_listing(docs: list[dict], refused: list[str]) -> str:
    """`cchc kb warnings`: every warning of every served document, then what the build skipped."""
    lines: list[str] = []
    total = 0
    for doc in docs:
        try:
            warnings = json.loads(doc.get("warnings") or "[]")
        except ValueError:
            warnings = []
        if warnings:
            total += len(warnings)
            lines.append(f"• {doc['doc_id']} ({doc['filename']}): {'; '.join(warnings)}")
    head = [f"{total} cảnh báo ở {len(lines)} tài liệu." if total else "Không có cảnh báo nào về tài liệu."]
    if refused:
        lines.append(f"Không dùng được {len(refused)} mục (lần dựng gần nhất đã bỏ qua):")
        lines += [f"• {r}" for r in refused]
    return "\n".join(head + lines)

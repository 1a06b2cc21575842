"""Knowledge-base administration shared by the chat (/reload, file uploads, /xoa) and `cchc kb`.

Every change follows one safe path: change the documents folder, build a new knowledge DB beside
the old one, validate it, swap it in. If the build fails, the folder change is rolled back and the
old DB keeps serving; the admin gets every reason in Vietnamese. Builds are serialized with a file
lock so a CLI command and a bot reloading at the same time cannot interleave.

A rebuild of the whole folder (/reload, `cchc kb build`) keeps going past bad files: they are
skipped and every one is listed. An admin's add or remove is stricter: if the change itself makes a
file or question unusable (a new refusal), the change is refused and undone. Metadata warnings are
reported for the documents a change adds or modifies, not repeated for the ones it leaves alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from handlers.render_text import shorten
from knowledge.build import (
    BuildError,
    BuildReport,
    RefusalGuard,
    build_knowledge_db,
    document_files,
    seed_documents,
    stored_refusals,
)
from knowledge.readers import SUPPORTED_SUFFIXES, DocumentError, read_bytes, sniff_format
from retrieval.indexer import ensure_knowledge_db, index_knowledge_db

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
GROUP_FROM = 3  # refusals sharing one reason are listed as one line of file names from this many on


@dataclass
class Outcome:
    """The result of an admin action: `message` is what the admin reads."""

    ok: bool
    message: str
    report: BuildReport | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def refusal_lines(refusals: list[str], names: list[str]) -> list[str]:
    """Every refusal as a bullet, none left out. Refusals that differ only by the file they name
    (238 files "gần như không có nội dung") become one line listing all those files, so a long list
    stays readable in a chat. `names` are the folder's file names, to recognise them in the text."""
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
            lines.append(f"• {len(files)} tệp — {reason}: {', '.join(files)}.")
    return lines


def safe_filename(name: str) -> str:
    """A file name that cannot escape the documents folder or hide (no path, no leading dot)."""
    name = Path(name.replace("\\", "/")).name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE).strip("._") or f"tai_lieu_{int(time.time())}"
    return f"{stem[:80]}{suffix}"


class KnowledgeAdmin:
    """Adds, replaces and removes documents and rebuilds the knowledge DB, atomically."""

    def __init__(self, docs_dir: Path, kb_path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.docs_dir = Path(docs_dir)
        self.kb_path = Path(kb_path)
        self.max_bytes = max_bytes

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.kb_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.kb_path.parent / ".kb.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ensure(self) -> None:
        with self._locked():
            if not self.docs_dir.is_dir():
                seed_documents(self.docs_dir)
            ensure_knowledge_db(self.kb_path, self.docs_dir)

    def _current_docs(self) -> dict[str, dict]:
        if not self.kb_path.exists():
            return {}
        try:
            db = sqlite_utils.Database(self.kb_path)
            rows = {r["doc_id"]: r for r in db.query("SELECT doc_id, filename, sha256 FROM documents")}
            db.close()
            return rows
        except Exception:
            return {}

    def rebuild(self, progress: Progress | None = None) -> Outcome:
        with self._locked():
            return self._rebuild(progress, full_report=True)

    def _no_new_refusals(self) -> RefusalGuard:
        """For an add or remove: refuse the change if it makes anything unusable that was not already."""
        known = set(stored_refusals(self.kb_path))

        def guard(refusals: list[str]) -> list[str]:
            return [r for r in refusals if r not in known]

        return guard

    def _rebuild(self, progress: Progress | None, *, guard: RefusalGuard | None = None,
                 full_report: bool = False) -> Outcome:
        before = self._current_docs()
        if not self.docs_dir.is_dir():
            seed_documents(self.docs_dir)
        try:
            report = build_knowledge_db(self.docs_dir, self.kb_path, progress=progress, guard=guard,
                                        indexer=lambda db: index_knowledge_db(db, progress))
        except BuildError as exc:
            lines = "\n".join(refusal_lines(exc.errors, self._names()))
            return Outcome(False, "Không dựng lại được cơ sở tri thức; cơ sở tri thức cũ vẫn đang phục vụ.\n"
                                  f"Lý do:\n{lines}")
        except Exception as exc:  # disk full, a parser bug...: callers must still roll the folder back
            log.exception("knowledge base rebuild failed")
            return Outcome(False, "Không dựng lại được cơ sở tri thức do lỗi hệ thống "
                                  f"({type(exc).__name__}); cơ sở tri thức cũ vẫn đang phục vụ.")
        after = {d["doc_id"]: d for d in report.documents}
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = sorted(d for d in set(after) & set(before) if after[d]["sha256"] != before[d]["sha256"])
        text = self._report_text(report, added, removed, changed, full_report, self._names())
        return Outcome(True, text, report, added, removed, changed)

    def _names(self) -> list[str]:
        try:
            return [p.name for p in self.docs_dir.iterdir()]
        except OSError:
            return []

    @staticmethod
    def _report_text(report: BuildReport, added: list[str], removed: list[str], changed: list[str],
                     full_report: bool = True, names: list[str] | None = None) -> str:
        """The admin's report. Warnings only for what this change added or modified (the seed plans'
        warnings are said once, when they first go in); refusals in full after a whole-folder
        rebuild, as a count after an add/remove (which cannot have caused them: see the guard)."""
        lines = [f"Đã dựng lại cơ sở tri thức trong {report.seconds:.1f} giây: "
                 f"{len(report.documents)} tài liệu, {report.passages} đoạn văn, {report.contacts} liên hệ, "
                 f"{report.questions} câu hỏi trắc nghiệm."]
        lines.append(f"Thêm: {', '.join(added) or 'không'}; bỏ: {', '.join(removed) or 'không'}; "
                     f"thay đổi: {', '.join(changed) or 'không'}.")
        if report.restored:
            lines.append(f"Văn bản quét: {report.restored} tài liệu được máy tự động khôi phục dấu tiếng Việt "
                         "để hiển thị (bản quét gốc vẫn được lưu để đối chiếu).")
        if report.refused and full_report:
            lines.append(f"Không dùng được {len(report.refused)} mục (đã bỏ qua, phần còn lại vẫn được dựng):")
            lines += refusal_lines(report.refused, names or [])
        elif report.refused:
            lines.append(f"Vẫn còn {len(report.refused)} mục không dùng được như lần dựng trước "
                         "(gõ /reload hoặc chạy cchc kb build để xem danh sách).")
        new_docs = [*added, *changed]
        by_doc = report.warnings_by_doc
        warnings = [w for d in new_docs for w in by_doc.get(d, [])]
        if warnings:
            lines.append("Cảnh báo:")
            lines += [f"• {w}" for w in warnings]
        known = sum(len(ws) for d, ws in by_doc.items() if d not in new_docs)
        if known:
            lines.append(f"({known} cảnh báo về các tài liệu không đổi đã báo ở lần thêm trước, không nhắc lại; "
                         "xem: cchc kb stats.)")
        return "\n".join(lines)

    @staticmethod
    def upload_name(filename: str, data: bytes) -> str:
        """The name to store an upload under: a PDF or Word file sent without a usable extension
        (e.g. "kehoach" or Telegram's "<id>.bin") is named by its content. A name whose extension
        is supported is kept as it is, so content that contradicts it is still refused."""
        name = Path(filename.replace("\\", "/")).name or "tai_lieu"
        if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
            return name
        kind = sniff_format(data) if data.startswith((b"%PDF-", b"PK\x03\x04")) else ""
        if kind in ("pdf", "docx"):
            return f"{Path(name).stem or name}.{kind}"
        return name

    def check_upload(self, filename: str, data: bytes) -> str | None:
        """A Vietnamese reason to refuse the file, or None when it can be tried.

        The size is checked first (cheap, and a huge file is never parsed); then the type, by
        content (knowledge.readers.sniff_format), and the text is extracted once to prove it reads.
        """
        name = Path(filename).name
        suffix = Path(filename).suffix.lower()
        if len(data) > self.max_bytes:
            return (f"Tệp {name} quá lớn ({len(data) / 1048576:.1f} MB); "
                    f"giới hạn là {self.max_bytes / 1048576:.0f} MB.")
        if suffix == ".doc":
            return (f"Tệp {name} là định dạng Word cũ (.doc), chưa đọc được: hãy mở bằng Word, "
                    "lưu lại dưới dạng .docx (hoặc PDF) rồi gửi lại.")
        if suffix not in SUPPORTED_SUFFIXES:
            return f"Tệp {name}: chỉ nhận .txt, .md, .docx hoặc .pdf."
        try:
            read_bytes(data, filename)
        except DocumentError as exc:
            return str(exc)
        except Exception as exc:  # a reader library choking on hostile input is a refusal, not a crash
            log.warning("reading upload %s failed: %s: %s", name, type(exc).__name__, exc)
            return f"Không đọc được tệp {name}: tệp bị hỏng hoặc không đúng định dạng."
        return None

    def add_document(self, filename: str, data: bytes, progress: Progress | None = None) -> Outcome:
        """Add (or replace) a document and rebuild; on failure the folder is restored."""
        if len(data) <= self.max_bytes:  # a huge file is refused for its size, never opened
            filename = self.upload_name(filename, data)
        reason = self.check_upload(filename, data)
        if reason:
            return Outcome(False, f"Không thêm được tài liệu. {reason}")
        name = safe_filename(filename)
        with self._locked():
            if not self.docs_dir.is_dir():
                seed_documents(self.docs_dir)
            target = self.docs_dir / name
            digest = hashlib.sha256(data).hexdigest()
            for doc_id, row in self._current_docs().items():
                if row["sha256"] == digest:
                    if doc_id == target.stem:
                        return Outcome(True, f"Tài liệu {doc_id} đã có trong cơ sở tri thức, nội dung không "
                                             "thay đổi: không cần dựng lại.")
                    return Outcome(False, f"Không thêm được tài liệu. Nội dung tệp {name} trùng với tài liệu "
                                          f"đã có (mã {doc_id}).")
            same_stem = [p for p in document_files(self.docs_dir) if p.stem == target.stem and p != target]
            guard = self._no_new_refusals()
            backup_dir = self._backup_dir()
            moved = self._move_aside([target, *same_stem], backup_dir)
            target.write_bytes(data)
            outcome = self._rebuild(progress, guard=guard)
            if not outcome.ok:
                target.unlink(missing_ok=True)
                self._restore(moved)
            shutil.rmtree(backup_dir, ignore_errors=True)
        if outcome.ok and outcome.report is not None:
            outcome.message = f"{self._document_line(outcome.report, target.stem)}\n{outcome.message}"
        return outcome

    @staticmethod
    def _document_line(report: BuildReport, doc_id: str) -> str:
        """What the admin wants to see first: which document went in, as the index read it."""
        doc = next((d for d in report.documents if d["doc_id"] == doc_id), None)
        if doc is None:
            return f"Đã thêm tài liệu {doc_id}."
        number = f"số {doc['number']}" if doc["number"] else "không đọc được số hiệu"
        date = f"ngày {doc['date']}" if doc["date"] else "không đọc được ngày ban hành"
        return (f"Đã thêm tài liệu {doc_id}: “{shorten(doc['title'] or doc['filename'], 120)}” — {number}, {date}, "
                f"{doc['passages']} đoạn văn.")

    def remove_document(self, doc_id: str, progress: Progress | None = None) -> Outcome:
        """Remove a document (and its question file) and rebuild; on failure it is restored."""
        with self._locked():
            if not self.docs_dir.is_dir():
                seed_documents(self.docs_dir)
            files = [p for p in document_files(self.docs_dir) if p.stem == doc_id]
            if not files:
                return Outcome(False, f"Không có tài liệu mã “{doc_id[:80]}” (xem danh sách: /tailieu trong "
                                      "trò chuyện, hoặc cchc kb list).")
            files += [p for p in self.docs_dir.iterdir()
                      if p.stem == doc_id and p.suffix in (".yaml", ".yml")]
            guard = self._no_new_refusals()
            backup_dir = self._backup_dir()
            moved = self._move_aside(files, backup_dir)
            outcome = self._rebuild(progress, guard=guard)
            if not outcome.ok:
                self._restore(moved)
            shutil.rmtree(backup_dir, ignore_errors=True)
        if outcome.ok:
            outcome.message = f"Đã xoá tài liệu {doc_id}.\n{outcome.message}"
        return outcome

    def _backup_dir(self) -> Path:
        path = self.kb_path.parent / f".backup-{time.time_ns()}"
        path.mkdir(parents=True)
        return path

    @staticmethod
    def _move_aside(files: list[Path], backup_dir: Path) -> list[tuple[Path, Path]]:
        moved = []
        for f in files:
            if f.exists():
                dest = backup_dir / f.name
                shutil.move(str(f), dest)
                moved.append((f, dest))
        return moved

    @staticmethod
    def _restore(moved: list[tuple[Path, Path]]) -> None:
        for original, backup in moved:
            shutil.move(str(backup), original)

    def documents(self) -> list[dict]:
        if not self.kb_path.exists():
            return []
        db = sqlite_utils.Database(self.kb_path)
        try:
            return list(db.query(
                "SELECT d.doc_id, d.filename, d.title_display AS title, d.number, d.date, "
                "d.issuer_display AS issuer, d.warnings, "
                "(SELECT COUNT(*) FROM passages p WHERE p.doc_id = d.doc_id) AS passages, "
                "(SELECT COUNT(*) FROM contacts c WHERE c.doc_id = d.doc_id) AS contacts, "
                "(SELECT COUNT(*) FROM questions q WHERE q.doc_id = d.doc_id) AS questions "
                "FROM documents d ORDER BY d.doc_id"))
        finally:
            db.close()

    def list_text(self) -> str:
        docs = self.documents()
        if not docs:
            return "Chưa có tài liệu nào trong cơ sở tri thức."
        lines = [f"Có {len(docs)} tài liệu:"]
        for d in docs:
            number = d["number"] or "không số"
            date = d["date"] or "không rõ ngày"
            lines.append(f"• {d['doc_id']} — {shorten(d['title'], 90)} ({number}, {date}) — {d['passages']} đoạn")
        return "\n".join(lines)

    def stats_text(self) -> str:
        docs = self.documents()
        if not docs:
            return "Chưa có tài liệu nào trong cơ sở tri thức."
        head = f"{'tài liệu':<24} {'số hiệu':<13} {'ngày':<11} {'đoạn':>5} {'liên hệ':>7} {'câu hỏi':>7}"
        lines = [head, "-" * len(head)]
        for d in docs:
            lines.append(f"{d['doc_id'][:24]:<24} {(d['number'] or '-')[:13]:<13} {(d['date'] or '-'):<11} "
                         f"{d['passages']:>5} {d['contacts']:>7} {d['questions']:>7}")
        total = [sum(d[k] for d in docs) for k in ("passages", "contacts", "questions")]
        lines.append("-" * len(head))
        label = f"tổng ({len(docs)} tài liệu)"
        lines.append(f"{label:<50} {total[0]:>5} {total[1]:>7} {total[2]:>7}")
        return "\n".join(lines)

"""Knowledge-base administration shared by the chat (/reload, file uploads, /xoa) and `cchc kb`.

Every change follows one safe path: change the documents folder, build a new knowledge DB beside
the old one, validate it, swap it in. If the build fails, the folder change is rolled back and the
old DB keeps serving; the admin gets every reason in Vietnamese. Builds are serialized with a file
lock so a CLI command and a bot reloading at the same time cannot interleave.

A rebuild of the whole folder (/reload, `cchc kb build`) keeps going past bad files: they are
skipped and every one is listed. An admin's add or remove is stricter: if the change itself makes a
file or question unusable (a new refusal), the change is refused and undone. Metadata warnings are
reported for the documents a change adds or modifies, not repeated for the ones it leaves alone.

An add or remove is journaled before the folder is touched (knowledge/journal.py), and every
operation that takes the file lock first finishes or undoes a change a crash interrupted, so the
folder and the knowledge DB always describe the same documents; what recovery did goes to the
audit log through the `audit` callback.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from handlers.kb_report import (
    REPORT_NAME,
    WARNINGS_COMMAND,
    full_text,
    refusal_lines,
    report_text,
    summary_lines,
    warnings_listing,
    write_report,
)
from handlers.render_text import shorten
from handlers.state_db import StateDB
from knowledge.build import (
    BuildError,
    BuildReport,
    RefusalGuard,
    build_knowledge_db,
    document_files,
    seed_documents,
    stored_refusals,
)
from knowledge.journal import (
    BACKUP_PREFIX,
    CHANGE_META_KEY,
    Change,
    Journal,
    Move,
    committed_change,
    crash_point,
    fsync_dir,
    recover,
)
from knowledge.journal import roll_back as roll_back_change
from knowledge.readers import SUPPORTED_SUFFIXES, DocumentError, read_bytes, sniff_format
from retrieval.indexer import ensure_knowledge_db, index_knowledge_db

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
RecoveryAudit = Callable[[str], None]  # one audit row per thing recovery did
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
__all__ = ["KnowledgeAdmin", "Outcome", "audit_to", "refusal_lines", "safe_filename", "state_audit"]


@dataclass
class Outcome:
    """The result of an admin action: `message` is what the admin reads."""

    ok: bool
    message: str
    report: BuildReport | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    full: str = ""  # the full build report (every name, refusal and warning), also in kb-report.txt


RECOVERY_ACTION = "kb-recover"  # the audit log's action for what start-up recovery did


def audit_to(state: StateDB) -> RecoveryAudit:
    """Recovery's audit rows into an open state DB."""
    return lambda note: state.audit("system", "recovery", RECOVERY_ACTION, note[:500], True)


def state_audit(state_path: Path) -> RecoveryAudit:
    """Recovery's audit rows for a process with no state DB open (`cchc kb`, `cchc ask`): the DB is
    opened only when there is something to record."""
    def write(note: str) -> None:
        state = StateDB(state_path)
        try:
            audit_to(state)(note)
        finally:
            state.close()
    return write


def safe_filename(name: str) -> str:
    """A file name that cannot escape the documents folder or hide (no path, no leading dot)."""
    name = Path(name.replace("\\", "/")).name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE).strip("._") or f"tai_lieu_{int(time.time())}"
    return f"{stem[:80]}{suffix}"


class KnowledgeAdmin:
    """Adds, replaces and removes documents and rebuilds the knowledge DB, atomically."""

    def __init__(self, docs_dir: Path, kb_path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                 audit: RecoveryAudit | None = None) -> None:
        self.docs_dir = Path(docs_dir)
        self.kb_path = Path(kb_path)
        self.max_bytes = max_bytes
        self.audit = audit
        self.recovered: list[str] = []  # what recovery did in this process (also logged and audited)
        self.journal = Journal(self.kb_path)
        self.report_path = self.kb_path.parent / REPORT_NAME

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The knowledge base's file lock; whoever takes it first recovers an interrupted change
        (the lock dies with its process, so a journal found under it belongs to a dead one)."""
        self.kb_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.kb_path.parent / ".kb.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._recover()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _recover(self) -> None:
        notes = recover(self.docs_dir, self.kb_path)
        for tmp in self.report_path.parent.glob(f".{REPORT_NAME}.*.tmp"):  # a report cut short
            tmp.unlink(missing_ok=True)
        self.recovered += notes
        for note in notes:
            if self.audit is not None:
                try:
                    self.audit(note)
                except Exception:
                    log.exception("audit of a knowledge-base recovery failed")

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
                 full_report: bool = False, change_id: str = "") -> Outcome:
        before = self._current_docs()
        if not self.docs_dir.is_dir():
            seed_documents(self.docs_dir)
        try:
            report = build_knowledge_db(self.docs_dir, self.kb_path, progress=progress, guard=guard,
                                        indexer=lambda db: index_knowledge_db(db, progress),
                                        meta={CHANGE_META_KEY: change_id} if change_id else None)
        except BuildError as exc:
            names = self._names()
            head = "Không dựng lại được cơ sở tri thức; cơ sở tri thức cũ vẫn đang phục vụ."
            full = "\n".join([head, "Lý do:", *refusal_lines(exc.errors, names)]) + "\n"
            where = f"\nBáo cáo đầy đủ: {self.report_path}" if write_report(self.report_path, full) else ""
            lines = "\n".join(summary_lines(exc.errors, names))
            return Outcome(False, f"{head}\nLý do:\n{lines}{where}", full=full)
        except Exception as exc:  # disk full, a parser bug...: callers must still roll the folder back
            log.exception("knowledge base rebuild failed")
            return Outcome(False, "Không dựng lại được cơ sở tri thức do lỗi hệ thống "
                                  f"({type(exc).__name__}); cơ sở tri thức cũ vẫn đang phục vụ.")
        after = {d["doc_id"]: d for d in report.documents}
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = sorted(d for d in set(after) & set(before) if after[d]["sha256"] != before[d]["sha256"])
        names = self._names()
        full = full_text(report, added, removed, changed, names)
        written = write_report(self.report_path, full)
        text = report_text(report, added, removed, changed, full_report=full_report, names=names,
                           report_path=self.report_path if written else None)
        return Outcome(True, text, report, added, removed, changed, full=full)

    def _names(self) -> list[str]:
        try:
            return [p.name for p in self.docs_dir.iterdir()]
        except OSError:
            return []

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

    def add_document(self, filename: str, data: bytes, progress: Progress | None = None, by: str = "") -> Outcome:
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
            aside = [f for f in (target, *same_stem) if f.exists()]
            change = self._change("replace" if aside else "add", target.stem, aside, target, by)
            outcome = self._journaled(change, progress, lambda: self._write_new(target, data))
        if outcome.ok and outcome.report is not None:
            outcome.message = f"{self._document_line(outcome.report, target.stem)}\n{outcome.message}"
        return outcome

    @staticmethod
    def _document_line(report: BuildReport, doc_id: str) -> str:
        """What the admin wants to see first: which document went in, as the index read it."""
        doc = next((d for d in report.documents if d["doc_id"] == doc_id), None)
        if doc is None:
            return f"Đã thêm tài liệu {doc_id}."
        number = f"số {doc['number']}" if doc["number"] else "không có số hiệu"  # a warning says if unread
        date = f"ngày {doc['date']}" if doc["date"] else "không có ngày ban hành"
        return (f"Đã thêm tài liệu {doc_id}: “{shorten(doc['title'] or doc['filename'], 120)}” — {number}, {date}, "
                f"{doc['passages']} đoạn văn.")

    def remove_document(self, doc_id: str, progress: Progress | None = None, by: str = "") -> Outcome:
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
            outcome = self._journaled(self._change("remove", doc_id, files, None, by), progress, None)
        if outcome.ok:
            outcome.message = f"Đã xoá tài liệu {doc_id}.\n{outcome.message}"
        return outcome

    def _change(self, action: str, doc_id: str, aside: list[Path], target: Path | None, by: str) -> Change:
        """The journal entry of a change: every file it moves aside (with its digest) and the one it writes."""
        backup_dir = self.kb_path.parent / f"{BACKUP_PREFIX}{time.time_ns()}"
        moves = [Move(str(f), str(backup_dir / f.name), hashlib.sha256(f.read_bytes()).hexdigest()) for f in aside]
        return Change(id=uuid.uuid4().hex, action=action, doc_id=doc_id, backup_dir=str(backup_dir),
                      target=str(target) if target is not None else "", moves=moves, by=by)

    def _journaled(self, change: Change, progress: Progress | None, write: Callable[[], None] | None) -> Outcome:
        """Journal the change, move its files aside, write the new one, rebuild; undo on failure.
        The crash points name the steps a test kills the process at (knowledge/journal.py)."""
        guard = self._no_new_refusals()
        self.journal.begin(change)
        try:
            Path(change.backup_dir).mkdir(parents=True)
            for move in change.moves:
                shutil.move(move.original, move.backup)
            fsync_dir(self.docs_dir)
            crash_point("moved")
            if write is not None:
                write()
            outcome = self._rebuild(progress, guard=guard, change_id=change.id)
        except BaseException:
            self._settle(change)
            raise
        if not outcome.ok:
            crash_point("failed")
        self._settle(change)
        return outcome

    def _settle(self, change: Change) -> None:
        """End a change: kept if the serving DB was built for it (whatever failed after the swap),
        otherwise undone; then the backups and the journal go."""
        if committed_change(self.kb_path) != change.id:
            roll_back_change(change)
        shutil.rmtree(change.backup_dir, ignore_errors=True)
        crash_point("cleaned")
        self.journal.end()

    def _write_new(self, target: Path, data: bytes) -> None:
        """The new file, durably (a crash test stops half-way through it: "writing")."""
        half = len(data) // 2
        with open(target, "wb") as f:
            f.write(data[:half])
            f.flush()
            crash_point("writing")
            f.write(data[half:])
            f.flush()
            os.fsync(f.fileno())
        fsync_dir(self.docs_dir)
        crash_point("written")

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
        warned = [d for d in docs if d["warnings"] not in (None, "", "[]")]
        refused = stored_refusals(self.kb_path)
        if warned or refused:
            lines.append(f"{len(warned)} tài liệu có cảnh báo, {len(refused)} mục không dùng được: "
                         f"xem {WARNINGS_COMMAND}.")
        return "\n".join(lines)

    def warnings_text(self) -> str:
        """`cchc kb warnings`: what the last build could not read in the served documents, and
        what it skipped, kept in the knowledge DB (not only in the report of the build that found it)."""
        return warnings_listing(self.documents(), stored_refusals(self.kb_path))

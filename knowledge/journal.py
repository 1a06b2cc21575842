"""A journal for changes to the documents folder, and recovery of changes a crash interrupted.

An admin's add, replace or remove moves files aside into a `.backup-*` folder, writes the new file,
builds a new knowledge DB and swaps it in. A kill -9 (or a power cut) in the middle used to leave
the folder out of step with the knowledge DB: the new, never-confirmed file in `documents/`, a
removed file only in `.backup-*`, temporary DB files nobody cleaned up.

So every change is first written to a journal (`.kb-change.json` beside the knowledge DB, written
to a temporary file, fsynced and renamed: it is either the whole old journal or the whole new one)
naming its id, the files it will move aside with their SHA-256, and the file it will write. The
build stores the change id in the new DB's meta table, and `os.replace` of the DB is the one
commit point: on the next start (`recover`, run under the knowledge base's file lock by every entry
point) a change whose id the DB carries is completed (the backups are dropped), any other change is
rolled back (the new file removed, the moved files put back), and leftovers are removed. Recovery
is idempotent: a crash during recovery is recovered the same way on the next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

JOURNAL_NAME = ".kb-change.json"
BACKUP_PREFIX = ".backup-"
CHANGE_META_KEY = "change"  # the knowledge DB's meta row naming the change that built it
CRASH_ENV = "CCHC_TEST_CRASH_AT"  # tests only: the step at which the process kills itself
ACTION_NAMES = {"add": "thêm tài liệu", "replace": "thay tài liệu", "remove": "xoá tài liệu"}


@dataclass
class Move:
    """A file moved aside for the change: where it was, where it went, what it held."""

    original: str
    backup: str
    sha256: str


@dataclass
class Change:
    """One journaled change of the documents folder."""

    id: str
    action: str  # "add" | "replace" | "remove"
    doc_id: str
    backup_dir: str
    target: str = ""  # the file the change writes (add, replace); "" for a remove
    moves: list[Move] = field(default_factory=list)
    by: str = ""  # who asked for it: "telegram:900", "cchc kb add"
    started: float = field(default_factory=time.time)

    def describe(self) -> str:
        when = time.strftime("%H:%M %d/%m/%Y", time.localtime(self.started))
        who = f", bởi {self.by}" if self.by else ""
        return f"{ACTION_NAMES.get(self.action, self.action)} {self.doc_id} (bắt đầu lúc {when}{who})"


def crash_point(step: str) -> None:
    """Tests kill a real process at a named step of a change (CCHC_TEST_CRASH_AT=<step>): SIGKILL,
    like kill -9, so no cleanup code, `finally` block or exit handler runs."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    """Make the renames in `path` durable (a crash of the machine, not only of the process)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write `path` as a whole or not at all: a temporary file, fsynced, renamed over it."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


class Journal:
    """The journal file of one knowledge base (beside its DB, under its lock)."""

    def __init__(self, kb_path: Path) -> None:
        self.kb_path = Path(kb_path)
        self.path = self.kb_path.parent / JOURNAL_NAME

    def begin(self, change: Change) -> None:
        write_durably(self.path, json.dumps(asdict(change), ensure_ascii=False).encode())
        crash_point("journal")

    def end(self) -> None:
        self.path.unlink(missing_ok=True)
        fsync_dir(self.path.parent)

    def read(self) -> Change | None:
        """The unfinished change, or None. A journal that cannot be parsed raises ValueError."""
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"journal unreadable: {exc}") from exc
        try:
            moves = [Move(**m) for m in raw.pop("moves", [])]
            return Change(**raw, moves=moves)
        except TypeError as exc:
            raise ValueError(f"journal malformed: {exc}") from exc


def committed_change(kb_path: Path) -> str:
    """The id of the change the serving knowledge DB was built for ("" for a plain build)."""
    if not kb_path.exists():
        return ""
    try:
        conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [CHANGE_META_KEY]).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return ""
    return str(row[0]) if row else ""


def served_documents(kb_path: Path) -> dict[str, str]:
    """doc_id → SHA-256 of the documents the knowledge DB serves ({} when unreadable)."""
    if not kb_path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT doc_id, sha256 FROM documents").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def _put_back(backup: Path, original: Path) -> None:
    original.unlink(missing_ok=True)
    shutil.move(str(backup), original)


def roll_back(change: Change) -> list[str]:
    """Undo a change the knowledge DB never took: the moved files back, the new file gone."""
    done: list[str] = []
    originals = {m.original for m in change.moves}
    for move in change.moves:
        backup, original = Path(move.backup), Path(move.original)
        if not backup.exists():
            continue  # never moved, or already put back
        if sha256_file(backup) == move.sha256:
            _put_back(backup, original)
            done.append(f"trả lại {original.name}")
        else:  # a copy across file systems cut short: the original was never deleted
            backup.unlink()
    target = Path(change.target) if change.target else None
    if target is not None and str(target) not in originals and target.exists():
        target.unlink()
        done.append(f"bỏ tệp mới {target.name}")
    return done


def _orphan_backup(folder: Path, docs_dir: Path, served: dict[str, str]) -> list[str]:
    """A `.backup-*` folder no journal names (left by a version without the journal): a file the
    knowledge DB still serves goes back into the documents folder; the rest is dropped."""
    done: list[str] = []
    for backup in sorted(p for p in folder.iterdir() if p.is_file()):
        original = docs_dir / backup.name
        stem = backup.stem
        if stem not in served:
            continue
        is_document = backup.suffix.lower() not in (".yaml", ".yml")
        if is_document and sha256_file(backup) != served[stem]:
            continue
        if original.exists() and (not is_document or sha256_file(original) == served[stem]):
            continue
        if is_document:  # the never-confirmed replacement may carry another extension
            for other in docs_dir.iterdir():
                if other.stem == stem and other.name != backup.name and other.suffix.lower() not in (
                        ".yaml", ".yml") and other.is_file():
                    other.unlink()
        _put_back(backup, original)
        done.append(f"trả lại {backup.name}")
    return done


def _dead_or_ours(tmp: Path) -> bool:
    """A temporary DB file is a leftover unless the process named in it is another living one
    (a build running outside the lock, e.g. a benchmark)."""
    parts = tmp.name.split(".")
    pid = int(parts[-3]) if len(parts) >= 3 and parts[-3].isdigit() else 0
    if pid <= 0 or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def recover(docs_dir: Path, kb_path: Path) -> list[str]:
    """Finish or undo an interrupted change and remove leftovers; one Vietnamese line per thing
    done (for the audit log), [] when there was nothing to do. Call with the knowledge base's
    file lock held: no change or build of another process is then in progress."""
    docs_dir, kb_path = Path(docs_dir), Path(kb_path)
    data_dir = kb_path.parent
    if not data_dir.is_dir():
        return []
    notes: list[str] = []
    journal = Journal(kb_path)
    named_backup = ""
    try:
        change = journal.read()
    except ValueError as exc:
        log.error("knowledge-base change journal %s unreadable (%s); backups are checked one by one",
                  journal.path, exc)
        notes.append("Nhật ký thay đổi cơ sở tri thức bị hỏng; đã đối chiếu từng tệp sao lưu với cơ sở tri thức.")
        change = None
    if change is not None:
        named_backup = change.backup_dir
        if committed_change(kb_path) == change.id:
            shutil.rmtree(change.backup_dir, ignore_errors=True)
            notes.append(f"Thao tác {change.describe()} bị ngắt sau khi cơ sở tri thức mới đã dùng; "
                         "đã hoàn tất (xoá bản sao lưu).")
        else:
            done = roll_back(change)
            shutil.rmtree(change.backup_dir, ignore_errors=True)
            what = ", ".join(done) or "thư mục tài liệu chưa bị đổi"
            notes.append(f"Thao tác {change.describe()} bị ngắt trước khi cơ sở tri thức mới được dùng; "
                         f"đã hoàn tác ({what}).")
        fsync_dir(docs_dir)
    journal.end()
    served = served_documents(kb_path)
    for folder in sorted(data_dir.glob(f"{BACKUP_PREFIX}*")):
        if not folder.is_dir() or str(folder) == named_backup:
            continue
        done = _orphan_backup(folder, docs_dir, served) if docs_dir.is_dir() else []
        shutil.rmtree(folder, ignore_errors=True)
        notes.append(f"Đã xoá thư mục sao lưu sót lại {folder.name}"
                     + (f" ({', '.join(done)} vì cơ sở tri thức vẫn dùng)." if done else "."))
    leftovers = [p for p in data_dir.glob(f".{kb_path.name}.*.tmp") if _dead_or_ours(p)]
    leftovers += list(data_dir.glob(f"{JOURNAL_NAME}.*.tmp"))
    for tmp in leftovers:
        tmp.unlink(missing_ok=True)
    if leftovers:
        notes.append(f"Đã xoá {len(leftovers)} tệp tạm của lần dựng bị ngắt: "
                     + ", ".join(p.name for p in leftovers[:5]) + ("…" if len(leftovers) > 5 else "") + ".")
    for note in notes:
        log.warning("%s", note)
    return notes

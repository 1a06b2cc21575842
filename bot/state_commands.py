"""`cchc state backup FILE` and `cchc state check FILE`: copies of the state DB an office can trust.

The state DB holds what users made (quiz attempts, exams, the audit log, questions asked) and is
never rebuilt, so it is the one file to back up. Copying `state.db` with `cp` while a bot writes is
not safe (a WAL database is three files and a copy can catch a page half-written); SQLite's online
backup API copies a consistent snapshot while the bot keeps writing, page batch by page batch.

The copy is written beside FILE, switched from WAL to a single self-contained file, checked with
`PRAGMA integrity_check`, and only then renamed to FILE, so FILE is either a complete, checked
backup or untouched. Restoring is documented in the operator guide (stop the bot, put the file in
place as state.db, remove state.db-wal and state.db-shm, start the bot).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings

PAGES_PER_STEP = 256  # small steps: the bot's writes interleave with the copy instead of waiting for it
STEP_PAUSE = 0.002

# What each table holds, for the summary an admin reads (other tables are counted as they are).
TABLE_NAMES = {
    "questions_log": "câu hỏi đã nhận",
    "audit_log": "thao tác quản trị",
    "quiz_attempts": "lượt trả lời trắc nghiệm",
    "quiz_exams": "bài thi thử",
    "duty_subscriptions": "đăng ký nhắc việc",
    "duty_reminders_sent": "lời nhắc việc đã gửi",
}


@dataclass(frozen=True)
class Checked:
    """A state DB file checked: `integrity` is "ok" for a sound file; rows per table."""

    path: Path
    integrity: str
    rows: dict[str, int]
    size: int

    def summary(self) -> str:
        parts = [f"{n} {TABLE_NAMES.get(t, t)}" for t, n in self.rows.items()]
        return ", ".join(parts) or "chưa có bảng nào"


def check_file(path: Path) -> Checked:
    """Integrity and row counts of a state DB file (opened read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check").fetchall())
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        rows = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()
    return Checked(path, integrity, rows, path.stat().st_size)


def backup(source: Path, target: Path) -> Checked:
    """Copy `source` (a live state DB) to `target` with the online backup API; returns the check of
    the copy. Raises FileNotFoundError when there is no source, ValueError when the copy fails its
    integrity check (then `target` is left as it was)."""
    if not source.is_file():
        raise FileNotFoundError(source)
    target = target.expanduser()
    if target.is_dir():
        target = target / time.strftime("state-%Y%m%d-%H%M%S.db")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst, pages=PAGES_PER_STEP, sleep=STEP_PAUSE)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        dst.commit()
    except BaseException:
        dst.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    checked = check_file(tmp)
    if checked.integrity != "ok":
        tmp.unlink(missing_ok=True)
        raise ValueError(checked.integrity)
    os.replace(tmp, target)
    return Checked(target, checked.integrity, checked.rows, checked.size)


def run_state_command(settings: Settings, args: argparse.Namespace) -> int:
    """`cchc state backup FILE` / `cchc state check FILE`."""
    from bot.failures import EXIT_FAILED, fail

    command = args.state_command
    path = Path(args.file)
    if command == "backup":
        source = settings.state_path
        try:
            done = backup(source, path)
        except FileNotFoundError:
            return fail(f"Chưa có state.db trong {source.parent} (chưa ai dùng bot, hoặc CCHC_DATA_DIR sai): "
                        "không có gì để sao lưu.", EXIT_FAILED)
        except ValueError as exc:
            return fail(f"Bản sao không qua được kiểm tra toàn vẹn ({exc}); tệp {path} không bị thay đổi.")
        except (OSError, sqlite3.Error) as exc:
            return fail(f"Không sao lưu được sang {path}: {getattr(exc, 'strerror', None) or exc}.")
        print(f"Đã sao lưu {source} → {done.path} ({done.size / 1024:.0f} KB, kiểm tra toàn vẹn: ok).\n"
              f"Gồm: {done.summary()}.", file=sys.stdout)
        return 0
    if command == "check":
        if not path.is_file():
            return fail(f"Không có tệp {path}.")
        try:
            checked = check_file(path)
        except sqlite3.Error as exc:
            return fail(f"{path} không phải cơ sở dữ liệu SQLite đọc được ({exc}).")
        if checked.integrity != "ok":
            return fail(f"{path} bị hỏng: {checked.integrity}")
        print(f"{path}: nguyên vẹn ({checked.size / 1024:.0f} KB). Gồm: {checked.summary()}.")
        return 0
    return fail(f"Lệnh không hợp lệ: state {command}", 2)

"""Start-up and command failures as one or two Vietnamese lines, with an exit code — never a traceback.

An office's IT person reads these lines, often in `journalctl` or `docker logs`: they must say what is
wrong and what to do, and they must never show a token (every line goes through `redact`). The
traceback is for developers: it is printed only with CCHC_LOG_LEVEL=DEBUG.

Exit codes (documented in the operator guide):
  0 normal stop · 1 the bot could not run (network, platform refused, files) ·
  2 configuration is wrong (a variable is missing or invalid) · 130 stopped with Ctrl+C ·
  141 the reader of the output went away (`cchc kb list | head`).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import traceback
from pathlib import Path

from bot.logging_setup import redact

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
DEBUG_HINT = "Chạy lại với CCHC_LOG_LEVEL=DEBUG để xem chi tiết."


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Print `message` (redacted) on stderr and return `code`, for `return fail(...)` at start-up."""
    print(redact(message), file=sys.stderr, flush=True)
    return code


def explain(exc: BaseException, data_dir: Path | None = None) -> str:
    """What went wrong, in Vietnamese, for an exception nothing else caught (one or two lines)."""
    from knowledge.build import BuildError

    where = f" (CCHC_DATA_DIR={data_dir})" if data_dir is not None else ""
    if isinstance(exc, BuildError):
        reasons = "; ".join(exc.errors)
        if len(reasons) > 300:
            reasons = reasons[:300].rsplit(" ", 1)[0] + " …"
        return (f"Không dựng được cơ sở tri thức: {reasons}\n"
                "Hãy kiểm tra thư mục tài liệu (CCHC_DOCS_DIR) rồi chạy `cchc kb build` để xem đủ các lý do.")
    if isinstance(exc, PermissionError):
        return (f"Không có quyền đọc/ghi {exc.filename or 'thư mục dữ liệu'}{where}.\n"
                "Hãy cấp quyền cho người dùng chạy bot, hoặc đặt CCHC_DATA_DIR sang thư mục khác.")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return (f"Ổ đĩa đã đầy, không ghi được {exc.filename or 'dữ liệu'}{where}. "
                "Hãy giải phóng dung lượng rồi chạy lại.")
    if isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return (f"Thư mục dữ liệu chỉ đọc, không ghi được {exc.filename or ''}{where}. "
                "Hãy đặt CCHC_DATA_DIR sang thư mục ghi được.")
    if isinstance(exc, sqlite3.DatabaseError):
        return (f"Một tệp cơ sở dữ liệu trong thư mục dữ liệu bị hỏng hoặc không phải SQLite ({exc}){where}.\n"
                "knowledge.db: xoá đi rồi chạy `cchc kb build`; "
                "state.db: chép lại từ bản sao lưu (`cchc state backup`).")
    if isinstance(exc, OSError):
        return f"Lỗi tệp/hệ thống: {exc.strerror or exc} ({exc.filename or 'không rõ tệp'}). {DEBUG_HINT}"
    text = str(exc)
    if len(text) > 200:
        text = text[:200] + "…"
    return f"Lỗi: không thực hiện được lệnh ({type(exc).__name__}: {text}). {DEBUG_HINT}"


def report(exc: BaseException, log_level: str, data_dir: Path | None = None) -> int:
    """The last line of defence: the redacted explanation, and the traceback only at DEBUG."""
    if log_level.upper() == "DEBUG":
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        print(redact(trace), file=sys.stderr, flush=True)
    logging.getLogger("cchc").debug("command failed: %s", type(exc).__name__)
    return fail(explain(exc, data_dir), EXIT_FAILED)

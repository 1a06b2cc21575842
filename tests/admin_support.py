"""Shared pieces of the admin tests (no tests here): knowledge bases built once per session and
copied per test, settings with known admins, and snapshots that prove "nothing changed".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import cache
from pathlib import Path

from bot.settings import Settings

ADMIN_TG = "900"
ADMIN_ZALO = "zalo-admin-7"
USER_TG = "111"
USER_ZALO = "zalo-user-1"
ADMINS = frozenset({f"telegram:{ADMIN_TG}", f"zalo:{ADMIN_ZALO}"})
SMALL_DOC = "004_1ddf88fba73ab6aa"  # the smallest seed plan: fast rebuilds for the 20-reload test

DEV_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.jsonl"
# A copy of representative dev questions, so the tests do not depend on ../shared: answerable with
# and without diacritics, abbreviations, and out-of-scope ones the bot must decline.
EMBEDDED_QUESTIONS = [
    "Số hotline hỗ trợ người dân tìm kiếm thủ tục hành chính, nộp hồ sơ trực tuyến là gì?",
    "Hệ thống thông tin giải quyết thủ tục hành chính được kết nối với tổng đài số mấy?",
    "Nghị quyết về chuyển đổi số thành phố Hải Phòng đến năm 2025 là nghị quyết nào?",
    "Mục tiêu tỷ lệ người dân và doanh nghiệp hài lòng về giải quyết thủ tục hành chính của Sở Y tế là bao nhiêu?",
    "Chủ đề năm 2018 của thành phố Hải Phòng là gì?",
    "Trung tâm Y tế khu vực Mai Châu phải gửi báo cáo kết quả tuyên truyền cải cách hành chính trước ngày nào?",
    "sdt hotline dvc la j",
    "tp hai phong nam 2018 chu de la gi",
    "Kế hoạch số 139/KH-TTYT do đơn vị nào ban hành?",
    "Giá vé xe buýt nội thành Hải Phòng là bao nhiêu?",
    "Thủ tục đăng ký khai sinh cho con cần những giấy tờ gì?",
    "Mức lương cơ sở năm 2025 là bao nhiêu?",
]


def eval_questions() -> list[str]:
    """The embedded questions, plus every dev question when ../shared sits beside the clone."""
    questions = list(EMBEDDED_QUESTIONS)
    if DEV_QUESTIONS.is_file():
        for line in DEV_QUESTIONS.read_text("utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["q"])
    return list(dict.fromkeys(questions))


def make_settings(data_dir: Path, **over: object) -> Settings:
    values: dict[str, object] = dict(data_dir=data_dir, docs_dir=data_dir / "documents", admins=ADMINS,
                                     flood_per_minute=100_000)
    values.update(over)
    return Settings(**values)  # type: ignore[arg-type]


@cache
def _full_template(root: str) -> Path:
    """The seed plans and their knowledge DB, built once per session."""
    from bot.app import build_assistant

    data = Path(root) / "full"
    build_assistant(make_settings(data)).close()
    (data / "state.db").unlink()
    for extra in data.glob("state.db-*"):
        extra.unlink()
    return data


@cache
def _small_template(root: str) -> Path:
    """One small seed plan (with its quiz questions): each rebuild takes a fraction of a second."""
    from handlers.kb_admin import KnowledgeAdmin

    full = _full_template(root)
    data = Path(root) / "small"
    docs = data / "documents"
    docs.mkdir(parents=True)
    for path in (full / "documents").glob(f"{SMALL_DOC}.*"):
        shutil.copy2(path, docs / path.name)
    outcome = KnowledgeAdmin(docs, data / "knowledge.db").rebuild()
    assert outcome.ok, outcome.message
    return data


def fresh_data(root: Path, target: Path, small: bool = False) -> Path:
    """A writable copy of a template data dir (knowledge DB and documents, no state DB)."""
    template = _small_template(str(root)) if small else _full_template(str(root))
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("state.db*", ".kb.lock"))
    return target


def folder_snapshot(folder: Path) -> dict[str, str]:
    """Name → sha256 of every file in `folder`."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def file_identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def leftovers(data_dir: Path) -> list[str]:
    """Temporary DB files and backup folders a change must never leave behind."""
    return sorted(p.name for p in data_dir.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".backup-"))

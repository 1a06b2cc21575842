"""`cchc doctor` on an installation without tokens and without the office's contacts (issue 22)."""

from __future__ import annotations

import io
from pathlib import Path

from bot.doctor import run_doctor
from bot.settings import Settings


def _doctor(settings: Settings) -> list[str]:
    out = io.StringIO()
    run_doctor(settings, offline=True, out=out)
    return out.getvalue().splitlines()


def test_doctor_without_tokens_names_the_web_channel(data_dir: Path) -> None:
    lines = _doctor(Settings(data_dir=data_dir, docs_dir=data_dir / "documents"))
    token_line = next(line for line in lines if "TELEGRAM_BOT_TOKEN" in line)
    assert token_line.startswith("⚠")
    assert "`cchc run web`" in token_line and "`cchc chat`" in token_line and "`cchc ask`" in token_line
    assert "chỉ dùng được" not in token_line


def test_doctor_says_when_the_office_has_no_contacts_of_its_own(data_dir: Path) -> None:
    bare = _doctor(Settings(data_dir=data_dir, docs_dir=data_dir / "documents"))
    assert any(line.startswith("⚠ Chưa đặt CCHC_OFFICE_HOTLINE") for line in bare), bare
    named = _doctor(Settings(data_dir=data_dir, docs_dir=data_dir / "documents", office_name="UBND xã Tân Phong",
                             office_hotline="0233 3777 111"))
    assert "✔ Liên hệ của UBND xã Tân Phong: 0233 3777 111." in named
    assert not any("CCHC_OFFICE_HOTLINE" in line for line in named)

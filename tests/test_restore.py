"""OCR restoration (issue 11): damaged Vietnamese restored, clean text and protected tokens untouched.

Every sentence here is made up for the test (none comes from the seed plans); the damage imitates
what a Latin-1 OCR engine does to Vietnamese (marks dropped, ê→é, ô→6, ư→ir, đ→P, ủ→i).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from knowledge.restore import needs_restoring, restore_text
from knowledge.restore.syllables import normalize_syllable, place_tone

ROOT = Path(__file__).resolve().parents[1]
RESTORE_EVAL = ROOT.parent / "shared" / "eval" / "run_restore_eval.py"

CLEAN = """Ủy ban nhân dân phường Tân Lập tổ chức hội nghị triển khai kế hoạch cải cách hành chính năm 2026.
Các cơ quan, đơn vị có trách nhiệm báo cáo kết quả thực hiện về Văn phòng trước ngày 15 hằng tháng.
Người dân có thể nộp hồ sơ trực tuyến trên Cổng dịch vụ công của tỉnh."""

DAMAGED = """Uy ban nhan dan phuong Tan Lap t6 chirc hoi nghi trién khai ké hoach cai cach hanh chinh nim 2026.
Cac co quan, don vi c6 trach nhiém bao cao két qua thuc hién vé Van phong truéc ngay 15 hang thang.
Nguoi dan c6 thé nop hd so truc tuyén trén Céng dich vu cong ctia tinh."""


def _syllables(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def _share_right(restored: str, clean: str) -> float:
    got, want = _syllables(restored), _syllables(clean)
    assert len(got) == len(want)
    return sum(a == b for a, b in zip(got, want)) / len(want)


def test_damaged_text_is_restored_line_for_line() -> None:
    out = restore_text(DAMAGED)
    assert out.count("\n") == DAMAGED.count("\n")
    assert _share_right(out, CLEAN) >= 0.85, out
    for phrase in ("tổ chức", "cải cách hành chính", "trách nhiệm", "báo cáo", "dịch vụ công", "năm 2026"):
        assert phrase in out.lower(), (phrase, out)


def test_raw_ocr_is_far_worse_than_restored() -> None:
    """The test above can fail: the damaged input itself scores low against the clean text."""
    assert _share_right(DAMAGED, CLEAN) < 0.5


def test_clean_text_passes_through_unchanged() -> None:
    assert not needs_restoring(CLEAN)
    assert restore_text(CLEAN) == CLEAN
    questions = "Số điện thoại đường dây nóng của phường là gì?\nAi chịu trách nhiệm tuyên truyền?"
    assert restore_text(questions) == questions


def test_clean_text_in_nfd_is_unchanged() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", CLEAN)
    assert restore_text(decomposed) == decomposed


def test_text_without_letters_is_unchanged() -> None:
    for text in ("", "\n\n", "2026 - 15/12/2025", "1800.1096"):
        assert restore_text(text) == text


def test_numbers_codes_urls_emails_and_acronyms_are_untouched() -> None:
    line = ("Quyét dinh s6 1234/QD-UBND ngay 05/06/2026 va Ké hoach 77/KH-UBND; hotline 1900.1234, "
            "email hotro@tanlap.gov.vn, cong https://dichvucong.gov.vn/p/home, chi s6 PAR INDEX, SIPAS "
            "va (PAPI), TTHC, CCHC nim 2026, ty 1é 95,5%, sdt 0912.345.678")
    out = restore_text(line, force=True)
    # the number is kept; its kind is the form's "QĐ", which an engine without Đ prints "QD"
    for kept in ("1234/QĐ-UBND", "05/06/2026", "77/KH-UBND", "1900.1234", "hotro@tanlap.gov.vn",
                 "https://dichvucong.gov.vn/p/home", "PAR INDEX", "SIPAS", "(PAPI)", "TTHC", "CCHC", "2026",
                 "95,5%", "0912.345.678"):
        assert kept in out, (kept, out)
    assert "Quyết định số" in out, out
    money = restore_text("Kinh phi 500$ va ma 30¢/NQ-CP cho hoi nghi", force=True)
    assert "500$" in money and "30¢/NQ-CP" in money, money
    glued = restore_text("ngay 27 thang8 nim 2025 va dén thang12", force=True)
    assert "tháng8" in glued and "tháng12" in glued, glued


def test_case_is_kept() -> None:
    out = restore_text("I. MUC TIEU, YEU CAU\nKé hoach nay dugc trién khai tai Uy ban nhan dan xa.", force=True)
    first, second = out.split("\n")
    assert first == "I. MỤC TIÊU, YÊU CẦU", first
    assert second.startswith("Kế hoạch này được triển khai"), second
    assert "Ủy ban nhân dân xã" in second, second


def test_fragment_restores_a_damaged_title() -> None:
    assert restore_text("Ké hoach tuyén truyén cai cach hanh chinh", force=True) == \
        "Kế hoạch tuyên truyền cải cách hành chính"
    assert restore_text("Kế hoạch năm 2026") == "Kế hoạch năm 2026"


def test_tone_placement_follows_the_old_style() -> None:
    assert place_tone("hoà") == "hòa"
    assert place_tone("thuỷ") == "thủy"
    assert place_tone("hoàng") == "hoàng"
    assert normalize_syllable("Khoẻ") == "khỏe"
    assert normalize_syllable("hotline") == ""


def test_cli_restores_stdin_line_for_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CCHC_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "bot", "text", "restore", "-"], input=DAMAGED + "\n",
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(DAMAGED.splitlines())
    assert "tổ chức" in proc.stdout
    bad = tmp_path / "missing.txt"
    proc = subprocess.run([sys.executable, "-m", "bot", "text", "restore", str(bad)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Lỗi:") and "Traceback" not in proc.stderr


@pytest.mark.skipif(not RESTORE_EVAL.exists(), reason="../shared/eval is not beside this checkout")
def test_restore_eval_meets_the_bar(tmp_path: Path) -> None:
    """The acceptance check of issue 11, through the real command line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CCHC_DATA_DIR": str(tmp_path)}
    cmd = f"{sys.executable} -m bot text restore -"
    proc = subprocess.run([sys.executable, str(RESTORE_EVAL), "--cmd", cmd, "--min-accuracy", "0.95",
                           "--min-numbers", "1.0", "--max-clean-changed", "0.005"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_the_first_look_by_letter_runs_decides_as_the_word_count_does() -> None:
    """`needs_restoring` decides sure cases from runs of letters, the rest word by word: on clean,
    damaged, mixed and borderline texts it agrees with counting the tokenizer's words."""
    from knowledge.restore.detect import CLEAN_SHARE
    from knowledge.restore.line_tokens import is_clean_word, split_line

    def by_words(text: str) -> bool:
        words = [p.text for line in text.splitlines() for p in split_line(line)
                 if p.kind == "word" and any(c.isalpha() for c in p.text)]
        return bool(words) and sum(map(is_clean_word, words)) < CLEAN_SHARE * len(words)

    damaged_lines, clean_lines = (DAMAGED + "\n" + DAMAGED).splitlines(), (CLEAN + "\n" + CLEAN).splitlines()
    texts = [CLEAN, DAMAGED, "Lưu: VT, VP.", "I. MUC TIEU\nII. NOI DUNG", "a) 12/2025; b) 500$"]
    for n in range(len(clean_lines) + 1):  # from all damaged to all clean, line by line
        texts.append("\n".join(clean_lines[:n] + damaged_lines[n:]))
    for text in texts:
        assert needs_restoring(text) == by_words(text), text
    assert needs_restoring(DAMAGED) and not needs_restoring(CLEAN)


def test_the_letter_runs_with_a_vietnamese_only_letter_are_counted_as_the_word_check_counts_them() -> None:
    """The regex that counts runs holding a Vietnamese-only letter knows every such letter of
    Unicode, and counts exactly the runs `is_clean_word` accepts (NFC and NFD text, mixed scripts)."""
    import random
    import unicodedata

    from knowledge.restore.detect import _CLEAN_RUN, _LETTER_RUN, vietnamese_only_letters
    from knowledge.restore.line_tokens import is_clean_word

    assert vietnamese_only_letters() == vietnamese_only_letters(0x110000)
    rng = random.Random(7)
    alphabet = "aăâbcdđeêoôơuưyAĂĐƯÓỏạ1_ -.\n" + "".join(chr(rng.randrange(0x100, 0x2100)) for _ in range(60))
    texts = [CLEAN, DAMAGED, unicodedata.normalize("NFD", CLEAN)]
    texts += ["".join(rng.choice(alphabet) for _ in range(80)) for _ in range(500)]
    for text in texts:
        text = unicodedata.normalize("NFC", text)
        assert len(_CLEAN_RUN.findall(text)) == sum(map(is_clean_word, _LETTER_RUN.findall(text))), text


def test_a_restoring_run_keeps_its_results_and_removes_other_versions_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage's cache (CCHC_CACHE_DIR): a run stores each text's restoration, serves it again,
    and removes what another version of the restorer left there, leaving other files alone."""
    from knowledge.restore import stage

    monkeypatch.setenv("CCHC_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "restored"
    folder.mkdir()
    stale = folder / "0123456789abcdef-old-entry.txt"
    stale.write_text("cũ", "utf-8")
    unrelated = folder / "ghi-chu.md"
    unrelated.write_text("không phải mục của bộ nhớ đệm", "utf-8")
    first = stage.restore([DAMAGED, CLEAN], enabled=True)
    assert first[1] is None and first[0] and first[0] != DAMAGED
    assert not stale.exists() and unrelated.exists()
    kept = sorted(folder.glob(f"{stage.restorer_fingerprint()}-*.txt"))
    assert len(kept) == 1 and kept[0].read_text("utf-8") == first[0]
    kept[0].write_text(first[0].replace("2026", "2027"), "utf-8")  # served from the cache, not restored again
    assert stage.restore([DAMAGED, CLEAN], enabled=True)[0] == first[0].replace("2026", "2027")

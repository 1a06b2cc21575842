"""The retrieval and answer score on the dev questions must stay above the bar (issue: core).

Runs ../shared/eval/run_eval.py exactly as the acceptance check does, through the real command
line. CI clones the project with ../shared beside it; without it the test is skipped, not passed.

Answers are shown restored (issue 11); the bars are the acceptance bars of the core issue on dev
and issue 12's acceptance on dev and dev2 together: recall@1 0.90, recall@3 0.97, answer 0.90,
abstain 1.0 (0.914 / 0.974 / 0.907 / 1.000 on 2026-12-02: README, Quality).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval" / "run_eval.py"
MIN_ANSWER = "0.85"


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = f"{sys.executable} -m bot ask --json -k 3 -"
    # The plans' sets were written before the procedure catalogue: they count "Thủ tục đăng ký khai
    # sinh cần giấy tờ gì?" as out of scope, which a procedure card now answers (issue 19; the
    # procedures' own evaluation is below). The documents are measured alone, as the sets mean.
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "CCHC_TTHC_LEVELS": "none"}
    return subprocess.run([sys.executable, str(EVAL), "--cmd", cmd, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def documents_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir built from the seed plans without the shipped procedure catalogue."""
    data_dir = tmp_path_factory.mktemp("documents-only") / "data"
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "CCHC_TTHC_LEVELS": "none"}
    env.pop("CCHC_DOCS_DIR", None)
    build = subprocess.run([sys.executable, "-m", "bot", "kb", "build"], capture_output=True, text=True, env=env,
                           cwd=ROOT, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    return data_dir


@pytest.mark.skipif(not EVAL.exists(), reason="../shared/eval is not beside this checkout")
def test_dev_and_dev2_together_meet_the_bar(documents_only: Path, tmp_path: Path) -> None:
    """Both shared sets together (189 questions asked), issue 12's acceptance command."""
    both = tmp_path / "dev_and_dev2.jsonl"
    both.write_text("".join((EVAL.parent / name).read_text(encoding="utf-8")
                            for name in ("dev_questions.jsonl", "dev2_questions.jsonl")), encoding="utf-8")
    proc = _run(documents_only, "--set", str(both), "--min-recall1", "0.90", "--min-recall3", "0.97",
                "--min-answer", "0.90", "--min-abstain", "1.0", "--max-passage", "1500", "--max-answer", "600")
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-2000:]
    assert proc.returncode == 0, f"{summary}\n{proc.stdout[-4000:]}"


@pytest.mark.skipif(not EVAL.exists(), reason="../shared/eval is not beside this checkout")
def test_all_three_plan_sets_hold_their_level(documents_only: Path, tmp_path: Path) -> None:
    """dev + dev2 + dev3 (301 questions asked), issue 18's command at its bars: recall@1 0.90,
    recall@3 0.97, answer 0.90, abstain 0.97 (0.922 / 0.986 / 0.903 / 0.976 on 2026-12-07)."""
    sets = tmp_path / "dev_dev2_dev3.jsonl"
    sets.write_text("".join((EVAL.parent / f"{name}_questions.jsonl").read_text(encoding="utf-8")
                            for name in ("dev", "dev2", "dev3")), encoding="utf-8")
    proc = _run(documents_only, "--set", str(sets), "--min-recall1", "0.90", "--min-recall3", "0.97",
                "--min-answer", "0.90", "--min-abstain", "0.97", "--max-passage", "1500", "--max-answer", "600")
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-2000:]
    assert proc.returncode == 0, f"{summary}\n{proc.stdout[-4000:]}"


@pytest.mark.skipif(not EVAL.exists(), reason="../shared/eval is not beside this checkout")
def test_dev_questions_meet_the_bar(documents_only: Path) -> None:
    cmd = f"{sys.executable} -m bot ask --json -k 3 -"
    env = {**os.environ, "CCHC_DATA_DIR": str(documents_only), "PYTHONPATH": str(ROOT), "CCHC_TTHC_LEVELS": "none"}
    proc = subprocess.run(
        [sys.executable, str(EVAL), "--cmd", cmd, "--min-recall1", "0.85", "--min-recall3", "0.95",
         "--min-answer", MIN_ANSWER, "--min-abstain", "1.0", "--max-passage", "1500", "--max-answer", "600"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-2000:]
    assert proc.returncode == 0, f"{summary}\n{proc.stdout[-4000:]}"


ALQAC = ROOT.parent / "shared" / "alqac"


@pytest.mark.skipif(not (ALQAC / "docs").is_dir(), reason="../shared/alqac is not beside this checkout")
def test_laws_written_by_others_are_found_and_ranked(tmp_path: Path) -> None:
    """The same engine on the second corpus (2,249 law articles, 525 questions by others), as
    issue 18's acceptance runs it, at its bars: R@1 ≥ 0.83, R@5 ≥ 0.95, found ≥ 0.97 (README,
    Quality: 0.853 / 0.958 / 0.996 on 2026-12-07)."""
    import shutil

    docs = tmp_path / "docs"
    shutil.copytree(ALQAC / "docs", docs)
    env = {**os.environ, "CCHC_DATA_DIR": str(tmp_path / "data"), "CCHC_DOCS_DIR": str(docs),
           "PYTHONPATH": str(ROOT)}  # with the procedure catalogue, as served
    build = subprocess.run([sys.executable, "-m", "bot", "kb", "build"], capture_output=True, text=True, env=env,
                           cwd=ROOT, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    cmd = f"{sys.executable} -m bot ask --json -k 5 -"
    proc = subprocess.run([sys.executable, str(EVAL.parent / "run_alqac_eval.py"), "--cmd", cmd, "--by", "none"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    row = next(line for line in proc.stdout.splitlines() if line.startswith("| cmd"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    recall1, recall5 = float(cells[2]), float(cells[4])
    found = float(cells[9].split("found=")[1].split()[0])
    assert recall1 >= 0.83 and recall5 >= 0.95 and found >= 0.97, row

"""The procedure catalogue's cost: build time, ask latency, memory and the wheel's size.

    .venv/bin/python bench/bench_procedures.py            # all four measurements
    .venv/bin/python bench/bench_procedures.py --no-wheel

- build s: the seed plans plus the whole shipped catalogue (2,849 procedures), through the real
  build (`retrieval.indexer.rebuild`), in a child process (issue 19: ≤ 30 s).
- ask median / p99 ms: `AskService.ask` (documents, then the routing and, for procedure questions,
  the card's answer) over the plan dev questions and, separately, the procedure dev questions (long
  citizens' stories), as written and without diacritics, after a first answer (issue 19: ≤ 3 ms).
- peak MB: ru_maxrss of a process that opened the knowledge DB and answered the questions, with the
  catalogue and without it (CCHC_TTHC_LEVELS=none) (issue 19: ≤ +150 MB).
- wheel MB: `pip wheel` of the package (issue 19: ≤ 10 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FALLBACK_QUESTIONS = ["Số đường dây nóng hỗ trợ dịch vụ công là gì?", "Làm giấy khai sinh cho con cần giấy tờ gì?",
                      "lệ phí cấp hộ chiếu bao nhiêu", "Kế hoạch tuyên truyền CCHC năm 2025 có mục tiêu gì?"]


SETS = {"plans": SHARED / "eval" / "dev_questions.jsonl", "procedures": SHARED / "tthc" / "dev_questions.jsonl"}


def questions(path: Path) -> list[str]:
    if not path.exists():
        return FALLBACK_QUESTIONS
    return [json.loads(line)["q"].replace("\n", " ") for line in path.open(encoding="utf-8") if line.strip()]


CHILD = r"""
import json, resource, statistics, sys, time, unicodedata
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from knowledge.build import seed_documents
from retrieval.indexer import rebuild
data = Path(sys.argv[2]); sets = json.loads(sys.argv[3]); mode = sys.argv[4]
if mode == "build":
    seed_documents(data / "documents")
    t = time.perf_counter(); report = rebuild(data / "documents", data / "knowledge.db")
    print(json.dumps({"build_s": time.perf_counter() - t, "procedures": report.procedures}))
    raise SystemExit
from handlers.core import AskService
from handlers.knowledge_holder import KnowledgeHolder
from retrieval.engine import AskEngine
service = AskService(KnowledgeHolder(AskEngine.open(data / "knowledge.db")))
def plain(s):
    s = unicodedata.normalize("NFD", s).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in s if unicodedata.category(c) != "Mn")
out = {}
for name, qs in sets.items():
    asked = list(qs) + [plain(q) for q in qs]
    service.ask(asked[0])
    times, routed = [], 0
    for q in asked:
        t = time.perf_counter(); r = service.ask(q); times.append(1000 * (time.perf_counter() - t))
        routed += r.reason == "procedure"
    times.sort()
    out[name] = {"median_ms": statistics.median(times), "p99_ms": times[int(0.99 * (len(times) - 1))],
                 "routed": routed, "n": len(asked)}
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def child(data: Path, sets: dict[str, list[str]], mode: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(data), json.dumps(sets), mode],
                         capture_output=True, text=True, env=env, timeout=1200)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def wheel_mb() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp, str(ROOT)],
                       check=True, capture_output=True, timeout=600)
        wheels = list(Path(tmp).glob("*.whl"))
        return wheels[0].stat().st_size / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-wheel", action="store_true")
    args = ap.parse_args()
    sets = {name: questions(path) for name, path in SETS.items()}
    rows = []
    for label, extra in (("catalogue", {}), ("no catalogue", {"CCHC_TTHC_LEVELS": "none"})):
        env = {**os.environ, **extra}
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            rows.append((label, child(data, sets, "build", env), child(data, sets, "ask", env)))
    print("kb           | procedures | build s | questions  | median ms | p99 ms | routed to cards | peak MB")
    for label, built, asked in rows:
        for name in sets:
            r = asked[name]
            print(f"{label:<12} | {built['procedures']:>10} | {built['build_s']:7.1f} | {name:<10} | "
                  f"{r['median_ms']:9.2f} | {r['p99_ms']:6.1f} | {r['routed']:>7}/{r['n']:<7} | "
                  f"{asked['peak_mb']:7.0f}")
    print(f"peak memory with the catalogue: +{rows[0][2]['peak_mb'] - rows[1][2]['peak_mb']:.0f} MB")
    if not args.no_wheel:
        print(f"wheel: {wheel_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

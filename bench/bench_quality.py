"""Answer quality beyond the dev questions: prints the numbers behind the decline calibration.

Sets (each asked as written and without diacritics):
- quiz-bank stems (knowledge/questions, written from the plans): found rate, recall@1/@3 of the
  passage holding the question's quote (≥ 60% of its word trigrams);
- bench/quality_sets/paraphrases.txt: short, natural in-scope questions — found rate;
- bench/quality_sets/out_of_scope.txt: everyday administrative questions the plans do not answer —
  decline rate;
- ../shared/eval/dev_questions.jsonl when present: found rate in scope, decline rate out of scope.

Usage: python bench/bench_quality.py   (uses CCHC_DATA_DIR, building the seed KB on first use)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge.text import fold, strip_marks  # noqa: E402
from retrieval.engine import AskEngine  # noqa: E402
from retrieval.indexer import ensure_knowledge_db  # noqa: E402

SETS = Path(__file__).parent / "quality_sets"
DEV = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"


def both_forms(questions: list[str]) -> list[str]:
    return [form for q in questions for form in dict.fromkeys([q, strip_marks(q)])]


def trigrams(text: str) -> set[str]:
    words = fold(text).split()
    return {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


def main() -> int:
    settings = Settings.from_env()
    ensure_knowledge_db(settings.kb_path, settings.docs_dir)
    engine = AskEngine.open(settings.kb_path)
    rows = []

    bank = engine.questions()
    n = found = r1 = r3 = 0
    for q in bank:
        for text in both_forms([q["question"]]):
            result = engine.ask(text, k=3)
            n += 1
            found += result.found
            quote = trigrams(q["quote"])
            rank = next((i + 1 for i, h in enumerate(result.citations[:3] if result.found else [])
                         if len(quote & trigrams(h.source_text)) / len(quote) >= 0.6), None)
            r1 += rank == 1
            r3 += rank is not None
    rows.append(("quiz-bank stems", n, f"found {found / n:.3f}", f"recall@1 {r1 / n:.3f}  recall@3 {r3 / n:.3f}"))

    def rate(name: str, questions: list[str], want_found: bool) -> None:
        asked = both_forms(questions)
        ok = sum(engine.ask(q).found == want_found for q in asked)
        rows.append((name, len(asked), f"{'found' if want_found else 'declined'} {ok / len(asked):.3f}", ""))

    lines = lambda p: [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]  # noqa: E731
    rate("paraphrases (in scope)", lines(SETS / "paraphrases.txt"), True)
    rate("out of scope", lines(SETS / "out_of_scope.txt"), False)
    if DEV.exists():
        items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
        rate("dev in scope", [it["q"] for it in items if not it["abstain"]], True)
        rate("dev out of scope", [it["q"] for it in items if it["abstain"]], False)

    print(f"{'set':<24} {'asked':>6}  {'rate':<16} {'retrieval'}")
    for name, count, rate_text, extra in rows:
        print(f"{name:<24} {count:>6}  {rate_text:<16} {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""OCR restoration speed on text the restorer has not seen (issue 11).

Each document is restored by a fresh `Restorer` (empty candidate and LM caches), so nothing learnt
from one document speeds up the next; the model (package data) is loaded once, as in a running
bot or a build. Prints the model load time, then syllables per second per document (one core),
then the same for all documents restored together (what the knowledge build does). Each figure
is given by wall time and by this process's CPU time: on a shared machine the wall time measures
the other processes too, the CPU time what one core spends.

    python bench/bench_restore.py [FILE ...]     (default: the embedded seed plans)
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.restore.model_store import build_model, load_model  # noqa: E402
from knowledge.restore.restorer import Restorer  # noqa: E402


def syllables(text: str) -> int:
    return len(re.findall(r"\w+", text))


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "knowledge" / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    t = time.perf_counter()
    build_model()
    print(f"model built from package data: {time.perf_counter() - t:.2f} s")
    load_model.cache_clear()
    t = time.perf_counter()
    model = load_model()
    print(f"model loaded (cache): {time.perf_counter() - t:.2f} s")
    total_syl = total_s = cpu_s = 0.0
    for path, text in zip(paths, texts):
        restorer = Restorer(model)
        t, c = time.perf_counter(), time.process_time()
        restorer.restore(text)
        dt = time.perf_counter() - t
        cpu_s += time.process_time() - c
        n = syllables(text)
        total_syl += n
        total_s += dt
        print(f"{path.name}: {n} syllables in {dt:.2f} s = {n / dt:,.0f} syllables/s")
    print(f"each alone: {total_syl:,.0f} syllables in {total_s:.2f} s = {total_syl / total_s:,.0f} syllables/s"
          f" (CPU {cpu_s:.2f} s = {total_syl / cpu_s:,.0f} syllables/s per core)")
    t, c = time.perf_counter(), time.process_time()
    Restorer(model).restore_many(texts)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    print(f"all together (the build): {total_syl:,.0f} syllables in {dt:.2f} s = {total_syl / dt:,.0f} syllables/s"
          f" (CPU {dc:.2f} s = {total_syl / dc:,.0f} syllables/s per core)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

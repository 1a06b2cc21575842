"""The ask path at scale: build time, start-up time, latency and memory per engine and corpus size.

One run prints one table:

    engine | passages | build s | load s | median ms | p99 ms | peak MB

- build s: `retrieval.indexer.rebuild` of the knowledge DB (the real build path, progress bar on
  stderr). Knowledge DBs are cached between runs (CCHC_BENCH_CACHE, default $TMPDIR/cchc-bench)
  and rebuilt when the build code changes or with --rebuild; a cached DB shows the time of the
  build that made it, marked "(cached)". CCHC_BENCH_KEEP_KB=1 keeps a DB built by older code
  ("(older code)"), for profiling the ask path without minutes of rebuilding.
- load s: a fresh process opens the existing DB and answers one question — imports of the
  retrieval code, loading the index, and the first question's lazy loads (lexicon, underthesea).
- median / p99 ms: `AskEngine.ask` (normalize, tokenize, rank, pick the answer) over the dev
  questions, as written and without diacritics (../shared/eval/dev_questions.jsonl; a built-in
  list when that file is absent), round robin, after the first answer.
- peak MB: ru_maxrss of that process (each configuration runs in its own process; builds run in
  their own process too, since Linux children inherit the parent's ru_maxrss).
- build MB: peak RSS of the build process (only known for builds made by this version).
- index: "stored" when the passage index came from the DB (as the build wrote it), "built" when
  it was counted from the stored terms at start-up (rank-bm25 always; inverted only when the code
  deriving index terms changed after the build).

Sizes: the five seed plans, then synthetic KBs of 10,000 and 100,000 passages (bench/synthetic.py).
rank-bm25 scores every passage in Python per query term, so its large configurations run fewer
questions (--slow-queries).

    .venv/bin/python bench/bench_ask.py            # seed, 10k, 100k (about 5–10 minutes cold)
    .venv/bin/python bench/bench_ask.py --quick    # seed and 10k
    .venv/bin/python bench/bench_ask.py --breakdown --sizes 100000 --engines inverted
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
BUILTIN_QUESTIONS = [
    "Số hotline hỗ trợ dịch vụ công là gì?",
    "Chủ đề năm 2018 của thành phố Hải Phòng là gì?",
    "Sở Y tế Hải Phòng tuyên truyền cải cách hành chính qua những hình thức nào?",
    "Ai chịu trách nhiệm tổng hợp báo cáo kết quả tuyên truyền cải cách hành chính?",
    "Kế hoạch tuyên truyền cải cách hành chính 6 tháng cuối năm 2025 được ban hành ngày nào?",
    "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến phải đạt bao nhiêu phần trăm?",
    "Trung tâm Y tế khu vực Mai Châu tuyên truyền cải cách hành chính bằng cách nào?",
    "Xã Phú Thái tổ chức tuyên truyền trực quan ở những khu vực nào?",
    "Kinh phí thực hiện kế hoạch tuyên truyền lấy từ đâu?",
    "Cuộc thi tìm hiểu về cải cách hành chính năm 2018 do ai tổ chức?",
    "Cán bộ, công chức, viên chức cần làm gì để nâng cao đạo đức công vụ?",
    "Chỉ số hài lòng của người dân đối với sự phục vụ của cơ quan hành chính gọi là gì?",
    "Nội dung tuyên truyền về cải cách thủ tục hành chính gồm những gì?",
    "Cổng dịch vụ công quốc gia có địa chỉ trang web là gì?",
    "Báo cáo kết quả thực hiện kế hoạch gửi về đâu và khi nào?",
    "so hotline ho tro dich vu cong la gi",
    "chu de nam 2018 cua thanh pho hai phong la gi",
    "sdt hotline dvc la j",
    "ko biet nop ho so online o dau",
    "ke hoach cchc cua so y te nam 2025",
    "tuyen truyen cai cach hanh chinh tren dai truyen thanh xa",
    "trach nhiem cua phong van hoa xa hoi trong tuyen truyen",
    "muc tieu chuyen doi so nam 2025",
    "thu tuc hanh chinh tren moi truong dien tu",
    "chinh quyen dien tu chinh quyen so",
    "muc luong co so nam 2024 la bao nhieu",
    "gia vang hom nay",
    "thoi tiet ha noi ngay mai",
    "lich thi dau bong da",
    "cach nau pho bo",
]


def questions() -> list[str]:
    """Dev questions as written and without diacritics, else the built-in list."""
    from knowledge.text import strip_marks

    if DEV_QUESTIONS.exists():
        items = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    else:
        items = BUILTIN_QUESTIONS
    out: list[str] = []
    for q in items:
        out.append(q)
        plain = strip_marks(q)
        if plain != q:
            out.append(plain)
    return out


# -- one configuration, in its own process -------------------------------------------------------------
def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


def _wrap_timers(timers: dict[str, float]) -> None:
    """Time the stages of the ask path (inclusive, summed over all questions)."""
    import retrieval.engine as engine_mod
    import retrieval.rerank as rerank_mod

    def timed(owner, attr: str, label: str) -> None:
        fn = getattr(owner, attr)

        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timers[label] = timers.get(label, 0.0) + time.perf_counter() - t0

        setattr(owner, attr, wrapper)

    timed(engine_mod, "analyze", "analyze (normalize, underthesea, weights)")
    timed(engine_mod.AskEngine, "_rank", "rank (search + doc prior + rerank)")
    timed(engine_mod.AskEngine, "_passage_rows", "  read passage rows (SQLite)")
    timed(rerank_mod.SentenceScorer, "windows_ids", "  sentence scores (rerank)")
    timed(rerank_mod.SentenceScorer, "windows_texts", "  sentence scores (rerank)")
    timed(engine_mod, "select_answer", "select answer")
    timed(engine_mod.AskEngine, "coverage", "coverage (decline check)")
    timed(engine_mod.AskEngine, "_contact_answer", "contact answer")


def worker(kb_path: Path, engine: str, n_queries: int, breakdown: bool) -> dict:
    started = time.perf_counter()
    from retrieval.engine import AskEngine

    qs = questions()
    ask_engine = AskEngine.open(kb_path, engine)
    opened = time.perf_counter()
    ask_engine.ask(qs[0])
    load_s = time.perf_counter() - started
    open_s = opened - started
    timers: dict[str, float] = {}
    if breakdown:
        _wrap_timers(timers)
        ask_engine.index.search = _timed_method(ask_engine.index.search, timers, "  passage index search")
        ask_engine.doc_index.scores = _timed_method(ask_engine.doc_index.scores, timers, "  document prior scores")
    times: list[float] = []
    for i in range(n_queries):
        q = qs[i % len(qs)]
        t0 = time.perf_counter()
        ask_engine.ask(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    total_ms = sum(times)
    index_source = "stored" if getattr(ask_engine.index, "from_storage", False) else "built"
    return {"engine": ask_engine.engine_name, "passages": ask_engine.index.size, "open_s": open_s,
            "index": index_source,
            "load_s": load_s, "median_ms": statistics.median(times), "p99_ms": _percentile(times, 0.99),
            "queries": n_queries,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "breakdown": {k: round(v * 1000 / total_ms * 100, 1) for k, v in timers.items()} if timers else {},
            "breakdown_ms": {k: round(v * 1000 / n_queries, 3) for k, v in timers.items()} if timers else {}}


def _timed_method(fn, timers: dict[str, float], label: str):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timers[label] = timers.get(label, 0.0) + time.perf_counter() - t0

    return wrapper


# -- the driver ------------------------------------------------------------------------------------------
_drawn: dict[str, int] = {}


def progress_bar(stage: str, done: int, total: int) -> None:
    """The build's progress on stderr (the same callback `cchc kb build` gets), redrawn once per
    percent so a log file does not get a line per document."""
    width = 30
    filled = int(width * done / max(total, 1))
    percent = int(100 * done / max(total, 1))
    if _drawn.get(stage) == percent and done < total:
        return
    _drawn[stage] = percent
    sys.stderr.write(f"\r  {stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}   ")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def seed_kb(rebuild_kb: bool) -> tuple[Path, dict]:
    """The embedded seed plans' knowledge DB, cached like the synthetic ones."""
    from bench.synthetic import build_fingerprint, cache_root, keep_stale_kb
    from knowledge.build import seed_documents
    from retrieval.indexer import rebuild

    root = cache_root() / "kb_seed"
    docs_dir = root / "documents"
    if not docs_dir.is_dir():
        seed_documents(docs_dir)
    kb_path, info_path = root / "knowledge.db", root / "knowledge.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    key = build_fingerprint()
    stale = info.get("key") != key
    if rebuild_kb or not kb_path.exists() or (stale and not keep_stale_kb()):
        started = time.perf_counter()
        report = rebuild(docs_dir, kb_path, progress_bar)
        info = {"key": key, "build_seconds": round(time.perf_counter() - started, 2),
                "passages": report.passages, "documents": len(report.documents), "cached": False}
        info_path.write_text(json.dumps(info))
    else:
        info["cached"] = "older code" if stale else True
    return kb_path, info


def build_in_subprocess(size: str, rebuild_kb: bool) -> tuple[Path, dict]:
    """Build (or find cached) in a child process: on Linux a child inherits its parent's
    ru_maxrss, so the driver must stay small for the per-configuration peak MB to mean anything."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--build", size] + (["--rebuild"] if rebuild_kb else [])
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if proc.returncode != 0:
        raise SystemExit(f"building the {size} knowledge DB failed")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return Path(out.pop("kb_path")), out


def build_worker(size: str, rebuild_kb: bool) -> dict:
    if size == "seed":
        kb_path, info = seed_kb(rebuild_kb)
    else:
        from bench.synthetic import synthetic_kb

        kb_path, info = synthetic_kb(int(size), progress_bar, rebuild_kb)
    if not info.get("cached"):
        info["build_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        (kb_path.parent / "knowledge.json").write_text(json.dumps(info))
    return {"kb_path": str(kb_path), **info}


def run_config(kb_path: Path, engine: str, n_queries: int, breakdown: bool, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(kb_path), "--engine", engine,
           "--queries", str(n_queries)] + (["--breakdown"] if breakdown else [])
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="seed and 10,000 passages only")
    ap.add_argument("--sizes", help="comma-separated: seed,10000,100000")
    ap.add_argument("--engines", default="rank-bm25,inverted")
    ap.add_argument("--queries", type=int, default=1000, help="questions per fast configuration")
    ap.add_argument("--slow-queries", type=int, default=200,
                    help="questions for rank-bm25 at 10,000 passages (half that at 100,000)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild cached knowledge DBs")
    ap.add_argument("--breakdown", action="store_true", help="also print where the ask path spends time")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per configuration")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--build", help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.worker:
        print(json.dumps(worker(a.worker, a.engine, a.queries, a.breakdown)))
        return 0
    if a.build:
        print(json.dumps(build_worker(a.build, a.rebuild)))
        return 0

    sizes = a.sizes.split(",") if a.sizes else (["seed", "10000"] if a.quick else ["seed", "10000", "100000"])
    engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    source = DEV_QUESTIONS if DEV_QUESTIONS.exists() else "built-in list"
    print(f"questions: {len(questions())} from {source}; cache: {os.environ.get('CCHC_BENCH_CACHE') or 'default'}",
          file=sys.stderr)
    rows = []
    breakdowns = []
    for size in sizes:
        print(f"knowledge DB: {size}", file=sys.stderr)
        kb_path, info = build_in_subprocess(size, a.rebuild)
        cached = info.get("cached")
        build = f"{info['build_seconds']:.1f}" + (f" ({cached})" if isinstance(cached, str) else
                                                  " (cached)" if cached else "")
        build_mb = str(info.get("build_peak_mb", "?"))
        for engine in engines:
            slow = engine == "rank-bm25" and size != "seed"
            n = (a.slow_queries if int(size) < 100_000 else max(1, a.slow_queries // 2)) if slow else a.queries
            print(f"  {engine}: {n} questions ...", file=sys.stderr)
            res = run_config(kb_path, engine, n, a.breakdown, a.timeout)
            rows.append((engine, info.get("passages", "?"), build, build_mb, res))
            if res.get("breakdown"):
                breakdowns.append((engine, info.get("passages"), res))

    header = ("engine", "passages", "build s", "load s", "median ms", "p99 ms", "peak MB", "questions",
              "index", "build MB")
    table = [header]
    for engine, passages, build, build_mb, res in rows:
        if "error" in res:
            table.append((engine, str(passages), build, res["error"], "", "", "", "", "", build_mb))
        else:
            table.append((engine, str(passages), build, f"{res['load_s']:.2f}", f"{res['median_ms']:.2f}",
                          f"{res['p99_ms']:.2f}", f"{res['peak_mb']:.0f}", str(res["queries"]), res["index"],
                          build_mb))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, r in enumerate(table):
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    for engine, passages, res in breakdowns:
        print(f"\nwhere the time goes: {engine}, {passages} passages (ms per question, inclusive; % of ask)")
        for label, ms in res["breakdown_ms"].items():
            print(f"  {label:<46} {ms:8.3f}  {res['breakdown'][label]:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

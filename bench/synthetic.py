"""Synthetic knowledge bases of 10,000 and 100,000 passages, built through the real build path.

Why synthetic: the five seed plans give 185 passages; the issue asks how the ask path behaves at
100,000. Scale changes what costs time (postings length, vocabulary size, number of documents), so
the synthetic corpus keeps the seeds' statistics: every generated document is a seed plan (same
section skeleton, same OCR damage) with its own header (number, place, date), its place names
swapped, about 4% of its words replaced by words drawn from the seeds' word distribution (new
pairs, so the bigram vocabulary grows with the corpus) and its digits changed. The five seed plans
and their question files are included unchanged, so the dev questions still have their answers,
now among many near-duplicates.

The documents folder is written as plain .txt files and built with
`retrieval.indexer.rebuild(docs_dir, kb_path, progress)`, exactly like `cchc kb build`.

    .venv/bin/python bench/synthetic.py 10000 [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.build import BUNDLED_QUESTIONS_DIR, SEEDS_DIR  # noqa: E402
from knowledge.structure import document_passages  # noqa: E402

GENERATOR_VERSION = "1"
MUTATION_RATE = 0.04  # share of body words replaced by a word drawn from the seeds
PLACES = [
    "Mai Châu", "Phú Thái", "Hải Phòng", "Kiến Thụy", "Tiên Lãng", "Vĩnh Bảo", "An Lão", "Thủy Nguyên",
    "Cát Hải", "Bạch Long Vĩ", "Đồ Sơn", "Dương Kinh", "Lê Chân", "Ngô Quyền", "Hồng Bàng", "Hải An",
    "Kiến An", "Lạc Sơn", "Tân Lạc", "Kim Bôi", "Lương Sơn", "Cao Phong", "Đà Bắc", "Yên Thủy",
    "Lạc Thủy", "Hòa Bình", "Nam Định", "Thái Bình", "Hưng Yên", "Hải Dương", "Quảng Ninh", "Bắc Giang",
    "Lạng Sơn", "Cao Bằng", "Hà Giang", "Tuyên Quang", "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh", "Ninh Bình",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Nam",
]
ISSUERS = ["ỦY BAN NHÂN DÂN", "SỞ Y TẾ", "SỞ NỘI VỤ", "SỞ TƯ PHÁP", "TRUNG TÂM Y TẾ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
           "SỞ TÀI CHÍNH", "SỞ XÂY DỰNG", "BAN QUẢN LÝ KHU KINH TẾ", "SỞ VĂN HÓA VÀ THỂ THAO"]
ISSUER_CODES = ["UBND", "SYT", "SNV", "STP", "TTYT", "SGDĐT", "STC", "SXD", "BQL", "SVHTT"]
# Place names as the seeds write them (clean or OCR-damaged): swapped for the document's place.
_SEED_PLACES = re.compile(r"Hải Phòng|Hai Phong|Hai Phòng|Phú Thái|Phu Thai|Pht Thai|Mai Châu|Mai Chau",
                          re.IGNORECASE)
_DIGITS = re.compile(r"\d")

Progress = Callable[[str, int, int], None]


def _seed_texts() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS_DIR.glob("*.txt"))]


def _split_header(text: str) -> tuple[list[str], list[str]]:
    """Header lines and body lines, cut where the structure parser starts the body."""
    header, _ = document_passages(text)
    lines = text.split("\n")
    if not header:
        return [], lines
    last = header[-1]
    for i, line in enumerate(lines):
        if line.strip() == last:
            return lines[: i + 1], lines[i + 1:]
    return [], lines


class _Generator:
    """One deterministic stream of plan-like documents derived from the seed plans."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seeds = []
        pool: list[str] = []
        for stem, text in _seed_texts():
            header, body = _split_header(text)
            title = [ln for ln in header if ln.strip()][-3:]
            self.seeds.append((stem, title, body))
            for line in body:
                pool.extend(w for w in line.split() if w.isalpha())
        self.pool = pool  # every body word once per occurrence: draws follow the seeds' frequencies

    def _mutate_line(self, line: str, place: str) -> str:
        rng = self.rng
        words = line.split(" ")
        for i in range(1, len(words)):  # the first word may be an item marker ("a)", "1.", "-")
            w = words[i]
            if not w:
                continue
            if _DIGITS.search(w) and not any(c.isalpha() for c in w):  # digits in words are OCR letters
                if rng.random() < 0.5:
                    words[i] = _DIGITS.sub(lambda _m: str(rng.randrange(10)), w)
            elif rng.random() < MUTATION_RATE:
                words[i] = rng.choice(self.pool)
        return _SEED_PLACES.sub(place, " ".join(words))

    def document(self, n: int) -> str:
        rng = self.rng
        _stem, title, body = self.seeds[n % len(self.seeds)]
        place = rng.choice(PLACES)
        issuer = rng.randrange(len(ISSUERS))
        year = rng.randrange(2015, 2027)
        header = [
            f"{ISSUERS[issuer]}            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            f"{place.upper()}            Độc lập - Tự do - Hạnh phúc",
            f"Số: {rng.randrange(1, 5000)}/KH-{ISSUER_CODES[issuer]}            {place}, ngày "
            f"{rng.randrange(1, 29)} tháng {rng.randrange(1, 13)} năm {year}",
            "",
            "KẾ HOẠCH",
            *[self._mutate_line(ln, place) for ln in title],
            "",
        ]
        return "\n".join(header + [self._mutate_line(ln, place) for ln in body]) + "\n"


def _fingerprint(passages: int) -> str:
    h = hashlib.sha256(f"{GENERATOR_VERSION}:{passages}:{MUTATION_RATE}".encode())
    for path in sorted(SEEDS_DIR.glob("*.txt")) + sorted(BUNDLED_QUESTIONS_DIR.glob("*.yaml")):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def write_documents(docs_dir: Path, passages: int, progress: Progress | None = None) -> int:
    """Write plan-like .txt documents (the seeds included) holding `passages` passages in total.

    Each generated document's passages are counted with the real splitter, and the last one is cut
    so the total is exact. Returns the number of passages.
    """
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    docs_dir.mkdir(parents=True)
    total = 0
    for stem, text in _seed_texts():
        (docs_dir / f"{stem}.txt").write_text(text, encoding="utf-8")
        total += len(document_passages(text)[1])
    for q in sorted(BUNDLED_QUESTIONS_DIR.glob("*.yaml")):
        shutil.copy2(q, docs_dir / q.name)
    gen = _Generator(passages)
    n = 0
    while total < passages:
        text = gen.document(n)
        count = len(document_passages(text)[1])
        if total + count > passages:  # cut the last document to fit exactly
            lines = text.split("\n")
            while lines and count > passages - total:
                lines = lines[:-max(1, len(lines) // 40)]
                count = len(document_passages("\n".join(lines))[1])
            text = "\n".join(lines) + "\n"
            if count < 2:
                break
        (docs_dir / f"syn_{n:06d}.txt").write_text(text, encoding="utf-8")
        total += count
        n += 1
        if progress and (n % 100 == 0 or total >= passages):
            progress("generate", min(total, passages), passages)
    return total


def cache_root() -> Path:
    return Path(os.environ.get("CCHC_BENCH_CACHE") or Path(tempfile.gettempdir()) / "cchc-bench")


def build_fingerprint() -> str:
    """Hash of the code a build runs, so a cached KB is rebuilt when that code changes."""
    h = hashlib.sha256()
    for folder in ("knowledge", "retrieval"):
        for path in sorted((ROOT / folder).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def synthetic_kb(passages: int, progress: Progress | None = None, rebuild_kb: bool = False) -> tuple[Path, dict]:
    """A cached synthetic knowledge DB of `passages` passages: (path, info with build seconds).

    Documents are regenerated only when the generator or the seeds change; the DB is rebuilt when
    the build code changes (or `rebuild_kb`), and the build time of that build is kept in info."""
    from retrieval.indexer import rebuild

    root = cache_root() / f"kb_{passages}"
    docs_dir = root / "documents"
    marker = root / "documents.ok"
    fp = _fingerprint(passages)
    if not marker.exists() or marker.read_text() != fp:
        if marker.exists():
            marker.unlink()
        started = time.perf_counter()
        count = write_documents(docs_dir, passages, progress)
        marker.write_text(fp)
        (root / "documents.json").write_text(json.dumps(
            {"passages": count, "seconds": round(time.perf_counter() - started, 2)}))
    kb_path = root / "knowledge.db"
    info_path = root / "knowledge.json"
    key = f"{fp}:{build_fingerprint()}"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    stale = info.get("key") != key
    if rebuild_kb or not kb_path.exists() or (stale and not keep_stale_kb()):
        started = time.perf_counter()
        report = rebuild(docs_dir, kb_path, progress)
        info = {"key": key, "build_seconds": round(time.perf_counter() - started, 2),
                "passages": report.passages, "documents": len(report.documents), "cached": False}
        info_path.write_text(json.dumps(info))
    else:
        info["cached"] = "older code" if stale else True
    return kb_path, info


def keep_stale_kb() -> bool:
    """CCHC_BENCH_KEEP_KB=1 reuses a cached DB built by older code (minutes saved while profiling
    the ask path; the engine still refuses a stored index whose term code changed)."""
    return os.environ.get("CCHC_BENCH_KEEP_KB") == "1"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("passages", type=int)
    ap.add_argument("--out", type=Path, help="write only the documents folder here (no build)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached knowledge DB")
    a = ap.parse_args()

    def progress(stage: str, done: int, total: int) -> None:
        sys.stderr.write(f"\r{stage:<10} {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    if a.out:
        print(write_documents(a.out, a.passages, progress), "passages written to", a.out)
        return 0
    kb_path, info = synthetic_kb(a.passages, progress, a.rebuild)
    print(kb_path, info)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

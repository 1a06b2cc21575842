#!/usr/bin/env python3
"""Build the restorer's in-domain language-model data from the national procedure catalogue.

Why: the restorer's other running text (underthesea's VLSP sample) is news; plans are written in
the register of official administrative text ("bố trí kinh phí", "định kỳ hằng quý", "làm đầu mối",
"Phòng Văn hóa - Xã hội"), and the catalogue of administrative procedures is exactly that register,
official public text. This runs at development time only; its output is committed as package data
(`knowledge/restore/data/`), so nothing reads the catalogue at run time.

Held out: every record whose `ma_thu_tuc` hashes to 0 modulo 10 (`is_held_out`) is never counted;
`holdout` writes those records as clean text and damaged by `ocr_noise.py apply --seed 1`, a
readability test no model saw (score it with `run_synth_restore_eval.py --dir DIR`).

    python tools/build_restore_lm.py build   [--catalogue PATH] [--out knowledge/restore/data]
    python tools/build_restore_lm.py holdout [--catalogue PATH] --out DIR [--per-file 10]

The ALQAC law articles and the seed plans are never read.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.restore.package_data import line_symbols  # noqa: E402

DEFAULT_CATALOGUE = ROOT.parent / "shared" / "tthc" / "procedures.jsonl.gz"
NOISE_TOOL = ROOT.parent / "shared" / "tools" / "ocr_noise.py"
HELD_OUT_MODULUS = 10  # one record in ten is held out
# Text fields (the codes, file names and provenance are not text).
TEXT_FIELDS = ("ten_thu_tuc", "linh_vuc", "cap_thuc_hien", "trinh_tu_thuc_hien", "cach_thuc_thuc_hien",
               "thanh_phan_ho_so", "thoi_han_giai_quyet", "doi_tuong_thuc_hien", "co_quan_thuc_hien",
               "ket_qua", "phi_le_phi", "yeu_cau_dieu_kien", "can_cu_phap_ly")
# A pair seen once in the (deduplicated) catalogue is mostly one record's wording: pruned, which
# halves the file and moved no score on the gold slices.
MIN_PAIR_COUNT = 2
MIN_SYLLABLE_COUNT = 3  # a syllable must recur to join the inventory (the crawl lost letters in places)


def is_held_out(code: str) -> bool:
    """Deterministic: the same records are held out on every machine and every run."""
    return int(hashlib.sha256(code.encode("utf-8")).hexdigest()[:8], 16) % HELD_OUT_MODULUS == 0


def records(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def record_text(rec: dict) -> str:
    return "\n".join(str(rec.get(k) or "").strip() for k in TEXT_FIELDS if str(rec.get(k) or "").strip())


def names(recs: list[dict]) -> list[str]:
    """Agencies and fields the catalogue names ("Phòng Tư pháp", "Hộ tịch")."""
    out: set[str] = set()
    for rec in recs:
        for part in re.split(r"[|;\n]", str(rec.get("co_quan_thuc_hien") or "")) + [str(rec.get("linh_vuc") or "")]:
            part = re.sub(r"\s+", " ", part).strip(" .,-")
            if 2 <= len(part.split()) <= 12 and not any(c.isdigit() for c in part):
                out.add(part)
    return sorted(out)


def build(catalogue: Path, out_dir: Path) -> None:
    recs = [r for r in records(catalogue) if not is_held_out(str(r.get("ma_thu_tuc", "")))]
    lines = set()
    for rec in recs:
        for line in record_text(rec).splitlines():
            line = re.sub(r"\s+", " ", line).strip()
            if line:
                lines.add(line)
    uni: Counter = Counter()
    bi: Counter = Counter()
    for line in sorted(lines):
        seq = line_symbols(line)
        uni.update(seq)
        bi.update(zip(["<s>", *seq], seq))
    inventory = {w for w, c in uni.items() if c >= MIN_SYLLABLE_COUNT}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "catalogue_lm.tsv.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as raw:  # mtime 0: the same input, the same bytes
        rows = [f"{w}\t{c}" for w, c in sorted(uni.items()) if w in inventory]
        rows += [f"{a} {b}\t{c}" for (a, b), c in sorted(bi.items())
                 if c >= MIN_PAIR_COUNT and (a == "<s>" or a in inventory) and b in inventory]
        raw.write(("\n".join(rows) + "\n").encode("utf-8"))
    name_path = out_dir / "catalogue_names.txt.gz"
    with gzip.GzipFile(name_path, "wb", mtime=0) as raw:
        raw.write(("\n".join(names(recs)) + "\n").encode("utf-8"))
    print(f"{len(recs)} records trained on ({len(lines)} distinct lines, {sum(uni.values()):,} symbols): "
          f"{len(inventory)} syllables, {sum(1 for c in bi.values() if c >= MIN_PAIR_COUNT):,} pairs -> "
          f"{path} ({path.stat().st_size:,} bytes), {name_path} ({name_path.stat().st_size:,} bytes)")


def holdout(catalogue: Path, out_dir: Path, per_file: int, seed: int) -> None:
    held = [r for r in records(catalogue) if is_held_out(str(r.get("ma_thu_tuc", "")))]
    held.sort(key=lambda r: str(r.get("ma_thu_tuc")))
    (out_dir / "clean").mkdir(parents=True, exist_ok=True)
    (out_dir / "ocr").mkdir(parents=True, exist_ok=True)
    for k in range(0, len(held), per_file):
        text = "\n\n".join(record_text(r) for r in held[k:k + per_file]) + "\n"
        name = f"holdout_{k // per_file:03d}.txt"
        (out_dir / "clean" / name).write_text(text, encoding="utf-8")
        noisy = subprocess.run([sys.executable, str(NOISE_TOOL), "apply", "--seed", str(seed), "-"], input=text,
                               capture_output=True, text=True, check=True).stdout
        (out_dir / "ocr" / name).write_text(noisy, encoding="utf-8")
    print(f"{len(held)} held-out records -> {out_dir}/clean, {out_dir}/ocr")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("build", "holdout"))
    ap.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    ap.add_argument("--out", type=Path, default=ROOT / "knowledge" / "restore" / "data")
    ap.add_argument("--per-file", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.what == "build":
        build(args.catalogue, args.out)
    else:
        holdout(args.catalogue, args.out, args.per_file, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

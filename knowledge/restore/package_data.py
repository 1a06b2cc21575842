"""Vietnamese text that ships inside installed packages: the restorer's only outside evidence.

- underthesea's Viet74K word list (words with diacritics): the syllable inventory and the
  syllable pairs inside words ("cải cách", "hành chính");
- underthesea's VLSP 2013 POS sample (≈ 96,000 syllables of running news text): syllable n-grams;
- wordfreq's Vietnamese list (Apache-2.0 code, CC BY-SA 4.0 data): how common each syllable is.

Nothing is downloaded and nothing is read from the seed plans: a plan nobody has seen gets the
same model.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

from knowledge.restore.syllables import normalize_syllable

NUM = "<num>"
PUNCT = "<p>"
FOREIGN = "<x>"  # a word that is not a Vietnamese syllable (a name, an English word, a URL)
KEPT = "\x00"  # starts a decoder candidate that means "leave the scan's token as it is"


def lm_symbol(word: str) -> str:
    """The LM's symbol for a decoded word: a kept scan token is a foreign word to it."""
    return FOREIGN if word.startswith(KEPT) else word
_NUMBER = re.compile(r"^[\d.,/:-]*\d[\d.,/:-]*$")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def viet74k_path() -> Path:
    return _package_dir("underthesea") / "corpus" / "data" / "Viet74K.txt"


def vlsp_sample_path() -> Path:
    return _package_dir("underthesea") / "pipeline" / "pos_tag" / "models" / "pos_crf_vlsp2013_20230303" / \
        "test_output.txt"


def versions() -> str:
    """Versions of the packages the model is made from (part of the cache key)."""
    from importlib.metadata import version

    parts = []
    for name in ("underthesea", "wordfreq"):
        try:
            parts.append(f"{name}={version(name)}")
        except Exception:  # noqa: BLE001 - a missing package is a different key, not an error
            parts.append(f"{name}=none")
    return ",".join(parts)


def token_class(token: str) -> str:
    """A syllable's normal form, or NUM / PUNCT for what the n-grams treat as one symbol each."""
    syl = normalize_syllable(token)
    if syl:
        return syl
    if _NUMBER.match(token):
        return NUM
    return PUNCT if not any(c.isalnum() for c in token) else FOREIGN


def line_symbols(line: str) -> list[str]:
    """A line as the LM sees running text: syllables, NUM, PUNCT and FOREIGN symbols."""
    from knowledge.restore.line_tokens import split_line

    out = []
    for p in split_line(line):
        if p.kind == "keep":  # as the decoder sees it: a code with a digit is a number ("12/KH-UBND")
            out.append(NUM if any(c.isdigit() for c in p.text) else FOREIGN)
        elif p.kind == "word" or p.text.strip():
            out.append(token_class(p.text) or PUNCT)
    return out


def viet74k_words() -> Iterator[list[str]]:
    """Each dictionary word as its syllables (words with a non-syllable part are left out)."""
    for line in viet74k_path().read_text(encoding="utf-8").splitlines():
        parts = line.split()
        syls = [normalize_syllable(p) for p in parts]
        if syls and all(syls):
            yield syls


def vlsp_sentences() -> Iterator[list[str]]:
    """Running text of the VLSP sample, one sentence at a time, as syllables, NUM and PUNCT."""
    sentence: list[str] = []
    for line in vlsp_sample_path().read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sentence:
                yield sentence
            sentence = []
            continue
        word = line.split("\t", 1)[0]
        for part in word.split():
            cls = token_class(part)
            sentence.append(cls or PUNCT)
    if sentence:
        yield sentence


def address_path() -> Path:
    return _package_dir("underthesea") / "address" / "data" / "mapping.json"


def place_names() -> list[str]:
    """Vietnam's administrative units with diacritics ("Huyện Mai Châu", "Xã Phú Thái"), old and new
    (underthesea's address data, from vietnamadminunits): names are what OCR and a news LM get wrong."""
    import json

    try:
        data = json.loads(address_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names: set[str] = set()
    for table in ("province_names", "old_province_names"):
        for entry in (data.get(table) or {}).values():
            names.add(entry.get("name", ""))
    for row in data.get("ward_mapping") or []:
        for key in ("old_province", "old_district", "old_ward", "new_province", "new_ward"):
            names.add(row.get(key) or "")
    return sorted(n for n in names if n)


def wordfreq_syllables() -> dict[str, float]:
    """Frequency of each Vietnamese syllable wordfreq knows (empty when wordfreq is missing)."""
    try:
        import wordfreq
    except ImportError:
        return {}
    out: dict[str, float] = {}
    for word in wordfreq.top_n_list("vi", 100_000):
        syl = normalize_syllable(word)
        if syl:
            out[syl] = out.get(syl, 0.0) + wordfreq.word_frequency(word, "vi")
    return out


DATA_DIR = Path(__file__).parent / "data"


def catalogue_counts() -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Syllable and pair counts of the national procedure catalogue (official administrative text,
    the plans' register), made at development time by tools/build_restore_lm.py with one record
    in ten held out; shipped as package data. Empty when the file is missing."""
    import gzip

    uni: dict[str, float] = {}
    bi: dict[tuple[str, str], float] = {}
    try:
        with gzip.open(DATA_DIR / "catalogue_lm.tsv.gz", "rt", encoding="utf-8") as f:
            for line in f:
                key, _, count = line.rstrip("\n").rpartition("\t")
                a, _, b = key.partition(" ")
                if b:
                    bi[(a, b)] = float(count)
                elif a:
                    uni[a] = float(count)
    except OSError:
        return {}, {}
    return uni, bi


def catalogue_names() -> list[str]:
    """Agencies and fields the catalogue names ("Phòng Tư pháp", "Hộ tịch"), same provenance."""
    import gzip

    try:
        with gzip.open(DATA_DIR / "catalogue_names.txt.gz", "rt", encoding="utf-8") as f:
            return [line.strip() for line in f if line.strip()]
    except OSError:
        return []

"""The restoration model made from package data, built once per machine and cached on disk.

Building reads Viet74K, the VLSP sample and wordfreq (≈ 3 s); the cached pickle loads in a
fraction of that. The cache key holds the package versions and `MODEL_VERSION`, so an upgrade of
either rebuilds it; a cache that cannot be written (read-only home) only costs the build time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge.restore.agency_names import agency_names
from knowledge.restore.fixed_vocabulary import fixed_lines
from knowledge.restore.language_model import LanguageModel
from knowledge.restore.ocr_channel import ChannelCosts
from knowledge.restore.package_data import (
    DATA_DIR,
    catalogue_counts,
    catalogue_names,
    line_symbols,
    place_names,
    versions,
    viet74k_words,
    vlsp_sentences,
    wordfreq_syllables,
)
from knowledge.restore.syllables import is_syllable_shape, normalize_syllable

log = logging.getLogger(__name__)

MODEL_VERSION = "13"
WORDFREQ_SCALE = 2_000_000  # wordfreq frequencies as pseudo-counts (the VLSP sample is ≈ 100,000)
KNOWN_WORD_ZIPF = 3.5       # a non-syllable word at least this common (Zipf scale) is kept as is
PLACE_PAIR_WEIGHT = 1.0     # pairs inside Vietnam's place names ("mai châu", "xã phú")
AGENCY_PAIR_WEIGHT = 20.0    # pairs inside state bodies' names ("sở y tế"): agency_names.py
DICT_PAIR_WEIGHT = 2.0       # each Viet74K word's inner pairs, as bigram counts
FIXED_PAIR_WEIGHT = 20.0  # fixed_vocabulary.py: as strong as state bodies' names (gold 0.967 at 0, 0.971 at 10-20)
CATALOGUE_NAME_WEIGHT = 5.0  # the catalogue's agencies and fields
# The procedure catalogue (tools/build_restore_lm.py): each count c enters as 1 + ln c. Its text
# repeats the same procedures' wording thousands of times ("sử dụng", "hồ sơ"); linear counts at any
# weight pulled "sự đồng thuận" to "sử dụng" (gold slices 0.955 at weight 1, 0.964 at 0.05), log
# counts kept its phrases without its bias (0.966; 0.965 without the catalogue).
CATALOGUE_WEIGHT = 1.0


@dataclass
class RestoreModel:
    syllables: frozenset[str]
    lm: LanguageModel
    costs: ChannelCosts = field(default_factory=ChannelCosts)
    known_words: frozenset[str] = frozenset()


def build_model() -> RestoreModel:
    """Everything from the installed packages; nothing from any document."""
    words = list(viet74k_words())
    sentences = list(vlsp_sentences())
    freq = wordfreq_syllables()
    inventory: set[str] = set()
    for w in words:
        inventory.update(w)
    for s in sentences:
        inventory.update(t for t in s if not t.startswith("<"))
    # wordfreq's list holds English words and misspellings ("you", "cia", "kông"): it counts
    # the syllables the dictionary and the running text attest, and adds none.
    freq = {w: f for w, f in freq.items() if w in inventory}
    cat_uni, cat_bi = _catalogue_evidence()
    # The catalogue adds counts, never syllables: its crawl lost marks in places ("cung cap thong
    # tin"), and "cap" as a syllable of its own was then a candidate costing nothing.
    lm = LanguageModel(vocabulary_size=len(inventory) + 2)
    for s in sentences:
        lm.add_sentence(s)
    lm.add_counts(cat_uni, cat_bi, CATALOGUE_WEIGHT)
    lm.add_unigrams({w: f * WORDFREQ_SCALE for w, f in freq.items()})
    lm.add_pairs(words, DICT_PAIR_WEIGHT)
    places = [[normalize_syllable(t) for t in name.split()] for name in place_names()]
    lm.add_pairs((p for p in places if all(p)), PLACE_PAIR_WEIGHT)
    lm.add_pairs(_agency_chunks(), AGENCY_PAIR_WEIGHT)
    lm.add_pairs((line_symbols(name) for name in catalogue_names()), CATALOGUE_NAME_WEIGHT)
    lm.add_pairs((line_symbols(line) for line in fixed_lines()), FIXED_PAIR_WEIGHT)
    lm.freeze(inventory)
    return RestoreModel(frozenset(inventory), lm, ChannelCosts(), frozenset(_known_words()))


def _catalogue_evidence() -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """The catalogue's counts, each c as 1 + ln c (see CATALOGUE_WEIGHT)."""
    import math

    uni, bi = catalogue_counts()
    return ({w: 1.0 + math.log(c) for w, c in uni.items()},
            {pair: 1.0 + math.log(c) for pair, c in bi.items()})


def _agency_chunks() -> list[list[str]]:
    """Each state body's name as runs of syllables between punctuation ("Sở Văn hóa, Thể thao và
    Du lịch" → [sở văn hóa] [thể thao và du lịch])."""
    import re

    chunks = []
    for name in agency_names():
        for part in re.split(r"[,\-–]", name):
            syllables = [normalize_syllable(t) for t in part.split()]
            if len(syllables) > 1 and all(syllables):
                chunks.append(syllables)
    return chunks


def _known_words() -> set[str]:
    """Non-syllable words common in Vietnamese text (hotline, website, email): left as they are."""
    try:
        import wordfreq
    except ImportError:
        return set()
    # Only common ones: the long tail is English noise ("ping", "cia") that OCR damage imitates
    # ("Ping" is "Đăng" with its Đ read as P).
    # Nor a word with a Vietnamese syllable's shape: "cap", "chat", "tat" are mostly Vietnamese
    # typed without marks (cấp, chất, tất), and kept as English they left "cung cap thong tin" as is.
    return {w for w in wordfreq.top_n_list("vi", 100_000) if w.isascii() and w.isalpha() and len(w) >= 3
            and not is_syllable_shape(w) and wordfreq.zipf_frequency(w, "vi") >= KNOWN_WORD_ZIPF}


def cache_dir() -> Path:
    """Where derived caches live (one place for the whole stage: stage.cache_root)."""
    from knowledge.restore.stage import cache_root

    return cache_root()


def _cache_path() -> Path:
    digest = hashlib.sha256(f"{MODEL_VERSION}|{versions()}".encode())
    for data in sorted(DATA_DIR.glob("*.gz")):  # the shipped LM data: a new file, a new model
        digest.update(data.name.encode())
        digest.update(data.read_bytes())
    key = digest.hexdigest()[:16]
    return cache_dir() / f"restore-model-{key}.pickle"


@lru_cache(maxsize=1)
def load_model() -> RestoreModel:
    path = _cache_path()
    try:
        with path.open("rb") as f:
            model = pickle.load(f)
        if isinstance(model, RestoreModel):
            model.costs = ChannelCosts(model.costs.learnt)
            return model
    except FileNotFoundError:
        pass
    except Exception as e:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        log.debug("restore model cache unreadable (%s); rebuilding", e)
    model = build_model()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as tmp:
            pickle.dump(model, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except Exception as e:  # noqa: BLE001 - without a cache the next start builds again, nothing more
        log.debug("restore model cache not written (%s)", e)
    return model

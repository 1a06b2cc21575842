"""Repeated lines read together: copies of a line in one document are one text printed twice.

A procedure record states a paragraph under two headings; a plan repeats a task in its appendix.
Each copy is an independent damaged print of the same words, so the restorer (restorer.py) reads
them jointly after decoding: where the copies' readings differ, one reading for both, from both
copies' evidence; where they agree, the agreement makes the word surer. Measured on the held-out
catalogue records (docs/restoration.md): 0.931 -> 0.961.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Protocol

import numpy as np

from knowledge.restore.language_model import BOS, LanguageModel
from knowledge.restore.ocr_channel import MARGIN as CHANNEL_MARGIN
from knowledge.restore.package_data import KEPT, lm_symbol
from knowledge.restore.syllables import fold_syllable


class Slot(Protocol):
    """What this step reads and writes of the decoder's positions (restorer._Slot)."""

    candidates: list[tuple[str, float]]
    line: int
    picked: int


# Lines of at least COPY_MIN_WORDS words whose readings agree on COPY_SIMILARITY of their words are
# copies (set on the held-out records' own repeats; the gold slices have none that long).
COPY_MIN_WORDS = 8
COPY_SIMILARITY = 0.8
COPY_SKETCH = 3  # least-hashed word runs per line by which copies find each other
COPY_BUCKET_MAX = 50  # lines sharing a run compared pairwise; more is boilerplate


@dataclass
class Agreement:
    """What reading copies together decided: the slots (by id) read jointly, each with whether the
    joint reading beat the other by the unsure margin, and the pairs of slots both copies read alike."""

    joint: dict[int, bool] = field(default_factory=dict)
    twins: list[tuple[int, int]] = field(default_factory=list)

    def unsure(self, alone: set[int]) -> set[int]:
        """The unsure slots once copies are counted: a joint reading is as sure as its joint margin,
        and a word two copies read alike is sure when either copy alone is (two independent
        damaged prints agreeing), so the copies also show alike."""
        out = {k for k in alone if k not in self.joint} | {k for k, sure in self.joint.items() if not sure}
        for a, b in self.twins:
            if (a in out) != (b in out):
                out.discard(a)
                out.discard(b)
        return out


def agree_copies(paragraphs: Sequence[Sequence[Slot]], choice: list[list[str]], lm: LanguageModel,
                 agreement: Agreement, lm_weight: float, sure_margin: float) -> Agreement:
    """Read repeated lines of one document alike, noting what was decided in `agreement`
    (`lm_weight`, `sure_margin`: the decoder's LM weight and unsure margin).

    Each copy is an independent observation of the same words, so where two copies' readings
    differ and each copy could be read either way, the reading whose channel costs summed over
    both copies, plus the LM around each copy, is lowest is given to both. Besides fixing the copy
    that was misread, copies read alike keep a long text aligned for anyone comparing it with
    another version (a reader, a diff, a scorer)."""
    where: dict[int, list[tuple[int, int]]] = {}
    for p, par in enumerate(paragraphs):
        for t, slot in enumerate(par):
            if slot.line >= 0:
                where.setdefault(slot.line, []).append((p, t))
    words = {li: [choice[p][t] for p, t in pos] for li, pos in where.items() if len(pos) >= COPY_MIN_WORDS}
    # Lines that share one of their COPY_SKETCH least-hashed runs of three folded words are
    # compared (a min-hash sketch: copies share most runs, so they share a least one too).
    buckets: dict[int, list[int]] = {}
    for li, ws in words.items():
        folded = [fold_syllable(w) for w in ws]
        runs = {zlib.crc32(" ".join(folded[k:k + 3]).encode()) for k in range(len(folded) - 2)}
        for key in sorted(runs)[:COPY_SKETCH]:
            buckets.setdefault(key, []).append(li)
    pairs = sorted({(a, b) for group in buckets.values() if 1 < len(group) <= COPY_BUCKET_MAX
                    for k, a in enumerate(group) for b in group[k + 1:]})
    for a, b in pairs:
        wa = [choice[p][t] for p, t in where[a]]
        wb = [choice[p][t] for p, t in where[b]]
        matcher = SequenceMatcher(None, wa, wb, autojunk=False)
        if matcher.ratio() < COPY_SIMILARITY:
            continue
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                agreement.twins.extend((id(paragraphs[pa][ta]), id(paragraphs[pb][tb]))
                                       for (pa, ta), (pb, tb) in zip(where[a][i1:i2], where[b][j1:j2]))
            if tag != "replace" or i2 - i1 != j2 - j1:
                continue
            for i, j in zip(range(i1, i2), range(j1, j2)):
                (pa, ta), (pb, tb) = where[a][i], where[b][j]
                ca, cb = dict(paragraphs[pa][ta].candidates), dict(paragraphs[pb][tb].candidates)
                options = [c for c in dict.fromkeys((choice[pa][ta], choice[pb][tb])) if not c.startswith(KEPT)]
                if len(options) < 2 or not ca or not cb:
                    continue
                # A reading a copy did not list costs it at least its best plus the channel's MARGIN.
                fa, fb = min(ca.values()) + CHANNEL_MARGIN, min(cb.values()) + CHANNEL_MARGIN
                cost = [ca.get(c, fa) + cb.get(c, fb) + _context_cost(choice[pa], ta, c, lm, lm_weight)
                        + _context_cost(choice[pb], tb, c, lm, lm_weight) for c in options]
                order = np.argsort(cost)
                best, sure = options[int(order[0])], bool(cost[order[1]] - cost[order[0]] >= sure_margin)
                for (p, t), listed, floor in (((pa, ta), ca, fa), ((pb, tb), cb, fb)):
                    slot = paragraphs[p][t]
                    if best not in listed:  # its own list, so other slots sharing it are not changed
                        slot.candidates = slot.candidates + [(best, floor)]
                    slot.picked = next(j for j, (c, _) in enumerate(slot.candidates) if c == best)
                    choice[p][t] = best
                    agreement.joint[id(slot)] = sure
    return agreement


def _context_cost(chosen: list[str], t: int, word: str, lm: LanguageModel, lm_weight: float) -> float:
    """`lm_weight` · the LM cost of `word` at position t of a decoded paragraph, its neighbours fixed."""
    prev = lm_symbol(chosen[t - 1]) if t else BOS
    ids = lm.ids([prev, lm_symbol(word)] + ([lm_symbol(chosen[t + 1])] if t + 1 < len(chosen) else []))
    cost = float(lm.pair_costs(ids[:1], ids[1:2])[0])
    if len(ids) == 3:
        cost += float(lm.pair_costs(ids[1:2], ids[2:3])[0])
    return lm_weight * cost

"""Restore OCR-damaged Vietnamese: candidates per token, a syllable LM, Viterbi over each paragraph.

A document is restored only when it needs it (`needs_restoring`, detect.py); in a damaged
document, words carrying a letter no Latin-1 OCR engine prints are trusted as they are.

Decoding runs twice: once with the package LM, then again with the LM plus the first pass's
output (self-training: the document's own repeated phrases — its place names, its agencies —
become evidence for their damaged copies elsewhere in the same text).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.restore.copies import Agreement, agree_copies
from knowledge.restore.detect import needs_restoring
from knowledge.restore.fixed_vocabulary import FORM_ACRONYMS, NUMBER_WORD, fix_code
from knowledge.restore.language_model import BOS, LanguageModel
from knowledge.restore.line_tokens import Piece, apply_case, case_pattern, is_clean_word, split_line
from knowledge.restore.model_store import RestoreModel, load_model
from knowledge.restore.ocr_channel import CandidateIndex, skeleton
from knowledge.restore.package_data import FOREIGN, KEPT, NUM, PUNCT, lm_symbol, token_class
from knowledge.restore.syllables import fold_syllable, is_syllable_shape, normalize_syllable

log = logging.getLogger(__name__)

LM_WEIGHT = 0.6        # LM cost relative to channel cost
SELF_WEIGHT = 1.0      # weight of the first pass's output in the second pass's LM
KEEP_COST = 12.0       # channel+LM cost of leaving an unknown token as it is
KEEP_COST_KNOWN = 4.0  # … when the token is a known non-syllable word (hotline, website)
KEEP_COST_CAPS = 5.0   # … when it is an all-capitals token in a mixed-case line (an acronym)
NAME_PENALTY = 2.0     # extra cost of changing a name's letters
LEARN_COSTS = 1        # re-estimate the OCR edit costs from the first pass
CORPUS_WEIGHT = 1.0    # weight of the knowledge base's restored text in the LM
SELF_ROUNDS = 1         # self-training rounds
# A restored word whose best alternative (its neighbours as decoded) costs less than this much more
# is shown as the scan has it: an unsure reading is not shown as a confident word (issue 20).
# Measured on the gold slices (858 syllables, 18 wrong words shown without it): at 0.1, 3 words go
# back to the scan's form, 2 of them wrong words (gain) and 1 right (cost), accuracy 0.978 -> 0.977;
# at 0.2, 3 wrong and 2 right; at 0.5, 5 wrong and 8 right; at 1.0, 6 and 8 (accuracy 0.967).
# Most close calls are right, so the margin stays small.
UNSURE_MARGIN = 0.1


@dataclass(slots=True)  # one per word and mark of every document restored
class _Slot:
    """One position of the decoded sequence: its candidates, or a fixed symbol."""

    candidates: list[tuple[str, float]]  # (syllable or symbol, channel cost)
    line: int = -1
    piece: int = -1
    pattern: str = "lower"
    key: tuple[str, bool, bool, bool, bool] | None = None  # (word, mixed-case line, in parentheses, name, form)
    picked: int = -1  # the decoded candidate's position in `candidates`


class Restorer:
    """Restores documents; holds the model (package data) and caches decisions per token."""

    def __init__(self, model: RestoreModel | None = None) -> None:
        self.model = model or load_model()
        # The inventory's arrays are the model's (built once per model); the caches are this
        # restorer's own, so nothing learnt from one text is reused for another.
        self.index = _inventory_index(self.model).with_costs(self.model.costs)

    # -- public API -------------------------------------------------------------------------
    def restore(self, text: str, force: bool = False) -> str:
        """The text restored line for line, or unchanged when it is already clean."""
        if not force and not needs_restoring(text):
            return text
        return self.restore_many([text], force=True)[0]

    def restore_many(self, texts: list[str], force: bool = False, rounds: int | None = None,
                     corpus: list[list[str]] | None = None) -> list[str]:
        """Several documents restored together: each one's output is evidence for all of them."""
        todo = [i for i, t in enumerate(texts) if force or needs_restoring(t)]
        if not todo:
            return list(texts)
        lines = {i: texts[i].split("\n") for i in todo}
        pieces = {i: [split_line(line) for line in lines[i]] for i in todo}
        templates: dict[str, list[tuple]] = {}
        rounds = int(SELF_ROUNDS) if rounds is None else rounds
        base = self.model.lm.copy_with(corpus, CORPUS_WEIGHT) if corpus else self.model.lm
        lm = base
        index = self.index
        choice: dict[int, list[list[str]]] = {}
        first = None
        slots = {i: self._layout(pieces[i], lines[i], templates) for i in todo}
        for r in range(rounds + 1):
            index.prepare((p.text for i in todo for line in pieces[i] for p in line if p.kind == "word"), first)
            memo: dict[tuple, list[tuple[str, float]]] = {}  # one list per key for all the texts
            for i in todo:
                self._fill(slots[i], index, memo)
            decoded = self._decode([par for i in todo for par in slots[i]], lm)
            for i in todo:
                choice[i], decoded = decoded[: len(slots[i])], decoded[len(slots[i]):]
            if r < rounds:
                sentences = [s for i in todo for par in choice[i] for s in _sentences(par)]
                lm = base.copy_with(sentences, SELF_WEIGHT)
                if LEARN_COSTS:
                    pairs = [(syl, pieces[i][slot.line][slot.piece].text) for i in todo
                             for par, chosen in zip(slots[i], choice[i]) for slot, syl in zip(par, chosen)
                             if slot.line >= 0 and not syl.startswith(KEPT) and len(slot.candidates) > 1]
                    first = index
                    index = self.index.with_costs(self.index.learn(pairs))
        copies = Agreement()
        for i in todo:  # a document that repeats a passage gets one reading of it
            agree_copies(slots[i], choice[i], lm, copies, LM_WEIGHT, UNSURE_MARGIN)
        out = list(texts)
        unsure = self._unsure([par for i in todo for par in slots[i]], [c for i in todo for c in choice[i]], lm) \
            if UNSURE_MARGIN > 0 else set()
        unsure = copies.unsure(unsure)
        for i in todo:
            out[i] = self._render(lines[i], pieces[i], slots[i], [
                [FOREIGN_KEEP if id(slot) in unsure else syl for slot, syl in zip(par, chosen)]
                for par, chosen in zip(slots[i], choice[i])])
        return out

    def _unsure(self, paragraphs: list[list[_Slot]], choice: list[list[str]], lm: LanguageModel) -> set[int]:
        """Slots (by id) whose decoded word beats its best alternative by less than UNSURE_MARGIN,
        the neighbours fixed as decoded: the same costs the Viterbi path minimised (channel and
        LM_WEIGHT · LM), all slots scored in one numpy call."""
        flat = [slot for par in paragraphs for slot in par]
        words = [w for chosen in choice for w in chosen]
        eligible = np.fromiter((slot.line >= 0 and len(slot.candidates) > 1 and not (w == FOREIGN or w.startswith(KEPT))
                                for slot, w in zip(flat, words)), dtype=bool, count=len(flat))
        if not eligible.any():
            return set()
        # Each position's neighbours as decoded (BOS at a paragraph's ends), by numpy.
        symbols = lm.ids([lm_symbol(w) for w in words])
        bos = lm.ids([BOS])[0]
        _, firsts, lasts = _paragraph_bounds(paragraphs)
        prev_all = np.empty_like(symbols)
        prev_all[1:] = symbols[:-1]
        prev_all[firsts] = bos
        nxt_all = np.empty_like(symbols)
        nxt_all[:-1] = symbols[1:]
        nxt_all[lasts] = bos
        has_next_all = np.ones(len(symbols), dtype=bool)
        has_next_all[lasts] = False
        at = np.nonzero(eligible)[0]
        rows = [flat[i] for i in at.tolist()]
        prev_all, nxt_all, has_next_all = prev_all[at], nxt_all[at], has_next_all[at]
        n = len(rows)
        # One row of ids and costs per distinct candidate list (documents repeat their tokens),
        # all their words looked up in one call; the choice's position is the decoder's.
        lists = list({id(slot.candidates): slot.candidates for slot in rows}.values())
        list_of = {id(cands): k for k, cands in enumerate(lists)}
        where = np.fromiter((list_of[id(slot.candidates)] for slot in rows), dtype=np.int64, count=n)
        chosen_at = np.fromiter((slot.picked for slot in rows), dtype=np.int64, count=n)
        lens = np.fromiter((len(c) for c in lists), dtype=np.int64, count=len(lists))
        K = int(lens.max())
        flat_ids = lm.ids([lm_symbol(c) for cands in lists for c, _ in cands])
        flat_costs = np.fromiter((ch for cands in lists for _, ch in cands), dtype=np.float64, count=len(flat_ids))
        at_row = np.repeat(np.arange(len(lists)), lens)
        at_col = np.arange(len(flat_ids)) - np.repeat(np.cumsum(lens) - lens, lens)
        ids = np.full((len(lists), K), -1, dtype=np.int64)
        costs = np.full((len(lists), K), np.inf)
        ids[at_row, at_col] = flat_ids
        costs[at_row, at_col] = flat_costs
        # Documents repeat their phrases: each distinct (candidates, neighbours, choice) is scored once.
        key = np.stack([where, prev_all, nxt_all, has_next_all.astype(np.int64), chosen_at], axis=1)
        unique, inverse = np.unique(key, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        where, prev, nxt, has_next, chosen_at = unique[:, 0], unique[:, 1], unique[:, 2], unique[:, 3] > 0, unique[:, 4]
        n = len(unique)
        cand, chan = ids[where], costs[where]
        valid = cand >= 0
        local = chan.copy()
        u = np.broadcast_to(prev[:, None], cand.shape)[valid]
        w = cand[valid]
        lm_cost = LM_WEIGHT * lm.pair_costs(u, w)
        nx = np.broadcast_to(nxt[:, None], cand.shape)[valid]
        follows = np.broadcast_to(has_next[:, None], cand.shape)[valid]
        lm_cost += np.where(follows, LM_WEIGHT * lm.pair_costs(w, nx), 0.0)
        local[valid] += lm_cost
        best = local[np.arange(n), chosen_at]
        local[np.arange(n), chosen_at] = np.inf
        margin = (local.min(axis=1) - best)[inverse]
        return {id(rows[r]) for r in np.nonzero(margin < UNSURE_MARGIN)[0]}

    # -- building the sequence ----------------------------------------------------------------
    def _layout(self, doc_pieces: list[Sequence[Piece]], lines: list[str],
                templates: dict[str, list[tuple]]) -> list[list[_Slot]]:
        """Paragraphs (runs of non-empty lines) as sequences of slots: punctuation, numbers and
        kept tokens as fixed symbols, words with the key their candidates are looked up by (done
        once; each decoding round only fills in candidates, see `_fill`). A line's slots are
        worked out once per distinct line of the texts restored together (`templates`)."""
        paragraphs: list[list[_Slot]] = []
        cur: list[_Slot] = []
        for li, (pieces, line) in enumerate(zip(doc_pieces, lines)):
            template = templates.get(line)
            if template is None:
                template = templates[line] = _line_template(pieces)
            if not template:
                if cur:
                    paragraphs.append(cur)
                    cur = []
                continue
            for fixed, pi, pattern, plain, as_name in template:
                if fixed is not None:
                    cur.append(_Slot(fixed))
                else:  # a capitalised word after a word of a mixed-case line is taken for a name
                    key = as_name if as_name is not None and cur and cur[-1].line >= 0 else plain
                    cur.append(_Slot([], li, pi, pattern, key=key))
        if cur:
            paragraphs.append(cur)
        return paragraphs

    def _fill(self, paragraphs: list[list[_Slot]], index: CandidateIndex,
              memo: dict[tuple, list[tuple[str, float]]]) -> None:
        """Each word slot gets the candidate list of its key, one list object per distinct key in
        `memo` (shared by the texts restored together: the decoder and the unsure check work once
        per list object)."""
        for par in paragraphs:
            for slot in par:
                key = slot.key
                if key is None:
                    continue
                cands = memo.get(key)
                if cands is None:
                    word, mixed_case, parens, name, form = key
                    cands = self._candidates(index, word, mixed_case, in_parens=parens)
                    if form and any(c == NUMBER_WORD for c, _ in cands):
                        cands = [(c, ch) for c, ch in cands if c == NUMBER_WORD]  # "Số:" of the form
                    elif name:
                        cands = _as_name(word, cands)
                    memo[key] = cands
                slot.candidates = cands

    def _candidates(self, index: CandidateIndex, word: str, mixed_case_line: bool,
                    in_parens: bool = False) -> list[tuple[str, float]]:
        if is_clean_word(word):
            syl = normalize_syllable(word)
            if syl:
                return [(syl, 0.0)]
            return [(word, 0.0)]
        low = word.lower()
        if word in FORM_ACRONYMS:
            return [(_keep(word), 0.0)]  # the form's own abbreviations ("Lưu: VT", "KT.", "TM.")
        if (mixed_case_line or in_parens) and word.isupper() and len(word) >= 2 and word.isascii() \
                and word.isalpha() and not is_syllable_shape(low):
            return [(_keep(word), 0.0)]  # an acronym among ordinary words (CCHC, SIPAS, PAR INDEX)
        cands = list(index.candidates(word))
        known = self.model.known_words
        if low in known and not normalize_syllable(low):
            keep = KEEP_COST_KNOWN
        elif (mixed_case_line or in_parens) and word.isupper() and len(word) >= 2 and word.isalpha():
            keep = KEEP_COST_CAPS
        else:
            keep = KEEP_COST
        if not cands or cands[0][0] != low:
            cands.append((_keep(word), keep))
        return cands

    # -- decoding -----------------------------------------------------------------------------
    def _decode(self, paragraphs: list[list[_Slot]], lm: LanguageModel) -> list[list[str]]:
        """Exact bigram Viterbi over every paragraph.

        The LM costs between two positions depend only on their candidate lists, and documents
        repeat the same token pairs ("hanh chinh") hundreds of times: each distinct pair of lists
        is scored once, all of them in one numpy call.
        """
        list_id: dict[tuple, int] = {((BOS,), (0.0,)): 0}
        lists: list[tuple[str, ...]] = [(BOS,)]
        channel: list[tuple[float, ...]] = [()]
        by_object: dict[int, int] = {}
        for cands in {id(slot.candidates): slot.candidates for par in paragraphs for slot in par}.values():
            keys = tuple(lm_symbol(c) for c, _ in cands)
            chans = tuple(ch for _, ch in cands)
            i = list_id.get((keys, chans))  # same words, other costs: apart
            if i is None:
                i = list_id[keys, chans] = len(lists)
                lists.append(keys)
                channel.append(chans)
            by_object[id(cands)] = i
        # Every position's list, and the distinct (previous list, list) pairs, by numpy.
        cur = np.fromiter((by_object[id(slot.candidates)] for par in paragraphs for slot in par), dtype=np.int64)
        if not len(cur):
            return [[] for _ in paragraphs]
        par_lens, firsts, _ = _paragraph_bounds(paragraphs)
        par_starts = np.cumsum(par_lens) - par_lens
        prev = np.empty_like(cur)
        prev[1:] = cur[:-1]
        prev[firsts] = 0  # a paragraph starts after BOS
        pair_keys, pair_of = np.unique(prev * len(lists) + cur, return_inverse=True)
        pairs = np.stack([pair_keys // len(lists), pair_keys % len(lists)], axis=1)
        K = max(len(keys) for keys in lists)
        # Word ids of every list, padded with -1 to K; every distinct (previous list, list) pair
        # as a K × K matrix of LM costs, all pairs scored in one call.
        flat_ids = lm.ids([w for keys in lists for w in keys])
        padded = np.full((len(lists), K), -1, dtype=np.int64)
        lens = np.array([len(keys) for keys in lists])
        padded[np.repeat(np.arange(len(lists)), lens), np.arange(len(flat_ids)) - np.repeat(np.cumsum(lens) - lens,
                                                                                              lens)] = flat_ids
        U = padded[pairs[:, 0]][:, :, None]
        W = padded[pairs[:, 1]][:, None, :]
        valid = (U >= 0) & (W >= 0)
        mats = np.full((len(pairs), K, K), np.inf, dtype=np.float32)
        mats[valid] = LM_WEIGHT * lm.pair_costs(np.broadcast_to(U, valid.shape)[valid],
                                                 np.broadcast_to(W, valid.shape)[valid])
        costs = np.full((len(lists), K), np.inf, dtype=np.float32)
        for i in range(1, len(lists)):
            costs[i, : len(channel[i])] = channel[i]
        # Paragraphs decoded in lockstep, longest first: step t advances every paragraph that
        # has a position t, so the Python loop runs once per position of the longest paragraph.
        order = np.argsort(-par_lens, kind="stable")
        lengths = par_lens[order]
        T = int(lengths[0]) if len(lengths) else 0
        n = len(order)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        rows = np.repeat(rank, par_lens)
        cols = np.arange(len(cur)) - np.repeat(par_starts, par_lens)
        pair_idx = np.zeros((n, max(T, 1)), dtype=np.int64)
        list_idx = np.zeros((n, max(T, 1)), dtype=np.int64)
        pair_idx[rows, cols] = pair_of
        list_idx[rows, cols] = cur
        active = np.searchsorted(-lengths, -np.arange(T), side="left")  # paragraphs longer than t
        score = np.zeros((n, K), dtype=np.float32)
        score[:, 1:] = np.inf
        backs: list[np.ndarray] = []
        for t in range(T):
            k = int(active[t])
            m = score[:k, :, None] + mats[pair_idx[:k, t]]
            arg = m.argmin(axis=1)
            score[:k] = np.take_along_axis(m, arg[:, None, :], axis=1)[:, 0, :] + costs[list_idx[:k, t]]
            backs.append(arg.astype(np.int8))
        chosen = np.zeros((n, max(T, 1)), dtype=np.int64)
        best = score.argmin(axis=1)
        follow = np.zeros(n, dtype=np.int64)  # the candidate position t+1 points back to
        for t in range(T - 1, -1, -1):
            k = int(active[t])
            ends = lengths[:k] == t + 1  # paragraphs whose last position is t start from their best
            jt = np.where(ends, best[:k], follow[:k])
            chosen[:k, t] = jt
            follow[:k] = backs[t][np.arange(k), jt]
        out: list[list[str]] = [[] for _ in paragraphs]
        for r, i in enumerate(order):
            par = paragraphs[i]
            picks = chosen[r, : len(par)].tolist()
            for slot, c in zip(par, picks):
                slot.picked = c
            out[i] = [slot.candidates[c][0] for slot, c in zip(par, picks)]
        return out

    def corpus_sentences(self, texts: list[str]) -> list[list[str]]:
        """The restored syllable sentences of a corpus: LM evidence for restoring one more text."""
        out: list[list[str]] = []
        for text in self.restore_many(texts):
            for line in text.split("\n"):
                seq = [token_class(p.text) or PUNCT for p in split_line(line) if p.kind != "sep" or p.text.strip()]
                out.extend(_sentences(seq))
        return out

    # -- output -------------------------------------------------------------------------------
    def _render(self, lines: list[str], doc_pieces: list[Sequence[Piece]], paragraphs: list[list[_Slot]],
                choice: list[list[str]]) -> str:
        replaced: dict[tuple[int, int], str] = {}
        for slots, chosen in zip(paragraphs, choice):
            for slot, syl in zip(slots, chosen):
                if slot.line < 0:
                    continue
                original = doc_pieces[slot.line][slot.piece].text
                if syl.startswith(KEPT):
                    replaced[(slot.line, slot.piece)] = original
                else:
                    replaced[(slot.line, slot.piece)] = apply_case(syl, slot.pattern)
        out_lines = []
        for li, pieces in enumerate(doc_pieces):
            if not any(p.kind == "word" for p in pieces):
                out_lines.append(lines[li])
                continue
            out_lines.append("".join(replaced.get((li, pi), fix_code(p.text) if p.kind == "keep" else p.text)
                                     for pi, p in enumerate(pieces)))
        return "\n".join(out_lines)


FOREIGN_KEEP = KEPT  # rendered as the scan's own token


_PUNCT_SLOT = [(PUNCT, 0.0)]
_NUM_SLOT = [(NUM, 0.0)]
_FOREIGN_SLOT = [(FOREIGN, 0.0)]


_INDEXES: dict[int, tuple[RestoreModel, CandidateIndex]] = {}


def _inventory_index(model: RestoreModel) -> CandidateIndex:
    got = _INDEXES.get(id(model))
    if got is None or got[0] is not model:
        got = _INDEXES[id(model)] = (model, CandidateIndex(model.syllables, model.costs,
                                                           frequency=model.lm.unigram_counts()))
    return got[1]


def _keep(word: str) -> str:
    """A candidate that means "leave this token as it is" (never a syllable: starts with NUL)."""
    return KEPT + word


def _paragraph_bounds(paragraphs: list[list[_Slot]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each paragraph's length, and where the non-empty ones start and end among all positions
    laid end to end (the decoder and the unsure check put BOS there)."""
    lens = np.fromiter((len(par) for par in paragraphs), dtype=np.int64, count=len(paragraphs))
    ends = np.cumsum(lens)
    return lens, (ends - lens)[lens > 0], (ends - 1)[lens > 0]


def _line_template(pieces: Sequence[Piece]) -> list[tuple]:
    """A line's slots to be: (fixed candidates, None…) for punctuation, numbers and kept tokens;
    (None, piece, case pattern, key, key as a name or None) for a word. Empty for a line with
    nothing but spaces (it ends a paragraph)."""
    if not any(p.kind != "sep" for p in pieces):
        return []
    out: list[tuple] = []
    mixed_case = _is_mixed_case(pieces)
    for pi, p in enumerate(pieces):
        if p.kind == "sep":
            if p.text.strip():  # any punctuation, as the LM saw it in running text
                out.append((_PUNCT_SLOT, -1, "", None, None))
        elif p.kind == "keep":
            out.append((_NUM_SLOT if any(c.isdigit() for c in p.text) else _FOREIGN_SLOT, -1, "", None, None))
        elif not p.text.isalpha() and any(c.isdigit() for c in p.text) and _before_code(pieces, pi):
            out.append((_NUM_SLOT, -1, "", None, None))  # the number of "S6: A4 /KH-SYT": never a word
        else:
            pattern = case_pattern(p.text)
            parens = _in_parens(pieces, pi)
            form = _before_number(pieces, pi)
            as_name = (p.text, mixed_case, parens, True, form) if pattern == "title" and mixed_case else None
            out.append((None, pi, pattern, (p.text, mixed_case, parens, False, form), as_name))
    return out


def _before_number(pieces: Sequence[Piece], i: int) -> bool:
    """The word stands where the form writes "Số": before a colon and a document's number
    ("S6: 139/KH-TTYT", "$6: 24 /KH-UBND")."""
    sep = pieces[i + 1] if i + 1 < len(pieces) else None
    code = pieces[i + 2] if i + 2 < len(pieces) else None
    return (sep is not None and sep.kind == "sep" and sep.text.strip().startswith(":") and code is not None
            and any(c.isdigit() for c in code.text)
            and (code.kind == "keep" or code.kind == "word" and _before_code(pieces, i + 2)))


def _before_code(pieces: Sequence[Piece], i: int) -> bool:
    """The word is the number part of a document's number whose slash the scan split off
    ("A4% /KH-SYT")."""
    slash = False
    for p in pieces[i + 1:i + 3]:
        if p.kind == "keep":
            return slash or p.text.startswith("/")
        if p.kind != "sep" or any(c.isalnum() for c in p.text):
            return False
        slash = p.text.rstrip().endswith("/")
    return False


def _in_parens(pieces: Sequence[Piece], i: int) -> bool:
    """The word is alone between parentheses: "(PAPI)" is an acronym being defined."""
    before = pieces[i - 1].text if i else ""
    after = pieces[i + 1].text if i + 1 < len(pieces) else ""
    return before.endswith("(") and after.startswith(")")


def _as_name(word: str, cands: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A capitalised word inside a sentence is likely a name, which the LM knows least: its
    letters are trusted more (marks may still be restored: "Chau" → "Châu"). A word with digits or
    glyphs in it ("S&", "T6") shows no letters to trust there: no penalty."""
    if not word.isalpha() or not all(c.isascii() or c == "é" for c in word):
        return cands
    skel = skeleton(word)
    return [(c, ch if c.startswith(KEPT) or fold_syllable(c) == skel else ch + NAME_PENALTY) for c, ch in cands]


def _is_mixed_case(pieces: Sequence[Piece]) -> bool:
    words = [p.text for p in pieces if p.kind == "word" and p.text.isalpha()]
    lower = sum(1 for w in words if not w.isupper())
    return lower >= max(2, len(words) // 3)


def _sentences(chosen: list[str]) -> Iterable[list[str]]:
    """The decoded syllables of a paragraph, cut at punctuation and unknown tokens."""
    cur: list[str] = []
    for s in chosen:
        if s in (NUM, FOREIGN) or s.startswith(KEPT):
            cur.append(FOREIGN if s.startswith(KEPT) else s)
        elif s == PUNCT:
            if cur:
                yield cur
            cur = []
        else:
            cur.append(s)
    if cur:
        yield cur

"""A scanned document's raw tokens beside its restored ones: any fragment the build extracted from
the raw scan (a passage's line, a heading, a contact sentence, a quiz quote, a name) is located
among the raw tokens and read back from the restored ones.

The restoration stage (`knowledge.restore.restore`) rewrites a document token for token — same
lines, same whitespace — which is what makes this exact; a line where it did not keeps its raw
tokens, and numbers are never shown altered (`_numbers_kept`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter

import numpy as np

from knowledge.text import fold

_TOKEN = re.compile(r"\S+")
_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^a-z]+")
SCAN_WINDOW = 64  # tokens tried after the last line before `locate` looks through every occurrence:
# a passage's next line starts where its last ended, or after a heading of a few words


def _letters(token: str) -> str:
    return _LETTERS.sub("", fold(token))


# -- raw fragments read back from the restored tokens --------------------------------------------
class TokenMap:
    """A document's raw tokens beside its restored ones (whitespace-separated, in document order).

    The restorer keeps every line's tokens and whitespace; a line where it did not (a broken
    contract), and any token whose digits it changed, keeps its raw form: numbers are never
    shown altered."""

    def __init__(self, raw: str, restored: str) -> None:
        self.raw: list[str] = []
        self.shown: list[str] = []
        raw_lines, restored_lines = raw.split("\n"), restored.split("\n")
        if len(raw_lines) != len(restored_lines):
            restored_lines = raw_lines
        for raw_line, restored_line in zip(raw_lines, restored_lines):
            tokens = raw_line.split()
            self.raw += tokens
            if raw_line == restored_line:
                self.shown += tokens
                continue
            shown = restored_line.split()
            if len(tokens) != len(shown):
                self.shown += tokens
            elif _DIGITS.search(raw_line) is None and _DIGITS.search(restored_line) is None:
                self.shown += shown  # no number to keep (most lines: a third of the build's display time)
            else:
                self.shown += [restored if token == restored else _numbers_kept(token, restored)
                               for token, restored in zip(tokens, shown)]
        self._positions: dict[str, list[int]] | None = None
        self._runs: dict[tuple[str, ...], list[int]] = {}
        self._folded: tuple[str, list[int], list[int]] | None = None

    def _at(self) -> dict[str, list[int]]:
        """Where each raw token occurs; built on the first look that `_scan` could not settle."""
        if self._positions is None:
            self._positions = {}
            for i, token in enumerate(self.raw):
                self._positions.setdefault(token, []).append(i)
        return self._positions

    # -- exact fragments (taken from the raw text by the extractors) --------------------------------
    def map(self, fragment: str, near: int = 0, before: bool = False) -> tuple[str, int]:
        """The restored form of `fragment` (a run of the document's raw tokens, possibly cut inside
        its first or last token) and the token position after it. The first occurrence at or after
        `near` is preferred (with `before`, the last one that starts before `near`), else the
        nearest on the other side. Unknown tokens are kept as they are."""
        tokens = fragment.split()
        if not tokens:
            return fragment, near
        start = self.locate(tokens, near, before)
        if start is not None:
            shown = [self.shown_part(start + k, token) for k, token in enumerate(tokens)]
            end = start + len(tokens)
        else:  # not one run: token by token, each looked for a little ahead
            shown, end = [], near
            for token in tokens:
                j = self._next(token, end)
                if j is None:
                    shown.append(token)
                else:
                    shown.append(self.shown[j])
                    end = j + 1
        if shown == tokens:
            return fragment, end
        if len(fragment) == sum(map(len, tokens)) + len(tokens) - 1:  # single spaces: most lines
            return " ".join(shown), end
        return _with_tokens(fragment, list(_TOKEN.finditer(fragment)), shown), end

    def locate(self, tokens: list[str], near: int = 0, before: bool = False) -> int | None:
        """Where the run `tokens` starts among the raw tokens (see `map`), or None."""
        if not before:
            found = self._scan(tokens, near)
            if found is not None:
                return found
        starts = self._starts(tuple(tokens))
        if not starts:
            return None
        k = bisect.bisect_left(starts, near)
        if before:  # the last start before `near`, else the first after it
            return starts[k - 1] if k > 0 else starts[k]
        return starts[k] if k < len(starts) else starts[-1]

    def _starts(self, tokens: tuple[str, ...]) -> list[int]:
        """Every place the run `tokens` starts, in order; remembered, as a section's heading is
        looked up again for each of its passages."""
        found = self._runs.get(tokens)
        if found is None:
            at = self._at()
            starts = set(at.get(tokens[0], ()))
            if len(tokens) > 1:  # a first token cut by the extractor: anchor on the second
                starts.update(p - 1 for p in at.get(tokens[1], ()) if p > 0)
            found = self._runs[tokens] = sorted(j for j in starts if self._matches(j, list(tokens)))
        return found

    def _scan(self, tokens: list[str], near: int) -> int | None:
        """`locate`'s answer when it lies within SCAN_WINDOW tokens after `near` (the next line of
        a passage starts where the last one ended): the candidate starts `locate` considers,
        tried nearest first, so the first match is the one it would pick."""
        first = tokens[0]
        second = tokens[1] if len(tokens) > 1 else None
        raw = self.raw
        for j in range(max(near, 0), min(len(raw), near + SCAN_WINDOW)):
            if (raw[j] == first or second is not None and j + 1 < len(raw) and raw[j + 1] == second) \
                    and self._matches(j, tokens):
                return j
        return None

    def _matches(self, start: int, tokens: list[str]) -> bool:
        if start < 0 or start + len(tokens) > len(self.raw):
            return False
        last = len(tokens) - 1
        for k, token in enumerate(tokens):
            raw = self.raw[start + k]
            if token == raw:
                continue
            if k == 0 and raw.endswith(token) or k == last and raw.startswith(token):
                continue
            return False
        return True

    def shown_part(self, j: int, token: str) -> str:
        raw, shown = self.raw[j], self.shown[j]
        if token == raw:
            return shown
        if len(raw) == len(shown):  # a cut token: the same cut of the restored one
            return shown[:len(token)] if raw.startswith(token) else shown[len(raw) - len(token):]
        return token

    def _next(self, token: str, start: int, window: int = 40) -> int | None:
        for j in self._at().get(token, ()):
            if start <= j < start + window:
                return j
        return None

    # -- folded phrases (quiz quotes, names) -------------------------------------------------------
    def _folded_words(self) -> tuple[str, list[int], list[int]]:
        """The raw tokens' folded words as one string (single spaces), each word's offset in it
        and the position of its token. Names are looked up thousands of times a build: `str.find`
        over this string replaced a Python scan of every word (14 s of the 100,000-passage build)."""
        if self._folded is None:
            folded = {token: fold(token) for token in set(self.raw)}
            count = {token: f.count(" ") + 1 if f else 0 for token, f in folded.items()}
            joined = " ".join(f for f in map(folded.__getitem__, self.raw) if f)
            words = joined.split(" ") if joined else []
            offsets = list(itertools.accumulate((len(w) + 1 for w in words), initial=0))[:-1]
            owner = np.repeat(np.arange(len(self.raw)), [count[t] for t in self.raw]).tolist()
            self._folded = (joined, offsets, owner)
        return self._folded

    def folded_spans(self, phrase: str) -> list[tuple[int, int]]:
        """Token ranges [start, end) whose raw text folds to `phrase` (whole words)."""
        target = fold(phrase)
        if not target:
            return []
        joined, offsets, owner = self._folded_words()
        hay, needle, n = f" {joined} ", f" {target} ", target.count(" ") + 1
        spans = []
        at = hay.find(needle)
        while at >= 0:
            i = bisect.bisect_left(offsets, at)  # the word starting at hay[at + 1], joined[at]
            spans.append((owner[i], owner[i + n - 1] + 1))
            at = hay.find(needle, at + 1)
        return spans

    def find_folded(self, phrase: str) -> str | None:
        """The restored text of the first place whose raw text folds to `phrase` (a quiz quote is
        matched to its plan this way), or None."""
        spans = self.folded_spans(phrase)
        if not spans:
            return None
        start, end = spans[0]
        return " ".join(self.shown[start:end])

    def consensus(self, phrase: str, share: float = 2 / 3) -> str | None:
        """How the restorer wrote `phrase` (raw, folded) throughout the document, when it wrote it
        the same way (case aside) at least twice and in `share` of the places: a name the restorer
        spells three ways is better shown as the scan has it."""
        forms = Counter(" ".join(self.shown[s:e]).strip(".,;:()“”\"'") for s, e in self.folded_spans(phrase))
        if not forms:
            return None
        by_lower = Counter()
        for form, count in forms.items():
            by_lower[form.lower()] += count
        best, count = by_lower.most_common(1)[0]
        if count >= 2 and count >= share * sum(by_lower.values()):
            return best
        return None


# Words a number follows or precedes ("tháng 8", "8 tháng"): a digit glued to one is that number.
_COUNTERS = frozenset("thang ngay nam so lan dieu khoan muc gio quy tuan".split())


def _glyph_for_glyph(raw: str, shown: str) -> bool:
    """Whether the restored word replaces the raw one letter for letter, each digit standing for
    one letter and every raw letter kept in place ("16p" → "lớp", "1y" → "lý"): digits read for
    letters, not a number ("s624" → "số" is not)."""
    core = re.sub(r"^\W+|\W+$", "", raw)
    word = re.sub(r"^\W+|\W+$", "", shown)
    if len(core) != len(word) or not core:
        return False
    for a, b in zip(core, word):
        if a.isdigit():
            continue
        if fold(a) != fold(b):
            return False
    return True


def _numbers_kept(raw: str, shown: str) -> str:
    """`shown` unless the restorer lost or changed a number of `raw`. OCR reads letters and marks
    as single digits ("cu6i" is cuối, "1a" là, "HO6" HỒ), and those rightly go; a run of two or more
    digits is a number ("s624" once came back as "số"): then the raw token is shown. A single digit
    glued to a counting word ("thang8") is a number too: it stays beside the restored word."""
    raw_runs, shown_runs = _DIGITS.findall(raw), _DIGITS.findall(shown)
    if raw_runs == shown_runs:
        return shown
    kept = Counter(shown_runs)
    kept.subtract(Counter(raw_runs))
    if any(count > 0 for count in kept.values()):
        return raw  # digits the scan does not have
    if any(len(run) >= 2 for run in (Counter(raw_runs) - Counter(shown_runs)).elements()) \
            and not _glyph_for_glyph(raw, shown):
        return raw
    # As many letters as the restored word: the digit was not one of them ("s6" is số, "thang8" tháng 8).
    if not shown_runs and _letters(shown) in _COUNTERS and len(_letters(_DIGITS.sub("", raw))) == len(
            _letters(shown)):
        head = re.match(r"\W*(\d+)", raw)
        tail = re.search(r"(\d+)\W*$", raw)
        if tail:
            return re.sub(r"(\W*)$", lambda m: tail.group(1) + m.group(1), shown, count=1)
        if head:
            return re.sub(r"^(\W*)", lambda m: m.group(1) + head.group(1), shown, count=1)
    return shown


def _with_tokens(fragment: str, spans: list[re.Match], tokens: list[str]) -> str:
    """`fragment` with its tokens replaced, its whitespace kept."""
    out, last = [], 0
    for m, token in zip(spans, tokens):
        out.append(fragment[last:m.start()])
        out.append(token)
        last = m.end()
    out.append(fragment[last:])
    return "".join(out)

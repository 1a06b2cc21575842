"""What a person reads: an OCR-damaged document's restored text, mapped onto what the build
extracted from the raw scan.

Sections, passages, metadata and contacts are still extracted from the raw text (measured: run on
the restored text, the extractors split half the seed passages differently, lost a date the
restorer dropped a digit of, and took the "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" column into an
issuer). The restorer (`knowledge.restore`) rewrites a document token for token — same lines, same
whitespace — so every extracted fragment (a passage, a heading, a title, a contact sentence, a
quiz quote) is located among the raw tokens and read back from the restored ones (`TokenMap`).

Restoring takes time (seconds a plan), so it happens once: results are cached on disk under the
restorer's fingerprint (its code and the packages its model comes from), the document's text and
what it was restored with (the other damaged documents of its group, the clean question banks:
`restore_all`), so a rebuild that changes none of these restores nothing.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge.text import fold

log = logging.getLogger(__name__)

# Up to SMALL_CORPUS_CHARS of scans (an office's folder of plans) are restored the way
# `cchc text restore` restores one text: the whole folder first, as evidence, then each text with
# it (the best readability measured). Larger folders are restored in groups of LARGE_GROUP_CHARS,
# each group in one pass (its own texts as evidence): the 100,000-passage build stays in minutes.
SMALL_CORPUS_CHARS = 400_000
LARGE_GROUP_CHARS = 1_500_000
_TOKEN = re.compile(r"\S+")
_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^a-z]+")


# -- whether and how to restore ------------------------------------------------------------------
def restore_enabled() -> bool:
    """CCHC_RESTORE=0 (or off/no/false) builds without restoration: people then read the raw scan."""
    return os.environ.get("CCHC_RESTORE", "1").strip().lower() not in ("0", "off", "no", "false")


def needs_restoring(text: str) -> bool:
    """Whether the build should restore this document (False for text typed with Vietnamese letters)."""
    from knowledge.restore import needs_restoring as check

    return restore_enabled() and check(text)


@lru_cache(maxsize=1)
def restorer_fingerprint() -> str:
    """Changes whenever the restorer could give another output: its package's files, the versions
    of the packages its model is made from. Part of every cache key."""
    from importlib.metadata import PackageNotFoundError, version

    import knowledge.restore as package

    digest = hashlib.sha256()
    root = Path(package.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    for name in ("underthesea", "wordfreq"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path:
    base = os.environ.get("CCHC_CACHE_DIR")
    if base:
        return Path(base) / "restored"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cchc")) / "restored"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _cache_path(text: str, context: str) -> Path:
    """One file per (restorer, text, what it was restored with): the same inputs, the same output."""
    return _cache_dir() / f"{restorer_fingerprint()}-{_sha(text)[:32]}-{context[:16]}.txt"


def _cached(text: str, context: str) -> str | None:
    try:
        restored = _cache_path(text, context).read_text("utf-8")
    except OSError:
        return None
    return restored if restored.count("\n") == text.count("\n") else None


def _remember(text: str, context: str, restored: str) -> None:
    """Store a restoration; entries of other restorer versions are removed. A cache that cannot be
    written only costs the next build the restoring time."""
    path = _cache_path(text, context)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         suffix=".tmp") as tmp:
            tmp.write(restored)
        os.replace(tmp.name, path)
        prefix = f"{restorer_fingerprint()}-"
        for old in path.parent.glob("*.txt"):
            if not old.name.startswith(prefix):
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("restoration cache not written (%s)", exc)


def restore_all(texts: Sequence[str], needs: Sequence[bool], evidence: Sequence[str] = (),
                progress: Callable[[str, int, int], None] | None = None) -> list[str | None]:
    """Per text, its restored text (None when it needs no restoring).

    The texts that need it are restored together (SMALL_CORPUS_CHARS) or in groups of about
    LARGE_GROUP_CHARS: each with the
    others of its group and the clean `evidence` (the folder's clean documents) as evidence for
    the restorer's language model. A group
    whose texts and evidence were restored before is read back from the cache; several groups to
    restore go to worker processes (knowledge/workers.py)."""
    from knowledge.workers import map_chunks

    out: list[str | None] = [None] * len(texts)
    groups: list[list[int]] = [[]]
    size = 0
    total_chars = sum(len(t) for t, need in zip(texts, needs) if need)
    two_stage = total_chars <= SMALL_CORPUS_CHARS
    group_chars = SMALL_CORPUS_CHARS if two_stage else LARGE_GROUP_CHARS
    for i, need in enumerate(needs):
        if not need:
            continue
        if groups[-1] and size + len(texts[i]) > group_chars:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += len(texts[i])
    evidence_key = _sha("\0".join(_sha(t) for t in evidence))
    todo: list[tuple[list[int], str]] = []
    for group in groups:
        if not group:
            continue
        context = _sha("\0".join([evidence_key, *(_sha(texts[i]) for i in group)]))
        cached = [_cached(texts[i], context) for i in group]
        if all(c is not None for c in cached):
            for i, text in zip(group, cached):
                out[i] = text
        else:
            todo.append((group, context))
    if not todo:
        return out
    total = sum(len(g) for g, _ in todo)
    done = 0
    if progress:
        progress("restore", 0, total)
    work = [([texts[i] for i in group], list(evidence), two_stage) for group, _ in todo]
    for (group, context), restored in zip(todo, map_chunks(_restore_groups, [[w] for w in work],
                                                           work=len(work), min_parallel=2)):
        for i, text in zip(group, restored[0]):
            if text.count("\n") != texts[i].count("\n"):  # the restorer's contract broken: show the scan
                log.warning("restorer changed the line count of a document; its raw text is shown")
                text = texts[i]
            out[i] = text
            _remember(texts[i], context, text)
        done += len(group)
        if progress:
            progress("restore", done, total)
    return out


def _restore_groups(groups: Sequence[tuple[list[str], list[str], bool]]) -> list[list[str]]:
    """Each group's texts restored with the group and the clean evidence as the restorer's corpus
    (two stages for a small folder, as `cchc text restore` does; one joint pass for a large one)."""
    from knowledge.restore import get_restorer, restore_text
    from knowledge.restore.corpus_evidence import corpus_sentences

    out = []
    for texts, evidence, two_stage in groups:
        if two_stage:
            corpus = [*texts, *evidence]
            out.append([restore_text(text, force=True, corpus_texts=corpus) for text in texts])
        else:
            sentences = corpus_sentences(list(evidence)) if evidence else None
            # One decoding pass: a group this large is its own evidence already (self-training
            # and re-learnt costs gain least here and would double the build's longest step).
            out.append(get_restorer().restore_many(list(texts), force=True, corpus=sentences, rounds=0))
    return out


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
            tokens, shown = raw_line.split(), restored_line.split()
            if len(tokens) != len(shown):
                shown = tokens
            for token, restored_token in zip(tokens, shown):
                self.raw.append(token)
                self.shown.append(_numbers_kept(token, restored_token))
        self._at: dict[str, list[int]] = {}
        for i, token in enumerate(self.raw):
            self._at.setdefault(token, []).append(i)
        self._folded: tuple[list[str], list[int]] | None = None

    # -- exact fragments (taken from the raw text by the extractors) --------------------------------
    def map(self, fragment: str, near: int = 0, before: bool = False) -> tuple[str, int]:
        """The restored form of `fragment` (a run of the document's raw tokens, possibly cut inside
        its first or last token) and the token position after it. The first occurrence at or after
        `near` is preferred (with `before`, the last one that starts before `near`), else the
        nearest on the other side. Unknown tokens are kept as they are."""
        spans = list(_TOKEN.finditer(fragment))
        tokens = [m.group() for m in spans]
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
        return _with_tokens(fragment, spans, shown), end

    def locate(self, tokens: list[str], near: int = 0, before: bool = False) -> int | None:
        """Where the run `tokens` starts among the raw tokens (see `map`), or None."""
        starts = set(self._at.get(tokens[0], ()))
        if len(tokens) > 1:  # a first token cut by the extractor: anchor on the second
            starts.update(p - 1 for p in self._at.get(tokens[1], ()) if p > 0)
        best: tuple[int, int, int] | None = None
        for start in starts:
            if self._matches(start, tokens):
                preferred = start < near if before else start >= near
                key = (0 if preferred else 1, abs(start - near), start)
                if best is None or key < best:
                    best = key
        return None if best is None else best[2]

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
        for j in self._at.get(token, ()):
            if start <= j < start + window:
                return j
        return None

    # -- folded phrases (quiz quotes, names) -------------------------------------------------------
    def _folded_words(self) -> tuple[list[str], list[int]]:
        """Every raw token's folded words, each with the position of its token."""
        if self._folded is None:
            words: list[str] = []
            owner: list[int] = []
            for i, token in enumerate(self.raw):
                for word in fold(token).split():
                    words.append(word)
                    owner.append(i)
            self._folded = (words, owner)
        return self._folded

    def folded_spans(self, phrase: str) -> list[tuple[int, int]]:
        """Token ranges [start, end) whose raw text folds to `phrase` (whole words)."""
        target = fold(phrase).split()
        if not target:
            return []
        words, owner = self._folded_words()
        n = len(target)
        spans = []
        for i in range(len(words) - n + 1):
            if words[i] == target[0] and words[i:i + n] == target:
                spans.append((owner[i], owner[i + n - 1] + 1))
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


def display_span(raw: str, shown: str, start: int, end: int) -> str:
    """The part of `shown` (a restored passage, token for token like `raw`) that corresponds to
    `raw[start:end]`, widened to whole tokens; the raw part when the two do not align."""
    raw_tokens = list(_TOKEN.finditer(raw))
    shown_tokens = list(_TOKEN.finditer(shown))
    if raw == shown or len(raw_tokens) != len(shown_tokens):
        return raw[start:end]
    inside = [k for k, m in enumerate(raw_tokens) if m.end() > start and m.start() < end]
    if not inside:
        return raw[start:end]
    return shown[shown_tokens[inside[0]].start():shown_tokens[inside[-1]].end()]


def display_pieces(raw: str, shown: str | None, pieces: list[str]) -> list[str]:
    """The restored form of each piece of `raw` (pieces in order, e.g. its sentences): the same as
    `display_span` per piece, with both texts tokenized once (this runs for every answer)."""
    if not shown or shown == raw:
        return list(pieces)
    raw_tokens = list(_TOKEN.finditer(raw))
    shown_tokens = list(_TOKEN.finditer(shown))
    if len(raw_tokens) != len(shown_tokens):
        return list(pieces)
    starts = [m.start() for m in raw_tokens]
    out, cursor = [], 0
    for piece in pieces:
        at = raw.find(piece, cursor)
        if at < 0:
            out.append(piece)
            continue
        end = at + len(piece)
        cursor = end
        # tokens overlapping [at, end): from the first ending after `at` to the last starting before `end`
        first = bisect.bisect_right(starts, at)
        if first > 0 and raw_tokens[first - 1].end() > at:
            first -= 1
        last = bisect.bisect_left(starts, end) - 1
        if last < first:
            out.append(piece)
            continue
        out.append(shown[shown_tokens[first].start():shown_tokens[last].end()])
    return out


# -- names: titles and issuers in proper case ----------------------------------------------------
# Administrative units before a place name, and the agencies plans are issued by, folded → written.
_UNITS = {
    "xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "huyen": "huyện", "quan": "quận",
    "thi xa": "thị xã", "tinh": "tỉnh", "thanh pho": "thành phố", "khu vuc": "khu vực",
}
_AGENCIES = {
    "uy ban nhan dan": "Ủy ban nhân dân", "ubnd": "Ủy ban nhân dân", "hoi dong nhan dan": "Hội đồng nhân dân",
    "so y te": "Sở Y tế", "so tu phap": "Sở Tư pháp", "so noi vu": "Sở Nội vụ", "so tai chinh": "Sở Tài chính",
    "so xay dung": "Sở Xây dựng", "so cong thuong": "Sở Công Thương", "so ngoai vu": "Sở Ngoại vụ",
    "so giao duc va dao tao": "Sở Giáo dục và Đào tạo", "so khoa hoc va cong nghe": "Sở Khoa học và Công nghệ",
    "so thong tin va truyen thong": "Sở Thông tin và Truyền thông",
    "so van hoa the thao va du lich": "Sở Văn hóa, Thể thao và Du lịch",
    "so tai nguyen va moi truong": "Sở Tài nguyên và Môi trường",
    "so nong nghiep va moi truong": "Sở Nông nghiệp và Môi trường",
    "so nong nghiep va phat trien nong thon": "Sở Nông nghiệp và Phát triển nông thôn",
    "so ke hoach va dau tu": "Sở Kế hoạch và Đầu tư", "so giao thong van tai": "Sở Giao thông vận tải",
    "so lao dong thuong binh va xa hoi": "Sở Lao động - Thương binh và Xã hội",
    "so dan toc va ton giao": "Sở Dân tộc và Tôn giáo",
    "trung tam y te": "Trung tâm Y tế", "trung tam phuc vu hanh chinh cong": "Trung tâm Phục vụ hành chính công",
    "van phong": "Văn phòng", "thanh doan": "Thành đoàn", "cong an": "Công an", "benh vien": "Bệnh viện",
    "phong noi vu": "Phòng Nội vụ", "phong van hoa xa hoi": "Phòng Văn hóa - Xã hội",
    "phong tu phap": "Phòng Tư pháp", "phong kinh te": "Phòng Kinh tế",
    "phong to chuc hanh chinh": "Phòng Tổ chức - Hành chính",
}
# Matched on letters only, so OCR's lost and extra spaces do not matter ("SOY TE" is Sở Y tế).
_LEXICON = {k.replace(" ", ""): v for k, v in {**_UNITS, **_AGENCIES}.items()}
_UNIT_WORDS = set(_UNITS.values())
_AGENCY_HEADS = ("Sở ", "Phòng ", "Trung tâm ", "Văn phòng ", "Thành đoàn", "Công an", "Bệnh viện", "Ban ",
                 "Chi cục ", "Cục ")
_MAX_LEXICON_TOKENS = 8


def _letters(token: str) -> str:
    return _LETTERS.sub("", fold(token))


def _segments(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """Tokens split into ("lexicon", [written form]) and ("other", [tokens]) runs, longest match first."""
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + _MAX_LEXICON_TOKENS), i, -1):
            key = "".join(_letters(t) for t in tokens[i:j])
            if key and key in _LEXICON and _letters(tokens[j - 1]):
                out.append(("lexicon", [_LEXICON[key]]))
                i = j
                break
        else:
            if out and out[-1][0] == "other":
                out[-1][1].append(tokens[i])
            else:
                out.append(("other", [tokens[i]]))
            i += 1
    return out


def _title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.7 * len(letters)


def _name(run: list[str], tokens: TokenMap | None, after_unit: bool) -> str:
    """A run of words that is not administrative vocabulary: a place or a field name. Written as
    the restorer wrote it throughout the document when it agrees with itself, else as scanned;
    title case after a unit word ("xã Phú Thái"), sentence case for an all-capitals run."""
    raw = " ".join(run)
    agreed = tokens.consensus(raw) if tokens is not None else None
    text = agreed if agreed is not None else raw
    if after_unit:
        return _title_case(text)
    if _is_upper(raw):
        return text.lower()
    return text


def _part(raw: str, tokens: TokenMap | None) -> str:
    words: list[str] = []
    after_unit = False
    for kind, run in _segments(raw.split()):
        if kind == "lexicon":
            words.append(run[0])
            after_unit = run[0] in _UNIT_WORDS
        else:
            words.append(_name(run, tokens, after_unit))
            after_unit = False
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def _starts_with_unit(text: str) -> bool:
    return any(f"{text.lower()} ".startswith(f"{unit} ") for unit in _UNIT_WORDS)


def display_issuer(issuer: str, tokens: TokenMap | None) -> str:
    """The issuer as people write it: "Ủy ban nhân dân xã Phú Thái", "Sở Y tế thành phố Hải Phòng".

    The raw issuer is a letterhead's left column (lines joined by " — ", e.g. "UBND THANH PHO HAI
    PHONG — SOY TE") or a phrase of the plan's first paragraph. An agency under a people's
    committee is named with the committee's place ("Sở Y tế thành phố Hải Phòng")."""
    parts = [_part(p, tokens) for p in issuer.split(" — ") if p.strip()]
    parts = [p for p in parts if p]
    if not parts:
        return issuer
    committee = "Ủy ban nhân dân"
    if len(parts) >= 2 and parts[0].startswith(committee) and parts[-1].startswith(_AGENCY_HEADS):
        place = parts[0][len(committee):].strip()
        return f"{parts[-1]} {place}".strip()
    if len(parts) >= 2 and parts[0] == committee:
        return " ".join([parts[0], *(p[:1].lower() + p[1:] if _starts_with_unit(p) else p for p in parts[1:])])
    return " — ".join(parts)


def display_title(title: str, tokens: TokenMap | None) -> str:
    """The title read back from the restored header; words that name a place (capitalized in the
    scan, after a unit word) are written as in `_name`, the unit word itself as in the lexicon."""
    if tokens is None:
        return title
    raw_words = title.split()
    shown_words = raw_words
    for skip in range(min(3, len(raw_words))):  # "Kế hoạch" is the build's, not the scan's
        start = tokens.locate(raw_words[skip:], 0)
        if start is not None:
            rest = [tokens.shown_part(start + k, w) for k, w in enumerate(raw_words[skip:])]
            shown_words = raw_words[:skip] + rest
            break
    out: list[str] = []
    i = 0
    while i < len(raw_words):
        word = raw_words[i]
        unit = _LEXICON.get(_letters(word))
        nxt = raw_words[i + 1] if i + 1 < len(raw_words) else ""
        if unit in _UNIT_WORDS and unit != "thành phố" and nxt[:1].isupper():
            j = i + 1
            while j < len(raw_words) and raw_words[j][:1].isupper() and not any(c.isdigit() for c in raw_words[j]):
                j += 1
            out.append(unit)
            out.append(_name(raw_words[i + 1:j], tokens, True))
            i = j
            continue
        out.append(shown_words[i])
        i += 1
    return " ".join(out)


# -- one document --------------------------------------------------------------------------------
@dataclass
class DocumentDisplay:
    """What the build stores for people to read, beside the raw text it extracted."""

    restored: bool
    title: str
    issuer: str
    passages: list[str | None] = field(default_factory=list)  # None: same as the raw passage
    headings: list[list[str] | None] = field(default_factory=list)
    sentences: list[str | None] = field(default_factory=list)  # per contact


def document_display(text: str, restored: str | None, title: str, issuer: str,
                     passages: Sequence[tuple[str, Sequence[str]]], sentences: Sequence[str]) -> DocumentDisplay:
    """Map a document's extracted fragments (passages as (text, headings), contact sentences,
    title, issuer) onto its restored text; without one, only the issuer is put in proper case."""
    if restored is None or restored == text:
        return DocumentDisplay(False, title, display_issuer(issuer, None) if issuer else issuer,
                               [None] * len(passages), [None] * len(passages), [None] * len(sentences))
    tokens = TokenMap(text, restored)
    shown_passages: list[str | None] = []
    shown_headings: list[list[str] | None] = []
    cursor = 0
    for body, headings in passages:
        lines = []
        start = None
        for line in body.split("\n"):
            shown, end = tokens.map(line, cursor)
            if start is None:
                start = end - len(line.split())
            lines.append(shown)
            cursor = max(cursor, end)
        shown = "\n".join(lines)
        shown_passages.append(shown if shown != body else None)
        heads = [tokens.map(h, start or 0, before=True)[0] for h in headings]
        shown_headings.append(heads if heads != list(headings) else None)
    shown_sentences: list[str | None] = []
    for sentence in sentences:
        shown, _ = tokens.map(sentence, 0)
        shown_sentences.append(shown if shown != sentence else None)
    return DocumentDisplay(True, display_title(title, tokens), display_issuer(issuer, tokens) if issuer else issuer,
                           shown_passages, shown_headings, shown_sentences)

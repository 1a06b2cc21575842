"""Units named in plans' tasks, matched however a person types them.

A plan writes "Phòng Tổ chức - Hành chính" in one place and "Phòng TCHC" in another; a person types
"phong tchc", "to chuc hanh chinh" or "VHXH". Every name is folded and reduced to a key: its kind
(the word before the name: Phòng, Sở, Văn phòng, ...) and the initials of the words after it, an
abbreviation counting its own letters. Names sharing a key are one unit. A query matches by key, by
its initials, or by its words inside a unit's words; several units fitting equally are reported as
such, with the choices, never picked at random.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.text import fold, nfc

# Words that say what kind of body follows (folded, longest first so "van phong" wins over "phong").
KIND_WORDS = sorted([
    "van phong", "phong", "so", "ban", "trung tam", "khoa", "uy ban nhan dan", "ubnd", "chi cuc", "cuc",
    "vu", "bo", "dai phat thanh", "dai", "hoi", "doan", "cong an", "benh vien", "tram y te", "tram",
    "bao", "thu truong", "truong", "chu tich", "bi thu", "to", "dang uy", "mat tran", "cac",
], key=lambda w: -len(w))
_KIND_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "vp": "van phong", "ttyt": "trung tam y te"}
_PLACE_WORDS = {"xa", "phuong", "huyen", "quan", "tinh", "thi", "tran", "tp"}
_STOP = {"va", "cac", "thuoc", "truc", "cua", "ve", "voi"}
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")
# A match this close to the best one is an equally good reading: say both (set on the made-up
# units in tests/test_duties_units.py: "to chuc" fits two bodies at 0.70 and 0.63).
AMBIGUOUS_MARGIN = 0.1
MAX_NAME_WORDS = 14      # the longest unit name in the seeds has 10 words
STRONG_MATCH = 0.8          # a unit named inside a free-text question must fit at least this well
MIN_MATCH = 0.45


def _is_abbreviation(token: str, original: str | None = None) -> bool:
    """'TCHC', 'VHXH', 'UBND': no Vietnamese syllable. In a plan only an upper-case one counts
    (OCR turns 'Tổ' into 'Tb'); in a query any non-syllable does (people type 'tchc')."""
    if not token.isalpha() or len(token) < 2 or _SYLLABLE.match(token):
        return False
    return original is None or original.isupper()


def _split_kind(words: list[str]) -> tuple[str, list[str]]:
    if words and words[0] in _KIND_ABBREVIATIONS:
        words = _KIND_ABBREVIATIONS[words[0]].split() + words[1:]
    joined = " ".join(words)
    for kind in KIND_WORDS:
        if joined == kind or joined.startswith(kind + " "):
            rest = words[len(kind.split()):]
            if rest and kind == "to" and rest[0] == "chuc":
                return "", words  # "Tổ chức ..." is a name, not a "Tổ" (team)
            return kind, rest
    return "", words


def _initials(words: list[str], originals: list[str] | None = None) -> str:
    out = []
    for i, w in enumerate(words):
        if w in _STOP:
            continue
        orig = originals[i] if originals and i < len(originals) else None
        out.append(w if _is_abbreviation(w, orig) else w[0])
    return "".join(out)


def _original_tokens(name: str) -> list[str]:
    """The name's words with their case, aligned with `fold(name).split()` (same tokenization)."""
    from knowledge.text import strip_marks
    return re.sub(r"[^A-Za-z0-9]+", " ", strip_marks(nfc(name))).split()


def slugify(text: str) -> str:
    return "-".join(fold(text).split())[:80] or "don-vi"


@dataclass
class Unit:
    """One body, however many ways the plans write it; `name` is its fullest written form."""

    key: str
    name: str
    slug: str
    aliases: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)     # folded words after the kind word
    kind: str = ""


@dataclass(frozen=True)
class UnitMatch:
    """What a query named: one unit, several equally fitting (`ambiguous`), or none."""

    units: tuple[Unit, ...]
    score: float = 0.0
    span: tuple[str, ...] = ()  # find_in: the folded words of the text that named the unit

    @property
    def ambiguous(self) -> bool:
        return len(self.units) > 1

    @property
    def unit(self) -> Unit | None:
        return self.units[0] if len(self.units) == 1 else None


def unit_key(name: str) -> tuple[str, str, list[str]]:
    """(kind, key, folded core words) of a written unit name."""
    words = fold(name).split()
    originals = _original_tokens(name)
    if len(originals) != len(words):
        originals = []
    kind, core = _split_kind(words)
    core_orig = originals[len(words) - len(core):] if originals else []
    while len(core) > 1 and core[-1] in _PLACE_WORDS:  # "Phòng Kinh tế xã" is "Phòng Kinh tế"
        core, core_orig = core[:-1], core_orig[:-1]
    initials = _initials(core, core_orig)
    return kind, f"{kind.replace(' ', '')}:{initials}" if initials else f"{kind}:", core


def split_units(field_text: str) -> list[str]:
    """'Phòng TCHC, Các phòng, đơn vị' → ['Phòng TCHC', 'Các phòng, đơn vị']: a piece after a comma
    that does not start a new body (no kind word, no abbreviation) continues the previous one."""
    pieces = [p.strip(" .-–;:") for p in re.split(r"[;,\n]", nfc(field_text or ""))]
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        words = fold(piece).split()
        kind, core = _split_kind(words) if words else ("", [])
        # "Ban" or "ngành" alone is the rest of "Sở, ban, ngành", not a body of its own
        starts_body = bool(words) and ((kind != "" and bool(core)) or _is_abbreviation(words[0], piece.split()[0]))
        if out and not starts_body:
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return [" ".join(p.split()) for p in out if fold(p)]


class UnitIndex:
    """All units of the knowledge base's tasks, for matching what people type."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, Unit] = {}
        self._of_name: dict[str, Unit] = {}
        counts: dict[str, int] = {}
        for name in names:
            name = " ".join(nfc(name).split())
            name = name[:1].upper() + name[1:]  # "phòng Văn hóa - Xã hội" as a list item wrote it
            if fold(name):
                counts[name] = counts.get(name, 0) + 1
        best: dict[str, tuple] = {}
        for name, count in counts.items():
            kind, key, core = unit_key(name)
            unit = self._by_key.get(key)
            if unit is None:
                unit = self._by_key[key] = Unit(key=key, name=name, slug=slugify(key.replace(":", " ")),
                                                words=core, kind=kind)
            # The name shown: written out (not "Phòng TCHC"), without a trailing place word ("… xã"
            # is often a misread), the most written, the fullest.
            written_out = not all(_is_abbreviation(w) for w in core)
            place_dropped = bool(core) and fold(name).split()[-1] != core[-1]
            rank = (written_out, not place_dropped, count, len(core))
            if key not in best or rank > best[key]:
                best[key] = rank
                unit.name, unit.words = name, core
            unit.aliases.append(name)
            self._of_name[name] = unit

    @property
    def units(self) -> list[Unit]:
        return sorted(self._by_key.values(), key=lambda u: fold(u.name))

    def unit_of(self, name: str) -> Unit | None:
        """The unit a name written in a plan belongs to."""
        name = " ".join(nfc(name).split())
        return self._of_name.get(name[:1].upper() + name[1:])

    def by_slug(self, slug: str) -> Unit | None:
        return next((u for u in self._by_key.values() if u.slug == slug), None)

    def _score(self, q_kind: str, q_words: list[str], unit: Unit) -> float:
        if not q_words:
            return 0.0
        q_initials = {"".join(w if _is_abbreviation(w) else w[0] for w in q_words if w not in _STOP)}
        if len(q_words) == 1:
            q_initials.add(q_words[0])
        u_initials = unit.key.split(":", 1)[1]
        u_words = [w for w in unit.words if w not in _STOP]
        words = [w for w in q_words if w not in _STOP]
        typed_abbreviation = any(_is_abbreviation(w) for w in words)
        if words == u_words:
            score = 1.0
        elif u_initials and u_initials in q_initials and (typed_abbreviation or len(u_initials) >= 3):
            score = 0.9 if typed_abbreviation else 0.7
        elif words and _contains(u_words, words):
            score = 0.3 + 0.5 * len(words) / len(u_words)
        elif typed_abbreviation and any(len(i) >= 2 and u_initials.startswith(i) for i in q_initials):
            score = 0.5
        else:
            return 0.0
        if q_kind and unit.kind and q_kind != unit.kind:
            score *= 0.5
        return score

    def match(self, query: str) -> UnitMatch:
        """Units fitting what was typed, best first; several when they fit equally well."""
        words = fold(query).split()
        q_kind, core = _split_kind(words)
        if not core:  # "văn phòng": every unit of that kind is a choice
            same = [u for u in self.units if q_kind and u.kind == q_kind]
            return UnitMatch(tuple(same), 0.5 if same else 0.0)
        scored = sorted(((self._score(q_kind, core, u), fold(u.name), u) for u in self._by_key.values()),
                        key=lambda t: (-t[0], t[1]))
        scored = [t for t in scored if t[0] >= MIN_MATCH]
        if not scored:
            return UnitMatch(())
        best = scored[0][0]
        return UnitMatch(tuple(u for s, _, u in scored if s >= best - AMBIGUOUS_MARGIN), best)

    def find_in(self, text: str) -> UnitMatch:
        """A unit named inside a sentence ("phòng TCHC phải làm gì"): the longest span starting at a
        kind word or an abbreviation that fits strongly; UnitMatch(()) when none does."""
        words = fold(text).split()
        best = UnitMatch(())
        best_len = 0
        for i, w in enumerate(words):
            starts = _split_kind(words[i:])[0] != "" or _is_abbreviation(w)
            if not starts:
                continue
            for j in range(min(len(words), i + MAX_NAME_WORDS), i, -1):
                got = self.match(" ".join(words[i:j]))
                if got.units and got.score >= STRONG_MATCH:
                    if (got.score, j - i) > (best.score, best_len):
                        best, best_len = UnitMatch(got.units, got.score, tuple(words[i:j])), j - i
                    break
        return best


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))

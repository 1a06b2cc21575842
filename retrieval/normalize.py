"""Vietnamese normalization: from any text (clean, OCR-damaged, unaccented, chat shorthand) to
folded syllables that meet.

- Documents: OCR lost or garbled tone marks (`Tuyén truyén`, `nim` for năm, `s6` for số, `x4` for
  xã). Folding removes the marks; tokens that are still not Vietnamese syllables are repaired to
  the nearest valid one (one edit), choosing by the words around them (`k hoach` → `ke hoach`).
- Questions: typed with or without diacritics, NFD or NFC, `Ð` for `Đ`, shorthand (`sdt`, `dvc`,
  `j`, `ko`) and administrative abbreviations (CCHC, TTHC, UBND) expanded to their words, so that
  both sides of the match use the same vocabulary. Documents get the same expansion.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from knowledge.text import fold, nfc, strip_marks

# Characters OCR puts where Vietnamese letters were, mapped before folding.
_OCR_MAP = {"%": " phan tram ", "€": "e", "¢": "c", "¥": "y", "$": "s", "§": "o", "ﬁ": "fi", "ﬂ": "fl",
            "ﬃ": "ffi", "’": "'", "‘": "'", "|": " "}
_OCR_CHARS = str.maketrans(_OCR_MAP)
# str.translate looks every character up in a dict (half of folding a passage); most passages
# hold none of these characters, and one regex search says so.
_HAS_OCR_CHAR = re.compile("[" + re.escape("".join(_OCR_MAP)) + "]")
# Digits OCR reads for letters inside words: s6 → so, x4 → xa, 1a → la, t6 → to.
_DIGIT_AS_LETTER = str.maketrans({"0": "o", "1": "l", "3": "a", "4": "a", "5": "s", "6": "o", "8": "b"})
_TOKEN = re.compile(r"[a-z0-9]+")
# The shape of a folded Vietnamese syllable: onset, 1–3 vowels, coda. Viet74K also lists loanwords
# and abbreviations ("xta", "ubnd"); only real syllable shapes are repair targets.
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")

# Abbreviations (folded) → their words (folded). Both documents and questions are expanded.
ABBREVIATIONS: dict[str, str] = {
    "cchc": "cai cach hanh chinh", "tthc": "thu tuc hanh chinh", "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen", "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan",
    "syt": "so y te", "qd": "quyet dinh", "nq": "nghi quyet", "nd": "nghi dinh",
    "tt": "thong tu", "ct": "chi thi", "cbccvc": "can bo cong chuc vien chuc",
    "cbcc": "can bo cong chuc", "ccvc": "cong chuc vien chuc", "tp": "thanh pho", "ttyt": "trung tam y te",
    "tchc": "to chuc hanh chinh", "ttg": "thu tuong", "cp": "chinh phu", "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi", "cntt": "cong nghe thong tin", "csdl": "co so du lieu",
    "vh": "van hoa", "xh": "xa hoi", "kt": "kinh te", "tw": "trung uong",
    "hcc": "hanh chinh cong", "cqnn": "co quan nha nuoc", "hcnn": "hanh chinh nha nuoc",
    "kh": "ke hoach", "ttdt": "thong tin dien tu"
}
# Chat shorthand (folded) → words. Questions only: in documents these strings mean other things.
SHORTHAND: dict[str, str] = {
    "sdt": "so dien thoai", "sđt": "so dien thoai", "dt": "dien thoai", "j": "gi", "ji": "gi",
    "ko": "khong", "k": "khong", "kg": "khong", "hok": "khong", "hem": "khong", "dc": "duoc",
    "đc": "duoc", "bn": "bao nhieu", "bnhiu": "bao nhieu", "bnh": "bao nhieu", "ntn": "nhu the nao",
    "wa": "qua", "vs": "voi", "ng": "nguoi", "onl": "truc tuyen", "online": "truc tuyen",
    "hs": "ho so", "tg": "thoi gian", "sdung": "su dung", "mk": "minh",
    "hotline": "hotline duong day nong", "website": "website cong thong tin", "web": "trang web cong thong tin",
    "lq": "lien quan", "vv": "van van",
    "cq": "co quan", "dv": "don vi", "bc": "bao cao", "tc": "to chuc", "nv": "nhiem vu",
}
# Phrases and words a question is made of that say nothing about its topic. Kept short on
# purpose: many Vietnamese function words are also content once folded ("hội thi", "thẻ", "cần").
QUESTION_PHRASES = ("cho toi hoi", "cho em hoi", "cho hoi", "xin hoi", "vui long", "cam on", "la bao nhieu",
                    "bao gom nhung gi", "gom nhung gi", "bao gom nhung", "gom nhung",
                    "phai lam nhung gi", "phai lam gi", "can lam gi", "se lam gi", "lam nhung gi", "lam gi",
                    "bao nhieu", "nhu the nao", "the nao", "la gi", "o dau", "khi nao", "nao", "la ai")
QUESTION_STOPWORDS = frozenset(
    "la gi nao ai dau sao khong nhung cac cua va voi vay oi a e o toi minh muon biet hay ma nay kia "
    "duoc co".split()
)


def strip_question_phrases(tokens: list[str]) -> list[str]:
    """Drop multi-word question phrases ("bao nhiêu", "như thế nào") from a token list."""
    text = f" {' '.join(tokens)} "
    for phrase in QUESTION_PHRASES:
        text = text.replace(f" {phrase} ", " ")
    return text.split()


def lexicon_path() -> Path:
    """Viet74K as underthesea ships it, found without importing underthesea (≈ 0.3 s)."""
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("underthesea is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "corpus" / "data" / "Viet74K.txt"


@lru_cache(maxsize=1)
def lexicon() -> tuple[frozenset[str], Counter, frozenset[str]]:
    """Folded syllables of Viet74K, how many entries use each, and folded two-syllable words."""
    syllables: Counter = Counter()
    bigrams: set[str] = set()
    for line in lexicon_path().read_text(encoding="utf-8").splitlines():
        parts = fold(line).split()
        if not parts or len(parts) > 4:
            continue
        syllables.update(parts)
        for a, b in zip(parts, parts[1:]):
            bigrams.add(f"{a} {b}")
    valid = frozenset(s for s in syllables if _SYLLABLE.match(s))
    return valid, syllables, frozenset(bigrams)


_word_pairs: frozenset[str] | None = None


def word_pairs() -> frozenset[str]:
    """Folded two-syllable Viet74K words ("dich vu"): all a question needs from the dictionary.
    Primed from the knowledge DB when it stores them (retrieval/derived.py), since folding the
    dictionary takes ≈ 0.65 s of a bot's start."""
    return _word_pairs if _word_pairs is not None else lexicon()[2]


def prime_word_pairs(pairs: frozenset[str]) -> None:
    global _word_pairs
    _word_pairs = pairs


def word_pairs_primed() -> bool:
    return _word_pairs is not None or lexicon.cache_info().currsize > 0


def prepare(text: str) -> str:
    """NFC and OCR junk characters replaced: the text that gets folded."""
    text = nfc(text)
    return text.translate(_OCR_CHARS) if _HAS_OCR_CHAR.search(text) else text


def fold_tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens of `text` (no repair, no expansion): the [a-z0-9] runs of its
    unmarked lower case, which are exactly the words of `fold` (without building that string)."""
    return _TOKEN.findall(strip_marks(prepare(text)).lower())


def expand(tokens: list[str], table: dict[str, str]) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        rep = table.get(tok)
        out.extend(rep.split() if rep else [tok])
    return out


_LETTERS = "abcdeghiklmnopqrstuvxy"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    return deletes | replaces | inserts | transposes


def _deletes(word: str, depth: int) -> set[str]:
    out, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (edits with adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=1)
def _delete_index() -> dict[str, tuple[str, ...]]:
    """SymSpell-style index: every valid syllable under each string reachable by ≤ 2 deletions."""
    valid, _, _ = lexicon()
    index: dict[str, list[str]] = {}
    for syl in valid:
        for d in _deletes(syl, 2):
            index.setdefault(d, []).append(syl)
    return {k: tuple(v) for k, v in index.items()}


class OcrRepairer:
    """Maps tokens that are not Vietnamese syllables to the most plausible syllable nearby.

    Candidates are the valid syllables one edit away (two for tokens of 4+ letters when none is one
    edit away). They are ranked by the words around them: forming a dictionary word with a
    neighbour, then how often the corpus itself has that pair ("ho so" beats "he so" in plans),
    then how often the corpus uses the syllable. Context is the strongest signal: `k` before `hoach`
    is `ke`, `hd` before `so` is `ho`.
    """

    def __init__(self, corpus_counts: Counter | None = None, corpus_pairs: Counter | None = None) -> None:
        self.valid, self.dict_counts, self.bigrams = lexicon()
        self.corpus = corpus_counts or Counter()
        self.pairs = corpus_pairs or Counter()
        self._cache: dict[str, list[tuple[str, float]]] = {}

    def is_valid(self, tok: str) -> bool:
        return tok in self.valid or tok.isdigit() or tok in ABBREVIATIONS or tok in WEB_WORDS

    def candidates(self, tok: str) -> list[tuple[str, float]]:
        """(syllable, edit distance) pairs worth considering for an invalid token.

        A digit inside a word is first read as the letter OCR mistook it for (distance 0.5), but
        the other readings stay candidates: `t4` may be `ta` or `to`, and context decides.
        """
        cached = self._cache.get(tok)
        if cached is not None:
            return cached
        word = tok
        cands: dict[str, float] = {}
        if any(c.isdigit() for c in tok) and any(c.isalpha() for c in tok):
            word = tok.translate(_DIGIT_AS_LETTER)
            if word in self.valid:
                cands[word] = 0.5
        if len(word) > 1 and word[0] == "p" and word[1] != "h" and f"d{word[1:]}" in self.valid:
            cands[f"d{word[1:]}"] = 0.5  # OCR reads Đ as P: "Pay manh" = "Đẩy mạnh", "Pé nghi" = "Đề nghị"
        if word.isalpha() and len(word) <= 9:
            for c in _edits1(word):
                if c in self.valid and c not in cands:
                    cands[c] = 1.0
            if len(word) >= 4:
                index = _delete_index()
                for d in _deletes(word, 2):
                    for syl in index.get(d, ()):
                        if syl not in cands and edit_distance(word, syl) <= 2:
                            cands[syl] = 2.0
        self._cache[tok] = list(cands.items())
        return self._cache[tok]

    def _prior(self, cand: str) -> float:
        return math.log1p(self.corpus.get(cand, 0)) * 40 + math.log1p(self.dict_counts.get(cand, 0)) * 5

    def _best(self, cands: list[tuple[str, float]], prev: str, nxt: str) -> str:
        """Closest candidates first; two-edit readings only when no closer one fits the context."""
        def support(c: str) -> tuple[int, int]:
            lex = (f"{prev} {c}" in self.bigrams) + (f"{c} {nxt}" in self.bigrams)
            return lex, self.pairs.get((prev, c), 0) + self.pairs.get((c, nxt), 0)

        def score(item: tuple[str, float]) -> float:
            lex, pairs = support(item[0])
            return (lex * 300 + math.log1p(pairs) * 400 + self._prior(item[0])) / item[1]

        near = [c for c in cands if c[1] <= 1.0]
        if near:
            best = max(near, key=score)
            if any(support(best[0])):
                return best[0]
        return max(cands, key=score)[0]

    def repair(self, tokens: list[str]) -> list[str]:
        """Two passes: the second sees the repaired neighbours on both sides."""
        out = list(tokens)
        damaged = [i for i, tok in enumerate(tokens) if not self.is_valid(tok) and self.candidates(tok)]
        for _ in range(2):
            for i in damaged:
                prev = out[i - 1] if i > 0 else ""
                nxt = out[i + 1] if i + 1 < len(out) else ""
                out[i] = self._best(self.candidates(tokens[i]), prev, nxt)
        return out


WEB_WORDS = frozenset("http https www gov vn com org net edu html php".split())
_URL_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+(?:vn|com|org|net))\b", re.I)


def segment_syllables(word: str, valid: frozenset[str]) -> list[str] | None:
    """Split run-together syllables ("dichvucong" → dich vu cong), or None when no split into
    valid syllables exists: how a portal's host name meets the words people type."""
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 7), end):
            prefix = best[start]
            if prefix is not None and word[start:end] in valid:
                cand = prefix + [word[start:end]]
                if best[end] is None or len(cand) < len(best[end]):
                    best[end] = cand
    return best[-1] if best[-1] and len(best[-1]) > 1 else None


def url_words(text: str) -> list[str]:
    """Syllables hidden in the host names of URLs in `text` (dichvucong.gov.vn → dich vu cong)."""
    valid, _, _ = lexicon()
    out: list[str] = []
    for match in _URL_HOST.finditer(text):
        for label in match.group(1).lower().split("."):
            if label not in WEB_WORDS:
                out.extend(segment_syllables(label, valid) or [label])
    return out


_ACRONYM = re.compile(r"\b[A-ZĐ][A-ZĐ0-9]{1,9}\b")


def acronyms(text: str, repairer: OcrRepairer) -> list[str]:
    """Upper-case abbreviations that are not syllables ("PCI", "SIPAS", "LGSP", "VssID"-like forms are
    not caught): kept as extra index terms, since OCR repair would turn "pci" into a syllable."""
    out = []
    for match in _ACRONYM.finditer(nfc(text)):
        tok = fold(match.group(0))
        if tok and not tok.isdigit() and not repairer.is_valid(tok):
            out.append(tok)
    return out


_CASED_TOKEN = re.compile(r"[A-Za-z0-9]+")


def analyze_document(text: str, repairer: OcrRepairer) -> list[str]:
    """Document text → folded, repaired, abbreviation-expanded syllables.

    A two-letter abbreviation is expanded only where the document writes it in capitals ("TW",
    "KH"): in a scan, "Tw" and "Kt" are damaged syllables ("Sở Tư pháp" read as "S& Tw phap"),
    not "trung ương" and "kinh tế". Longer ones ("UBND", "cchc") cannot be syllables."""
    cased = _CASED_TOKEN.findall(strip_marks(prepare(text)))
    tokens = repairer.repair([t.lower() for t in cased])
    out: list[str] = []
    for raw, tok in zip(cased, tokens):
        rep = ABBREVIATIONS.get(tok)
        if rep and (len(tok) > 2 or raw.isupper()):
            out.extend(rep.split())
        else:
            out.append(tok)
    return out


def analyze_question(text: str) -> list[str]:
    """Question → folded syllables with shorthand and abbreviations expanded."""
    return expand(expand(fold_tokens(text), SHORTHAND), ABBREVIATIONS)

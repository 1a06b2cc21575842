"""Vietnamese normalization: from any text (clean, OCR-damaged, unaccented, chat shorthand) to
folded syllables that meet.

- Documents: folded as they are. A scan's damage (`nim` for năm, `s6` for số) is repaired in one
  place only, the restoration stage (`knowledge/restore`), whose restored text the indexer reads
  beside the scan's own words.
- Questions: typed with or without diacritics, NFD or NFC, `Ð` for `Đ`, shorthand (`sdt`, `dvc`,
  `j`, `ko`) and administrative abbreviations (CCHC, TTHC, UBND) expanded to their words, so that
  both sides of the match use the same vocabulary. Documents get the same expansion.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from knowledge.restore.ocr_channel import GLYPH_LETTERS
from knowledge.text import fold, nfc, strip_marks

# Characters mapped before folding: the signs OCR prints for letters (the restorer's glyph table,
# knowledge/restore/ocr_channel.py), ligatures, quotes, "%" as its words.
_OCR_MAP = {"%": " phan tram ", **GLYPH_LETTERS, "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "’": "'", "‘": "'", "|": " "}
_OCR_CHARS = str.maketrans(_OCR_MAP)
# str.translate looks every character up in a dict (half of folding a passage); most passages
# hold none of these characters, and one regex search says so.
_HAS_OCR_CHAR = re.compile("[" + re.escape("".join(_OCR_MAP)) + "]")
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


def is_valid(tok: str) -> bool:
    """A folded token that is a word as it stands: a Vietnamese syllable (Viet74K), a number, an
    abbreviation, a part of a web address. A scan's other tokens are damage ("nim", "s6")."""
    return tok in lexicon()[0] or tok.isdigit() or tok in ABBREVIATIONS or tok in WEB_WORDS


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


def acronyms(text: str) -> list[str]:
    """Upper-case abbreviations that are not syllables ("PCI", "SIPAS", "LGSP", "VssID"-like forms are
    not caught): kept as extra index terms, since restoration may turn "pci" into a syllable."""
    out = []
    for match in _ACRONYM.finditer(nfc(text)):
        tok = fold(match.group(0))
        if tok and not tok.isdigit() and not is_valid(tok):
            out.append(tok)
    return out


_CASED_TOKEN = re.compile(r"[A-Za-z0-9]+")


def analyze_document(text: str, valid_only: bool = False) -> list[str]:
    """Document text → folded, abbreviation-expanded syllables (`valid_only`: a scan's damaged
    tokens left out, see `is_valid`).

    A two-letter abbreviation is expanded only where the document writes it in capitals ("TW",
    "KH"): in a scan, "Tw" and "Kt" are damaged syllables ("Sở Tư pháp" read as "S& Tw phap"),
    not "trung ương" and "kinh tế". Longer ones ("UBND", "cchc") cannot be syllables."""
    cased = _CASED_TOKEN.findall(strip_marks(prepare(text)))
    out: list[str] = []
    for raw in cased:
        tok = raw.lower()
        if valid_only and not is_valid(tok):
            continue
        rep = ABBREVIATIONS.get(tok)
        if rep and (len(tok) > 2 or raw.isupper()):
            out.extend(rep.split())
        else:
            out.append(tok)
    return out


def analyze_question(text: str) -> list[str]:
    """Question → folded syllables with shorthand and abbreviations expanded."""
    return expand(expand(fold_tokens(text), SHORTHAND), ABBREVIATIONS)

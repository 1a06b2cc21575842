"""Index terms for passages and weighted terms for questions.

Measured on the dev questions (README, "What moved the score"): folded syllables alone miss
phrases, so both sides also get adjacent-syllable bigrams ("dich_vu", "vu_cong"). A bigram that is
a real word weighs more than one that straddles two words; which bigrams are words comes from
underthesea's word segmentation when the question has diacritics (it groups compounds well on clean
text) and from the Viet74K word list otherwise (underthesea groups only ~40% on unaccented text).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from knowledge.text import fold, strip_marks
from retrieval.normalize import (
    QUESTION_STOPWORDS,
    analyze_question,
    prepare,
    strip_question_phrases,
    word_pairs,
)
from retrieval.segmenter import is_loaded as segmenter_loaded
from retrieval.segmenter import segmenter

HEADING_REPEAT = int(__import__("os").environ.get("CCHC_HEADING_REPEAT", "1"))
WORD_BIGRAM_WEIGHT = 1.0
OTHER_BIGRAM_WEIGHT = 0.5


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


def passage_terms(body: list[str], headings: list[str]) -> list[str]:
    """The bag of terms a passage is indexed under: its syllables and bigrams, and its headings'."""
    return body + bigrams(body) + (headings + bigrams(headings)) * HEADING_REPEAT


def warm_up_segmenter() -> None:
    """Load the segmenter in the background, so a bot's first question does not wait for it."""
    if not segmenter_loaded():
        threading.Thread(target=_warm_up, name="underthesea-warm-up", daemon=True).start()


def _warm_up() -> None:
    try:
        segmenter()
    except Exception:  # a question will meet (and survive) the same error in underthesea_compounds
        pass
    try:  # the place-name gazetteer (≈ 0.15 s), read by the first question that names a "xã"/"tỉnh"
        from retrieval.constraints import gazetteer

        gazetteer()
    except Exception:  # a missing address file only means lower-case place names go unchecked
        pass


def has_diacritics(text: str) -> bool:
    return strip_marks(text) != text


def underthesea_compounds(text: str) -> set[str]:
    """Folded bigrams that sit inside one word according to underthesea (compound grouping)."""
    try:
        words = segmenter().segment(prepare(text)[:2000])
    except Exception:  # the segmenter must never take the answer path down
        return set()
    found: set[str] = set()
    for word in words:
        parts = fold(word).split()
        found.update(f"{a}_{b}" for a, b in zip(parts, parts[1:]))
    return found


@dataclass(frozen=True)
class QueryTerms:
    """A question as the index sees it."""

    tokens: list[str]  # all folded, expanded syllables
    content: list[str]  # syllables that carry the topic (question words removed)
    weights: dict[str, float]  # term → weight (syllables and bigrams)
    pairs: list[str]  # adjacent syllable pairs of the question (not both question words)
    places: tuple[str, ...] = ()  # capitalized place names the question names ("xã An Lạc" → "an_lac")


# The fixed frames of true/false, multiple-choice and "according to" questions: the form of the
# question, never its topic ("…, đúng hay sai?", "Chọn câu trả lời đúng nhất", "Theo quy định của").
BOILERPLATE = ("dung hay sai", "dung hoac sai", "chon cau tra loi dung nhat", "chon dap an dung nhat",
               "chon dap an dung", "chon phuong an dung nhat", "chon phuong an dung", "cau tra loi dung nhat",
               "dap an dung nhat", "nhan dinh sau", "khang dinh sau", "theo quy dinh cua", "theo quy dinh tai",
               "theo quy dinh", "theo phap luat",
               # multiple-choice stems: "Điều nào sau đây KHÔNG đúng về …", "… không phải là một trong những …"
               "dieu nao sau day", "nhan dinh nao sau day", "phat bieu nao sau day", "y nao sau day",
               "khong phai la mot trong nhung", "la mot trong nhung", "mot trong nhung")


def strip_boilerplate(tokens: list[str]) -> list[str]:
    """Tokens without the question-form frames of BOILERPLATE (they would match every article that
    says "theo quy định" and none that answers)."""
    text = f" {' '.join(tokens)} "
    for phrase in BOILERPLATE:
        text = text.replace(f" {phrase} ", " ")
    return text.split()


def analyze(question: str) -> QueryTerms:
    """Question → weighted terms (syllables 1.0, word bigrams 1.0, other bigrams 0.5)."""
    tokens = strip_boilerplate(analyze_question(question))
    core = strip_question_phrases(tokens)
    content = [t for t in core if t not in QUESTION_STOPWORDS]
    pairs = [f"{a}_{b}" for a, b in zip(core, core[1:])
             if not (a in QUESTION_STOPWORDS and b in QUESTION_STOPWORDS)]
    lexicon_bigrams = word_pairs()
    words = underthesea_compounds(question) if has_diacritics(question) else set()
    weights: dict[str, float] = {}
    for t in content:
        weights[t] = weights.get(t, 0.0) + 1.0
    for a, b in zip(tokens, tokens[1:]):
        if a in QUESTION_STOPWORDS and b in QUESTION_STOPWORDS:
            continue
        bg = f"{a}_{b}"
        is_word = bg in words or f"{a} {b}" in lexicon_bigrams
        weights[bg] = max(weights.get(bg, 0.0), WORD_BIGRAM_WEIGHT if is_word else OTHER_BIGRAM_WEIGHT)
    _lower_plan_references(question, weights)
    return QueryTerms(tokens, content, weights, list(dict.fromkeys(pairs)), named_places(question))


PLAN_REFERENCE_WEIGHT = 0.25  # words that only name the plan ("Kế hoạch 155/KH-SYT") vs the topic's
_PLAN_REFERENCE = re.compile(r"(?i:\b(?:kế hoạch|ke hoach|kh)\s+(?:số\s+|so\s+)?)(\d{1,5}(?:/[\w.-]+)?)")


def _lower_plan_references(question: str, weights: dict[str, float]) -> None:
    """"Yêu cầu … trong Kế hoạch 155/KH-SYT": the reference says which plan (the plan-number
    constraint and the document prior use it), not what is asked, so its words weigh little in
    ranking sentences and in coverage. The number itself keeps its weight."""
    for match in _PLAN_REFERENCE.finditer(question):
        ref = analyze_question(match.group())
        number = fold(match.group(1)).split()[:1]
        for term in set(ref) | {f"{a}_{b}" for a, b in zip(ref, ref[1:])}:
            if term in weights and term not in number:
                weights[term] *= PLAN_REFERENCE_WEIGHT


_PLACE = re.compile(r"(?i:\b(xã|xa|phường|phuong|huyện|huyen|tỉnh|tinh|thành phố|thanh pho|quận|quan|thị xã|"
                    r"thi xa|thị trấn|thi tran|thôn|thon|xóm|xom))\s+"
                    r"([A-ZĐÐ][^\s,.;:?!()]*(?:\s+[A-ZĐÐ][^\s,.;:?!()]*){0,3})")


PLACE_WORDS = frozenset("xa phuong huyen tinh pho quan thon xom tran".split())


def places_in(tokens: list[str]) -> set[str]:
    """Syllable pairs that follow an administrative word in document terms ("tinh phu tho" → phu_tho):
    the places a knowledge base knows, stored at build time for `named_places` checks."""
    return {f"{tokens[i + 1]}_{tokens[i + 2]}" for i in range(len(tokens) - 2) if tokens[i] in PLACE_WORDS}


def named_places(question: str) -> tuple[str, ...]:
    """Place names written with capitals after an administrative word: "xã An Lạc" → "an_lac".
    A plan about Phú Thái does not answer a question about An Lạc, however similar the rest is."""
    places = []
    for match in _PLACE.finditer(prepare(question)):
        syllables = fold(match.group(2)).split()
        if syllables:
            places.append("_".join(syllables[:2]))
    return tuple(places)

"""The vectorised sentence scorer must give exactly the floats of the plain definition."""

from __future__ import annotations

import random
import sqlite3

from retrieval.analyzer import analyze
from retrieval.rerank import (
    SentenceScorer,
    best_window,
    code_table,
    many_sentence_scores,
    sentence_scores,
    split_sentence_terms,
)
from retrieval.token_ids import decode, encode

SYLLABLES = "cai cach hanh chinh dich vu cong truc tuyen so y te ke hoach tuyen truyen nam muc tieu".split()


def _plain(term_idf: dict[str, float], stored: list[str], suffixes: list[list[str]] | None) -> list[list[float]]:
    return [sentence_scores(term_idf, [s + (suffixes[i] if suffixes else []) for s in split_sentence_terms(text)])
            for i, text in enumerate(stored)]


def test_random_texts_match_the_plain_loop_bit_for_bit() -> None:
    rng = random.Random(7)
    for _ in range(200):
        texts = []
        for _ in range(rng.randint(1, 6)):
            sentences = [" ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(0, 25)))
                         for _ in range(rng.randint(1, 5))]
            texts.append(" | ".join(sentences))
        words = rng.sample(SYLLABLES, rng.randint(1, 6))
        term_idf: dict[str, float] = {w: rng.uniform(0.1, 5.0) for w in words}
        for a, b in zip(words, words[1:]):
            term_idf[f"{a}_{b}"] = rng.uniform(0.1, 5.0)
        term_idf["khong_co"] = 1.0  # a pair no text holds
        suffixes = [rng.sample(SYLLABLES, rng.randint(0, 3)) for _ in texts] if rng.random() < 0.5 else None
        plain = _plain(term_idf, texts, suffixes)
        assert many_sentence_scores(term_idf, texts, suffixes) == plain
        # the same through stored term ids, and the best windows of both
        vocab = {t: i * 3 + 1 for i, t in enumerate(SYLLABLES)}
        scorer = SentenceScorer(term_idf, vocab, code_table(len(SYLLABLES) * 3 + 1))
        arrays = [decode(encode(text, vocab)) for text in texts]
        suffix_ids = [decode(encode(" ".join(s), vocab))[:-1] for s in suffixes] if suffixes else None
        assert scorer.score_ids(arrays, suffix_ids) == plain
        assert scorer.windows_ids(arrays) == [best_window(s) for s in _plain(term_idf, texts, None)]
        assert scorer.windows_texts(texts) == [best_window(s) for s in _plain(term_idf, texts, None)]


def test_edge_cases() -> None:
    assert many_sentence_scores({"a": 1.0}, []) == []
    assert many_sentence_scores({"a": 1.0}, [""]) == [[0.0]]
    assert many_sentence_scores({}, ["a b | c"]) == [[0.0, 0.0]]
    # a break written without spaces still separates sentences, as split_sentence_terms reads it
    assert many_sentence_scores({"a_b": 1.0}, ["x a|b y"]) == _plain({"a_b": 1.0}, ["x a|b y"], None)
    assert many_sentence_scores({"a": 2.0, "a_a": 1.0}, ["a a a | a"])[0][0] > 0
    assert best_window([]) == (0.0, 0)
    assert SentenceScorer({"a": 1.0}).windows_texts(["", "b | a", "a | a"]) == [
        best_window(s) for s in _plain({"a": 1.0}, ["", "b | a", "a | a"], None)]
    # a token the vocabulary lacks is neither a break nor a question syllable
    assert SentenceScorer({"a": 1.0}, {"a": 5}, code_table(6)).score_ids([decode(encode("a zz | a", {"a": 5}))]) == [
        _plain({"a": 1.0}, ["a zz | a"], None)[0]]


def test_real_passages_and_questions(seed_data_dir) -> None:
    conn = sqlite3.connect(seed_data_dir / "knowledge.db")
    stored = [r[0] for r in conn.execute("SELECT terms FROM passages ORDER BY id LIMIT 60")]
    for question in ("Số hotline hỗ trợ dịch vụ công là gì?", "muc tieu chuyen doi so nam 2025",
                     "Ai chịu trách nhiệm tổng hợp báo cáo kết quả tuyên truyền?"):
        term_idf = {t: w * 1.7 for t, w in analyze(question).weights.items()}
        assert many_sentence_scores(term_idf, stored) == _plain(term_idf, stored, None)


def test_a_pasted_text_as_question_is_scored_by_the_plain_loop() -> None:
    """Beyond ~1,000 distinct syllables the pair table would be too large: the plain loop scores."""
    words = [f"w{i}" for i in range(1100)]
    term_idf = {w: 1.0 + i % 7 for i, w in enumerate(words)}
    term_idf.update({f"{a}_{b}": 0.5 for a, b in zip(words, words[1:])})
    scorer = SentenceScorer(term_idf)
    assert not scorer.exact
    texts = [" ".join(words[:40]) + " | " + " ".join(words[500:520]), "x y | w3 w4"]
    assert scorer.score_texts(texts) == _plain(term_idf, texts, None)


def test_negative_weights_match_the_plain_loop() -> None:
    """A term weighing less than nothing (an IDF below zero) adds only where a sentence holds it: a
    sentence holding no term scores +0.0, not -0.0 (repr tells them apart)."""
    rng = random.Random(11)
    for _ in range(100):
        texts = [" | ".join(" ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(0, 12)))
                            for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 4))]
        words = rng.sample(SYLLABLES, 4)
        term_idf = {w: rng.uniform(-2.0, 3.0) for w in words}
        term_idf[f"{words[0]}_{words[1]}"] = -0.5
        assert repr(many_sentence_scores(term_idf, texts)) == repr(_plain(term_idf, texts, None))

"""The inverted index ranks exactly like rank-bm25 (the engine can be switched without changing a
single answer), and the index stored at build time is what a bot loads."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from knowledge.text import strip_marks
from retrieval.analyzer import analyze
from retrieval.engine import AskEngine
from retrieval.index import RankBM25Index, top_k, unseen_idf
from retrieval.index_terms import PASSAGE_INDEX_SQL, passage_index_fingerprint, passage_index_terms
from retrieval.inverted_index import EMPTY, InvertedBM25Index

QUESTIONS = [
    "Số hotline hỗ trợ dịch vụ công là gì?",
    "Chủ đề năm 2018 của thành phố Hải Phòng là gì?",
    "Xã Phú Thái tổ chức tuyên truyền trực quan về cải cách hành chính ở những khu vực nào?",
    "Trung tâm Y tế khu vực Mai Châu duy trì chuyên trang gì trên trang thông tin điện tử?",
    "Ai tham mưu bố trí kinh phí cho công tác tuyên truyền cải cách hành chính?",
    "Tỷ lệ văn bản điện tử giữa các cơ quan hành chính nhà nước là bao nhiêu?",
    "Sở Y tế Hải Phòng căn cứ quyết định nào để ban hành kế hoạch?",
    "sdt hotline dvc la j",
    "ko biet nop ho so online o dau",
    "chi tieu cchc so y te 6 thang cuoi nam 2025",
    "muc luong co so nam 2024 la bao nhieu",
    "gia vang hom nay",
]


@pytest.fixture(scope="module")
def seed_docs(seed_data_dir: Path) -> list[list[str]]:
    conn = sqlite3.connect(seed_data_dir / "knowledge.db")
    conn.row_factory = sqlite3.Row
    try:
        return [passage_index_terms(r) for r in conn.execute(PASSAGE_INDEX_SQL)]
    finally:
        conn.close()


# Representations and code paths the index chooses by size, all forced on the seed corpus:
# defaults (one bincount), the per-term loop, dense vectors for terms in ≥ 10% of passages, and
# the build split into many small chunks.
MODES = {"default": {}, "loop": {"small_query": 0},
         "dense": {"dense_share": 0.1, "dense_min_docs": 0, "small_query": 0, "chunk": 700},
         "dense+bincount": {"dense_share": 0.1, "dense_min_docs": 0, "chunk": 1}}


@pytest.fixture(scope="module")
def rank_index(seed_docs: list[list[str]]) -> RankBM25Index:
    return RankBM25Index(seed_docs)


@pytest.fixture(scope="module", params=list(MODES))
def both(request: pytest.FixtureRequest, rank_index: RankBM25Index,
         seed_docs: list[list[str]]) -> tuple[RankBM25Index, InvertedBM25Index]:
    inverted = InvertedBM25Index(seed_docs, **MODES[request.param])
    if "dense_share" in MODES[request.param]:
        assert len(inverted._dense_ids) > 10
    return rank_index, inverted


def _queries(docs: list[list[str]]) -> list[dict[str, float]]:
    """Analysed questions (with and without diacritics) and random weighted bags of index terms."""
    out = []
    for q in QUESTIONS:
        out += [analyze(q).weights, analyze(strip_marks(q)).weights]
    rng = random.Random(7)
    vocab = sorted({t for d in docs for t in d})
    for _ in range(150):
        terms = rng.sample(vocab, rng.randrange(1, 25)) + ["khong_co_trong_kho", "zzzz"]
        rng.shuffle(terms)
        out.append({t: rng.choice([1.0, 0.5, 0.4, 0.2, 2.0, 0.15]) for t in terms})
    return out


def test_same_ranking_and_scores_as_rank_bm25(both, seed_docs) -> None:
    rank, inverted = both
    assert inverted.size == rank.size == len(seed_docs) > 100
    for weights in _queries(seed_docs):
        for k in (1, 3, 60):
            expected = rank.search(weights, k)
            got = inverted.search(weights, k)
            assert [row for row, _ in got] == [row for row, _ in expected]
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-12, abs=0)
            assert got == expected  # bit-identical, ties included: same floats into the same top_k
        assert any(rank.search(weights, 60)) or not weights


def test_idf_and_df_match(both, seed_docs) -> None:
    rank, inverted = both
    terms = {t for w in _queries(seed_docs)[:30] for t in w} | {"zzzz", ""}
    for term in terms:
        assert inverted.df(term) == rank.df(term)
        assert inverted.idf(term) == rank.idf(term)
    assert inverted.idf("zzzz") == unseen_idf(inverted.size)


def test_empty_and_unknown_queries(both) -> None:
    rank, inverted = both
    assert inverted.search({}, 5) == rank.search({}, 5) == []
    assert inverted.search({"khong_co": 1.0, "zzzz": 2.0}, 5) == []
    assert inverted.search({"hotline": 1.0}, 0) == rank.search({"hotline": 1.0}, 0)


def test_k_larger_than_corpus(both) -> None:
    rank, inverted = both
    weights = analyze("kế hoạch tuyên truyền cải cách hành chính").weights
    got = inverted.search(weights, inverted.size * 10)
    assert got == rank.search(weights, rank.size * 10)
    assert 0 < len(got) <= inverted.size
    assert all(score > 0 for _, score in got)


def test_tiny_corpora_with_empty_passages() -> None:
    """Empty passages count as rank-bm25 counts them (one placeholder token), so lengths, IDF and
    the epsilon floor of common terms agree; a corpus of one empty passage answers nothing."""
    docs = [["a", "b", "a"], [], ["b", "c"], ["a"], [], ["a", "b", "c", "d", "a_b"]]
    rank = RankBM25Index(docs)
    for mode in MODES.values():
        inverted = InvertedBM25Index(docs, **mode)
        for weights in ({"a": 1.0}, {"b": 0.5, "a": 1.0}, {"d": 1.0, "a_b": 0.5, "zz": 1.0}, {EMPTY: 1.0}):
            assert inverted.search(weights, 10) == rank.search(weights, 10)
        for term in ("a", "b", "c", "d", "a_b", EMPTY, "zz"):
            assert (inverted.df(term), inverted.idf(term)) == (rank.df(term), rank.idf(term))
    lone = InvertedBM25Index([[]])
    assert lone.size == 1 and lone.search({"a": 1.0}, 3) == [] == RankBM25Index([[]]).search({"a": 1.0}, 3)


def test_stored_index_round_trip(tmp_path: Path, both, seed_docs) -> None:
    rank, inverted = both
    conn = sqlite3.connect(tmp_path / "kb.db")
    inverted.store(conn, "fp-1")
    conn.commit()
    loaded = InvertedBM25Index.load(conn, "fp-1")
    assert loaded is not None and loaded.from_storage and not inverted.from_storage
    for weights in _queries(seed_docs)[:40]:
        assert loaded.search(weights, 60) == rank.search(weights, 60)
    assert InvertedBM25Index.load(conn, "fp-other") is None  # built by other code: not trusted
    conn.execute("DROP TABLE inverted_index")
    assert InvertedBM25Index.load(conn, "fp-1") is None
    conn.close()


def test_engines_answer_identically(seed_data_dir: Path) -> None:
    """The whole ask path gives the same answers, citations and scores with either engine, and the
    inverted engine uses the index the build stored."""
    kb = seed_data_dir / "knowledge.db"
    fast, slow = AskEngine.open(kb, "inverted"), AskEngine.open(kb, "rank-bm25")
    assert fast.engine_name == "inverted" and slow.engine_name == "rank-bm25"
    assert fast.index.from_storage
    for q in QUESTIONS + [strip_marks(q) for q in QUESTIONS]:
        assert fast.ask(q, k=3).to_json() == slow.ask(q, k=3).to_json()
    assert fast.contacts("hotline") == slow.contacts("hotline")


def test_stale_stored_index_is_rebuilt_from_rows(seed_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the code that derives index terms changed after the build, the stored index is ignored."""
    import retrieval.snapshot as engine_mod

    kb = seed_data_dir / "knowledge.db"
    assert InvertedBM25Index.load(sqlite3.connect(kb), passage_index_fingerprint()) is not None
    monkeypatch.setattr(engine_mod, "passage_index_fingerprint", lambda: "changed-code")
    engine = AskEngine.open(kb, "inverted")
    assert not engine.index.from_storage
    reference = AskEngine.open(kb, "rank-bm25")
    assert engine.ask(QUESTIONS[0]).to_json() == reference.ask(QUESTIONS[0]).to_json()


def test_build_stores_the_index_of_its_stored_rows(seed_data_dir: Path) -> None:
    """The index the build counted while analysing passages is the one the stored rows give, array
    for array, and each passage's stored term ids are its terms in that index's vocabulary."""
    from retrieval.token_ids import decode, encode

    conn = sqlite3.connect(seed_data_dir / "knowledge.db")
    conn.row_factory = sqlite3.Row
    try:
        stored = InvertedBM25Index.load(conn, passage_index_fingerprint())
        recounted = InvertedBM25Index(passage_index_terms(r) for r in conn.execute(PASSAGE_INDEX_SQL))
        rows = conn.execute("SELECT terms, token_ids FROM passages ORDER BY id").fetchall()
    finally:
        conn.close()
    assert stored is not None
    assert stored._terms == recounted._terms
    for name in ("_offsets", "_docs", "_weights", "_idf", "_df", "_dense_ids", "_dense"):
        assert getattr(stored, name).tolist() == getattr(recounted, name).tolist(), name
    assert all(bytes(r["token_ids"]) == encode(r["terms"], recounted.vocab) for r in rows)
    assert decode(bytes(rows[0]["token_ids"])).tolist()[-1] == 2  # ID_END


def test_counted_chunks_build_the_same_index_as_one_by_one() -> None:
    """Chunks counted apart (as build workers do), with empty documents and terms first seen in a
    later chunk: the same vocabulary order, postings and rank-bm25 averages."""
    from retrieval.inverted_index import PostingsBuilder, count_docs

    rng = random.Random(5)
    words = [f"w{i}" for i in range(60)]
    docs = [[rng.choice(words[: 10 + i // 4]) for _ in range(rng.randint(0, 12))] for i in range(200)]
    one = InvertedBM25Index(docs)
    builder = PostingsBuilder()
    for start in range(0, len(docs), 37):
        builder.add_counted(count_docs(docs[start:start + 37]))
    chunked = InvertedBM25Index.from_builder(builder)
    assert chunked._terms == one._terms and chunked._df_fix == one._df_fix
    for name in ("_offsets", "_docs", "_weights", "_idf", "_df"):
        assert getattr(chunked, name).tolist() == getattr(one, name).tolist(), name
    assert chunked.search({"w3": 1.0, "w40": 0.5}, 10) == RankBM25Index(docs).search({"w3": 1.0, "w40": 0.5}, 10)


def test_document_index_is_stored_and_used(seed_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document-prior index comes from the build; stale or missing, it is counted again, with
    the same document scores either way (and rank-bm25 computes the same ones)."""
    import retrieval.snapshot as engine_mod

    kb = seed_data_dir / "knowledge.db"
    stored = AskEngine.open(kb, "inverted")
    assert stored.doc_index.from_storage and stored.doc_index.size == len(stored.docs)
    monkeypatch.setattr(engine_mod, "document_index_fingerprint", lambda: "changed-code")
    counted = AskEngine.open(kb, "inverted")
    assert not counted.doc_index.from_storage
    reference = AskEngine.open(kb, "rank-bm25")
    for q in QUESTIONS:
        routing = {t: w for t, w in analyze(q).weights.items() if t in stored.routing_terms}
        if not routing:
            continue
        assert stored.doc_index.scores(routing).tolist() == counted.doc_index.scores(routing).tolist()
        assert stored.doc_index.scores(routing).tolist() == reference.doc_index.scores(routing).tolist()


def test_passage_rows_line_up_with_the_index(seed_data_dir: Path) -> None:
    """Row i of the passage index is the i-th passage by id, with its own document and header flag
    (the engine reads them in doc_id order and sorts them back)."""
    kb = seed_data_dir / "knowledge.db"
    engine = AskEngine.open(kb, "inverted")
    conn = sqlite3.connect(kb)
    rows = conn.execute("SELECT id, doc_id, section FROM passages ORDER BY id").fetchall()
    conn.close()
    assert engine._pids.tolist() == [r[0] for r in rows]
    assert [engine._doc_ids[d] for d in engine._pdoc.tolist()] == [r[1] for r in rows]
    headers = {r[0] for r in rows if r[2] in ("", "Phần đầu")}
    flagged = set(engine._pids[engine._is_header].tolist())
    assert headers <= flagged


def test_random_corpus_with_duplicates_and_ties() -> None:
    """Zipf-distributed terms, a fifth of the passages duplicated (tied scores): same results."""
    rng = random.Random(11)
    vocab = [f"t{i}" for i in range(300)]
    zipf = [1 / (i + 1) for i in range(len(vocab))]
    docs: list[list[str]] = []
    for _ in range(700):
        if docs and rng.random() < 0.2:
            docs.append(list(rng.choice(docs)))
        else:
            toks = rng.choices(vocab, zipf, k=rng.randrange(0, 60))
            docs.append(toks + [f"{a}_{b}" for a, b in zip(toks, toks[1:])])
    rank = RankBM25Index(docs)
    queries = [{t: rng.choice([1.0, 0.5, 0.4]) for t in rng.choices(vocab, zipf, k=rng.randrange(1, 12))}
               for _ in range(60)]
    for mode in MODES.values():
        inverted = InvertedBM25Index(docs, **mode)
        for weights in queries:
            assert inverted.search(weights, 60) == rank.search(weights, 60)


def test_top_k_is_best_first_with_ties_in_index_order() -> None:
    """The k best positive scores, best first, equal scores by index: checked against sorting,
    with many ties, non-positive scores, and k from 0 to beyond the length."""
    import numpy as np

    from retrieval.index import SORTED_TOP_K_MAX

    rng = np.random.default_rng(5)
    sizes = [int(rng.integers(0, 120)) for _ in range(500)]  # sorted whole
    sizes += [SORTED_TOP_K_MAX + 1, 1500, 4000] * 10  # partitioned
    for n in sizes:
        scores = rng.choice([0.0, 0.0, 1.5, 2.25, 3.0, -1.0, 7.125], size=n) * rng.choice([1.0, 0.5], size=n)
        for k in {0, 1, 3, 59, 60, max(n - 1, 0), n, n + 5}:
            expected = sorted(((i, float(v)) for i, v in enumerate(scores) if v > 0), key=lambda p: (-p[1], p[0]))
            assert top_k(scores, k) == expected[:k]


def test_top_k_of_many_scores_bounds_from_a_sample_without_changing_the_result() -> None:
    """Above k × SAMPLED_TOP_K scores the k-th best is first bounded from a sample: the result is
    still exactly sorting's, with ties at the cut, mostly-zero scores (the bound is 0: the full
    partition) and a sample whose k-th best is far below the true one."""
    import numpy as np

    from retrieval.index import SAMPLED_TOP_K

    rng = np.random.default_rng(7)
    for case in range(40):
        k = int(rng.choice([1, 10, 60]))
        n = k * SAMPLED_TOP_K + int(rng.integers(1, 5000))
        if case % 3 == 0:  # few distinct values: ties everywhere, also at the cut
            scores = rng.choice([0.0, 1.0, 2.5, 4.0], size=n)
        elif case % 3 == 1:  # sparse: most passages match no term
            scores = np.where(rng.random(n) < 0.002, rng.random(n) * 10, 0.0)
        else:  # the best ones sit where the sample does not look
            scores = rng.random(n)
            scores[1::k * 16][:k] = 0.0
            scores[rng.integers(0, n, size=k)] += 50.0
        expected = sorted(((i, float(v)) for i, v in enumerate(scores) if v > 0), key=lambda p: (-p[1], p[0]))
        assert top_k(scores, k) == expected[:k]

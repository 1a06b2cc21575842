"""A build spread over worker processes writes exactly the knowledge DB one process writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import knowledge.workers as workers
from knowledge.build import seed_documents
from retrieval.indexer import rebuild


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, in key order (the build time in meta excepted)."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for table in tables:
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            out[table] = [r for r in rows if not (table == "meta" and r[0] == "built_at")]
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_parallel_build_equals_single_process_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    method: str) -> None:
    """Forked workers (a single-threaded `cchc kb build`) and spawned ones (a bot's reload thread)."""
    docs = tmp_path / "documents"
    seed_documents(docs)
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "1")
    rebuild(docs, tmp_path / "one.db")

    started: list[int] = []
    real_pool = workers._in_pool

    def counting_pool(fn, chunks, n, initializer, initargs):
        started.append(n)
        return real_pool(fn, chunks, n, initializer, initargs)

    monkeypatch.setenv("CCHC_BUILD_WORKERS", "2")
    monkeypatch.setattr(workers, "MIN_PARALLEL_ITEMS", 0)
    monkeypatch.setattr(workers, "_in_pool", counting_pool)
    monkeypatch.setattr(workers, "start_method", lambda: method)
    monkeypatch.setattr("knowledge.build.DOCUMENTS_PER_CHUNK", 2)  # 5 plans → 3 chunks
    monkeypatch.setattr("retrieval.indexer.PASSAGES_PER_CHUNK", 40)  # 191 passages → 5 chunks
    rebuild(docs, tmp_path / "two.db")

    assert started and all(n == 2 for n in started)  # documents, corpus counts, passages: in workers
    one, two = _dump(tmp_path / "one.db"), _dump(tmp_path / "two.db")
    assert one.keys() == two.keys()
    for table in one:
        assert one[table] == two[table], table
    assert len(one["passages"]) > 100


def test_a_pool_that_cannot_start_falls_back_to_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args, **kwargs):
        raise OSError(38, "Function not implemented")
        yield  # pragma: no cover - makes this a generator like the real one

    monkeypatch.setenv("CCHC_BUILD_WORKERS", "2")
    monkeypatch.setattr(workers, "_in_pool", no_pool)
    chunks = [[1, 2], [3], [4, 5, 6]]
    assert list(workers.map_chunks(sum, chunks, work=10**9)) == [3, 3, 15]


def test_threaded_callers_spawn_workers() -> None:
    import threading

    gate = threading.Event()
    thread = threading.Thread(target=gate.wait)
    thread.start()
    try:
        assert workers.start_method() == "spawn"
    finally:
        gate.set()
        thread.join()


def test_worker_count_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "3")
    assert workers.worker_count() == 3
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "0")
    assert workers.worker_count() == 1
    monkeypatch.setenv("CCHC_BUILD_WORKERS", "nhiều")
    assert workers.worker_count() >= 1

"""Shared fixtures: one knowledge DB built from the embedded seeds per test session.

Building takes a few seconds, so it is built once into a session directory and each test that needs
a writable data directory gets its own copy (real SQLite files, never shared between tests).

Restoring the seed plans' diacritics is the slow part of a build. The session has its own cache
directory (CCHC_CACHE_DIR, inherited by the `cchc` processes tests start): the first build restores
for real, every later build of the same plans — copies, admin rebuilds, subprocesses — reads it back.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.build import seed_documents
from retrieval.indexer import rebuild


@pytest.fixture(scope="session", autouse=True)
def restore_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A per-session cache of restored documents and of the restorer's model."""
    path = tmp_path_factory.mktemp("cchc-cache")
    previous = os.environ.get("CCHC_CACHE_DIR")
    os.environ["CCHC_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("CCHC_CACHE_DIR", None)
    else:
        os.environ["CCHC_CACHE_DIR"] = previous



@pytest.fixture(scope="session")
def seed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory (documents/ + knowledge.db) built once from the embedded seed plans."""
    root = tmp_path_factory.mktemp("seed-data")
    seed_documents(root / "documents")
    rebuild(root / "documents", root / "knowledge.db")
    return root


@pytest.fixture
def data_dir(seed_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the seed data directory, exported as CCHC_DATA_DIR."""
    target = tmp_path / "data"
    shutil.copytree(seed_data_dir, target)
    monkeypatch.setenv("CCHC_DATA_DIR", str(target))
    monkeypatch.delenv("CCHC_DOCS_DIR", raising=False)
    return target

"""The restoration stage: the one way any text gets restored (the build, and so the index, and
`cchc text restore`).

Restoring takes time (seconds a plan), so it happens once: results are cached on disk under the
restorer's fingerprint (its code, its shipped data and the packages its model comes from), the
text and what it was restored with (the other damaged documents of its group and the clean
evidence), so a rebuild that changes none of these restores nothing.

Up to SMALL_CORPUS_CHARS of scans (an office's folder of plans) are restored in two stages: the
whole group and the evidence first (their restored sentences become LM evidence), then each text
with it — the best readability measured. Larger folders are restored in groups of
LARGE_GROUP_CHARS, each group in one pass (its own texts as evidence): the 100,000-passage build
stays in minutes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

SMALL_CORPUS_CHARS = 400_000
LARGE_GROUP_CHARS = 1_500_000


def restore_enabled() -> bool:
    """CCHC_RESTORE=0 (or off/no/false) builds without restoration: people then read the raw scan."""
    return os.environ.get("CCHC_RESTORE", "1").strip().lower() not in ("0", "off", "no", "false")


@lru_cache(maxsize=1)
def restorer_fingerprint() -> str:
    """Changes whenever the restorer could give another output: its package's files (code and the
    shipped LM data), the versions of the packages its model is made from. Part of every cache key."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    root = Path(__file__).parent
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


def cache_root() -> Path:
    """Where derived caches live: `CCHC_CACHE_DIR`, else the per-user cache dir."""
    base = os.environ.get("CCHC_CACHE_DIR")
    if base:
        return Path(base)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cchc"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _cache_path(text: str, context: str) -> Path:
    """One file per (restorer, text, what it was restored with): the same inputs, the same output."""
    return cache_root() / "restored" / f"{restorer_fingerprint()}-{_sha(text)[:32]}-{context[:16]}.txt"


def _cached(text: str, context: str) -> str | None:
    try:
        restored = _cache_path(text, context).read_text("utf-8")
    except OSError:
        return None
    return restored if restored.count("\n") == text.count("\n") else None


def _remember(text: str, context: str, restored: str) -> None:
    """Store a restoration. A cache that cannot be written only costs the next build the
    restoring time."""
    path = _cache_path(text, context)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         suffix=".tmp") as tmp:
            tmp.write(restored)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.debug("restoration cache not written (%s)", exc)


def _forget_other_versions() -> None:
    """Remove the entries of other restorer versions: once per restoring run (once per document,
    it listed the whole folder 2,600 times in a large build's main process)."""
    prefix = f"{restorer_fingerprint()}-"
    try:
        for old in (cache_root() / "restored").glob("*.txt"):
            if not old.name.startswith(prefix):
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("old restoration cache entries not removed (%s)", exc)


def restore(texts: Sequence[str], evidence: Sequence[str] = (),
            progress: Callable[[str, int, int], None] | None = None,
            force: bool = False, enabled: bool | None = None,
            decided: Sequence[bool] | None = None) -> list[str | None]:
    """Per text, its restored text (line for line), or None when it needs no restoring (clean
    text, or restoration turned off: `enabled` None reads CCHC_RESTORE).

    The texts that need it (`force`: all of them) are restored together (SMALL_CORPUS_CHARS) or in
    groups of about LARGE_GROUP_CHARS, each with the others of its group and the clean `evidence`
    (the folder's documents) as evidence for the restorer's LM. A group whose texts and evidence
    were restored before is read back from the cache; several groups to restore go to worker
    processes (knowledge/workers.py)."""
    from knowledge.restore.detect import needs_restoring
    from knowledge.workers import map_chunks

    out: list[str | None] = [None] * len(texts)
    if not (restore_enabled() if enabled is None else enabled):
        return out
    # `decided`: whether each text needs it, when the caller knows (a build's parse step decided
    # already; deciding again took 3 s of a 2,600-scan build in its main process)
    needs = [force or (decided[i] if decided is not None else needs_restoring(t)) for i, t in enumerate(texts)]
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
    evidence = list(dict.fromkeys(evidence))  # a document twice is no more evidence
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
    work = [([texts[i] for i in group], evidence, two_stage) for group, _ in todo]
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
    _forget_other_versions()
    return out


def _restore_groups(groups: Sequence[tuple[list[str], list[str], bool]]) -> list[list[str]]:
    """Each group's texts restored with the group and the clean evidence as the restorer's corpus
    (two stages for a small folder; one joint pass for a large one)."""
    from knowledge.restore import get_restorer
    from knowledge.restore.corpus_evidence import corpus_sentences

    restorer = get_restorer()
    out = []
    for texts, evidence, two_stage in groups:
        if two_stage:
            # The evidence's sentences and the group's own, cached apart: a folder restored once
            # serves every later text restored against it (`cchc text restore` of a new scan).
            seen = set(evidence)
            own = [t for t in dict.fromkeys(texts) if t not in seen]
            corpus = corpus_sentences(list(evidence)) + (corpus_sentences(own) if own else [])
            out.append([restorer.restore_many([text], force=True, corpus=corpus)[0] for text in texts])
        else:
            sentences = corpus_sentences(list(evidence)) if evidence else None
            # One decoding pass: a group this large is its own evidence already (self-training
            # and re-learnt costs gain least here and would double the build's longest step).
            out.append(restorer.restore_many(list(texts), force=True, corpus=sentences, rounds=0))
    return out

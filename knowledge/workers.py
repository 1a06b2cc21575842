"""Spread a build's per-document and per-passage work over the machine's cores.

A 100,000-passage build is pure Python (reading plans, sectioning, contacts, OCR repair, terms):
on one core it took ≈ 218 s. Every piece of that work depends only on its own document or passage
(and, for OCR repair, on corpus counts fixed beforehand), so worker processes can do it in any
order and the build still writes exactly what a single process writes (tests/test_build_workers.py).

Workers are forked when the calling process has a single thread (`cchc kb build`, the benchmarks):
they start at once and share the loaded lexicon. A bot rebuilds its knowledge base from a thread
while its event loop and HTTP clients run, and forking a threaded process can copy a held lock into
the child, so there workers are spawned (≈ 1 s each: imports, the lexicon); spawned workers import
the program's main module again, which is why every entry point guards `if __name__ == "__main__"`.
Small builds — the seed plans, an admin's usual reload — stay in the calling process. A pool that
cannot start (no semaphores in a sandbox, say) is not an error: the work runs here instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

MIN_PARALLEL_ITEMS = 20_000  # units of work (passages, or documents × 40) below which one process is faster


def worker_count() -> int:
    """CCHC_BUILD_WORKERS, else one worker per core; 1 means no worker processes."""
    raw = os.environ.get("CCHC_BUILD_WORKERS", "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            log.warning("CCHC_BUILD_WORKERS=%r không phải là số; dùng một tiến trình cho mỗi lõi CPU.", raw)
    return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """"fork" for a single-threaded caller (ProcessPoolExecutor forks all its workers before it
    starts its own manager thread), else "spawn"."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def map_chunks(fn: Callable[[Sequence[T]], R], chunks: Sequence[Sequence[T]], *, work: int,
               initializer: Callable[..., Any] | None = None, initargs: tuple = (),
               min_parallel: int | None = None) -> Iterator[R]:
    """`fn(chunk)` for every chunk, results in chunk order.

    In worker processes when `work` (a size estimate) reaches `min_parallel` and more than one
    worker is allowed; otherwise here, after running `initializer(*initargs)` in this process too,
    so `fn` finds the same state either way. `fn` and `initializer` must be module-level functions.
    """
    workers = min(worker_count(), len(chunks))
    limit = MIN_PARALLEL_ITEMS if min_parallel is None else min_parallel
    if workers > 1 and work >= limit:
        produced = False
        try:
            for result in _in_pool(fn, chunks, workers, initializer, initargs):
                produced = True
                yield result
            return
        except (OSError, BrokenProcessPool) as exc:
            if produced:  # a worker died midway (out of memory, killed): the build fails, nothing is half-written
                raise
            log.warning("Không chạy được nhiều tiến trình để dựng cơ sở tri thức (%s); dựng trong một tiến "
                        "trình (chậm hơn).", exc)
    if initializer is not None:
        initializer(*initargs)
    for chunk in chunks:
        yield fn(chunk)


def _in_pool(fn: Callable[[Sequence[T]], R], chunks: Sequence[Sequence[T]], workers: int,
             initializer: Callable[..., Any] | None, initargs: tuple) -> Iterator[R]:
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer,
                             initargs=initargs) as pool:
        yield from pool.map(fn, chunks)

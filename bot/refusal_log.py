"""Refused calls summarised in the log: one line per source per minute, with a count.

A webhook refuses calls without its secret. Each one logged as a WARNING let anyone who finds the
URL fill the log at their own request rate (issue 22). Here the first refusal from a source is logged
at once (an operator sees a misconfigured secret immediately); further refusals from that source
are counted and written as one line at the end of each minute in which there were any; a source
quiet for a whole minute is forgotten, so its next refusal is again logged at once.
"""

from __future__ import annotations

import asyncio
import logging

WINDOW_SECONDS = 60.0
MAX_SOURCES = 1000  # past this many distinct sources in one window, the rest share one line
OTHERS = "other addresses"


class RefusalLog:
    """Counts refusals per source on the running event loop; `close()` writes what is pending."""

    def __init__(self, log: logging.Logger, what: str, window: float | None = None) -> None:
        self.log = log
        self.what = what
        self.window = window
        self._counts: dict[str, int] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def refused(self, source: str) -> None:
        if source not in self._counts and len(self._counts) >= MAX_SOURCES:
            source = OTHERS
        if source in self._counts:
            self._counts[source] += 1
            return
        self.log.warning("%s from %s refused (more from there are counted, one line a minute)", self.what, source)
        self._counts[source] = 0
        self._schedule(source)

    def _schedule(self, source: str) -> None:
        window = WINDOW_SECONDS if self.window is None else self.window
        self._timers[source] = asyncio.get_running_loop().call_later(window, self._flush, source)

    def _flush(self, source: str) -> None:
        count = self._counts.get(source, 0)
        if count:
            self._write(source, count)
            self._counts[source] = 0
            self._schedule(source)
        else:
            self._counts.pop(source, None)
            self._timers.pop(source, None)

    def _write(self, source: str, count: int) -> None:
        window = WINDOW_SECONDS if self.window is None else self.window
        self.log.warning("%s from %s: %d more refused in the last %.0f s", self.what, source, count, window)

    def close(self) -> None:
        """Write the counts of the unfinished windows and stop the timers (at shutdown)."""
        for source, count in self._counts.items():
            if count:
                self._write(source, count)
        for timer in self._timers.values():
            timer.cancel()
        self._counts.clear()
        self._timers.clear()

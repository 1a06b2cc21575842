"""Per-user flood protection: past N messages a minute a user is asked to wait.

A sliding window per user, in memory: one user's burst never slows anyone else, and nothing is
queued (the excess message is answered at once with "please wait").
"""

from __future__ import annotations

import threading
import time
from collections import deque

FLOOD_TEXT = "Bạn gửi hơi nhanh. Bạn vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp nhé."


class FloodGuard:
    """Allows at most `per_minute` messages per (platform, user) in any 60-second window."""

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key: str, now: float | None = None) -> int:
        """0 when the message may pass (and is counted), else how long the user should wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._seen.setdefault(key, deque())
            while q and now - q[0] >= self.window:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(1, int(self.window - (now - q[0])) + 1)
            q.append(now)
            if len(self._seen) > 50_000:  # forget idle users so memory stays bounded
                for k in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                    del self._seen[k]
            return 0

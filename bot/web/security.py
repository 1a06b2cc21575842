"""Security building blocks of the web channel: password hashes, signed ids, rate limits, sessions.

Kept apart from the aiohttp wiring (bot/web/app.py) so each piece is small and testable without a
server. Only the standard library is used: scrypt for the admin password (memory-hard, so a leaked
hash is slow to guess), HMAC-SHA256 for the citizen's user-id cookie, `secrets` for tokens, and
constant-time comparisons everywhere a secret is checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_PREFIX = "scrypt$"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash`: what the server keeps instead of the password itself."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"{HASH_PREFIX}{SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def is_password_hash(value: str) -> bool:
    return value.startswith(HASH_PREFIX) and value.count("$") == 5


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored scrypt hash (constant-time comparison)."""
    if not is_password_hash(stored):
        return False
    try:
        _name, n, r, p, salt, digest = stored.split("$")
        expected = _unb64(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


class Signer:
    """Signs short values (a citizen's random user id) so a cookie cannot be forged or edited."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def sign(self, value: str) -> str:
        mac = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).digest()[:18]
        return f"{value}.{_b64(mac)}"

    def unsign(self, signed: str) -> str | None:
        """The value, or None when the signature does not match (forged, edited or another key)."""
        value, _, mac = signed.rpartition(".")
        if not value or not mac or len(signed) > 200:
            return None
        expected = self.sign(value).rpartition(".")[2]
        return value if hmac.compare_digest(mac.encode("ascii", "replace"), expected.encode("ascii")) else None


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (a sliding window log).

    Keys are client addresses; the memory is bounded because idle keys are dropped whenever the
    table grows past `max_keys`.
    """

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 20_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: float | None = None) -> int:
        """0 when the event is allowed (and counted); else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self.max_keys:
                    self._prune(now)
                events = self._events[key] = deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, int(events[0] + self.window - now + 0.999))
            events.append(now)
            return 0

    def _prune(self, now: float) -> None:
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]:
            del self._events[key]
        if len(self._events) >= self.max_keys:  # still full of active keys: forget the oldest half
            for key in list(self._events)[: self.max_keys // 2]:
                del self._events[key]


class LoginGuard:
    """At most `attempts` password checks per client address in any `lockout` seconds.

    An attempt is counted *before* its (slow, threaded) scrypt check runs, so a burst of concurrent
    guesses cannot slip past the limit while the first ones are still being judged: 50 simultaneous
    wrong passwords from one address get 5 answers and 45 refusals (issue 22). The count is per
    address only: no shared budget, so one address can never lock the others out. An IPv6 client
    counts per /64 network, the block one subscriber is given, so it cannot rotate through its own
    addresses. Guessing spread over many networks is bounded by each one's budget and by scrypt's cost.
    """

    def __init__(self, attempts: int, lockout_seconds: float, max_clients: int = 10_000) -> None:
        self.attempts = attempts
        self.lockout = lockout_seconds
        self.max_clients = max_clients
        self._tries: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(client: str) -> str:
        """The address an attempt counts against: IPv4 as it is, IPv6 by its /64 network."""
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return client
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.IPv6Network((address, 64), strict=False))
        return client

    def admit(self, client: str, now: float | None = None) -> int:
        """0 when this attempt may be judged (and it is counted now); else the seconds to wait."""
        now = time.monotonic() if now is None else now
        client = self.key(client)
        with self._lock:
            tries = self._tries.get(client)
            if tries is None:
                if len(self._tries) >= self.max_clients:
                    self._prune(now)
                tries = self._tries[client] = deque()
            while tries and tries[0] <= now - self.lockout:
                tries.popleft()
            if len(tries) >= self.attempts:
                return max(1, int(tries[0] + self.lockout - now + 0.999))
            tries.append(now)
            return 0

    def succeeded(self, client: str) -> None:
        """The right password: the address's earlier attempts no longer count against it."""
        with self._lock:
            self._tries.pop(self.key(client), None)

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._tries.items() if not t or t[-1] <= now - self.lockout]:
            del self._tries[key]
        if len(self._tries) >= self.max_clients:  # still full of active addresses: forget the oldest half
            for key in list(self._tries)[: self.max_clients // 2]:
                del self._tries[key]


@dataclass
class AdminSession:
    token: str
    csrf: str
    expires: float
    client: str
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) shown on the next page


class SessionStore:
    """Admin sessions in memory: random tokens, an absolute lifetime, a CSRF token each.

    Memory only on purpose: a restart logs every admin out, and nothing secret is ever on disk.
    """

    def __init__(self, lifetime_seconds: float, max_sessions: int = 1000) -> None:
        self.lifetime = lifetime_seconds
        self.max_sessions = max_sessions
        self._sessions: dict[str, AdminSession] = {}
        self._lock = threading.Lock()

    def create(self, client: str, now: float | None = None) -> AdminSession:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            while len(self._sessions) >= self.max_sessions:
                self._sessions.pop(next(iter(self._sessions)))
            session = AdminSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now + self.lifetime,
                                   client)
            self._sessions[session.token] = session
            return session

    def get(self, token: str, now: float | None = None) -> AdminSession | None:
        now = time.monotonic() if now is None else now
        if not token or len(token) > 100:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if session.expires <= now:
                del self._sessions[token]
                return None
            return session

    def drop(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time string comparison for tokens from a request."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))

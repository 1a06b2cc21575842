"""Logging configured once, with every secret redacted from every line.

Telegram and Zalo put the bot token in the URL path, and HTTP libraries log URLs: a filter on the
root handlers replaces each known secret (and anything shaped like a bot token) before output.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

# A bot token "<digits>:<secret>", also with the colon URL-encoded as it appears in file URLs, and
# also right after "bot" as in every Bot API URL ("/bot123456:AA…/getMe": no word boundary there).
_TOKEN_SHAPE = re.compile(r"(?<![0-9])\d{6,}(?::|%3[Aa])[A-Za-z0-9_-]{20,}\b")


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets replaced by `***`."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Redact `secret` and its URL-encoded form (tokens appear encoded in file URLs).

        A bot token "<id>:<secret>" also has its secret half redacted on its own: a base URL without
        its trailing "/bot" glues the id to the host, and httpx then quotes only "port: '<secret>'"
        in its error (issue 13)."""
        if not secret or len(secret) < 4:
            return
        forms = [secret, quote(secret, safe="")]
        _, colon, half = secret.partition(":")
        if colon and len(half) >= 8:
            forms.append(half)
        for form in forms:
            if form not in self.secrets:
                self.secrets.append(form)
        self.secrets.sort(key=len, reverse=True)  # a secret containing another is replaced whole

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TOKEN_SHAPE.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must still not leak: drop its args
            message = str(record.msg)
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg, record.args = redacted, None
        return True


_registered: RedactingFilter | None = None


def register_secrets(secrets: list[str]) -> RedactingFilter:
    """Redact `secrets` in every log record from now on, whichever handler receives it.

    WHY: a filter on the root handlers only covers handlers that exist when `configure_logging`
    runs; handlers added later (pytest's caplog, a library's own handler) would still see the bot
    token that httpx prints in request URLs. A log-record factory redacts each record once, when it
    is created, so no handler can ever see the raw secret. Safe to call repeatedly (secrets add up).
    """
    global _registered
    if _registered is None:
        _registered = RedactingFilter([])
        previous = logging.getLogRecordFactory()
        redactor = _registered

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redactor.filter(record)
            return record

        logging.setLogRecordFactory(factory)
    for secret in secrets:
        _registered.add(secret)
    return _registered


def redact(text: str) -> str:
    """`text` with every registered secret (and anything shaped like a bot token) replaced: for what
    is printed outside logging — the one-line error messages of the command line."""
    redactor = _registered or RedactingFilter([])
    return redactor.redact(text)


def configure_logging(level: str, secrets: list[str]) -> RedactingFilter:
    """Root logging to stderr with redaction on every handler; httpx request lines at WARNING."""
    logging.basicConfig(level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    register_secrets(secrets)
    redactor = RedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # the heartbeat job's every start and stop
    return redactor

"""Configuration from environment variables (and a `.env` file); documented in the README table."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from dotenv import load_dotenv


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise SystemExit(f"Biến môi trường {name} phải là số nguyên, nhận được: {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError as exc:
        raise SystemExit(f"Biến môi trường {name} phải là số, nhận được: {raw!r}") from exc


def _bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _origins(raw: str) -> tuple[str, ...]:
    """`https://a.gov.vn, https://b.gov.vn/` → ("https://a.gov.vn", "https://b.gov.vn")."""
    out = []
    for part in raw.replace(";", ",").split(","):
        origin = part.strip().rstrip("/")
        if not origin:
            continue
        if not origin.startswith(("http://", "https://")) or "/" in origin.split("://", 1)[1]:
            raise SystemExit(f"CCHC_WEB_ALLOWED_ORIGINS: {origin!r} không phải một origin "
                             "(ví dụ đúng: https://dichvucong.example.gov.vn).")
        out.append(origin)
    return tuple(dict.fromkeys(out))


def _admin_password_hash(raw: str) -> str:
    """The admin password as a scrypt hash: a hash given as it is, a plain password hashed now, so
    the plain text is never kept in Settings (nor printed with it)."""
    raw = raw.strip()
    if not raw:
        return ""
    from bot.web.security import hash_password, is_password_hash

    return raw if is_password_hash(raw) else hash_password(raw)


def api_base(url: str, suffix: str = "/bot") -> str:
    """A Bot API base URL ending in `suffix` ("/bot", or "/file/bot" for Telegram's files), whether
    it was written with it, without it, or with a trailing slash.

    WHY: the token is appended to this URL. "https://bot-api.zaloplatforms.com" without "/bot"
    glued the token's id to the host name, and the resulting error quoted the token (issue 13).
    """
    url = url.strip().rstrip("/")
    parts = suffix.strip("/").split("/")
    for keep in range(len(parts), 0, -1):  # the longest start of the suffix the URL already ends with
        if url.endswith("/" + "/".join(parts[:keep])):
            return url + "".join(f"/{p}" for p in parts[keep:])
    return url + suffix


def _file_base(api: str) -> str:
    """TELEGRAM_FILE_BASE when unset: beside TELEGRAM_API_BASE (a local Bot API server serves both)."""
    if not api.strip():
        return Settings.telegram_file_base
    return api_base(api).removesuffix("/bot") + "/file/bot"


def _one_line(raw: str) -> str:
    """A display value on one line: a pasted line break or tab would break /hotline's layout."""
    return " ".join(raw.split())


def _hotline(raw: str) -> str:
    """CCHC_OFFICE_HOTLINE as people should dial it; a value without a number stops the start-up,
    since every decline would otherwise tell citizens to call it."""
    value = _one_line(raw)
    if value and sum(ch.isdigit() for ch in value) < 3:
        raise SystemExit(f"CCHC_OFFICE_HOTLINE phải là một số điện thoại (ví dụ: 0210 3847 123), "
                         f"nhận được: {value!r}")
    return value


def _remind_days(raw: str) -> tuple[int, ...]:
    """CCHC_REMIND_DAYS "7,1" → (7, 1); empty → the default; anything else stops the start-up."""
    if not raw.strip():
        return Settings.remind_days
    try:
        days = tuple(sorted({int(p) for p in raw.replace(";", ",").split(",") if p.strip()}, reverse=True))
    except ValueError:
        days = ()
    if not days or any(d < 0 or d > 366 for d in days):
        raise SystemExit(f"CCHC_REMIND_DAYS phải là các số ngày cách nhau bởi dấu phẩy (0–366), ví dụ: 7,1; "
                         f"nhận được: {raw!r}")
    return days


def _admins(raw: str) -> frozenset[str]:
    """`telegram:123,zalo:abc` → {"telegram:123", "zalo:abc"}."""
    return frozenset(p.strip() for p in raw.split(",") if p.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, resolved once at start-up."""

    data_dir: Path
    docs_dir: Path
    admins: frozenset[str] = field(default_factory=frozenset)
    telegram_token: str = ""
    telegram_api_base: str = "https://api.telegram.org/bot"
    telegram_file_base: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_listen: str = "0.0.0.0"
    telegram_port: int = 8443
    telegram_path: str = "telegram"
    zalo_token: str = ""
    zalo_api_base: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_secret: str = ""
    zalo_listen: str = "0.0.0.0"
    zalo_port: int = 8080
    zalo_path: str = "/zalo/webhook"
    zalo_poll_timeout: int = 30  # seconds a getUpdates call waits on Zalo's side
    zalo_retry_delay: float = 1.0  # first backoff step for 429/5xx/network errors (tests use less)
    exam_questions: int = 20
    exam_minutes: int = 20
    flood_per_minute: int = 12
    max_upload_mb: int = 20
    remind_days: tuple[int, ...] = (7, 1)  # reminders this many days before each deadline (and on the day)
    remind_hour: int = 8  # Vietnam time: no reminder before this hour
    remind_check_seconds: float = 300.0  # how often the bot looks for reminders owed
    log_level: str = "INFO"
    web_listen: str = "127.0.0.1"
    web_port: int = 8090
    web_admin_password_hash: str = field(default="", repr=False)
    web_secret: str = field(default="", repr=False)
    web_allowed_origins: tuple[str, ...] = ()
    web_https: bool = False  # served behind HTTPS: Secure cookies and HSTS
    web_trust_proxy: bool = False  # client address from X-Forwarded-For (only behind a reverse proxy)
    web_rate_per_minute: int = 300  # requests per client address per minute, every route
    web_api_per_minute: int = 60  # questions (/api/ask and chat messages) per client address per minute
    web_session_minutes: int = 60
    web_login_attempts: int = 5  # failed logins before a lockout
    web_lockout_minutes: int = 15
    # The office running the bot (CCHC_OFFICE_*): named in declines, /hotline and the web page header.
    office_name: str = ""
    office_hotline: str = ""
    office_portal: str = ""
    office_address: str = ""

    def __post_init__(self) -> None:
        """Base URLs are accepted with or without their trailing /bot, however Settings is made."""
        for name, suffix in (("telegram_api_base", "/bot"), ("telegram_file_base", "/file/bot"),
                             ("zalo_api_base", "/bot")):
            object.__setattr__(self, name, api_base(getattr(self, name), suffix))

    @property
    def kb_path(self) -> Path:
        return self.data_dir / "knowledge.db"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.db"

    def is_admin(self, platform: str, user_id: str) -> bool:
        return f"{platform}:{user_id}" in self.admins

    @classmethod
    def from_env(cls, env_file: str | None = ".env") -> Settings:
        """Read the environment; a `.env` file in the working directory fills unset variables."""
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)
        e = os.environ.get
        data_dir = Path(e("CCHC_DATA_DIR") or platformdirs.user_data_dir("cchc", appauthor=False))
        docs_dir = Path(e("CCHC_DOCS_DIR") or data_dir / "documents")
        return cls(
            data_dir=data_dir,
            docs_dir=docs_dir,
            admins=_admins(e("CCHC_ADMINS", "")),
            telegram_token=e("TELEGRAM_BOT_TOKEN", "").strip(),
            telegram_api_base=e("TELEGRAM_API_BASE", "").strip() or cls.telegram_api_base,
            telegram_file_base=e("TELEGRAM_FILE_BASE", "").strip() or _file_base(e("TELEGRAM_API_BASE", "")),
            telegram_webhook_url=e("TELEGRAM_WEBHOOK_URL", "").strip(),
            telegram_webhook_secret=e("TELEGRAM_WEBHOOK_SECRET", "").strip(),
            telegram_listen=e("TELEGRAM_LISTEN", "").strip() or cls.telegram_listen,
            telegram_port=_int("TELEGRAM_PORT", cls.telegram_port),
            telegram_path=e("TELEGRAM_WEBHOOK_PATH", "").strip() or cls.telegram_path,
            zalo_token=e("ZALO_BOT_TOKEN", "").strip(),
            zalo_api_base=e("ZALO_API_BASE", "").strip() or cls.zalo_api_base,
            zalo_webhook_secret=e("ZALO_WEBHOOK_SECRET", "").strip(),
            zalo_listen=e("ZALO_LISTEN", "").strip() or cls.zalo_listen,
            zalo_port=_int("ZALO_PORT", cls.zalo_port),
            zalo_path=e("ZALO_WEBHOOK_PATH", "").strip() or cls.zalo_path,
            zalo_poll_timeout=max(1, _int("ZALO_POLL_TIMEOUT", cls.zalo_poll_timeout)),
            zalo_retry_delay=max(0.0, _float("ZALO_RETRY_DELAY", cls.zalo_retry_delay)),
            exam_questions=max(1, _int("CCHC_EXAM_QUESTIONS", cls.exam_questions)),
            exam_minutes=max(1, _int("CCHC_EXAM_MINUTES", cls.exam_minutes)),
            flood_per_minute=max(1, _int("CCHC_FLOOD_PER_MINUTE", cls.flood_per_minute)),
            max_upload_mb=max(1, _int("CCHC_MAX_UPLOAD_MB", cls.max_upload_mb)),
            remind_days=_remind_days(e("CCHC_REMIND_DAYS", "")),
            remind_hour=min(23, max(0, _int("CCHC_REMIND_HOUR", cls.remind_hour))),
            remind_check_seconds=max(0.05, _float("CCHC_REMIND_CHECK_SECONDS", cls.remind_check_seconds)),
            log_level=(e("CCHC_LOG_LEVEL", "") or cls.log_level).upper(),
            web_listen=e("CCHC_WEB_LISTEN", "").strip() or cls.web_listen,
            web_port=_int("CCHC_WEB_PORT", cls.web_port),
            web_admin_password_hash=_admin_password_hash(e("CCHC_WEB_ADMIN_PASSWORD", "")),
            web_secret=e("CCHC_WEB_SECRET", "").strip(),
            web_allowed_origins=_origins(e("CCHC_WEB_ALLOWED_ORIGINS", "")),
            web_https=_bool("CCHC_WEB_HTTPS"),
            web_trust_proxy=_bool("CCHC_WEB_TRUST_PROXY"),
            web_rate_per_minute=max(1, _int("CCHC_WEB_RATE_PER_MINUTE", cls.web_rate_per_minute)),
            web_api_per_minute=max(1, _int("CCHC_WEB_API_PER_MINUTE", cls.web_api_per_minute)),
            web_session_minutes=max(1, _int("CCHC_WEB_SESSION_MINUTES", cls.web_session_minutes)),
            web_login_attempts=max(1, _int("CCHC_WEB_LOGIN_ATTEMPTS", cls.web_login_attempts)),
            web_lockout_minutes=max(1, _int("CCHC_WEB_LOCKOUT_MINUTES", cls.web_lockout_minutes)),
            office_name=_one_line(e("CCHC_OFFICE_NAME", "")),
            office_hotline=_hotline(e("CCHC_OFFICE_HOTLINE", "")),
            office_portal=_one_line(e("CCHC_OFFICE_PORTAL", "")).rstrip("/"),
            office_address=_one_line(e("CCHC_OFFICE_ADDRESS", "")),
        )

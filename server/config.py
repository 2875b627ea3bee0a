"""Settings: read once from the environment into a frozen dataclass.

Nothing else in the code base reads ``os.environ``. Bad values fail fast at start with
a message that names the variable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    public_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("data")
    redis_url: str | None = None
    redis_channel: str = "convene"
    allowed_origins: tuple[str, ...] = ()
    smtp_url: str | None = None
    mail_domain: str = "localhost"
    mail_from: str = "Convene <convene@localhost>"
    # Inbound mail (issue 8): limits, the trusted Authentication-Results server, the webhook's
    # shared secret, and where mail-listen / mail-in hand mail to the running web server.
    inbound_max_bytes: int = 10 * 1024 * 1024
    inbound_max_parts: int = 100
    inbound_max_depth: int = 10
    mail_authserv_id: str | None = None
    inbound_webhook_secret: str | None = None
    inbound_handoff_url: str | None = None
    max_message_chars: int = 10_000
    max_title_chars: int = 200
    max_request_bytes: int = 256 * 1024
    session_days: int = 30
    token_minutes: int = 60
    catchup_limit: int = 500
    # How long a write waits for another process's SQLite write lock before it is refused
    # ("unavailable"; the client retries with the same client id).
    sqlite_busy_timeout_ms: int = 10_000
    auth_attempts_per_10min: int = 30
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    notify_delay_seconds: int = 300
    invitation_days: int = 14
    invitation_cooling_off_hours: int = 24
    web_dir: Path = field(default_factory=lambda: Path(__file__).resolve().parent.parent / "web")
    # Whether a person deleting their account may also erase their messages (issue 12);
    # otherwise the messages stay, shown as "Former member".
    allow_message_erasure: bool = False
    # Real-time limits (issue 17; ``server.realtime.limits``); 0 turns one off.
    socket_connections_per_address: int = 200
    socket_events_per_second: int = 20
    socket_typing_per_minute: int = 30
    socket_presence_changes_per_minute: int = 60

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name) or None
    if raw is not None and urlsplit(raw).scheme not in schemes:
        raise ConfigError(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}; got {raw!r}")
    return raw


def _secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    """Use SECRET_KEY, or in development generate one once and keep it under data_dir."""
    key = env.get("SECRET_KEY")
    if key:
        if len(key) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters")
        return key
    if env.get("CONVENE_ENV", "development") == "production":
        raise ConfigError("SECRET_KEY is required when CONVENE_ENV=production")
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created private: the key signs nothing today but guards future tokens.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    secret = env.get("INBOUND_WEBHOOK_SECRET") or None
    if secret is not None and len(secret) < 16:
        raise ConfigError("INBOUND_WEBHOOK_SECRET must be at least 16 characters")
    return secret


def _handoff_url(env: Mapping[str, str], port: int) -> str | None:
    """Where mail-listen and mail-in hand mail to the web server; ``off`` runs it in their own process."""
    raw = (env.get("INBOUND_HANDOFF_URL") or "").strip()
    if raw.lower() == "off":
        return None
    if not raw:
        return f"http://127.0.0.1:{port}"
    if urlsplit(raw).scheme not in ("http", "https"):
        raise ConfigError(f"INBOUND_HANDOFF_URL must start with http:// or https:// (or be off); got {raw!r}")
    return raw.rstrip("/")


def _port(name: str, value: int) -> int:
    if not 1 <= value <= 65535:
        raise ConfigError(f"{name} must be between 1 and 65535, got {value}")
    return value


def load_settings(env: Mapping[str, str] | None = None, *, host: str | None = None, port: int | None = None) -> Settings:
    """Build Settings from ``env`` (default: the process environment).

    ``host`` and ``port`` come from the command line (``serve --host/--port``) and win
    over ``HOST``/``PORT``; what defaults to the served address (``PUBLIC_URL``, so
    every emailed link) follows them.
    """
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR") or "data")
    port = _port("--port", port) if port is not None else _port("PORT", _int(env, "PORT", 8080))
    host = host or env.get("HOST") or "127.0.0.1"
    database_url = _url(env, "DATABASE_URL", ("sqlite+aiosqlite", "postgresql+asyncpg", "postgresql")) or (
        f"sqlite+aiosqlite:///{data_dir / 'convene.db'}"
    )
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+asyncpg://" + database_url[len("postgresql://") :]
    public_url = _url(env, "PUBLIC_URL", ("http", "https")) or f"http://127.0.0.1:{port}"
    origins = tuple(o.strip().rstrip("/") for o in (env.get("ALLOWED_ORIGINS") or "").split(",") if o.strip())
    for origin in origins:
        if origin == "*" or urlsplit(origin).scheme not in ("http", "https"):
            raise ConfigError(f"ALLOWED_ORIGINS entries must be http(s) origins, never '*'; got {origin!r}")
    mail_domain = env.get("MAIL_DOMAIN") or (urlsplit(public_url).hostname or "localhost")
    return Settings(
        database_url=database_url,
        secret_key=_secret_key(env, data_dir),
        public_url=public_url.rstrip("/"),
        host=host,
        port=port,
        data_dir=data_dir,
        redis_url=_url(env, "REDIS_URL", ("redis", "rediss", "unix")),
        redis_channel=env.get("REDIS_CHANNEL") or "convene",
        allowed_origins=origins,
        smtp_url=_url(env, "SMTP_URL", ("smtp", "smtps")),
        mail_domain=mail_domain,
        mail_from=env.get("MAIL_FROM") or f"Convene <convene@{mail_domain}>",
        inbound_max_bytes=_int(env, "INBOUND_MAX_BYTES", 10 * 1024 * 1024, minimum=1024),
        inbound_max_parts=_int(env, "INBOUND_MAX_PARTS", 100),
        inbound_max_depth=_int(env, "INBOUND_MAX_DEPTH", 10),
        mail_authserv_id=(env.get("MAIL_AUTHSERV_ID") or "").strip() or None,
        inbound_webhook_secret=_webhook_secret(env),
        inbound_handoff_url=_handoff_url(env, port),
        max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 10_000),
        max_title_chars=_int(env, "MAX_TITLE_CHARS", 200),
        max_request_bytes=_int(env, "MAX_REQUEST_BYTES", 256 * 1024, minimum=1024),
        session_days=_int(env, "SESSION_DAYS", 30),
        token_minutes=_int(env, "TOKEN_MINUTES", 60),
        catchup_limit=_int(env, "CATCHUP_LIMIT", 500),
        sqlite_busy_timeout_ms=_int(env, "SQLITE_BUSY_TIMEOUT_MS", 10_000),
        auth_attempts_per_10min=_int(env, "AUTH_ATTEMPTS_PER_10MIN", 30),
        argon2_time_cost=_int(env, "ARGON2_TIME_COST", 3),
        argon2_memory_kib=_int(env, "ARGON2_MEMORY_KIB", 65_536, minimum=8),
        notify_delay_seconds=_int(env, "NOTIFY_DELAY_SECONDS", 300, minimum=0),
        invitation_days=_int(env, "INVITATION_DAYS", 14),
        invitation_cooling_off_hours=_int(env, "INVITATION_COOLING_OFF_HOURS", 24, minimum=0),
        allow_message_erasure=_yes_or_no(env, "ALLOW_MESSAGE_ERASURE"),
        socket_connections_per_address=_int(env, "SOCKET_CONNECTIONS_PER_ADDRESS", 200, minimum=0),
        socket_events_per_second=_int(env, "SOCKET_EVENTS_PER_SECOND", 20, minimum=0),
        socket_typing_per_minute=_int(env, "SOCKET_TYPING_PER_MINUTE", 30, minimum=0),
        socket_presence_changes_per_minute=_int(env, "SOCKET_PRESENCE_CHANGES_PER_MINUTE", 60, minimum=0),
    )


def _yes_or_no(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def delivery_envelope(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """(SENDER, RECIPIENT or ORIGINAL_RECIPIENT) as Postfix's pipe and local delivery set them
    for ``mail-in``: per-message facts, not configuration, read here as every variable is.
    An empty SENDER is kept as "" (the null sender of a bounce)."""
    env = os.environ if env is None else env
    return env.get("SENDER"), env.get("RECIPIENT") or env.get("ORIGINAL_RECIPIENT") or None

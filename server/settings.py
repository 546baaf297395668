"""Configuration: environment variables, overridden by command-line flags."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/tandem.db"


class SettingsError(ValueError):
    """A configuration value that cannot be used, with a message for the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything an app instance is configured with; tests build their own."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str = ""
    redis_url: str | None = None
    var_dir: Path = Path("var")
    # STUN/TURN servers handed to browsers, as RTCIceServer dicts.
    ice_servers: list[dict[str, Any]] = field(default_factory=list)
    # coturn `use-auth-secret`: when set, TURN credentials are minted per user.
    turn_secret: str | None = None
    turn_ttl_seconds: int = 3600
    # Cookies get the Secure flag; on by default when served over https behind a proxy.
    secure_cookies: bool = False
    # Origins allowed to open WebSockets besides the page's own host.
    allowed_origins: tuple[str, ...] = ()
    # Online geocoding through a Nominatim server (e.g. "nominatim.openstreetmap.org");
    # unset means the offline GeoNames geocoder only.
    nominatim_domain: str | None = None
    nominatim_scheme: str = "https"
    login_session_days: int = 14
    # A mentorship request nobody answered in this many hours expires.
    request_expiry_hours: int = 72
    # Office hours: cameras each participant receives besides the host's, the spotlighted
    # person's and screen shares (the most recent speakers); 0 means no limit.
    office_hours_last_n: int = 6
    max_body_bytes: int = 64 * 1024
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the real client.
    trusted_proxies: tuple[str, ...] = ()
    # Sign-ups allowed per client address and hour: probe accounts are not free.
    signups_per_hour: int = 20
    # Booking mail, calendars and reminders: the address people reach Tandem at (links in
    # mails and calendar files; its host names calendar UIDs), SMTP (unset: .eml files under
    # var/outbox/), the sender, and how often reminders are looked for (0: never).
    public_url: str = ""
    smtp_url: str | None = None
    mail_from: str = ""
    reminder_interval_seconds: int = 30
    # Seconds before a database (or Redis) use gives up and the request answers 503 busy:
    # opening or waiting for a connection, and one statement.
    db_connect_timeout: float = 3.0
    db_statement_timeout: float = 5.0

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced (None values are ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise SettingsError(f"{name} must be a number of seconds above 0, not {raw!r}")
    return value


def _ice_servers(raw: str | None) -> list[dict[str, Any]]:
    if not raw:
        return []
    try:
        servers = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"TANDEM_ICE_SERVERS is not valid JSON: {exc}") from None
    if not isinstance(servers, list) or not all(
        isinstance(s, dict) and "urls" in s for s in servers
    ):
        raise SettingsError('TANDEM_ICE_SERVERS must be a JSON list of {"urls": ...} objects')
    return servers


def _networks(name: str, raw: str) -> tuple[str, ...]:
    found = tuple(part.strip() for part in raw.split(",") if part.strip())
    for network in found:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(
                f"{name}: {network!r} is not an IP address or network (like 10.0.0.0/8)"
            ) from None
    return found


def load_secret_key(var_dir: Path) -> str:
    """The secret key kept under var/, generated on first use so restarts keep sessions."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from TANDEM_* environment variables; the secret key is filled in later."""
    env = os.environ if env is None else env
    origins = tuple(
        o.strip() for o in env.get("TANDEM_ALLOWED_ORIGINS", "").split(",") if o.strip()
    )
    return Settings(
        database_url=env.get("TANDEM_DATABASE_URL") or DEFAULT_DATABASE_URL,
        host=env.get("TANDEM_HOST") or "127.0.0.1",
        port=_int(env, "TANDEM_PORT", 8080),
        secret_key=env.get("TANDEM_SECRET_KEY", ""),
        redis_url=env.get("TANDEM_REDIS_URL") or None,
        var_dir=Path(env.get("TANDEM_VAR_DIR") or "var"),
        ice_servers=_ice_servers(env.get("TANDEM_ICE_SERVERS")),
        turn_secret=env.get("TANDEM_TURN_SECRET") or None,
        secure_cookies=env.get("TANDEM_SECURE_COOKIES", "").lower() in {"1", "true", "yes"},
        allowed_origins=origins,
        nominatim_domain=env.get("TANDEM_NOMINATIM_DOMAIN") or None,
        nominatim_scheme=env.get("TANDEM_NOMINATIM_SCHEME") or "https",
        trusted_proxies=_networks("TANDEM_TRUSTED_PROXIES", env.get("TANDEM_TRUSTED_PROXIES", "")),
        signups_per_hour=_int(env, "TANDEM_SIGNUPS_PER_HOUR", 20),
        public_url=env.get("TANDEM_PUBLIC_URL", "").rstrip("/"),
        smtp_url=env.get("TANDEM_SMTP_URL") or None,
        mail_from=env.get("TANDEM_MAIL_FROM", ""),
        reminder_interval_seconds=_int(env, "TANDEM_REMINDER_INTERVAL", 30),
        request_expiry_hours=max(1, _int(env, "TANDEM_REQUEST_EXPIRY_HOURS", 72)),
        db_connect_timeout=_seconds(env, "TANDEM_DB_CONNECT_TIMEOUT", 3.0),
        db_statement_timeout=_seconds(env, "TANDEM_DB_STATEMENT_TIMEOUT", 5.0),
        office_hours_last_n=_int(env, "TANDEM_OFFICE_HOURS_LAST_N", 6),
    )


def finalize(settings: Settings) -> Settings:
    """Fill in what must exist before serving: the secret key, the public URL, the sender."""
    if not settings.public_url:
        settings = replace(settings, public_url=f"http://{settings.host}:{settings.port}")
    if not settings.mail_from:
        domain = urlsplit(settings.public_url).hostname or "localhost"
        settings = replace(settings, mail_from=f"Tandem <no-reply@{domain}>")
    if settings.secret_key:
        return settings
    return replace(settings, secret_key=load_secret_key(settings.var_dir))

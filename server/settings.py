"""Server settings: from CLI options first, then the environment, then defaults."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ENV_DATABASE_URL = "PRIKKLOK_SERVER_DATABASE_URL"
ENV_DATA_DIR = "PRIKKLOK_SERVER_DATA_DIR"
ENV_HOST = "PRIKKLOK_SERVER_HOST"
ENV_PORT = "PRIKKLOK_SERVER_PORT"
ENV_RETENTION_DAYS = "PRIKKLOK_SERVER_RETENTION_DAYS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_RETENTION_DAYS = 365  # taps and what was derived from them are kept one year
ENV_SMTP_HOST = "PRIKKLOK_SERVER_SMTP_HOST"
ENV_SMTP_PORT = "PRIKKLOK_SERVER_SMTP_PORT"
ENV_SMTP_FROM = "PRIKKLOK_SERVER_SMTP_FROM"
ENV_PUBLIC_URL = "PRIKKLOK_SERVER_PUBLIC_URL"
ENV_ABSENCE_ALERT_AFTER = "PRIKKLOK_SERVER_ABSENCE_ALERT_AFTER"
ENV_TRUSTED_PROXIES = "PRIKKLOK_SERVER_TRUSTED_PROXIES"
ENV_METRICS_TOKEN = "PRIKKLOK_SERVER_METRICS_TOKEN"
METRICS_TOKEN_LENGTH = 32  # characters at least: a guessable token would open /metrics
# The releases kiosks install from (server.administration.wheelhouse);
# default: <data dir>/wheelhouse.
ENV_WHEELHOUSE = "PRIKKLOK_SERVER_WHEELHOUSE"
DB_FILE = "server.db"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    """What the server needs to run; `now` is injected so tests can hold the clock."""

    database_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    retention_days: int = DEFAULT_RETENTION_DAYS
    now: Callable[[], datetime] = field(default=utc_now, compare=False)
    # Staff logins: idle and absolute timeouts; failed logins allowed before the waits
    # between tries begin to grow (see server/administration/login_limits.py).
    session_idle_minutes: int = 30
    session_max_hours: int = 10
    login_failures_per_user_address: int = 5  # one username from one client address
    login_failures_per_user: int = 20  # one username from all browsers it never logged in on
    login_failures_per_device: int = 5  # one username from a browser it logged in on before
    # The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or
    # networks. None by default: a client's own headers never move its address.
    trusted_proxies: tuple[str, ...] = ()
    # Attendance as the coaches see it.
    late_after_minutes: int = 5  # a check-in this long after opening time is late
    absence_alert_after: int = 3  # consecutive unexcused absences on agreed days
    # Kiosk alarms on the supervisor's kiosk page.
    kiosk_silent_minutes: int = 15  # no heartbeat for this long
    kiosk_queue_minutes: int = 30  # the oldest record waiting on the kiosk is this old
    # The coaches' weekly digest; without a host, no mail is sent.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "prikklok@localhost"
    # How links in pages and mails begin; None: pages use the address the browser asked
    # for, mails the host and port the server listens on.
    public_url: str | None = None
    # The bearer token a Prometheus elsewhere shows for /metrics; None: only a scrape from
    # this machine is answered (server/metrics/scrape_access.py). Never in a log or repr.
    metrics_token: str | None = field(default=None, repr=False)
    # The releases the kiosks install from (docs/admin/upgrading.md).
    wheelhouse: Path = Path("wheelhouse")

    def link_base(self, request_base: str | None = None) -> str:
        """Where links to this server begin: the configured public address, else the one
        the browser used, else the address the server listens on."""
        base = self.public_url or request_base or f"http://{self.host}:{self.port}"
        return base.rstrip("/")

    @classmethod
    def resolve(
        cls,
        *,
        database_url: str | None = None,
        data_dir: Path | str | None = None,
        host: str | None = None,
        port: int | None = None,
        retention_days: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Options win over the environment; without a URL, SQLite in the data dir."""
        env = os.environ if env is None else env
        url = database_url or env.get(ENV_DATABASE_URL)
        if not url:
            directory = Path(data_dir or env.get(ENV_DATA_DIR) or ".")
            url = sqlite_url(directory / DB_FILE)
        return cls(
            database_url=url,
            host=host or env.get(ENV_HOST) or DEFAULT_HOST,
            port=int(port or env.get(ENV_PORT) or DEFAULT_PORT),
            retention_days=retention_days or _days(env.get(ENV_RETENTION_DAYS)),
            absence_alert_after=_whole(env, ENV_ABSENCE_ALERT_AFTER, 3),
            smtp_host=env.get(ENV_SMTP_HOST) or None,
            smtp_port=_whole(env, ENV_SMTP_PORT, 25),
            smtp_from=env.get(ENV_SMTP_FROM) or "prikklok@localhost",
            public_url=(env.get(ENV_PUBLIC_URL) or "").rstrip("/") or None,
            trusted_proxies=trusted_proxies(env.get(ENV_TRUSTED_PROXIES)),
            metrics_token=metrics_token(env.get(ENV_METRICS_TOKEN)),
            wheelhouse=Path(
                env.get(ENV_WHEELHOUSE)
                or Path(data_dir or env.get(ENV_DATA_DIR) or ".") / "wheelhouse"
            ),
        )


def _days(value: str | None) -> int:
    """The retention period from the environment: a whole number of days, at least 1."""
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{ENV_RETENTION_DAYS}={value!r}: give a whole number of days, at least 1")
    return int(value)


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r}: give a whole number, at least 1")
    return int(value)


def trusted_proxies(value: str | None) -> tuple[str, ...]:
    """Comma-separated addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`); a typo is
    refused here rather than silently trusting nobody (or the wrong host)."""
    entries = tuple(part.strip() for part in (value or "").split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(
                f"{ENV_TRUSTED_PROXIES}: {entry!r} is not an address or network like "
                "127.0.0.1 or 10.0.0.0/8"
            ) from None
    return entries


def metrics_token(value: str | None) -> str | None:
    """The metrics token from the environment: long enough not to be guessed, or none."""
    token = (value or "").strip()
    if not token:
        return None
    if len(token) < METRICS_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
        raise ValueError(
            f"{ENV_METRICS_TOKEN}: give at least {METRICS_TOKEN_LENGTH} printable ASCII "
            "characters, e.g. from `openssl rand -hex 32`"
        )
    return token


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path.resolve()}"

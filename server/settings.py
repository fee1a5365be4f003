"""Server settings: from CLI options first, then the environment, then defaults."""

from __future__ import annotations

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
        )


def _days(value: str | None) -> int:
    """The retention period from the environment: a whole number of days, at least 1."""
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{ENV_RETENTION_DAYS}={value!r}: give a whole number of days, at least 1")
    return int(value)


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path.resolve()}"

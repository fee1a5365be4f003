"""How soon a login may be tried again: waits that grow with each failure, never a lock that
anyone can put on someone else.

Following OWASP's advice against password guessing and credential stuffing, failures count
under three keys, each with its own number of free tries before the waits begin:

- **username and client address**: a guesser at one address is slowed quickly;
- **username** from every browser it never logged in on: a guesser spread over many
  addresses is slowed too, after more tries;
- **device**: a browser the user logged in on before (it holds a signed device cookie,
  `server/web/devices.py`) counts only its own failures, so others' guessing does not keep
  her out, and a stolen cookie is slowed like any guesser.

There is no limit per address alone: the workshop's staff share one address, and a limit on
it would let anyone there lock all of them out. After the free tries the wait is one minute,
doubling with each further failure up to an hour; failures are forgotten after a day.

The failures are rows in `login_failures` under a sha256 of the key (never a name or address
in clear), so every server worker counts alike.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select

from server.schema import login_failures

FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)  # failures older than this no longer count


def normal_username(username: str) -> str:
    """The one form of a typed username that both the limits and the account lookup use, so
    `" Marieke"` counts and logs in as `marieke` (NFKC folds look-alike letters too)."""
    return unicodedata.normalize("NFKC", username).strip().lower()


def failure_key(kind: str, *parts: str) -> str:
    """The stored key: a sha256, so the table names no one."""
    return hashlib.sha256("\x00".join((kind, *parts)).encode()).hexdigest()


@dataclass(frozen=True)
class Limit:
    """Failures under `key`, of which `free` come without a wait."""

    key: str
    free: int


def wait_after(failures: int, free: int) -> timedelta:
    """How long after the latest failure the next try must wait."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 12)  # 2**12 minutes is far beyond the longest wait
    grown: timedelta = FIRST_WAIT * 2**doublings
    return min(LONGEST_WAIT, grown)


def seconds_to_wait(conn: Connection, limit: Limit, now: datetime) -> int:
    """0 when a try under `limit` may go ahead now; else whole seconds to wait (at least 1)."""
    failures, latest = conn.execute(
        select(func.count(), func.max(login_failures.c.at)).where(
            login_failures.c.key == limit.key, login_failures.c.at > now - FORGET_AFTER
        )
    ).one()
    if latest is None:
        return 0
    left = (latest + wait_after(int(failures), limit.free) - now).total_seconds()
    return 0 if left <= 0 else max(1, math.ceil(left))


def longest_wait(conn: Connection, limits: list[Limit], now: datetime) -> int:
    return max((seconds_to_wait(conn, limit, now) for limit in limits), default=0)


def count_failure(conn: Connection, limits: list[Limit], now: datetime) -> None:
    conn.execute(login_failures.insert(), [{"key": limit.key, "at": now} for limit in limits])


def forget_failures(conn: Connection, limits: list[Limit], now: datetime) -> None:
    """After a login with the right password: these keys start afresh, and failures older
    than a day go for everyone."""
    keys = [limit.key for limit in limits]
    conn.execute(delete(login_failures).where(login_failures.c.key.in_(keys)))
    conn.execute(delete(login_failures).where(login_failures.c.at <= now - FORGET_AFTER))

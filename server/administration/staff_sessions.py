"""Staff logins: the sessions behind the staff pages' cookie, their timeouts, and the login
limits a try counts under.

A session is known by the sha256 of the cookie's 256 random bits; the server keeps that, the
staff member, a CSRF token for the forms of this login, and when it began and was last used.
A login ends after `session_idle_minutes` without a request or `session_max_hours` after it
began, whichever comes first. The cookie itself is the pages' business (server/web/access.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from server.administration.login_limits import (
    Limit,
    count_failure,
    failure_key,
    forget_failures,
    longest_wait,
    normal_username,
)
from server.administration.passwords import hash_password, needs_rehash, verify_password
from server.db import writing
from server.kiosks.kiosk_tokens import token_hash
from server.schema import staff, staff_sessions
from server.settings import Settings

TOUCH_EVERY = timedelta(seconds=60)  # a live page polling every few seconds writes rarely


@dataclass(frozen=True)
class Viewer:
    """The staff member behind a request."""

    staff_id: str
    username: str
    role: str  # admin, supervisor, coach or translator
    display_name: str
    site_id: str | None  # a supervisor's own site
    csrf: str
    session_id: str

    @property
    def actor(self) -> str:
        """How the audit log names them: role and id, never a participant's data."""
        return f"{self.role}:{self.staff_id}"

    def sees_site(self, site_id: str) -> bool:
        if self.role == "admin":
            return True
        return self.role == "supervisor" and self.site_id == site_id


class LoginRefused(Exception):
    """Wrong name or password, or a disabled account: one message for all, on purpose."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed logins")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Login:
    """A login that succeeded: the token for the session cookie, and who it is."""

    token: str
    viewer: Viewer


def log_in(
    engine: Engine,
    settings: Settings,
    username: str,
    password: str,
    address: str,
    now: datetime,
    device: str | None = None,
) -> Login:
    """Check the password and open a session.

    `device` is this browser's own mark for the username, when its device cookie holds a
    valid one (server/web/devices.py), else None. Raises TooManyAttempts before looking at
    the password while this try must wait (server/administration/login_limits.py), and
    LoginRefused when it does not match."""
    name = normal_username(username)
    with engine.connect() as conn:
        limits, wait = _limits(conn, settings, device, name, address, now)
        if wait:
            raise TooManyAttempts(wait)
        row = conn.execute(select(staff).where(func.lower(staff.c.username) == name)).first()
    # Argon2 is slow on purpose: no transaction is held open while it runs.
    ok = verify_password(row.password_hash if row else None, password)
    with writing(engine) as conn:
        if row is None or not ok or not row.active:
            count_failure(conn, limits, now)
        else:
            forget_failures(conn, limits, now)
            return _open(conn, row, password, now)
    raise LoginRefused("onbekende gebruikersnaam of verkeerd wachtwoord")


def _limits(
    conn: Connection,
    settings: Settings,
    device: str | None,
    name: str,
    address: str,
    now: datetime,
) -> tuple[list[Limit], int]:
    """The limits this try counts under, and how long it must wait first (0: go ahead).

    A browser this name logged in on before counts only its own failures; once it must
    wait, it is a stranger like any other until it succeeds again (OWASP's device cookies).
    """
    device_wait = 0
    if device is not None:
        own = [Limit(failure_key("device", device), settings.login_failures_per_device)]
        device_wait = longest_wait(conn, own, now)
        if not device_wait:
            return own, 0
    strangers = [
        Limit(failure_key("user+address", name, address), settings.login_failures_per_user_address),
        Limit(failure_key("user", name), settings.login_failures_per_user),
    ]
    wait = longest_wait(conn, strangers, now)
    if device_wait and wait:
        wait = min(wait, device_wait)  # either way may be tried when it opens
    return strangers, wait


def _open(conn: Connection, row: Any, password: str, now: datetime) -> Login:
    if needs_rehash(row.password_hash):
        conn.execute(
            update(staff).where(staff.c.id == row.id).values(password_hash=hash_password(password))
        )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session_id = token_hash(token)
    conn.execute(
        staff_sessions.insert().values(
            id=session_id, staff_id=row.id, csrf=csrf, created_at=now, last_seen_at=now
        )
    )
    viewer = Viewer(row.id, row.username, row.role, row.display_name, row.site_id, csrf, session_id)
    return Login(token, viewer)


def viewer_of(engine: Engine, settings: Settings, token: str, now: datetime) -> Viewer | None:
    """The live login behind a cookie's token, or None (unknown, timed out, disabled).

    Every staff request asks this, and a live page asks every few seconds: it only reads,
    and writes (in a transaction of its own) when a login timed out or its last use is
    more than `TOUCH_EVERY` old — on SQLite a write takes the lock the kiosks push under.
    """
    session_id = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(staff_sessions, staff)
            .join(staff, staff.c.id == staff_sessions.c.staff_id)
            .where(staff_sessions.c.id == session_id)
        ).first()
    if row is None:
        return None
    idle = now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    old = now - row.created_at > timedelta(hours=settings.session_max_hours)
    if idle or old or not row.active:
        log_out(engine, session_id)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with writing(engine) as conn:
            conn.execute(
                update(staff_sessions)
                .where(staff_sessions.c.id == session_id)
                .values(last_seen_at=now)
            )
    return Viewer(
        row.staff_id, row.username, row.role, row.display_name, row.site_id, row.csrf, session_id
    )


def log_out(engine: Engine, session_id: str) -> None:
    """End one login, in a transaction of its own."""
    with writing(engine) as conn:
        conn.execute(delete(staff_sessions).where(staff_sessions.c.id == session_id))


def end_all_sessions(conn: Connection, staff_id: str) -> None:
    """After a password change or when an account is disabled."""
    conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))


def end_other_sessions(conn: Connection, viewer: Viewer) -> None:
    """After someone changed their own password: every login of theirs but this one ends."""
    conn.execute(
        delete(staff_sessions).where(
            staff_sessions.c.staff_id == viewer.staff_id,
            staff_sessions.c.id != viewer.session_id,
        )
    )

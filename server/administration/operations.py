"""Admin operations behind the CLI verbs; each raises AdminError with a one-line reason."""

from __future__ import annotations

import re
from datetime import datetime, time

from sqlalchemy import Connection, select, update

from server.kiosks.kiosk_tokens import new_token, token_hash
from server.schema import badges, kiosks, participants, sites, staff

ROLES = ("admin", "supervisor", "coach", "translator")
_UID = re.compile(r"^(?:[0-9A-F]{2}){4,10}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class AdminError(ValueError):
    """A mistake the admin can fix; the message is one line."""


class BadgeHeldError(AdminError):
    """The badge is someone else's now; it must be revoked before it is given again."""

    def __init__(self, holder_kind: str, holder_id: str) -> None:
        super().__init__("this badge is held by someone else: revoke it first")
        self.holder_kind = holder_kind
        self.holder_id = holder_id


def check_id(value: str, what: str) -> str:
    if not _ID.match(value):
        raise AdminError(f"{what} {value!r}: use letters, digits, '.', '_' or '-' (max 64)")
    return value


def normalise_uid(uid: str) -> str:
    """Badge UIDs as the kiosk writes them: uppercase hex, no separators."""
    cleaned = re.sub(r"[\s:-]", "", uid).upper()
    if not _UID.match(cleaned):
        raise AdminError("badge uid must be 4 to 10 bytes of hex, e.g. 04A1B2C3")
    return cleaned


def require_site(conn: Connection, site_id: str) -> None:
    if conn.execute(select(sites.c.id).where(sites.c.id == site_id)).first() is None:
        raise AdminError(f"no site {site_id!r}: add it with 'prikklok server add-site'")


def add_site(
    conn: Connection,
    site_id: str,
    name: str,
    opens_at: time,
    closes_at: time,
    timezone: str,
    *,
    speak_greeting: bool = False,
) -> None:
    check_id(site_id, "site id")
    if closes_at <= opens_at:
        raise AdminError("closing time must be after opening time")
    if conn.execute(select(sites.c.id).where(sites.c.id == site_id)).first():
        raise AdminError(f"site {site_id!r} already exists")
    conn.execute(
        sites.insert().values(
            id=site_id,
            name=name,
            opens_at=opens_at,
            closes_at=closes_at,
            timezone=timezone,
            speak_greeting=speak_greeting,
        )
    )


def add_kiosk(
    conn: Connection,
    site_id: str,
    kiosk_id: str,
    name: str,
    now: datetime,
    token: str | None = None,
) -> str:
    """Register a kiosk and return its token; only the token's hash is stored."""
    check_id(kiosk_id, "kiosk id")
    require_site(conn, site_id)
    if conn.execute(select(kiosks.c.id).where(kiosks.c.id == kiosk_id)).first():
        raise AdminError(f"kiosk {kiosk_id!r} already exists")
    token = token or new_token()
    conn.execute(
        kiosks.insert().values(
            id=kiosk_id, site_id=site_id, name=name, token_hash=token_hash(token), created_at=now
        )
    )
    return token


def revoke_kiosk(conn: Connection, kiosk_id: str, now: datetime) -> None:
    done = conn.execute(
        update(kiosks)
        .where(kiosks.c.id == kiosk_id, kiosks.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    if not done:
        raise AdminError(f"no kiosk {kiosk_id!r} with a live token")


def rotate_kiosk_token(conn: Connection, kiosk_id: str) -> str:
    """A new token for the same kiosk; the old one is refused from this commit on.

    The kiosk keeps its id, site, journal and sequence numbers: only the key changes. A
    revoked kiosk comes back with the new token (e.g. once a stolen token is replaced).
    """
    token = new_token()
    done = conn.execute(
        update(kiosks)
        .where(kiosks.c.id == kiosk_id)
        .values(token_hash=token_hash(token), revoked_at=None)
    ).rowcount
    if not done:
        raise AdminError(f"no kiosk {kiosk_id!r}")
    return token


def add_staff(
    conn: Connection,
    staff_id: str,
    username: str,
    role: str,
    display_name: str,
    site_id: str | None,
    now: datetime,
) -> None:
    check_id(staff_id, "staff id")
    if role not in ROLES:
        raise AdminError(f"role must be one of {', '.join(ROLES)}")
    if role == "supervisor" and site_id is None:
        raise AdminError("a supervisor needs --site")
    if site_id is not None:
        require_site(conn, site_id)
    taken = conn.execute(
        select(staff.c.id).where((staff.c.id == staff_id) | (staff.c.username == username))
    ).first()
    if taken:
        raise AdminError(f"staff id {staff_id!r} or username {username!r} already exists")
    conn.execute(
        staff.insert().values(
            id=staff_id,
            username=username,
            role=role,
            display_name=display_name,
            site_id=site_id,
            created_at=now,
        )
    )


def holder_site(conn: Connection, holder_kind: str, holder_id: str) -> str:
    if holder_kind == "participant":
        row = conn.execute(
            select(participants.c.site_id).where(participants.c.id == holder_id)
        ).first()
    else:
        row = conn.execute(
            select(staff.c.site_id).where(staff.c.id == holder_id, staff.c.role == "supervisor")
        ).first()
    if row is None or row[0] is None:
        raise AdminError(f"no {holder_kind} {holder_id!r}")
    return str(row[0])


def assign_badge(
    conn: Connection, uid: str, holder_kind: str, holder_id: str, now: datetime
) -> None:
    """Give a badge to a holder; their previous badge is revoked, the history kept."""
    uid = normalise_uid(uid)
    site_id = holder_site(conn, holder_kind, holder_id)
    current = conn.execute(
        select(badges.c.holder_kind, badges.c.holder_id).where(
            badges.c.uid == uid, badges.c.revoked_at.is_(None)
        )
    ).first()
    if current is not None:
        if tuple(current) == (holder_kind, holder_id):
            return
        raise BadgeHeldError(current.holder_kind, current.holder_id)
    conn.execute(
        update(badges)
        .where(
            badges.c.holder_kind == holder_kind,
            badges.c.holder_id == holder_id,
            badges.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    conn.execute(
        badges.insert().values(
            uid=uid, holder_kind=holder_kind, holder_id=holder_id, site_id=site_id, assigned_at=now
        )
    )


def revoke_badge(conn: Connection, uid: str, now: datetime) -> None:
    uid = normalise_uid(uid)
    done = conn.execute(
        update(badges)
        .where(badges.c.uid == uid, badges.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    if not done:
        raise AdminError("this badge is not assigned to anyone")

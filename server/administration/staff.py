"""Staff accounts as the admin keeps them: the list, a new account, changes to one (its
password, whether it is on, a coach's participants), someone's own new password, and who
may see which participant. Each change is in the audit log."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from server.administration.audit import changed
from server.administration.operations import add_staff
from server.administration.passwords import verify_password
from server.administration.staff_sessions import Viewer, end_all_sessions, end_other_sessions
from server.db import writing
from server.schema import coach_participants, participants, staff


class UsernameTaken(Exception):
    """Usernames are one per person, whatever their capitals."""


@dataclass(frozen=True)
class Accounts:
    """Every account, the active ones first, and how many participants each coach has."""

    rows: list[Any]
    caseloads: dict[str, int]


def accounts(engine: Engine) -> Accounts:
    with engine.connect() as conn:
        rows = conn.execute(
            select(staff).order_by(staff.c.active.desc(), staff.c.role, staff.c.display_name)
        ).all()
        caseloads = conn.execute(
            select(coach_participants.c.coach_id, func.count()).group_by(
                coach_participants.c.coach_id
            )
        ).all()
    return Accounts(list(rows), {str(coach_id): int(n) for coach_id, n in caseloads})


def account(engine: Engine, staff_id: str) -> Any:
    """The account's row, or None."""
    with engine.connect() as conn:
        return conn.execute(select(staff).where(staff.c.id == staff_id)).first()


def _staff_id(conn: Connection, role: str, username: str) -> str:
    """'s-marieke' for a supervisor called marieke, unless taken or not a valid id."""
    base = f"{role[0]}-{re.sub(r'[^A-Za-z0-9._-]', '-', username)}"[:64]
    candidate = base
    while conn.execute(select(staff.c.id).where(staff.c.id == candidate)).first():
        candidate = f"{base[:57]}-{secrets.token_hex(3)}"
    return candidate


def new_account(
    engine: Engine,
    viewer: Viewer,
    username: str,
    display_name: str,
    role: str,
    site_id: str | None,
    password_hash: str,
    now: datetime,
) -> str:
    """A new account with the password the admin hands over (hashed by the caller: Argon2
    is slow, and the write lock is not held while it runs); its id."""
    with writing(engine) as conn:
        taken = conn.execute(
            select(staff.c.id).where(func.lower(staff.c.username) == username.lower())
        ).first()
        if taken:
            raise UsernameTaken(username)
        staff_id = _staff_id(conn, role, username)
        add_staff(conn, staff_id, username, role, display_name, site_id, now)
        conn.execute(
            update(staff).where(staff.c.id == staff_id).values(password_hash=password_hash)
        )
        changed(conn, viewer, "staff", None, {"staff_id": staff_id, "staff": "created"}, now)
    return staff_id


@dataclass(frozen=True)
class CaseloadChoices:
    """A coach's participants, and everyone who can be chosen, by site: the active
    participants and the inactive ones already theirs."""

    assigned: set[str]
    by_site: dict[str, list[Any]]


def caseload(engine: Engine, coach_id: str) -> CaseloadChoices:
    with engine.connect() as conn:
        assigned = set(
            conn.execute(
                select(coach_participants.c.participant_id).where(
                    coach_participants.c.coach_id == coach_id
                )
            ).scalars()
        )
        everyone = conn.execute(
            select(participants.c.id, participants.c.display_name, participants.c.site_id,
                   participants.c.active)
            .order_by(participants.c.site_id, participants.c.display_name)
        ).all()  # fmt: skip
    by_site: dict[str, list[Any]] = {}
    for person in everyone:
        if person.active or person.id in assigned:
            by_site.setdefault(person.site_id, []).append(person)
    return CaseloadChoices(assigned, by_site)


def save_account(
    engine: Engine,
    viewer: Viewer,
    staff_id: str,
    values: Mapping[str, Any],
    password_hash: str | None,
    participant_ids: set[str] | None,
    now: datetime,
) -> None:
    """Store the admin's changes to an account: `values` are the columns as they should be,
    `password_hash` a new password's hash (hashed by the caller), `participant_ids` a coach's
    participants (None: leave them). A reset or disabled account is logged out at once."""
    with writing(engine) as conn:
        before = conn.execute(select(staff).where(staff.c.id == staff_id)).one()
        stored = dict(values)
        fields = sorted(k for k, v in stored.items() if getattr(before, k) != v)
        if password_hash is not None:
            stored["password_hash"] = password_hash
            fields.append("password")
        conn.execute(update(staff).where(staff.c.id == staff_id).values(**stored))
        if password_hash is not None or (before.active and not stored.get("active", True)):
            end_all_sessions(conn, staff_id)
        if participant_ids is not None:
            _save_caseload(conn, viewer, staff_id, participant_ids, now)
        changed(conn, viewer, "staff", None, {"staff_id": staff_id, "fields": fields}, now)


def _save_caseload(
    conn: Connection, viewer: Viewer, coach_id: str, wanted: set[str], now: datetime
) -> None:
    """The coach's participants become exactly `wanted` (ids that exist)."""
    wanted = set(
        conn.execute(select(participants.c.id).where(participants.c.id.in_(wanted))).scalars()
    )
    current = set(
        conn.execute(
            select(coach_participants.c.participant_id).where(
                coach_participants.c.coach_id == coach_id
            )
        ).scalars()
    )
    for pid in sorted(current - wanted):
        conn.execute(
            delete(coach_participants).where(
                coach_participants.c.coach_id == coach_id,
                coach_participants.c.participant_id == pid,
            )
        )
        changed(conn, viewer, "coach", pid, {"coach_id": coach_id, "link": "removed"}, now)
    for pid in sorted(wanted - current):
        conn.execute(coach_participants.insert().values(coach_id=coach_id, participant_id=pid))
        changed(conn, viewer, "coach", pid, {"coach_id": coach_id, "link": "added"}, now)


def password_matches(engine: Engine, staff_id: str, password: str) -> bool:
    """Whether `password` is the account's own (Argon2: slow, outside any transaction)."""
    with engine.connect() as conn:
        stored = conn.execute(
            select(staff.c.password_hash).where(staff.c.id == staff_id)
        ).scalar_one()
    return verify_password(stored, password)


def change_own_password(engine: Engine, viewer: Viewer, password_hash: str, now: datetime) -> None:
    """Someone's own new password (hashed by the caller); their other logins end."""
    with writing(engine) as conn:
        conn.execute(
            update(staff).where(staff.c.id == viewer.staff_id).values(password_hash=password_hash)
        )
        end_other_sessions(conn, viewer)
        changed(conn, viewer, "password", None, {"staff_id": viewer.staff_id}, now)


def may_see_participant(conn: Connection, viewer: Viewer, participant_id: str) -> bool:
    """Admins see everyone; supervisors their site's participants; coaches their own."""
    if viewer.role == "admin":
        query = select(participants.c.id).where(participants.c.id == participant_id)
    elif viewer.role == "supervisor":
        query = select(participants.c.id).where(
            participants.c.id == participant_id, participants.c.site_id == viewer.site_id
        )
    else:
        query = select(coach_participants.c.participant_id).where(
            coach_participants.c.coach_id == viewer.staff_id,
            coach_participants.c.participant_id == participant_id,
        )
    return conn.execute(query).first() is not None

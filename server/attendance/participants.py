"""A site's participants as its supervisor keeps them: the list with their coaches and
badges (and the unknown badges seen at the door), one participant's record, and adding
or changing one, each change in one transaction with its audit line.

The form is read and checked by the page (server.web.forms.read_participant); every
participant is looked up within its site, so an id of another site reaches nobody.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from server.administration.rights import record_audit
from server.attendance.presence import unknown_badges_of
from server.attendance.sessions import UnknownBadge
from server.db import writing
from server.schema import badges, coach_participants, participants, staff

CoachList = dict[str, list[tuple[str, str]]]  # participant id → their coaches (id, name)


@dataclass(frozen=True)
class SiteParticipants:
    """The participants page: everyone of the site, active ones first, by name."""

    people: list[Any]  # participants rows
    coaches: CoachList
    held: dict[str, list[str]]  # participant id → the badges they hold now
    unknown: list[UnknownBadge]  # tapped at the door, and nobody holds them yet


@dataclass(frozen=True)
class ParticipantFile:
    """What the participant form shows beside the participant's own fields."""

    coach_choices: dict[str, str]  # active coaches, and the ones linked already, by name
    coaches_now: list[tuple[str, str]]
    badges: list[Any]  # badges rows, current ones first, newest first


def coach_names(conn: Connection) -> dict[str, str]:
    """Active coach accounts, id → display name, by name."""
    rows = conn.execute(
        select(staff.c.id, staff.c.display_name)
        .where(staff.c.role == "coach", staff.c.active.is_(True))
        .order_by(staff.c.display_name)
    )
    return {r.id: r.display_name for r in rows}


def active_coaches(engine: Engine) -> dict[str, str]:
    """As `coach_names`, for a page: the coaches a participant form may name."""
    with engine.connect() as conn:
        return coach_names(conn)


def coaches_of(conn: Connection, ids: list[str]) -> CoachList:
    """Each participant's coaches as (id, name), by name."""
    rows = conn.execute(
        select(coach_participants.c.participant_id, staff.c.id, staff.c.display_name)
        .join(staff, staff.c.id == coach_participants.c.coach_id)
        .where(coach_participants.c.participant_id.in_(ids))
        .order_by(staff.c.display_name)
    )
    found: CoachList = {}
    for pid, coach_id, coach_name in rows:
        found.setdefault(pid, []).append((coach_id, coach_name))
    return found


def _participant_at(conn: Connection, site_id: str, participant_id: str) -> Any:
    return conn.execute(
        select(participants).where(
            participants.c.id == participant_id, participants.c.site_id == site_id
        )
    ).first()


def participant_of(engine: Engine, site_id: str, participant_id: str) -> Any:
    """The participant's row, if they belong to this site (else None)."""
    with engine.connect() as conn:
        return _participant_at(conn, site_id, participant_id)


def first_coach(engine: Engine, participant_id: str) -> str | None:
    """The coach the form shows (the first by name), if they have one."""
    with engine.connect() as conn:
        theirs = coaches_of(conn, [participant_id]).get(participant_id, [])
    return theirs[0][0] if theirs else None


def site_participants(
    engine: Engine, site_id: str, unknown_since: datetime, now: datetime
) -> SiteParticipants:
    """The site's participants with their coaches and badges, and the badges tapped at its
    doors since `unknown_since` that nobody was given since."""
    with engine.connect() as conn:
        people = conn.execute(
            select(participants)
            .where(participants.c.site_id == site_id)
            .order_by(participants.c.active.desc(), participants.c.display_name)
        ).all()
        coaches = coaches_of(conn, [p.id for p in people])
        held = _current_badges(conn, site_id)
        seen = unknown_badges_of(conn, site_id, unknown_since, now)
        given = set(
            conn.execute(
                select(badges.c.uid).where(
                    badges.c.uid.in_([b.uid for b in seen]), badges.c.revoked_at.is_(None)
                )
            ).scalars()
        )
    unknown = [b for b in seen if b.uid not in given]  # enrolled since: no longer unknown
    return SiteParticipants(list(people), coaches, held, unknown)


def _current_badges(conn: Connection, site_id: str) -> dict[str, list[str]]:
    rows = conn.execute(
        select(badges.c.holder_id, badges.c.uid)
        .where(
            badges.c.site_id == site_id,
            badges.c.holder_kind == "participant",
            badges.c.revoked_at.is_(None),
        )
        .order_by(badges.c.uid)
    )
    found: dict[str, list[str]] = {}
    for holder, uid in rows:
        found.setdefault(holder, []).append(uid)
    return found


def participant_file(engine: Engine, participant_id: str | None) -> ParticipantFile:
    """The coaches to choose from, and (for a stored participant) their coaches and the
    badges they held."""
    history: list[Any] = []
    coaches_now: list[tuple[str, str]] = []
    with engine.connect() as conn:
        if participant_id is not None:
            history = list(
                conn.execute(
                    select(badges)
                    .where(
                        badges.c.holder_kind == "participant",
                        badges.c.holder_id == participant_id,
                    )
                    .order_by(badges.c.revoked_at.is_not(None), badges.c.assigned_at.desc())
                )
            )
            coaches_now = coaches_of(conn, [participant_id]).get(participant_id, [])
        choices = {**coach_names(conn), **dict(coaches_now)}  # a disabled coach stays linked
    return ParticipantFile(choices, coaches_now, history)


def id_taken(engine: Engine, participant_id: str) -> bool:
    """Whether any site has a participant with this id."""
    with engine.connect() as conn:
        return _taken(conn, participant_id)


def _taken(conn: Connection, participant_id: str) -> bool:
    found = select(participants.c.id).where(participants.c.id == participant_id)
    return conn.execute(found).first() is not None


def _new_id(conn: Connection) -> str:
    while True:
        candidate = "p-" + secrets.token_hex(3)
        if not _taken(conn, candidate):
            return candidate


def _save_coach(conn: Connection, pid: str, coach: str, coach_was: str) -> None:
    """The form changes one coach link: a participant's other coaches stay as they are."""
    if coach == coach_was:
        return
    if coach_was:
        conn.execute(
            delete(coach_participants).where(
                coach_participants.c.participant_id == pid,
                coach_participants.c.coach_id == coach_was,
            )
        )
    if coach:
        linked = conn.execute(
            select(coach_participants.c.coach_id).where(
                coach_participants.c.participant_id == pid,
                coach_participants.c.coach_id == coach,
            )
        ).first()
        if linked is None:
            conn.execute(coach_participants.insert().values(coach_id=coach, participant_id=pid))


def store_participant(
    engine: Engine,
    site_id: str,
    participant_id: str,
    fields: dict[str, Any],
    coach: str,
    *,
    actor: str,
    now: datetime,
) -> str | None:
    """Store a new participant of the site (an empty id: one is made up) with their coach;
    their id, or None when the id is taken."""
    with writing(engine) as conn:
        if participant_id and _taken(conn, participant_id):
            return None
        pid = participant_id or _new_id(conn)
        conn.execute(participants.insert().values(id=pid, site_id=site_id, **fields))
        _save_coach(conn, pid, coach, "")
        record_audit(conn, now, actor, "participant", pid, {"participant": "created"})
    return pid


def change_participant(
    engine: Engine,
    site_id: str,
    participant_id: str,
    fields: dict[str, Any],
    coach: str,
    coach_was: str,
    *,
    actor: str,
    now: datetime,
) -> bool:
    """Store the participant's fields, and move one coach link from `coach_was` to `coach`;
    the audit line names the fields that changed. False when they are not this site's."""
    with writing(engine) as conn:
        row = _participant_at(conn, site_id, participant_id)
        if row is None:
            return False
        changed = sorted(k for k, v in fields.items() if getattr(row, k) != v)
        conn.execute(update(participants).where(participants.c.id == row.id).values(**fields))
        if coach_was and coach_was not in {
            c for c, _ in coaches_of(conn, [row.id]).get(row.id, [])
        }:
            coach_was = ""  # a stale form: that link is gone already
        _save_coach(conn, row.id, coach, coach_was)
        if coach != coach_was:
            changed.append("coach")
        record_audit(conn, now, actor, "participant", row.id, {"fields": changed})
    return True

"""Who is in the building now, with what the supervisor should know about each of them:
the list behind the floor's "Nu binnen" and evacuation pages.

It is server.attendance.presence.present_in, from the one read of the day's rows the
details need too, as these lists refresh themselves every few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, select

from server.attendance.presence import load_day, present_in
from server.attendance.sessions import BY_HAND, SESSION_KINDS, ReceivedTap, closing_time
from server.attendance.today import Site, flags_of, name_in, roster_of, site_day, site_of
from server.schema import staff
from server.sql import member_of
from sync.record import OPENS_SESSION


@dataclass(frozen=True)
class ParticipantInside:
    """A participant in the building now, and what the supervisor should know about it."""

    participant_id: str
    name: str
    since: datetime
    by_hand: bool  # a supervisor checked them in
    kinds_disagree: bool  # the door called the opening tap something else
    flags: tuple[str, ...]  # event_flags of their taps today (e.g. badge_held_by_other)
    corrected: bool  # a supervisor amended their day
    birthday: bool


@dataclass(frozen=True)
class SupervisorIn:
    staff_id: str
    name: str
    since: datetime


@dataclass(frozen=True)
class Floor:
    site: Site
    day: date
    at: datetime  # when this list was made
    participants: list[ParticipantInside]
    supervisors: list[SupervisorIn]

    @property
    def count(self) -> int:
        return len(self.participants)


def floor_now(engine: Engine, site_id: str, now: datetime) -> Floor | None:
    """Everyone in the site's building now; None when there is no such site."""
    with engine.connect() as conn:
        site = site_of(conn, site_id)
        return None if site is None else inside_now(conn, site, now)


def inside_now(conn: Connection, site: Site, now: datetime) -> Floor:
    """Everyone in the building now, with their details."""
    day = site_day(site, now)
    taps = load_day(conn, site.id, day)
    counted = taps.counted()
    close_at = closing_time(day, site.closes_at, site.timezone)
    inside = present_in(taps, close_at, now, counted)
    present = inside.participants
    roster = roster_of(conn, site.id, present)
    theirs = {event_id: pid for event_id, *_, pid, _, _ in taps.rows if pid in present}
    flags: dict[str, set[str]] = {}
    for event_id, found in flags_of(conn, theirs).items():
        flags.setdefault(str(theirs[event_id]), set()).update(found)
    people = []
    for pid, since in present.items():
        opener = _opener(counted[pid], since)
        people.append(
            ParticipantInside(
                pid,
                name_in(roster, pid),
                since,
                opener in BY_HAND,
                opener is not None and opener not in OPENS_SESSION,
                tuple(sorted(flags.get(pid, ()))),
                bool(taps.fixes.get(pid)),
                roster.get(pid, {}).get("birthday") == day.strftime("%m-%d"),
            )
        )
    people.sort(key=lambda p: (p.name.casefold(), p.participant_id))
    return Floor(site, day, now, people, _supervisors_in(conn, inside.supervisors))


def _supervisors_in(conn: Connection, inside: dict[str, datetime]) -> list[SupervisorIn]:
    """The supervisors inside, with their names."""
    names = dict(
        conn.execute(
            select(staff.c.id, staff.c.display_name).where(
                member_of(conn, staff.c.id, list(inside))
            )
        ).all()
    )
    return sorted(
        (SupervisorIn(sid, names.get(sid, sid), at) for sid, at in inside.items()),
        key=lambda s: s.name.casefold(),
    )


def _opener(counted: list[ReceivedTap], since: datetime) -> str | None:
    """The kind of the tap that opened the session still open (the last at that time, as
    server.attendance.sessions.pair_sessions orders them)."""
    openers = sorted(
        (t.at, t.id, t.kind) for t in counted if t.kind in SESSION_KINDS and t.at == since
    )
    return openers[-1][2] if openers else None

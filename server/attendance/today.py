"""What a site's supervisor sees of one workshop day: the query behind the "Vandaag" page.

It reads only that day's rows, through the indexes on (site, wall time) and (site,
corrected time), in a fixed number of statements however many participants the site has:
a site keeps years of history, and the page is opened all day long.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from server.attendance.presence import (
    DayTaps,
    estimates_on,
    load_day,
    lunch_count_of,
    sessions_in,
)
from server.attendance.sessions import (
    DayAttendance,
    UnknownBadge,
    closing_time,
    day_bounds,
    unknown_badges,
)
from server.attendance.statements import chosen, statements_of
from server.schema import (
    absences,
    badges,
    event_flags,
    kiosks,
    participants,
    rejected_records,
    sites,
)
from server.sql import member_of
from sync.own_say import ABSENCE_ANNOUNCED, LEAVE_REASON

SAID_TODAY = frozenset({LEAVE_REASON, ABSENCE_ANNOUNCED})

MAX_SET_ASIDE = 200  # a door sending garbage all day should not make the page endless


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    opens_at: time
    closes_at: time
    timezone: str


def site_of(conn: Connection, site_id: str) -> Site | None:
    row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
    if row is None:
        return None
    return Site(row.id, row.name, row.opens_at, row.closes_at, row.timezone)


def find_site(engine: Engine, site_id: str) -> Site | None:
    """The site, or None: for a page, which holds no connection of its own."""
    with engine.connect() as conn:
        return site_of(conn, site_id)


def site_day(site: Site, now: datetime) -> date:
    """The workshop day it is now at the site."""
    return now.astimezone(ZoneInfo(site.timezone)).date()


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class Arrival:
    """A participant who came: when first in, whether late, and how the day went."""

    participant_id: str
    name: str
    first_in_at: datetime
    late_minutes: int  # after opening time; 0 when on time
    inside: bool  # checked in and not out yet
    counted_seconds: float
    auto_closed: bool

    @property
    def late(self) -> bool:
        return self.late_minutes > 0


@dataclass(frozen=True)
class Excused:
    participant_id: str
    name: str
    reason: str  # sick, appointment, integration_class, other
    note: str
    came: bool  # excused, and came all the same


@dataclass(frozen=True)
class ForgottenCheckOut:
    participant_id: str
    name: str
    since: datetime
    closed_at: datetime  # closed by the server at closing time: counts nothing until fixed
    estimated: bool = False  # closed at the time they said they left (a checkout_estimate)


@dataclass(frozen=True)
class SaidToday:
    """What a participant said at the door about this day themselves: why they left early
    (leave_reason) or that they would not come (absence_announced), with its verdict."""

    participant_id: str
    name: str
    kind: str
    reason: str  # a sync.own_say.REASONS category: what counts now
    said_at: datetime
    verdict: str  # pending, confirmed, changed (rejected ones are not listed)


@dataclass(frozen=True)
class RefusedRecord:
    """A record the sync refused, as it was kept (server.kiosks.ingest keeps what it may)."""

    received_at: datetime
    kiosk_name: str
    reason: str
    kind: str
    wall_at: datetime | None  # the door's own time, as it sent it
    participant_id: str | None
    badge_uid: str | None


@dataclass(frozen=True)
class Today:
    site: Site
    day: date
    late_from: datetime  # a first check-in after this is late
    lunch: int
    came: list[Arrival]
    missing: list[Person]  # expected on their agreed weekday, not in, not excused
    excused: list[Excused]
    forgotten: list[ForgottenCheckOut]
    reasons: list[SaidToday]  # why people left early, in their own words (categories)
    announced: list[SaidToday]  # said they would not come today; not among `missing`
    unknown_badges: list[UnknownBadge]  # not given to anyone yet
    set_aside: list[RefusedRecord]

    @property
    def late(self) -> list[Arrival]:
        return [a for a in self.came if a.late]

    def participant_ids(self) -> set[str]:
        """Everyone whose data the page shows (for the audit log)."""
        return (
            {a.participant_id for a in self.came}
            | {p.id for p in self.missing}
            | {e.participant_id for e in self.excused}
            | {s.participant_id for s in self.reasons}
            | {s.participant_id for s in self.announced}
        )


def today(
    conn: Connection, site_id: str, day: date, now: datetime, late_after_minutes: int
) -> Today:
    """The day at a site as the supervisor's "Vandaag" page shows it."""
    site = site_of(conn, site_id)
    if site is None:
        raise LookupError(f"no site {site_id!r}")
    opens = datetime.combine(day, site.opens_at, tzinfo=ZoneInfo(site.timezone))
    late_from = opens + timedelta(minutes=late_after_minutes)
    taps = load_day(conn, site_id, day)
    close_at = closing_time(day, site.closes_at, site.timezone)
    days = sessions_in(taps, close_at, now, estimates=estimates_on(conn, taps))
    roster = roster_of(conn, site_id, taps.participants())
    excused_rows = conn.execute(
        select(absences.c.participant_id, absences.c.reason, absences.c.note).where(
            member_of(conn, absences.c.participant_id, list(roster)),
            absences.c.day == day,
            absences.c.site_id == site_id,
        )
    ).all()
    came = []
    for pid, attendance in days.items():
        first = _first_in(attendance)
        if first is None:
            continue  # only lunch answers or taps too soon: no session to speak of
        late = max(1, int((first - opens).total_seconds() // 60)) if first > late_from else 0
        came.append(
            Arrival(
                pid,
                name_in(roster, pid),
                first,
                late,
                attendance.open_since is not None,
                attendance.counted_seconds,
                attendance.auto_closed,
            )
        )
    came.sort(key=lambda a: (a.first_in_at, a.name))
    present = {a.participant_id for a in came}
    excused = sorted(
        (
            Excused(pid, name_in(roster, pid), reason, note, pid in present)
            for pid, reason, note in excused_rows
        ),
        key=lambda e: e.name,
    )
    said = _said(conn, roster, day)
    announced = [s for s in said if s.kind == ABSENCE_ANNOUNCED and s.participant_id not in present]
    excused_ids = {e.participant_id for e in excused}
    off = present | {e.participant_id for e in excused} | {s.participant_id for s in announced}
    missing = sorted(
        (
            Person(pid, row["display_name"])
            for pid, row in roster.items()
            if pid not in off and _expected(row, day)
        ),
        key=lambda p: p.name,
    )
    forgotten = sorted(
        (
            ForgottenCheckOut(pid, name_in(roster, pid), s.start_at, s.end_at, s.estimated)
            for pid, attendance in days.items()
            for s in attendance.sessions
            if s.forgotten
        ),
        key=lambda f: (f.since, f.name),
    )
    start, end = day_bounds(day, site.timezone)
    return Today(
        site=site,
        day=day,
        late_from=late_from,
        lunch=lunch_count_of(conn, site_id, day),
        came=came,
        missing=missing,
        excused=excused,
        forgotten=forgotten,
        reasons=[s for s in said if s.kind == LEAVE_REASON],
        announced=[s for s in announced if s.participant_id not in excused_ids],
        unknown_badges=_waiting_badges(conn, taps),
        set_aside=_set_aside(conn, site_id, start, end),
    )


def _said(conn: Connection, roster: dict[str, dict[str, Any]], day: date) -> list[SaidToday]:
    """The day's leave reasons and announced absences that stand, by name."""
    said = chosen(statements_of(conn, list(roster), day, day, SAID_TODAY))
    return sorted(
        (
            SaidToday(pid, name_in(roster, pid), kind, s.reason or "other", s.said_at, s.verdict)
            for (pid, kind, _), s in said.items()
            if s.stands
        ),
        key=lambda s: (s.name, s.kind),
    )


def _first_in(attendance: DayAttendance) -> datetime | None:
    starts = [s.start_at for s in attendance.sessions]
    if attendance.open_since is not None:
        starts.append(attendance.open_since)
    return min(starts, default=None)


def today_at(
    engine: Engine, site_id: str, day: date, now: datetime, late_after_minutes: int
) -> Today:
    """As `today`, on a connection of its own (the "Vandaag" page)."""
    with engine.connect() as conn:
        return today(conn, site_id, day, now, late_after_minutes)


def roster_of(conn: Connection, site_id: str, also: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The site's participants by id, and anyone else who tapped there (moved since)."""
    columns = (
        participants.c.id,
        participants.c.display_name,
        participants.c.agreed_weekdays,
        participants.c.program_start,
        participants.c.program_end,
        participants.c.active,
        participants.c.birthday,
    )
    rows = conn.execute(select(*columns).where(participants.c.site_id == site_id)).mappings()
    roster = {row["id"]: dict(row) for row in rows}
    others = set(also) - set(roster)
    if others:
        for row in conn.execute(
            select(*columns).where(member_of(conn, participants.c.id, others))
        ).mappings():
            roster[row["id"]] = {**row, "active": False}  # not expected here
    return roster


def name_in(roster: dict[str, dict[str, Any]], pid: str) -> str:
    row = roster.get(pid)
    return str(row["display_name"]) if row else pid


def _expected(row: dict[str, Any], day: date) -> bool:
    """Due on `day`: active, within their program, and it is one of their agreed weekdays."""
    if not row["active"]:
        return False
    if row["program_start"] is not None and day < row["program_start"]:
        return False
    if row["program_end"] is not None and day > row["program_end"]:
        return False
    return agreed_on(row["agreed_weekdays"], day)


def agreed_on(agreed_weekdays: str | None, day: date) -> bool:
    """Whether `day` is one of the agreed weekdays ("1,2,4": ISO, Monday is 1)."""
    return str(day.isoweekday()) in {part.strip() for part in (agreed_weekdays or "").split(",")}


def flags_of(conn: Connection, event_ids: Iterable[str]) -> dict[str, set[str]]:
    """What the server flagged on these events (event_flags), by event id."""
    found: dict[str, set[str]] = {}
    ids = list(event_ids)
    if ids:
        for event_id, flag in conn.execute(
            select(event_flags.c.event_id, event_flags.c.flag).where(
                member_of(conn, event_flags.c.event_id, ids)
            )
        ):
            found.setdefault(event_id, set()).add(flag)
    return found


def _waiting_badges(conn: Connection, taps: DayTaps) -> list[UnknownBadge]:
    """Unknown badges of the day that nobody holds yet (from the day's rows already read:
    server.attendance.presence.unknown_badges_of would read the site's whole history)."""
    seen = [(uid, at) for _, kind, at, _, _, _, uid in taps.rows if kind == "unknown_badge" and uid]
    if not seen:
        return []
    held = set(
        conn.execute(
            select(badges.c.uid).where(
                member_of(conn, badges.c.uid, {uid for uid, _ in seen}),
                badges.c.revoked_at.is_(None),
            )
        ).scalars()
    )
    return unknown_badges((uid, at) for uid, at in seen if uid not in held)


def _set_aside(
    conn: Connection, site_id: str, start: datetime, end: datetime
) -> list[RefusedRecord]:
    rows = conn.execute(
        select(
            rejected_records.c.received_at,
            rejected_records.c.reason,
            rejected_records.c.record,
            kiosks.c.name,
        )
        .join(kiosks, kiosks.c.id == rejected_records.c.kiosk_id)
        .where(
            kiosks.c.site_id == site_id,
            rejected_records.c.received_at >= start,
            rejected_records.c.received_at < end,
        )
        .order_by(rejected_records.c.received_at, rejected_records.c.id)
        .limit(MAX_SET_ASIDE)
    )
    found = []
    for row in rows:
        record = row.record if isinstance(row.record, dict) else {}
        found.append(
            RefusedRecord(
                row.received_at,
                row.name,
                row.reason,
                str(record.get("kind") or ""),
                _moment(record.get("wall_at")),
                record.get("participant_id"),
                record.get("badge_uid"),
            )
        )
    return found


def _moment(value: Any) -> datetime | None:
    """A kept record's time, when it is one (a refused record may be odd in any way)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None

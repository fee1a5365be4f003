"""The query layer over attendance: taps of a site and day, sessions, who is in now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, or_, select

from server.attendance.sessions import (
    Correction,
    DayAttendance,
    Estimate,
    LunchAnswer,
    ReceivedTap,
    UnknownBadge,
    closing_time,
    corrected,
    day_bounds,
    inside_since,
    lunch_count,
    pair_sessions,
    unknown_badges,
)
from server.attendance.statements import estimates_of
from server.schema import corrections, events, sites
from server.sql import member_of


def honest_at(wall_at: datetime, corrected_wall_at: datetime | None) -> datetime:
    """The best time the server knows for a tap: reckoned from its boot's monotonic clock
    where its wall clock disagreed (server.kiosks.honest_time), else its wall time as sent."""
    return wall_at if corrected_wall_at is None else corrected_wall_at


@dataclass(frozen=True)
class DayTaps:
    """All taps of one site on one workshop day, by honest time, and the supervisors'
    corrections that touch them or add taps to that day."""

    day: date
    rows: list[tuple[str, str, datetime, str, str | None, str | None, str | None]]
    fixes: dict[str, list[Correction]] = field(default_factory=dict)  # by participant

    def raw_of(self, participant_id: str) -> list[ReceivedTap]:
        """The taps as the doors sent them."""
        return [
            ReceivedTap(i, k, at, kiosk)
            for i, k, at, kiosk, p, _, _ in self.rows
            if p == participant_id
        ]

    def of_participant(self, participant_id: str) -> list[ReceivedTap]:
        """The taps as attendance counts them: corrections applied."""
        return corrected(self.raw_of(participant_id), self.fixes.get(participant_id, ()))

    def participants(self) -> set[str]:
        return {p for *_, p, _, _ in self.rows if p is not None} | set(self.fixes)

    def counted(self) -> dict[str, list[ReceivedTap]]:
        """Every participant's `of_participant`, in one pass over the day's rows."""
        raw: dict[str, list[ReceivedTap]] = {pid: [] for pid in self.participants()}
        for event_id, kind, at, kiosk_id, pid, _, _ in self.rows:
            if pid is not None:
                raw[pid].append(ReceivedTap(event_id, kind, at, kiosk_id))
        return {pid: corrected(found, self.fixes.get(pid, ())) for pid, found in raw.items()}


def honest_within(start: datetime, end: datetime) -> Any:
    """Events whose sent or corrected time falls in [start, end): the honest time is one."""
    return or_(
        and_(events.c.wall_at >= start, events.c.wall_at < end),
        and_(events.c.corrected_wall_at >= start, events.c.corrected_wall_at < end),
    )


def load_day(conn: Connection, site_id: str, day: date) -> DayTaps:
    tz = conn.execute(select(sites.c.timezone).where(sites.c.id == site_id)).scalar_one()
    start, end = day_bounds(day, tz)
    rows = []
    for row in conn.execute(
        select(events).where(events.c.site_id == site_id, honest_within(start, end))
    ):
        at = honest_at(row.wall_at, row.corrected_wall_at)
        if start <= at < end:
            rows.append(
                (
                    row.id,
                    row.kind,
                    at,
                    row.kiosk_id,
                    row.participant_id,
                    row.supervisor_id,
                    row.badge_uid,
                )
            )
    ids = [r[0] for r in rows]
    return DayTaps(day, rows, corrections_of(conn, site_id, start, end, ids))


def corrections_of(
    conn: Connection, site_id: str, start: datetime, end: datetime, event_ids: list[str]
) -> dict[str, list[Correction]]:
    """Corrections of these events, or adding a tap in [start, end), by participant."""
    touches = member_of(conn, corrections.c.event_id, event_ids)  # empty: simply false
    adds = and_(
        corrections.c.event_id.is_(None),
        corrections.c.effective_at >= start,
        corrections.c.effective_at < end,
    )
    found: dict[str, list[Correction]] = {}
    for row in conn.execute(
        select(corrections).where(corrections.c.site_id == site_id, or_(touches, adds))
    ):
        found.setdefault(row.participant_id, []).append(
            Correction(row.id, row.action, row.event_id, row.effective_at, row.reason, row.staff_id)
        )
    return found


def sessions_in(
    taps: DayTaps,
    close_at: datetime,
    now: datetime | None = None,
    counted: dict[str, list[ReceivedTap]] | None = None,
    estimates: dict[str, Estimate] | None = None,
) -> dict[str, DayAttendance]:
    """Sessions of every participant in a loaded day; `counted` when already grouped;
    `estimates`: by participant, when they said when they left (statements.estimates_of)."""
    counted = taps.counted() if counted is None else counted
    said = estimates or {}
    return {
        pid: pair_sessions(found, taps.day, close_at, now, said.get(pid))
        for pid, found in sorted(counted.items())
    }


def day_attendance(
    conn: Connection, site_id: str, day: date, now: datetime | None = None
) -> dict[str, DayAttendance]:
    """Sessions of every participant who tapped at the site on `day`."""
    site = conn.execute(select(sites).where(sites.c.id == site_id)).one()
    close_at = closing_time(day, site.closes_at, site.timezone)
    taps = load_day(conn, site_id, day)
    return sessions_in(taps, close_at, now, estimates=estimates_on(conn, taps))


def estimates_on(conn: Connection, taps: DayTaps) -> dict[str, Estimate]:
    """The day's check-out estimates of whoever tapped, by participant."""
    found = estimates_of(conn, sorted(taps.participants()), taps.day, taps.day)
    return {pid: estimate for (pid, _), estimate in found.items()}


@dataclass(frozen=True)
class Present:
    participants: dict[str, datetime]  # id → in since
    supervisors: dict[str, datetime]


def supervisors_inside(taps: DayTaps, now: datetime) -> dict[str, datetime]:
    """Supervisors whose own badge taps (they toggle) of the day leave them inside."""
    tapped: dict[str, list[ReceivedTap]] = {}
    for event_id, kind, at, kiosk_id, _, staff_id, _ in taps.rows:
        if kind == "supervisor" and staff_id is not None and at <= now:
            tapped.setdefault(staff_id, []).append(ReceivedTap(event_id, kind, at, kiosk_id))
    return {sid: since for sid, t in tapped.items() if (since := inside_since(t)) is not None}


def present_in(
    taps: DayTaps,
    close_at: datetime,
    now: datetime,
    counted: dict[str, list[ReceivedTap]] | None = None,
) -> Present:
    """Who of a loaded day is inside at `now`: checked in and not out, before closing time."""
    people = {
        pid: day.open_since
        for pid, day in sessions_in(taps, close_at, now, counted).items()
        if day.open_since is not None
    }
    return Present(people, supervisors_inside(taps, now))


def presence_now(conn: Connection, site_id: str, now: datetime) -> Present:
    """Who is in the building now: checked in today and not out, before closing time."""
    site = conn.execute(select(sites).where(sites.c.id == site_id)).one()
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    close_at = closing_time(today, site.closes_at, site.timezone)
    return present_in(load_day(conn, site_id, today), close_at, now)


def lunch_count_of(conn: Connection, site_id: str, day: date) -> int:
    """How many eat along at the site on `day` (site time), from the doors' lunch answers."""
    tz = conn.execute(select(sites.c.timezone).where(sites.c.id == site_id)).scalar_one()
    start, end = day_bounds(day, tz)
    rows = conn.execute(
        select(
            events.c.id,
            events.c.participant_id,
            events.c.detail,
            events.c.wall_at,
            events.c.corrected_wall_at,
        ).where(
            events.c.site_id == site_id,
            events.c.kind == "lunch",
            honest_within(start, end),
        )
    )
    answers = []
    for row in rows:
        at = honest_at(row.wall_at, row.corrected_wall_at)
        if start <= at < end and row.participant_id is not None:
            eats, answered = row.detail.get("eats"), row.detail.get("answered", True)
            answers.append(
                LunchAnswer(row.participant_id, at, eats is True, answered is not False, row.id)
            )
    return lunch_count(answers)


def unknown_badges_of(
    conn: Connection, site_id: str, start: datetime, end: datetime
) -> list[UnknownBadge]:
    """Unknown badges tapped at the site between `start` and `end` (by honest time)."""
    rows = conn.execute(
        select(events.c.badge_uid, events.c.wall_at, events.c.corrected_wall_at).where(
            events.c.site_id == site_id,
            events.c.kind == "unknown_badge",
            events.c.badge_uid.is_not(None),
            honest_within(start, end),  # the site's indexes by time, not its whole history
        )
    )
    seen = [(r.badge_uid, honest_at(r.wall_at, r.corrected_wall_at)) for r in rows]
    return unknown_badges((uid, at) for uid, at in seen if start <= at < end)

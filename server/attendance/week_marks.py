"""Each participant's days around this week as every door of a site should know them: the
`days` of GET /presence for a door that shows a participant their week (sync.protocol.DayMark).

A day is *came* when they checked in at any door of the site (or a supervisor added their
check-in), *excused* when a supervisor excused it, *announced* when they said at a door they
would not come and no supervisor rejected it; in that order, one mark a day. The doors poll
this every few seconds, so it is a fixed number of small queries, each through an index on
(site, time) or on the participant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, select

from server.attendance.presence import honest_at, honest_within
from server.attendance.sessions import day_bounds
from server.attendance.statements import statements_of
from server.schema import absences, corrections, events, participants, sites
from server.sql import member_of
from sync.own_say import ABSENCE_ANNOUNCED
from sync.protocol import DayState
from sync.record import OPENS_SESSION

DAYS_AHEAD = 14  # announced absences and excuses this far ahead
# Which mark wins when a day has several: they came after all, or a supervisor's excuse.
RANK: dict[DayState, int] = {"came": 0, "excused": 1, "announced": 2}


@dataclass(frozen=True)
class WeekMark:
    participant_id: str
    day: date
    state: DayState  # came, excused, announced


def week_marks(conn: Connection, site_id: str, now: datetime) -> list[WeekMark]:
    """Marks of the site's active participants from Monday of this week (site time) to
    DAYS_AHEAD days after today, by participant and day."""
    tz = conn.execute(select(sites.c.timezone).where(sites.c.id == site_id)).scalar_one()
    today = now.astimezone(ZoneInfo(tz)).date()
    monday = today - timedelta(days=today.weekday())
    last = today + timedelta(days=DAYS_AHEAD)
    people = list(
        conn.execute(
            select(participants.c.id).where(
                participants.c.site_id == site_id, participants.c.active.is_(True)
            )
        ).scalars()
    )
    if not people:
        return []
    theirs = set(people)
    found: dict[tuple[str, date], DayState] = {}

    def mark(pid: str, day: date, state: DayState) -> None:
        if pid in theirs and monday <= day <= last:
            before = found.get((pid, day))
            if before is None or RANK[state] < RANK[before]:
                found[(pid, day)] = state

    start, end = day_bounds(monday, tz)[0], day_bounds(today, tz)[1]
    zone = ZoneInfo(tz)
    for pid, wall_at, fixed_at in conn.execute(
        select(events.c.participant_id, events.c.wall_at, events.c.corrected_wall_at).where(
            events.c.site_id == site_id,
            events.c.kind.in_(sorted(OPENS_SESSION)),
            honest_within(start, end),
        )
    ):
        at = honest_at(wall_at, fixed_at)
        if pid is not None and start <= at < end:
            mark(pid, at.astimezone(zone).date(), "came")
    for pid, at in conn.execute(
        select(corrections.c.participant_id, corrections.c.effective_at).where(
            corrections.c.site_id == site_id,
            corrections.c.action == "add_check_in",
            and_(corrections.c.effective_at >= start, corrections.c.effective_at < end),
        )
    ):
        mark(pid, at.astimezone(zone).date(), "came")
    for pid, day in conn.execute(
        select(absences.c.participant_id, absences.c.day).where(
            member_of(conn, absences.c.participant_id, people),
            absences.c.day >= monday,
            absences.c.day <= last,
        )
    ):
        mark(pid, day, "excused")
    for said in statements_of(conn, people, monday, last, frozenset({ABSENCE_ANNOUNCED})):
        if said.stands:
            mark(said.participant_id, said.day, "announced")
    return [WeekMark(pid, day, state) for (pid, day), state in sorted(found.items())]

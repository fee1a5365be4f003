"""What participants said at the door themselves (sync.own_say), with a supervisor's
verdict: the read model behind "Vandaag", the day page, the coach's pages and the feeds.

A statement is an `events` row of an own-say kind, never changed; its verdict is a
`statement_reviews` row, absent while it is pending. `reason` and `left_at` are what counts
now: the supervisor's where they changed it, else the participant's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, select

from server.attendance.sessions import Estimate
from server.schema import events, sites, staff, statement_reviews
from server.sql import member_of
from sync.own_say import ABSENCE_ANNOUNCED, CHECKOUT_ESTIMATE, KINDS, LEAVE_REASON, left_at

Verdict = Literal["pending", "confirmed", "changed", "rejected"]
# How far apart the answer and the day it is about may lie: an absence announced weeks
# ahead, a check-out estimated at the first tap after a holiday.
SAID_WITHIN = timedelta(days=60)


@dataclass(frozen=True)
class Statement:
    event_id: str
    participant_id: str
    site_id: str
    kind: str  # one of sync.own_say.KINDS
    day: date  # the day it is about: left early on, will not come on, left open
    said_at: datetime  # when the participant answered at the door (UTC)
    said_reason: str | None  # the participant's category (leave_reason, absence_announced)
    said_left_at: datetime | None  # the participant's estimate (checkout_estimate), UTC
    verdict: Verdict
    reason: str | None  # what counts now
    left_at: datetime | None  # what counts now (UTC)
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reviewer: str | None = None  # the supervisor's display name
    # The site's `estimated_hours`: whether an estimate's hours count before a review
    counts_at_once: bool = False

    @property
    def pending(self) -> bool:
        return self.verdict == "pending"

    @property
    def stands(self) -> bool:
        """Whether it counts: anything but rejected."""
        return self.verdict != "rejected"


def statements_of(
    conn: Connection,
    participant_ids: Sequence[str],
    first: date,
    last: date,
    kinds: frozenset[str] = KINDS,
) -> list[Statement]:
    """The statements of these participants about days first..last (inclusive), oldest
    answer first. Absences are announced ahead and check-outs estimated afterwards, so the
    day is read from the detail: the query takes the records made from SAID_WITHIN days
    before `first` to as long after `last` and sifts by day here."""
    if not participant_ids:
        return []
    said_from = first - SAID_WITHIN
    # An estimate is made at the first tap after the forgotten day: later than the day.
    said_until = last + SAID_WITHIN if CHECKOUT_ESTIMATE in kinds else last
    rows = conn.execute(
        _SAID.where(
            member_of(conn, events.c.participant_id, participant_ids),
            events.c.kind.in_(sorted(kinds)),
            events.c.workshop_day >= said_from,
            events.c.workshop_day <= said_until,
            _made_between(said_from - timedelta(days=1), said_until + timedelta(days=2)),
        ).order_by(events.c.wall_at, events.c.id)
    ).all()
    found = []
    for row in rows:
        statement = _statement(row)
        if statement is not None and first <= statement.day <= last:
            found.append(statement)
    return found


def _made_between(first: date, last: date) -> Any:
    """The door's own time between these dates (with a day's slack for any time zone): lets
    the database read a participant's records of those weeks through its (participant,
    wall time) index, not their whole history. The workshop day decides, and the door
    reckoned it from the same clock; this only narrows."""
    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = datetime.combine(last, time(0), tzinfo=UTC)
    return and_(events.c.wall_at >= start, events.c.wall_at < end)


def statement_of(conn: Connection, event_id: str) -> Statement | None:
    """One statement by its event id, or None when there is no such own-say record."""
    row = conn.execute(
        _SAID.where(events.c.id == event_id, events.c.kind.in_(sorted(KINDS)))
    ).first()
    return None if row is None else _statement(row)


_SAID = (
    select(
        events.c.id,
        events.c.participant_id,
        events.c.site_id,
        events.c.kind,
        events.c.workshop_day,
        events.c.wall_at,
        events.c.corrected_wall_at,
        events.c.detail,
        sites.c.timezone,
        sites.c.estimated_hours,
        statement_reviews.c.verdict,
        statement_reviews.c.reason.label("review_reason"),
        statement_reviews.c.left_at.label("review_left_at"),
        statement_reviews.c.staff_id,
        statement_reviews.c.reviewed_at,
        staff.c.display_name.label("reviewer"),
    )
    .join(sites, sites.c.id == events.c.site_id)
    .outerjoin(statement_reviews, statement_reviews.c.event_id == events.c.id)
    .outerjoin(staff, staff.c.id == statement_reviews.c.staff_id)
)


def _statement(row: Any) -> Statement | None:
    detail = dict(row.detail or {})
    kind: str = row.kind
    if kind == LEAVE_REASON:
        day = row.workshop_day
    else:
        try:
            day = date.fromisoformat(str(detail.get("day")))
        except ValueError:
            return None  # ingest refuses these; an old row must not break a page
    said_left_at = None
    if kind == CHECKOUT_ESTIMATE:
        clock = left_at(detail)
        said_left_at = _utc(day, clock, row.timezone) if clock else None
    said_reason = detail.get("reason") if kind in (LEAVE_REASON, ABSENCE_ANNOUNCED) else None
    verdict: Verdict = row.verdict or "pending"
    changed = verdict == "changed"
    return Statement(
        event_id=row.id,
        participant_id=row.participant_id,
        site_id=row.site_id,
        kind=kind,
        day=day,
        said_at=row.corrected_wall_at or row.wall_at,
        said_reason=said_reason,
        said_left_at=said_left_at,
        verdict=verdict,
        reason=(row.review_reason or said_reason) if changed else said_reason,
        left_at=(row.review_left_at or said_left_at) if changed else said_left_at,
        reviewed_by=row.staff_id,
        reviewed_at=row.reviewed_at,
        reviewer=row.reviewer,
        counts_at_once=row.estimated_hours == "at_once",
    )


def _utc(day: date, clock: time, timezone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))


def chosen(statements: Sequence[Statement]) -> dict[tuple[str, str, date], Statement]:
    """The statement that counts per participant, kind and day when they said it more than
    once (two doors asked, or they changed their mind): one a supervisor reviewed before a
    pending one, the latest answer among equals. It may be a rejected one: then nothing of
    that kind counts for the day."""
    found: dict[tuple[str, str, date], Statement] = {}
    for said in statements:
        key = (said.participant_id, said.kind, said.day)
        before = found.get(key)
        if before is None or (not said.pending, said.said_at) >= (
            not before.pending,
            before.said_at,
        ):
            found[key] = said
    return found


def estimates_in(statements: Sequence[Statement]) -> dict[tuple[str, date], Estimate]:
    """The estimate that closes each (participant, day)'s forgotten session, of the chosen
    statements; a rejected one, or "weet ik niet", closes nothing. Its hours count once
    reviewed, or at once where the site says so."""
    found = {}
    for (pid, kind, day), said in chosen(statements).items():
        if kind == CHECKOUT_ESTIMATE and said.stands and said.left_at is not None:
            counts = not said.pending or said.counts_at_once
            found[(pid, day)] = Estimate(said.left_at, counts=counts, event_id=said.event_id)
    return found


def estimates_of(
    conn: Connection, participant_ids: Sequence[str], first: date, last: date
) -> dict[tuple[str, date], Estimate]:
    """The estimates that close these participants' forgotten sessions of first..last: one
    query."""
    said = statements_of(conn, participant_ids, first, last, frozenset({CHECKOUT_ESTIMATE}))
    return estimates_in(said)

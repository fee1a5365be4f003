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

from sqlalchemy import Connection, select

from server.schema import events, sites, statement_reviews
from server.sql import member_of
from sync.own_say import ABSENCE_ANNOUNCED, CHECKOUT_ESTIMATE, KINDS, LEAVE_REASON, left_at

Verdict = Literal["pending", "confirmed", "changed", "rejected"]


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
    answer first. Absences are announced ahead, so the day is read from the detail: the
    query takes the records made up to 60 days before `first` and sifts by day here."""
    if not participant_ids:
        return []
    said_from = date.fromordinal(first.toordinal() - 60)
    rows = conn.execute(
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
            statement_reviews.c.verdict,
            statement_reviews.c.reason.label("review_reason"),
            statement_reviews.c.left_at.label("review_left_at"),
            statement_reviews.c.staff_id,
            statement_reviews.c.reviewed_at,
        )
        .join(sites, sites.c.id == events.c.site_id)
        .outerjoin(statement_reviews, statement_reviews.c.event_id == events.c.id)
        .where(
            member_of(conn, events.c.participant_id, participant_ids),
            events.c.kind.in_(sorted(kinds)),
            events.c.workshop_day >= said_from,
            events.c.workshop_day <= last,
            # The same bounds on the door's wall time (its workshop day is that time's date,
            # a day of margin for the time zone): this lets the (participant_id, wall_at)
            # index read only the period, not all of a participant's taps ever (a coach's
            # six-month feed: 3 times faster on 1.5 M events).
            events.c.wall_at >= _midnight(said_from - timedelta(days=1)),
            events.c.wall_at < _midnight(last + timedelta(days=2)),
        )
        .order_by(events.c.wall_at, events.c.id)
    ).all()
    found = []
    for row in rows:
        statement = _statement(row)
        if statement is not None and first <= statement.day <= last:
            found.append(statement)
    return found


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
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _utc(day: date, clock: time, timezone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))

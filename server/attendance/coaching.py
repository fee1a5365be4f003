"""What a coach's pages read: the figures of all their participants over a period, one
participant's whole program, and one participant's month. A coach reads only the
participants assigned to them: for anyone else these answer None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, select

from server.attendance.history import (
    Timelines,
    coach_participant_ids,
    load_history,
    load_timelines,
    plans_of,
)
from server.attendance.statements import Statement, statements_of
from server.attendance.summary import Agreement, AttendanceRecord
from server.learning.progress import WordProgress, progress_of
from server.schema import coach_participants

PROGRAM_FALLBACK = timedelta(days=182)  # a program without a start: the last half year
AHEAD = timedelta(days=60)  # how far ahead the page shows announced absences


@dataclass(frozen=True)
class Caseload:
    """A coach's participants (by name) and their judged days over a period."""

    participant_ids: list[str]
    timelines: Timelines


@dataclass(frozen=True)
class Program:
    """One participant's program up to today, as far back as the page shows it."""

    plan: Agreement
    first: date  # the first of a month
    last: date
    timelines: Timelines
    # What they said at the door about days after `last` (say "Ik kom niet op donderdag").
    upcoming: list[Statement] = field(default_factory=list)
    # The words of the day they met and what their recall checks say (issue 16).
    words: WordProgress | None = None


def coaches(conn: Connection, coach_id: str, participant_id: str) -> bool:
    """Whether the participant is assigned to this coach."""
    found = conn.execute(
        select(coach_participants.c.participant_id).where(
            coach_participants.c.coach_id == coach_id,
            coach_participants.c.participant_id == participant_id,
        )
    ).first()
    return found is not None


def caseload(
    engine: Engine, coach_id: str, first: date, last: date, now: datetime, *, late_after: timedelta
) -> Caseload:
    """Every participant of the coach, judged from `first` to `last`, with absence runs."""
    with engine.connect() as conn:
        ids = coach_participant_ids(conn, coach_id)
        loaded = load_timelines(conn, ids, first, last, now, late_after=late_after)
    return Caseload(ids, loaded)


def program(
    engine: Engine,
    coach_id: str,
    participant_id: str,
    today: date,
    now: datetime,
    *,
    late_after: timedelta,
    at_most_months: int,
) -> Program | None:
    """The participant's program from its first month (no more than `at_most_months`
    back) up to today, or up to its end; None when they are not the coach's."""
    with engine.connect() as conn:
        if not coaches(conn, coach_id, participant_id):
            return None
        plan = plans_of(conn, [participant_id])[participant_id]
        last = min(plan.program_end or today, today)
        first = plan.program_start or last - PROGRAM_FALLBACK
        first = max(first, last - timedelta(days=at_most_months * 31))  # keep the page short
        first = min(first, last).replace(day=1)
        loaded = load_timelines(conn, [participant_id], first, last, now, late_after=late_after)
        after = last + timedelta(days=1)
        upcoming = statements_of(conn, [participant_id], after, after + AHEAD)
        words = progress_of(conn, participant_id, now)
    return Program(plan, first, last, loaded, upcoming, words)


def record_of(
    engine: Engine, coach_id: str, participant_id: str, first: date, last: date
) -> AttendanceRecord | None:
    """The participant's taps, corrections and absences from `first` to `last`; None when
    they are not the coach's."""
    with engine.connect() as conn:
        if not coaches(conn, coach_id, participant_id):
            return None
        return load_history(conn, [participant_id], first, last).records[participant_id]

"""The JSON feed for a coach's case system: per-participant summaries on every page, and
the participant-days paged with `limit` and `offset` (documented in the OpenAPI schema)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Literal, cast

from pydantic import BaseModel, Field

from server.attendance.sessions import Session
from server.attendance.statements import Statement
from server.attendance.summary import Day
from server.feeds.content import Feed, FeedParticipant

DayStatus = Literal["present", "excused", "absent", "pending", "announced"]
AbsenceReason = Literal["sick", "appointment", "integration_class", "other"]
StatementKind = Literal["leave_reason", "absence_announced", "checkout_estimate"]
OwnReason = Literal["office", "doctor", "children", "transport", "other"]  # sync.own_say
Verdict = Literal["pending", "confirmed", "changed", "rejected"]


class FeedSession(BaseModel):
    start_at: datetime
    end_at: datetime
    counted_hours: float = Field(description="0 for a session the server closed itself.")
    forgotten_check_out: bool = Field(
        description="Nobody checked out: the server closed the session at closing time."
    )


class FeedStatement(BaseModel):
    """What the participant said at the door about this day (categories only, never free
    text), and whether a supervisor confirmed it."""

    kind: StatementKind = Field(
        description="leave_reason: why they left early; absence_announced: they said they "
        "would not come; checkout_estimate: when they said they left, having forgotten to "
        "check out."
    )
    reason: OwnReason | None = Field(
        description="The category (leave_reason, absence_announced): the supervisor's where "
        "they changed it."
    )
    left_at: datetime | None = Field(
        description="checkout_estimate: the estimated time of leaving (the supervisor's where "
        "they changed it); None for 'weet ik niet'."
    )
    verdict: Verdict = Field(
        description="pending (no supervisor looked yet), confirmed, changed or rejected."
    )
    said_at: datetime = Field(description="When the participant answered at the door.")


class FeedDay(BaseModel):
    """One workshop day of one participant: an agreed day, or a day they came anyway."""

    participant_id: str
    day: date = Field(description="The workshop day, in the site's time.")
    status: DayStatus = Field(
        description="present; excused (absent with a reason); absent (no reason given); "
        "pending (today, before closing time, not in yet); announced (absent, said so at "
        "the door, not rejected by a supervisor: see own_say)."
    )
    agreed: bool = Field(description="One of the agreed weekdays, within the program.")
    first_in: datetime | None
    last_out: datetime | None = Field(description="None while still in.")
    in_since: datetime | None = Field(description="Checked in and not yet out (today).")
    hours: float = Field(description="Counted hours, rounded to 0.01.")
    late: bool
    forgotten_check_outs: int
    absence_reason: AbsenceReason | None
    corrections: int = Field(description="Supervisor corrections that touch this day.")
    sessions: list[FeedSession]
    own_say: list[FeedStatement] = Field(
        description="What the participant said at the door about this day, oldest first."
    )


class FeedWords(BaseModel):
    """The words of the day the participant met and what the recall checks at check-out
    say (docs/learning.md), as of when the feed was made. Shares are 0…1; null: nothing
    to reckon from yet."""

    words_met: int = Field(description="Words of the day of the days they checked in.")
    checks_shown: int = Field(description="Recall checks shown, skipped ones too.")
    checks_answered: int = Field(description="Recall checks answered (right or wrong).")
    share_answered: float | None
    model_recall: float | None = Field(
        description="The model: mean chance, now, of recalling a word met (FSRS-6, its "
        "forgetting curve fitted to the site's answers; see model_answers)."
    )
    recall_30d: float | None = Field(
        description="Share right, corrected for guessing among four pictures, of the checks "
        "answered 30 days or more after the participant last saw the word."
    )
    recall_30d_checks: int = Field(description="How many checks recall_30d rests on.")
    model_recall_30d: float | None = Field(
        description="What the model predicted for those same checks, before each answer "
        "(its curve fitted to the site's answers before the check's day)."
    )
    recall_30d_right: int = Field(
        description="Of those checks, how many were right (pool these, not recall_30d, "
        "to sum up several participants)."
    )
    model_answers: int = Field(
        description="The site's answered checks the model's curve is fitted to now; 0: "
        "FSRS-6's default curve (too few answers to fit)."
    )


class FeedSummary(BaseModel):
    """A participant's figures over the whole period (all pages)."""

    participant_id: str
    display_name: str
    program_start: date | None
    program_end: date | None
    agreed_weekdays: list[int] = Field(description="ISO weekdays: 1 is Monday.")
    agreed_days: int
    days_present: int
    hours: float
    late_arrivals: int
    absences_excused: int
    absences_unexcused: int
    forgotten_check_outs: int
    consecutive_absences: int = Field(
        description="Unexcused absences on agreed days in a row, up to now."
    )
    absence_alert: bool = Field(
        description="consecutive_absences reached absence_alert_after: time to get in touch."
    )
    absences_announced: int = Field(
        description="Agreed days away that the participant announced at the door and no "
        "supervisor rejected; not counted in absences_unexcused."
    )
    words: FeedWords


class AttendanceFeed(BaseModel):
    period_start: date
    period_end: date
    generated_at: datetime
    absence_alert_after: int
    participants: list[FeedSummary]
    days: list[FeedDay] = Field(description="This page of participant-days.")
    total_days: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page; None at the end.")


def _session(session: Session) -> FeedSession:
    return FeedSession(
        start_at=session.start_at,
        end_at=session.end_at,
        counted_hours=round(session.counted_seconds / 3600, 2),
        forgotten_check_out=session.auto_closed,
    )


def _statement(said: Statement) -> FeedStatement:
    return FeedStatement(
        kind=cast(StatementKind, said.kind),
        reason=cast(OwnReason | None, said.reason),
        left_at=said.left_at,
        verdict=said.verdict,
        said_at=said.said_at,
    )


def feed_day(participant_id: str, day: Day) -> FeedDay:
    return FeedDay(
        participant_id=participant_id,
        day=day.day,
        status=cast(DayStatus, day.status),  # a listed day has one of these five
        agreed=day.agreed,
        first_in=day.first_in,
        last_out=day.last_out,
        in_since=day.attendance.open_since,
        hours=round(day.counted_seconds / 3600, 2),
        late=day.late,
        forgotten_check_outs=day.forgotten_check_outs,
        absence_reason=cast(AbsenceReason, day.absence.reason)
        if day.absence and day.status == "excused"
        else None,
        corrections=day.corrections,
        sessions=[_session(s) for s in day.attendance.sessions],
        own_say=[_statement(s) for s in day.said],
    )


def feed_summary(person: FeedParticipant) -> FeedSummary:
    plan, figures = person.plan, person.figures
    return FeedSummary(
        participant_id=plan.participant_id,
        display_name=plan.display_name,
        program_start=plan.program_start,
        program_end=plan.program_end,
        agreed_weekdays=sorted(plan.agreed_weekdays),
        agreed_days=figures.agreed_days,
        days_present=figures.days_present,
        hours=figures.hours,
        late_arrivals=figures.late_arrivals,
        absences_excused=figures.absences_excused,
        absences_unexcused=figures.absences_unexcused,
        forgotten_check_outs=figures.forgotten_check_outs,
        consecutive_absences=person.absence_run,
        absence_alert=person.alert,
        absences_announced=figures.absences_announced,
        words=FeedWords(**asdict(person.words)),
    )


def attendance_feed(feed: Feed, limit: int, offset: int) -> AttendanceFeed:
    rows = [(p.plan.participant_id, day) for p in feed.participants for day in p.days]
    page = rows[offset : offset + limit]
    following = offset + limit
    return AttendanceFeed(
        period_start=feed.first,
        period_end=feed.last,
        generated_at=feed.generated_at,
        absence_alert_after=feed.alert_after,
        participants=[feed_summary(p) for p in feed.participants],
        days=[feed_day(pid, day) for pid, day in page],
        total_days=len(rows),
        limit=limit,
        offset=offset,
        next_offset=following if following < len(rows) else None,
    )

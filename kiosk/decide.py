"""The check-in core: a tap becomes exactly one decision. Pure Python — no Kivy, SQLite,
hardware or network — so every rule here is tested with a held clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from kiosk.site_presence import SITE_RECORD, ParticipantDay, Presence
from sync.clock import WORKSHOP_TZ, Instant, clock_is_sane
from sync.record import Entry
from sync.roster import DoorData, Participant, Supervisor


class Outcome(StrEnum):
    CHECK_IN = "check_in"
    FORGOT_CHECKOUT = "forgot_checkout"  # a check-in, with yesterday's session still open
    CHECK_OUT = "check_out"
    TOO_SOON = "too_soon"
    UNKNOWN_BADGE = "unknown_badge"
    INACTIVE = "inactive"
    SUPERVISOR = "supervisor"
    MANUAL_CHECK_IN = "manual_check_in"  # by a supervisor, for someone without their badge
    MANUAL_CHECK_OUT = "manual_check_out"
    LUNCH = "lunch"
    BADGE_ENROLLED = "badge_enrolled"
    # What a participant tells the door on screen (sync.own_say, kiosk.questions).
    LEAVE_REASON = "leave_reason"
    ABSENCE_ANNOUNCED = "absence_announced"
    CHECKOUT_ESTIMATE = "checkout_estimate"
    WORD_RECALL = "word_recall"  # the answer to the recall check at check-out (kiosk.recall)


class BadgeTaken(ValueError):
    """The badge being enrolled is already someone's."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"badge already belongs to {holder}")
        self.holder = holder


@dataclass(frozen=True)
class DoorRules:
    """The door's settings that change a decision."""

    too_soon: timedelta = timedelta(minutes=5)
    # After "too soon", a second tap within this time means "yes, I am leaving".
    confirm_window: timedelta = timedelta(seconds=20)
    # "Eet je mee?" is asked at check-in until this hour (workshop time); later, lunch is over.
    lunch_until: time = time(12, 0)


@dataclass(frozen=True)
class Tap:
    uid: str  # normalised badge UID
    at: Instant


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    tap: Tap
    participant: Participant | None = None
    supervisor: Supervisor | None = None
    checked_in_at: datetime | None = None  # for check-out and too-soon: when they came in
    worked_today: timedelta | None = None  # for check-out: all of today's sessions
    stale_day: date | None = None  # for forgot-checkout: the day left open
    reason: str | None = None  # for inactive: why
    detail: dict[str, Any] = field(default_factory=dict)
    birthday: bool = False  # for a check-in: the workshop sings today
    ask_lunch: bool = False  # for a check-in: ask "Eet je mee?"
    next_day: date | None = None  # for a check-out: the next agreed workday

    def entry(self) -> Entry:
        """The journal record of this decision."""
        at = self.tap.at
        return Entry(
            kind=self.outcome.value,
            wall_at=at.wall,
            workshop_day=at.workshop_day(),
            clock_synced=at.synchronised,
            boot_id=at.boot_id,
            monotonic=at.monotonic,
            participant_id=self.participant.id if self.participant else None,
            supervisor_id=self.supervisor.id if self.supervisor else None,
            badge_uid=self.tap.uid or None,
            detail=self.detail,
        )


def decide(tap: Tap, data: DoorData, presence: Presence, rules: DoorRules) -> Decision:
    """Turn one tap into one decision."""
    badge = data.badge(tap.uid)
    if badge is None:
        return Decision(Outcome.UNKNOWN_BADGE, tap)
    if badge.holder == "supervisor":
        supervisor = data.supervisors.get(badge.holder_id)
        if not badge.active or supervisor is None:
            return _inactive(tap, "badge_revoked", supervisor=supervisor)
        return Decision(Outcome.SUPERVISOR, tap, supervisor=supervisor)
    participant = data.participants.get(badge.holder_id)
    if participant is None or not badge.active:
        return _inactive(tap, "badge_revoked", participant=participant)
    today = tap.at.workshop_day()
    reason = participant.inactive_reason(today)
    if reason and reason.startswith("program_") and not clock_is_sane(tap.at.wall):
        # A Pi that booted without NTP may think it is 1970: a broken clock must not
        # keep anyone out. The server judges the dates once the time is corrected.
        reason = None
    if reason:
        return _inactive(tap, reason, participant=participant)

    state = presence.of(participant.id)
    session = state.open if state else None
    if session is None:
        return _arrival(Outcome.CHECK_IN, tap, participant, state, rules)

    came_in = tap.at.reckon(session.at)
    came_in_day = came_in.astimezone(WORKSHOP_TZ).date()
    if came_in_day < today:
        arrival = _arrival(Outcome.FORGOT_CHECKOUT, tap, participant, None, rules)
        return replace(
            arrival, stale_day=came_in_day, detail={"stale_record_id": session.record_id}
        )

    since = tap.at.seconds_since(session.at)
    link: dict[str, Any] = (
        {"checked_in_at_another_door": True}
        if session.record_id == SITE_RECORD
        else {"check_in_record_id": session.record_id}
    )
    if since < rules.too_soon.total_seconds():
        asked = state.asked_to_leave_at if state else None
        confirmed = (
            asked is not None
            and 0 <= tap.at.seconds_since(asked) <= rules.confirm_window.total_seconds()
        )
        if not confirmed:
            return Decision(
                Outcome.TOO_SOON, tap, participant=participant, checked_in_at=came_in, detail=link
            )
        link = {**link, "confirmed": True}
    return check_out(tap, participant, state, came_in, link)


def confirm_leave(
    participant: Participant, presence: Presence, at: Instant, uid: str
) -> Decision | None:
    """The participant answered "yes, I am leaving" on screen after "too soon"."""
    state = presence.of(participant.id)
    if state is None or state.open is None:
        return None
    link: dict[str, Any] = {"check_in_record_id": state.open.record_id, "confirmed": True}
    return check_out(Tap(uid, at), participant, state, at.reckon(state.open.at), link)


def check_out(
    tap: Tap,
    participant: Participant,
    state: ParticipantDay | None,
    came_in: datetime,
    detail: dict[str, Any],
) -> Decision:
    session = state.open if state else None
    this_session = tap.at.seconds_since(session.at) if session else 0.0
    earlier = state.worked_seconds if state and state.day == tap.at.workshop_day() else 0.0
    return Decision(
        Outcome.CHECK_OUT,
        tap,
        participant=participant,
        checked_in_at=came_in,
        worked_today=timedelta(seconds=max(0.0, earlier + this_session)),
        detail=detail,
        next_day=participant.next_agreed_day(tap.at.workshop_day()),
    )


def _arrival(
    outcome: Outcome,
    tap: Tap,
    participant: Participant,
    state: ParticipantDay | None,
    rules: DoorRules,
) -> Decision:
    today = tap.at.workshop_day()
    answered = state is not None and state.day == today and state.eats is not None
    local = tap.at.wall.astimezone(WORKSHOP_TZ).time()
    return Decision(
        outcome,
        tap,
        participant=participant,
        birthday=participant.has_birthday(today),
        ask_lunch=not answered and local < rules.lunch_until,
    )


def lunch(participant: Participant, at: Instant, *, eats: bool, answered: bool) -> Decision:
    """The answer to "Eet je mee?"; `answered` is False when the default was taken."""
    return Decision(
        Outcome.LUNCH,
        Tap("", at),
        participant=participant,
        detail={"eats": eats, "answered": answered},
    )


def manual(
    outcome: Outcome,
    participant: Participant,
    supervisor: Supervisor,
    presence: Presence,
    at: Instant,
    *,
    closing: bool = False,
) -> Decision | None:
    """A supervisor checks someone in or out by hand; None when there is nothing to do
    (already in, or not in)."""
    state = presence.of(participant.id)
    session = state.open if state else None
    detail: dict[str, Any] = {"closing": True} if closing else {}
    if outcome == Outcome.MANUAL_CHECK_IN:
        if session is not None and at.reckon(session.at).astimezone(WORKSHOP_TZ).date() == (
            at.workshop_day()
        ):
            return None
        return Decision(outcome, Tap("", at), participant=participant, supervisor=supervisor)
    if outcome != Outcome.MANUAL_CHECK_OUT:
        raise ValueError(f"not a manual outcome: {outcome}")
    if session is None:
        return None
    out = check_out(
        Tap("", at), participant, state, at.reckon(session.at), {
            "check_in_record_id": session.record_id, **detail}
    )  # fmt: skip
    return replace(out, outcome=outcome, supervisor=supervisor)


def enrol(
    uid: str, participant: Participant, supervisor: Supervisor, data: DoorData, at: Instant
) -> Decision:
    """A supervisor gives a new badge to a participant; raises BadgeTaken if it is held."""
    holder = data.holder_name(uid)
    if holder is not None:
        raise BadgeTaken(holder)
    return Decision(
        Outcome.BADGE_ENROLLED, Tap(uid, at), participant=participant, supervisor=supervisor
    )


def _inactive(
    tap: Tap,
    reason: str,
    *,
    participant: Participant | None = None,
    supervisor: Supervisor | None = None,
) -> Decision:
    return Decision(
        Outcome.INACTIVE,
        tap,
        participant=participant,
        supervisor=supervisor,
        reason=reason,
        detail={"reason": reason},
    )

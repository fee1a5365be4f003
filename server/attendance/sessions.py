"""Attendance from taps: pure functions, no database (queries: server.attendance.presence).

A participant's session taps of one workshop day are paired by time, whichever door they
came from: the first opens a session, the next closes it, and so on. A door that was
offline may have called a leaving tap a check-in (it did not know the person was in), so
the pairing goes by order, not by the kind the door chose; mismatches are flagged.
A supervisor's check-in or check-out by hand pairs like any other and is marked as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sync.record import CLOSES_SESSION, OPENS_SESSION

SESSION_KINDS = OPENS_SESSION | CLOSES_SESSION
BY_HAND = frozenset({"manual_check_in", "manual_check_out"})  # a supervisor did it


@dataclass(frozen=True)
class ReceivedTap:
    """One stored event as attendance sees it: `at` is the honest (corrected) time."""

    id: str
    kind: str
    at: datetime
    kiosk_id: str = ""


@dataclass(frozen=True)
class Session:
    start_at: datetime
    end_at: datetime
    opened_by: str
    closed_by: str | None  # None: closed by the server at closing time
    auto_closed: bool = False
    kinds_disagree: bool = False  # the doors' own kinds do not fit this pairing
    opened_by_hand: bool = False  # a supervisor checked them in (forgotten badge)
    closed_by_hand: bool = False  # a supervisor checked them out (e.g. at closing)
    # Closed at the time the participant said they left (a checkout_estimate), not by a
    # tap: see Estimate. `estimate_counts` is whether its hours count yet.
    estimated: bool = False
    estimate_counts: bool = False

    @property
    def counted_seconds(self) -> float:
        """Real hours only: an auto-closed session counts nothing until corrected, an
        estimated one only once it counts (the site's setting, docs/web.md)."""
        if self.auto_closed or (self.estimated and not self.estimate_counts):
            return 0.0
        return max(0.0, (self.end_at - self.start_at).total_seconds())

    @property
    def forgotten(self) -> bool:
        """They did not check out: closed by the server or by their own estimate."""
        return self.auto_closed or self.estimated


@dataclass(frozen=True)
class DayAttendance:
    day: date
    sessions: list[Session] = field(default_factory=list)
    open_since: datetime | None = None  # still in (before closing time)

    @property
    def counted_seconds(self) -> float:
        return sum(s.counted_seconds for s in self.sessions)

    @property
    def auto_closed(self) -> bool:
        return any(s.auto_closed for s in self.sessions)

    @property
    def estimated(self) -> bool:
        return any(s.estimated for s in self.sessions)


@dataclass(frozen=True)
class Estimate:
    """When a participant said they left on a day they forgot to check out (a
    `checkout_estimate` a supervisor has not rejected), or the time a supervisor set in its
    place. It closes that day's open session instead of closing time; `counts` says whether
    its hours count yet (once confirmed, or at once: the site's `estimated_hours`)."""

    left_at: datetime
    counts: bool
    event_id: str = ""


CORRECTION_ACTIONS = ("add_check_in", "add_check_out", "move", "void")


@dataclass(frozen=True)
class Correction:
    """A supervisor's amendment. The taps it amends stay as they were; attendance is
    derived from both. `move` gives an event another time, `void` sets it aside, and
    `add_check_in` / `add_check_out` add a tap the door never saw (at `at`)."""

    id: int
    action: str
    event_id: str | None
    at: datetime | None
    reason: str = ""
    staff_id: str = ""


def corrected(taps: Iterable[ReceivedTap], corrections: Iterable[Correction]) -> list[ReceivedTap]:
    """The taps as the corrections say they were; a later correction of the same tap wins."""
    result = {tap.id: tap for tap in taps}
    for fix in sorted(corrections, key=lambda c: c.id):
        if fix.action in ("add_check_in", "add_check_out") and fix.at is not None:
            kind = "manual_check_in" if fix.action == "add_check_in" else "manual_check_out"
            result[f"correction-{fix.id}"] = ReceivedTap(f"correction-{fix.id}", kind, fix.at)
        elif fix.event_id is None:
            continue
        elif fix.action == "void":
            result.pop(fix.event_id, None)
        elif fix.action == "move" and fix.at is not None and fix.event_id in result:
            tap = result[fix.event_id]
            result[fix.event_id] = ReceivedTap(tap.id, tap.kind, fix.at, tap.kiosk_id)
    return list(result.values())


def closing_time(day: date, closes_at: time, tz: str) -> datetime:
    """The site's closing time on `day`, as an aware datetime (DST included)."""
    return datetime.combine(day, closes_at, tzinfo=ZoneInfo(tz))


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a workshop day in site time."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def pair_sessions(
    taps: Iterable[ReceivedTap],
    day: date,
    close_at: datetime,
    now: datetime | None = None,
    estimate: Estimate | None = None,
) -> DayAttendance:
    """Pair one participant's taps of `day` into sessions; see the module docstring. A
    session left open past closing time ends at the participant's `estimate` when there is
    one (and it is not before the session began), else at closing time, flagged."""
    ordered = sorted((t for t in taps if t.kind in SESSION_KINDS), key=lambda t: (t.at, t.id))
    sessions: list[Session] = []
    opener: ReceivedTap | None = None
    for tap in ordered:
        if opener is None:
            opener = tap
            continue
        disagree = opener.kind not in OPENS_SESSION or tap.kind not in CLOSES_SESSION
        sessions.append(
            Session(
                opener.at,
                tap.at,
                opener.id,
                tap.id,
                kinds_disagree=disagree,
                opened_by_hand=opener.kind in BY_HAND,
                closed_by_hand=tap.kind in BY_HAND,
            )
        )
        opener = None
    if opener is None:
        return DayAttendance(day, sessions)
    if now is not None and now < close_at:
        return DayAttendance(day, sessions, open_since=opener.at)
    if estimate is not None and estimate.left_at >= opener.at:
        sessions.append(
            Session(
                opener.at,
                estimate.left_at,
                opener.id,
                None,
                kinds_disagree=opener.kind not in OPENS_SESSION,
                opened_by_hand=opener.kind in BY_HAND,
                estimated=True,
                estimate_counts=estimate.counts,
            )
        )
        return DayAttendance(day, sessions)
    end = max(close_at, opener.at)  # a tap after closing time closes at once
    sessions.append(
        Session(
            opener.at,
            end,
            opener.id,
            None,
            auto_closed=True,
            kinds_disagree=opener.kind not in OPENS_SESSION,
            opened_by_hand=opener.kind in BY_HAND,
        )
    )
    return DayAttendance(day, sessions)


def inside_since(taps: Iterable[ReceivedTap]) -> datetime | None:
    """For toggling taps (supervisors): since when in, or None when out."""
    since: datetime | None = None
    for tap in sorted(taps, key=lambda t: (t.at, t.id)):
        since = tap.at if since is None else None
    return since


@dataclass(frozen=True)
class UnknownBadge:
    uid: str
    first_seen_at: datetime
    last_seen_at: datetime
    count: int


def unknown_badges(seen: Iterable[tuple[str, datetime]]) -> list[UnknownBadge]:
    """Group (badge uid, time) sightings of unknown badges, most seen first."""
    groups: dict[str, list[datetime]] = {}
    for uid, at in seen:
        groups.setdefault(uid, []).append(at)
    found = [UnknownBadge(uid, min(ats), max(ats), len(ats)) for uid, ats in groups.items()]
    return sorted(found, key=lambda b: (-b.count, b.uid))


@dataclass(frozen=True)
class LunchAnswer:
    """One answer to "Eet je mee?"; `answered` is False when the door took the default."""

    participant_id: str
    at: datetime
    eats: bool
    answered: bool = True
    id: str = ""


def lunch_count(answers: Iterable[LunchAnswer]) -> int:
    """How many eat along: each participant's last answer counts, but a default taken
    because nobody touched the screen never overrules an answer they really gave."""
    last: dict[str, LunchAnswer] = {}
    for answer in sorted(answers, key=lambda a: (a.answered, a.at, a.id)):
        last[answer.participant_id] = answer
    return sum(1 for answer in last.values() if answer.eats)

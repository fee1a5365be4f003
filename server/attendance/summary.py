"""A participant's attendance over a period, as their coach reads it: pure, no database.

The query layer (server.attendance.history) hands over an `AttendanceRecord`: the participant's
agreement, their taps as the doors sent them (honest times), the supervisors' corrections and
the excused absences. A `Timeline` turns that into one `Day` per date, by the same derivation
as the supervisors' pages (corrections applied with `server.attendance.sessions.corrected`,
sessions paired with `server.attendance.sessions.pair_sessions`), and counts the figures over
any stretch.

What counts:
- an **agreed day** lies within the program and on one of the agreed ISO weekdays;
- a day is **present** with at least one session, or when checked in and not yet out;
- **hours** add up counted seconds: a session the server closed at closing time counts 0;
  one closed at the time the participant said they left counts per the site's
  `estimated_hours` (once a supervisor confirmed it, or at once);
- **late**: the first check-in after opening time + `late_after` (site time);
- an agreed day without presence is **excused** with an absence row (a supervisor's
  excuse); else **announced** when the participant said at the door they would not come
  (an `absence_announced` statement, sync.own_say) and no supervisor rejected it, pending
  or confirmed alike; else **absent** (unexcused) — but today only once the site has
  closed; until then it is **pending**. A rejected announcement counts as unexcused again;
- announced is a state of its own, not "excused": the coach sees who only said so at the
  door, and until a supervisor looks it is their word alone. Like excused, it is not
  unexcused: it counts among the agreed days, and it ends an absence run (they let the
  workshop know);
- days after today are **future** and count nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from server.attendance.sessions import (
    Correction,
    DayAttendance,
    Estimate,
    ReceivedTap,
    closing_time,
    corrected,
    pair_sessions,
)
from sync.own_say import ABSENCE_ANNOUNCED, CHECKOUT_ESTIMATE, LEAVE_REASON

if TYPE_CHECKING:  # the read model queries; this module only reads its statements
    from server.attendance.statements import Statement

PRESENT = "present"
EXCUSED = "excused"
ABSENT = "absent"  # unexcused
ANNOUNCED = "announced"  # the participant said at the door they would not come
PENDING = "pending"  # an agreed day today, before closing time, nobody in yet
NOT_AGREED = "not_agreed"
FUTURE = "future"
# How far back the absence alert looks: 13 weeks, far more than any alert threshold needs.
ALERT_LOOKBACK = timedelta(days=91)


@dataclass(frozen=True)
class SiteHours:
    opens_at: time
    closes_at: time
    timezone: str


@dataclass(frozen=True)
class Agreement:
    """Who the participant is to the coach and what was agreed with them."""

    participant_id: str
    display_name: str
    site: SiteHours
    program_start: date | None = None
    program_end: date | None = None
    agreed_weekdays: frozenset[int] = frozenset()  # ISO: 1 is Monday
    active: bool = True

    def in_program(self, day: date) -> bool:
        if self.program_start is not None and day < self.program_start:
            return False
        return self.program_end is None or day <= self.program_end

    def agreed(self, day: date) -> bool:
        return self.in_program(day) and day.isoweekday() in self.agreed_weekdays


@dataclass(frozen=True)
class Absence:
    """A day the participant was excused from; `reason` is a code of schema.ABSENCE_REASONS."""

    day: date
    reason: str
    note: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class AttendanceRecord:
    """What is known of one participant from `first` to `last` (inclusive, site days)."""

    plan: Agreement
    first: date
    last: date
    taps: list[ReceivedTap] = field(default_factory=list)  # as the doors sent them
    corrections: list[Correction] = field(default_factory=list)
    absences: dict[date, Absence] = field(default_factory=dict)
    changed_at: dict[int, datetime] = field(default_factory=dict)  # correction id → made at
    # When each day's excuse was given, replaced or taken away (the audit log keeps them).
    excuse_changes: dict[date, list[datetime]] = field(default_factory=dict)
    # When they said they left on a day they forgot to check out (server.attendance.statements)
    estimates: dict[date, Estimate] = field(default_factory=dict)
    # What the participant said at the door about these days (server.attendance.statements).
    statements: list[Statement] = field(default_factory=list)


@dataclass(frozen=True, slots=True)  # slots: a feed makes thousands of these
class Day:
    """One date of one participant, judged."""

    day: date
    status: str
    agreed: bool
    attendance: DayAttendance
    late: bool = False
    absence: Absence | None = None
    corrections: int = 0  # corrections that touch this day
    changed_at: datetime | None = None  # the latest correction or excuse change of this day
    # Every change of the day counted: it only grows, even when an excuse is taken away,
    # so a calendar feed's SEQUENCE (RFC 5545: never decreasing) can be this.
    version: int = 0
    said: tuple[Statement, ...] = ()  # the participant's own say about this day, oldest first

    def _latest(self, kind: str) -> Statement | None:
        return next((s for s in reversed(self.said) if s.kind == kind), None)

    @property
    def leave_reason(self) -> Statement | None:
        """Why they left early this day, as they said it at the door (the latest answer)."""
        return self._latest(LEAVE_REASON)

    @property
    def announcement(self) -> Statement | None:
        """That they would not come this day: the latest one that stands, else the latest."""
        said = [s for s in self.said if s.kind == ABSENCE_ANNOUNCED]
        standing = [s for s in said if s.stands]
        return (standing or said)[-1] if said else None

    @property
    def estimate(self) -> Statement | None:
        """When they said they left this day, having forgotten to check out."""
        return self._latest(CHECKOUT_ESTIMATE)

    @property
    def counted_seconds(self) -> float:
        return self.attendance.counted_seconds

    @property
    def first_in(self) -> datetime | None:
        if self.attendance.sessions:
            return self.attendance.sessions[0].start_at
        return self.attendance.open_since

    @property
    def last_out(self) -> datetime | None:
        if self.attendance.open_since is not None or not self.attendance.sessions:
            return None
        return self.attendance.sessions[-1].end_at

    @property
    def forgotten_check_outs(self) -> int:
        return sum(1 for s in self.attendance.sessions if s.forgotten)

    @property
    def listed(self) -> bool:
        """Worth a row in a feed: an agreed day, or a day they came anyway."""
        return self.status in (PRESENT, EXCUSED, ABSENT, PENDING, ANNOUNCED)


@dataclass(frozen=True)
class Figures:
    agreed_days: int = 0
    days_present: int = 0
    counted_seconds: float = 0.0
    late_arrivals: int = 0
    absences_excused: int = 0
    absences_unexcused: int = 0
    forgotten_check_outs: int = 0
    absences_announced: int = 0  # agreed days away, said so at the door, not rejected

    @property
    def hours(self) -> float:
        return round(self.counted_seconds / 3600, 2)


def figures(days: Iterable[Day]) -> Figures:
    """The figures over these days. Future and pending days (today, before closing time,
    nobody in yet) count nowhere, not even as agreed: a day counts once it is judged."""
    agreed = present = late = excused = absent = forgotten = announced = 0
    seconds = 0.0
    for day in days:
        if day.status == FUTURE:
            continue
        if day.agreed and day.status != PENDING:
            agreed += 1
        if day.status == PRESENT:
            present += 1
            late += day.late
            seconds += day.counted_seconds
            forgotten += day.forgotten_check_outs
        elif day.status == EXCUSED:
            excused += 1
        elif day.status == ABSENT:
            absent += 1
        elif day.status == ANNOUNCED:
            announced += 1
    return Figures(agreed, present, seconds, late, excused, absent, forgotten, announced)


def absence_run(days: Iterable[Day]) -> int:
    """Consecutive unexcused absences on agreed days, counted back from the last judged day;
    a day present, excused or announced ends the run (they were there, or they let someone
    know); an announcement a supervisor rejected is absent again, and counts."""
    run = 0
    for day in sorted(days, key=lambda d: d.day, reverse=True):
        if day.status in (FUTURE, PENDING, NOT_AGREED):
            continue
        if day.status != ABSENT:
            break
        run += 1
    return run


def dates(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def month_dates(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return list(dates(first, following - timedelta(days=1)))


class Timeline:
    """Every date of an AttendanceRecord, judged as of `now`."""

    def __init__(self, record: AttendanceRecord, now: datetime, late_after: timedelta) -> None:
        self.record = record
        self.plan = record.plan
        zone = ZoneInfo(self.plan.site.timezone)
        self.today = now.astimezone(zone).date()
        # Corrections first, days second: a correction may move a tap to another day.
        self._taps: dict[date, list[ReceivedTap]] = {}
        for tap in corrected(record.taps, record.corrections):
            self._taps.setdefault(tap.at.astimezone(zone).date(), []).append(tap)
        raw_day = {tap.id: tap.at.astimezone(zone).date() for tap in record.taps}
        self._fixes: dict[date, list[int]] = {}
        for fix in record.corrections:
            touched = {raw_day[fix.event_id]} if fix.event_id in raw_day else set()
            if fix.at is not None:
                touched.add(fix.at.astimezone(zone).date())
            for day in touched:
                self._fixes.setdefault(day, []).append(fix.id)
        said: dict[date, list[Statement]] = {}
        for statement in record.statements:
            said.setdefault(statement.day, []).append(statement)
        self._said = {day: tuple(found) for day, found in said.items()}
        self._days = {d: self._judge(d, now, late_after) for d in dates(record.first, record.last)}

    def _judge(self, day: date, now: datetime, late_after: timedelta) -> Day:
        plan, site = self.plan, self.plan.site
        agreed = plan.agreed(day)
        absence = self.record.absences.get(day)
        fixes = self._fixes.get(day, ())
        changes = [self.record.changed_at[i] for i in fixes if i in self.record.changed_at]
        if absence is not None and absence.created_at is not None:
            changes.append(absence.created_at)
        excuse_changes = self.record.excuse_changes.get(day, ())
        changes += excuse_changes
        version = len(fixes) + len(excuse_changes)
        said = self._said.get(day, ())
        if said:  # most days: nothing said (a feed judges thousands)
            # What was said and a supervisor's verdict on it change the day too (a calendar
            # must see them): statements are never changed, so the count only grows.
            reviewed = [s.reviewed_at for s in said if s.reviewed_at is not None]
            changes += [s.said_at for s in said] + reviewed
            version += len(said) + len(reviewed)
        changed_at = max(changes, default=None)

        def judged(status: str, attendance: DayAttendance, late: bool = False) -> Day:
            return Day(
                day,
                status,
                agreed,
                attendance,
                late,
                absence,
                len(fixes),
                changed_at,
                version,
                said,
            )

        taps = self._taps.get(day)
        if day > self.today:
            return judged(FUTURE, DayAttendance(day))
        if taps:  # most dates have none: no pairing, no closing time (a feed judges thousands)
            close_at = closing_time(day, site.closes_at, site.timezone)
            attendance = pair_sessions(taps, day, close_at, now, self.record.estimates.get(day))
            first = attendance.sessions[0].start_at if attendance.sessions else None
            first = first or attendance.open_since
            if first is not None:
                opens = datetime.combine(day, site.opens_at, tzinfo=ZoneInfo(site.timezone))
                return judged(PRESENT, attendance, late=first > opens + late_after)
        else:
            attendance = DayAttendance(day)
        if not agreed:
            return judged(NOT_AGREED, attendance)
        if absence is not None:
            return judged(EXCUSED, attendance)
        if any(s.kind == ABSENCE_ANNOUNCED and s.stands for s in said):
            return judged(ANNOUNCED, attendance)
        if day == self.today and now < closing_time(day, site.closes_at, site.timezone):
            return judged(PENDING, attendance)
        return judged(ABSENT, attendance)

    def days(self, first: date | None = None, last: date | None = None) -> list[Day]:
        """The judged days from `first` to `last` (inclusive) that this record covers."""
        first = first or self.record.first
        last = last or self.record.last
        return [d for day, d in self._days.items() if first <= day <= last]

    def figures(self, first: date | None = None, last: date | None = None) -> Figures:
        return figures(self.days(first, last))

    def month(self, year: int, month: int) -> list[Day]:
        """Every date of the month; the record must cover the whole month."""
        wanted = month_dates(year, month)
        if wanted[0] < self.record.first or wanted[-1] > self.record.last:
            raise ValueError(f"the record does not cover {year}-{month:02d}")
        return [self._days[day] for day in wanted]

    def absence_run(self) -> int:
        return absence_run(self._days.values())

    def alert(self, after: int) -> bool:
        return alert(self.plan, self.today, self.absence_run(), after)


def alert(plan: Agreement, today: date, run: int, after: int) -> bool:
    """Time for the coach to call: `after` or more unexcused absences in a row, while the
    participant is active and in the program."""
    return plan.active and plan.in_program(today) and run >= after

"""A participant's week against their agreed days, as the door knows it: shown to them
right after their own tap (issue 15, "my week"). Pure Python, like kiosk.decide.

Two sources, so a day checked in at door A counts at door B:
- this door's journal (its check-ins, and the absences announced here), folded by WeekLog
  as the door writes them: today's tap counts before the server has heard of it;
- the server's view of every door of the site (sync.protocol.SitePresence.days, kept in
  kiosk.site_presence.SiteView.days): came, excused by a supervisor, or announced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sync.own_say import ABSENCE_ANNOUNCED
from sync.record import OPENS_SESSION, Record
from sync.roster import Participant


class Mark(StrEnum):
    """What one agreed day was, or will be, for the participant."""

    CAME = "came"  # checked in at any door of the site
    EXCUSED = "excused"  # a supervisor excused the day
    ANNOUNCED = "announced"  # they said at a door they would not come
    TO_COME = "to_come"  # today before they came, or a day still ahead
    MISSED = "missed"  # gone by without a check-in or an excuse


# The day's tile: a colour and a symbol (never colour alone), distinct for each mark.
MARK_SIGNS: dict[Mark, tuple[tuple[float, float, float, float], str]] = {
    Mark.CAME: ((0.05, 0.55, 0.25, 1), "✔"),
    Mark.EXCUSED: ((0.10, 0.35, 0.70, 1), "✉"),
    Mark.ANNOUNCED: ((0.20, 0.28, 0.78, 1), "☒"),  # as "Ik kom niet op …" itself
    Mark.TO_COME: ((0.30, 0.30, 0.36, 1), "○"),
    Mark.MISSED: ((0.80, 0.28, 0.05, 1), "✗"),
}

# The states the server sends (sync.protocol.DayState) and what each means here.
_SITE_MARKS = {"came": Mark.CAME, "excused": Mark.EXCUSED, "announced": Mark.ANNOUNCED}


@dataclass(frozen=True)
class WeekDay:
    day: date
    mark: Mark
    today: bool = False


@dataclass(frozen=True)
class Week:
    """One mark per agreed day of this week (Monday to Sunday), and the next agreed day
    after today they are still expected (None when nothing is agreed)."""

    days: tuple[WeekDay, ...]
    next_day: date | None


@dataclass
class WeekLog:
    """What this door's own journal says, per participant: days they checked in here, and
    days they announced here they would not come. Folded record by record, like Presence."""

    came: dict[str, set[date]] = field(default_factory=dict)
    announced: dict[str, set[date]] = field(default_factory=dict)

    def apply(
        self, kind: str, participant_id: str | None, day: date, detail: Mapping[str, Any]
    ) -> None:
        if participant_id is None:
            return
        if kind in OPENS_SESSION:
            self.came.setdefault(participant_id, set()).add(day)
        elif kind == ABSENCE_ANNOUNCED:
            try:
                announced = date.fromisoformat(str(detail.get("day")))
            except ValueError:
                return  # a detail the server will refuse; nothing to show
            self.announced.setdefault(participant_id, set()).add(announced)

    def apply_record(self, record: Record) -> None:
        self.apply(record.kind, record.participant_id, record.workshop_day, record.detail)

    @classmethod
    def of(cls, records: Iterable[Record]) -> WeekLog:
        log = cls()
        for record in records:
            log.apply_record(record)
        return log

    def forget_absent(self, known: set[str] | frozenset[str]) -> None:
        for folded in (self.came, self.announced):
            for pid in [pid for pid in folded if pid not in known]:
                del folded[pid]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def marks_of(
    participant_id: str, log: WeekLog, site_days: Mapping[str, Mapping[date, str]] | None
) -> dict[date, Mark]:
    """Every day this participant has a mark for, from both sources. Came beats an excuse
    (they came after all); this door's own announcement counts before the server has it."""
    marks: dict[date, Mark] = {}
    for day, state in (site_days or {}).get(participant_id, {}).items():
        mark = _SITE_MARKS.get(state)
        if mark is not None:
            marks[day] = mark
    for day in log.announced.get(participant_id, ()):
        if marks.get(day) is None:
            marks[day] = Mark.ANNOUNCED
    for day in log.came.get(participant_id, ()):
        marks[day] = Mark.CAME
    return marks


def week_of(
    participant: Participant,
    today: date,
    log: WeekLog,
    site_days: Mapping[str, Mapping[date, str]] | None = None,
) -> Week:
    """The participant's week as their tap on `today` shows it."""
    known = marks_of(participant.id, log, site_days)
    monday = monday_of(today)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day.isoweekday() not in participant.agreed_weekdays:
            continue
        mark = known.get(day)
        if mark is None:
            mark = Mark.MISSED if day < today else Mark.TO_COME
        days.append(WeekDay(day, mark, today=day == today))
    return Week(tuple(days), next_expected(participant, today, known))


def next_expected(participant: Participant, today: date, known: Mapping[date, Mark]) -> date | None:
    """The first agreed day after today not excused or announced away (within four weeks)."""
    for ahead in range(1, 29):
        day = today + timedelta(days=ahead)
        if day.isoweekday() in participant.agreed_weekdays and known.get(day) not in (
            Mark.EXCUSED,
            Mark.ANNOUNCED,
        ):
            return day
    return None


def next_agreed_days(participant: Participant, today: date, count: int = 5) -> list[date]:
    """The participant's next `count` agreed days after today: the days "Ik kom niet op …"
    offers (the server accepts only later days, sync.own_say.detail_problem)."""
    days: list[date] = []
    day = today
    while participant.agreed_weekdays and len(days) < count:
        day += timedelta(days=1)
        if day.isoweekday() in participant.agreed_weekdays:
            days.append(day)
    return days

"""My week (kiosk.my_week), pure, with a held clock: one mark per agreed day from the
door's own journal and the site's day marks, and the next day they are expected."""

from __future__ import annotations

from datetime import date

from kiosk.my_week import Mark, WeekLog, marks_of, next_agreed_days, week_of
from sync.roster import Participant

AMAL = Participant("p-amal", "Amal", "ar", agreed_weekdays=frozenset({1, 2, 4}))  # Mo Tu Th
MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (date(2026, 11, d) for d in (23, 24, 25, 26))


def marks(week: object) -> list[tuple[date, Mark]]:
    return [(d.day, d.mark) for d in week.days]  # type: ignore[attr-defined]


def test_a_day_gone_by_without_a_check_in_is_missed_and_today_is_still_to_come() -> None:
    week = week_of(AMAL, TUESDAY, WeekLog())
    assert marks(week) == [
        (MONDAY, Mark.MISSED), (TUESDAY, Mark.TO_COME), (THURSDAY, Mark.TO_COME)
    ]  # fmt: skip
    assert [d.today for d in week.days] == [False, True, False]
    assert week.next_day == THURSDAY


def test_a_check_in_at_this_door_counts_before_the_server_knows_it() -> None:
    log = WeekLog()
    log.apply("check_in", AMAL.id, TUESDAY, {})
    assert marks(week_of(AMAL, TUESDAY, log))[1] == (TUESDAY, Mark.CAME)


def test_a_day_checked_in_at_another_door_counts_here() -> None:
    site = {AMAL.id: {MONDAY: "came"}}
    assert marks(week_of(AMAL, TUESDAY, WeekLog(), site))[0] == (MONDAY, Mark.CAME)


def test_excused_and_announced_days_show_as_such_and_are_not_the_next_day() -> None:
    site = {AMAL.id: {MONDAY: "excused", THURSDAY: "excused"}}
    log = WeekLog()
    log.apply("absence_announced", AMAL.id, TUESDAY, {"day": "2026-11-30", "reason": "doctor"})
    week = week_of(AMAL, TUESDAY, log, site)
    assert marks(week)[0] == (MONDAY, Mark.EXCUSED)
    assert marks(week)[2] == (THURSDAY, Mark.EXCUSED)
    # Thursday excused, Monday the 30th announced: they are expected on Tuesday 1 December.
    assert week.next_day == date(2026, 12, 1)


def test_coming_after_all_beats_an_excuse() -> None:
    log = WeekLog()
    log.apply("manual_check_in", AMAL.id, MONDAY, {})
    known = marks_of(AMAL.id, log, {AMAL.id: {MONDAY: "excused"}})
    assert known[MONDAY] is Mark.CAME


def test_only_agreed_days_have_a_mark_and_nothing_agreed_has_no_next_day() -> None:
    nobody = Participant("p-x", "X")
    week = week_of(nobody, TUESDAY, WeekLog())
    assert week.days == () and week.next_day is None
    assert next_agreed_days(nobody, TUESDAY) == []


def test_the_next_agreed_days_are_later_days_only() -> None:
    assert next_agreed_days(AMAL, TUESDAY, 4) == [
        THURSDAY, date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3)
    ]  # fmt: skip


def test_the_log_forgets_who_left_the_roster_and_ignores_a_bad_day() -> None:
    log = WeekLog()
    log.apply("check_in", AMAL.id, TUESDAY, {})
    log.apply("absence_announced", AMAL.id, TUESDAY, {"day": "not a day"})
    log.apply("lunch", AMAL.id, TUESDAY, {"eats": True})
    assert log.announced == {}
    log.forget_absent({"p-other"})
    assert log.came == {}

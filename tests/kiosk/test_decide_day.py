"""The day around a tap: lunch, birthdays, the next agreed day, work by a supervisor's hand
and enrolling a badge — pure rules, with a held clock."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from kiosk.decide import (
    BadgeTaken,
    DoorRules,
    Outcome,
    Tap,
    decide,
    enrol,
    lunch,
    manual,
)
from kiosk.site_presence import Presence
from sync.clock import HeldClock
from sync.roster import DoorData, DoorDataError
from tests.kiosk.test_decide import amsterdam

AMAL, MARIEKE, NEW = "04A1B2C3", "0499AA11", "04ABCDEF"


def data(**amal: object) -> DoorData:
    return DoorData.from_dict(
        {
            "participants": [{"id": "p-amal", "display_name": "Amal", "language": "ar", **amal}],
            "supervisors": [{"id": "s-marieke", "display_name": "Marieke"}],
            "badges": [{"uid": AMAL, "holder_id": "p-amal"},
                       {"uid": MARIEKE, "holder": "supervisor", "holder_id": "s-marieke"}],
        }
    )  # fmt: skip


DATA = data(birthday="11-24", agreed_weekdays=[2, 4])  # 2026-11-24 is a Tuesday
RULES = DoorRules(lunch_until=time(12, 0))


def fold(presence: Presence, decision, n: int) -> None:  # type: ignore[no-untyped-def]
    who = decision.participant.id if decision.participant else None
    presence.apply(decision.outcome, who, f"r{n}", decision.tap.at, decision.detail)


@pytest.mark.parametrize(("at", "asks"), [("08:58", True), ("11:59", True), ("12:00", False)])
def test_lunch_is_asked_at_check_in_before_lunch_time(at: str, asks: bool) -> None:
    clock = HeldClock(amsterdam(f"2026-11-24 {at}"))
    decision = decide(Tap(AMAL, clock.now()), DATA, Presence(), RULES)
    assert decision.outcome is Outcome.CHECK_IN and decision.ask_lunch is asks


def test_lunch_is_asked_once_a_day() -> None:
    clock, presence = HeldClock(amsterdam("2026-11-24 08:58")), Presence()
    first = decide(Tap(AMAL, clock.now()), DATA, presence, RULES)
    fold(presence, first, 1)
    fold(presence, lunch(DATA.participants["p-amal"], clock.now(), eats=True, answered=True), 2)
    clock.advance(3600)
    fold(presence, decide(Tap(AMAL, clock.now()), DATA, presence, RULES), 3)  # out
    clock.advance(600)
    again = decide(Tap(AMAL, clock.now()), DATA, presence, RULES)
    assert again.outcome is Outcome.CHECK_IN and not again.ask_lunch
    assert presence.lunch_count(date(2026, 11, 24)) == 1


def test_lunch_answer_of_yesterday_does_not_count_today() -> None:
    clock, presence = HeldClock(amsterdam("2026-11-23 09:00")), Presence()
    fold(presence, decide(Tap(AMAL, clock.now()), DATA, presence, RULES), 1)
    fold(presence, lunch(DATA.participants["p-amal"], clock.now(), eats=True, answered=True), 2)
    clock.advance(24 * 3600)
    assert presence.lunch_count(date(2026, 11, 24)) == 0
    assert decide(Tap(AMAL, clock.now()), DATA, presence, RULES).ask_lunch


@pytest.mark.parametrize(
    ("birthday", "day", "sings"),
    [("11-24", "2026-11-24", True), ("11-25", "2026-11-24", False),
     ("02-29", "2027-02-28", True), ("02-29", "2028-02-28", False),
     ("02-29", "2028-02-29", True)],
)  # fmt: skip
def test_birthday_is_day_and_month(birthday: str, day: str, sings: bool) -> None:
    clock = HeldClock(amsterdam(f"{day} 09:00"))
    decision = decide(Tap(AMAL, clock.now()), data(birthday=birthday), Presence(), RULES)
    assert decision.birthday is sings


@pytest.mark.parametrize("bad", ["1-24", "13-01", "02-30", "2026-11-24", "xx-yy"])
def test_birthday_that_is_no_date_is_refused_with_its_place(bad: str) -> None:
    with pytest.raises(DoorDataError, match=r"participants\[0\]\.birthday"):
        data(birthday=bad)


@pytest.mark.parametrize("bad", [[0], [8], ["ma"], [True], "1,3"])
def test_agreed_weekdays_must_be_1_to_7(bad: object) -> None:
    with pytest.raises(DoorDataError, match=r"participants\[0\]\.agreed_weekdays"):
        data(agreed_weekdays=bad)


@pytest.mark.parametrize(
    ("weekdays", "today", "next_day"),
    [([2, 4], "2026-11-24", date(2026, 11, 26)),  # Tuesday → Thursday
     ([2, 4], "2026-11-26", date(2026, 12, 1)),  # Thursday → next Tuesday
     ([3], "2026-11-24", date(2026, 11, 25)),  # tomorrow
     ([2], "2026-11-24", date(2026, 12, 1)),  # a week on
     ([], "2026-11-24", None)],
)  # fmt: skip
def test_check_out_names_the_next_agreed_day(weekdays: list[int], today: str, next_day) -> None:  # type: ignore[no-untyped-def]
    the_data = data(agreed_weekdays=weekdays)
    clock, presence = HeldClock(amsterdam(f"{today} 09:00")), Presence()
    fold(presence, decide(Tap(AMAL, clock.now()), the_data, presence, RULES), 1)
    clock.advance(4 * 3600)
    out = decide(Tap(AMAL, clock.now()), the_data, presence, RULES)
    assert out.outcome is Outcome.CHECK_OUT and out.next_day == next_day


def test_manual_check_in_and_out_carry_the_supervisor() -> None:
    clock, presence = HeldClock(amsterdam("2026-11-24 09:00")), Presence()
    amal, marieke = DATA.participants["p-amal"], DATA.supervisors["s-marieke"]
    came = manual(Outcome.MANUAL_CHECK_IN, amal, marieke, presence, clock.now())
    assert came is not None and came.entry().supervisor_id == "s-marieke"
    assert came.entry().badge_uid is None  # no badge was tapped
    fold(presence, came, 1)
    assert manual(Outcome.MANUAL_CHECK_IN, amal, marieke, presence, clock.now()) is None
    clock.advance(3 * 3600)
    left = manual(Outcome.MANUAL_CHECK_OUT, amal, marieke, presence, clock.now(), closing=True)
    assert left is not None and left.worked_today == timedelta(hours=3)
    assert left.detail["closing"] is True and left.outcome is Outcome.MANUAL_CHECK_OUT
    fold(presence, left, 2)
    assert presence.inside() == []
    assert manual(Outcome.MANUAL_CHECK_OUT, amal, marieke, presence, clock.now()) is None


def test_enrolling_a_free_badge_records_who_and_by_whom() -> None:
    clock = HeldClock(amsterdam("2026-11-24 09:00"))
    decision = enrol(
        NEW, DATA.participants["p-amal"], DATA.supervisors["s-marieke"], DATA, clock.now()
    )
    entry = decision.entry()
    assert (entry.kind, entry.badge_uid, entry.participant_id, entry.supervisor_id) == (
        "badge_enrolled", NEW, "p-amal", "s-marieke")  # fmt: skip


@pytest.mark.parametrize(("uid", "holder"), [(AMAL, "Amal"), (MARIEKE, "Marieke")])
def test_enrolling_a_held_badge_names_the_holder(uid: str, holder: str) -> None:
    clock = HeldClock(amsterdam("2026-11-24 09:00"))
    with pytest.raises(BadgeTaken) as taken:
        enrol(uid, DATA.participants["p-amal"], DATA.supervisors["s-marieke"], DATA, clock.now())
    assert taken.value.holder == holder

"""server.attendance.coaching: what a coach reads — their own participants' figures, one
participant's program, one month — and nothing of anyone else's participants."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, update

from server.attendance.coaching import caseload, program, record_of
from server.schema import participants
from tests.server.conftest import NOW, Staff
from tests.server.web.test_coach import MON, WED, add_tap, local

LATE = timedelta(minutes=5)
TODAY = date(2026, 11, 25)


def test_coaching_caseload_is_the_coachs_own_participants_by_name(
    staff_world: Staff, engine: Engine
) -> None:
    add_tap(engine, "p-amal", "check_in", local(MON, "08:30"))
    add_tap(engine, "p-amal", "check_out", local(MON, "16:30"))
    carla = caseload(engine, "c-carla", MON, WED, NOW, late_after=LATE)
    assert carla.participant_ids == ["p-amal", "p-dawit"]
    amal = carla.timelines.of["p-amal"].figures(MON, WED)
    assert amal.days_present == 1 and amal.hours == 8.0
    koen = caseload(engine, "c-koen", MON, WED, NOW, late_after=LATE)
    assert koen.participant_ids == ["p-olena"]


def test_coaching_program_runs_from_its_first_month_to_today(
    staff_world: Staff, engine: Engine
) -> None:
    shown = program(engine, "c-carla", "p-amal", TODAY, NOW, late_after=LATE, at_most_months=24)
    assert shown is not None
    assert (shown.plan.display_name, shown.first, shown.last) == (
        "Amal",
        date(2026, 10, 1),
        TODAY,
    )
    with engine.begin() as conn:
        conn.execute(
            update(participants)
            .where(participants.c.id == "p-amal")
            .values(program_start=date(2020, 3, 15))
        )
    long = program(engine, "c-carla", "p-amal", TODAY, NOW, late_after=LATE, at_most_months=2)
    assert long is not None and long.first == date(2026, 9, 1)  # no more than ~2 months back


def test_coaching_reads_nothing_of_another_coachs_participant(
    staff_world: Staff, engine: Engine
) -> None:
    add_tap(engine, "p-amal", "check_in", local(MON, "08:30"))
    late = {"late_after": LATE}
    assert program(engine, "c-koen", "p-amal", TODAY, NOW, at_most_months=24, **late) is None
    assert program(engine, "c-carla", "p-olena", TODAY, NOW, at_most_months=24, **late) is None
    assert record_of(engine, "c-koen", "p-amal", MON, WED) is None
    record = record_of(engine, "c-carla", "p-amal", MON, WED)
    assert record is not None and [t.kind for t in record.taps] == ["check_in"]

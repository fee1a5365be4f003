"""server.attendance.day_sheet: one participant's day as the supervisor sees it on the day
page — the taps by door, the corrections beside them, the sessions and the absence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from server.attendance.amendments import Asked, correct, excuse
from server.attendance.day_sheet import DaySheet, day_sheet
from server.attendance.today import Site, find_site
from server.db import writing
from server.schema import event_flags, participants
from tests.server.conftest import NOW, World, wire
from tests.server.test_today import push

DAY = date(2026, 11, 25)  # a Wednesday
EVENING = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
MARIEKE = {"staff_id": "s-marieke", "actor": "supervisor:s-marieke", "now": NOW}


def north(engine: Engine) -> Site:
    site = find_site(engine, "north")
    assert site is not None
    return site


def sheet(engine: Engine, participant_id: str = "p-amal", now: datetime = EVENING) -> DaySheet:
    found = day_sheet(engine, north(engine), participant_id, DAY, now)
    assert found is not None
    return found


def test_corrected_day_lists_the_taps_in_order_with_their_door(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(
        client,
        world,
        wire(2, kind="check_out", wall_at="2026-11-25T15:00:00Z"),
        wire(1, wall_at="2026-11-25T07:45:00Z"),
    )
    day = sheet(engine)
    assert [(t.kind, t.door, t.at.hour) for t in day.taps] == [
        ("check_in", "Front door", 7),
        ("check_out", "Front door", 15),
    ]
    assert day.name == "Amal"
    assert [s.counted_seconds for s in day.attendance.sessions] == [7.25 * 3600]
    assert day.present and day.absence is None


def test_corrected_day_shows_a_move_beside_the_tap_it_moved(
    client: TestClient, world: World, engine: Engine
) -> None:
    check_out = wire(2, kind="check_out", wall_at="2026-11-25T15:00:00Z")
    push(client, world, wire(1, wall_at="2026-11-25T07:45:00Z"), check_out)
    moved = Asked("move", check_out["id"], time(17, 0), "vergat uit te checken")
    assert correct(engine, north(engine), "p-amal", DAY, moved, **MARIEKE) is None
    tap = sheet(engine).taps[1]
    assert tap.at.hour == 15  # as the door sent it
    assert tap.counted_at == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 17:00 in Amsterdam
    [amendment] = tap.amendments
    assert (amendment.author, amendment.reason) == ("Marieke", "vergat uit te checken")
    assert [s.counted_seconds for s in sheet(engine).attendance.sessions] == [8.25 * 3600]


def test_corrected_day_keeps_a_voided_tap_and_an_added_one_apart(
    client: TestClient, world: World, engine: Engine
) -> None:
    check_in = wire(1, wall_at="2026-11-25T07:45:00Z")
    push(client, world, check_in)
    site = north(engine)
    correct(
        engine, site, "p-amal", DAY, Asked("void", check_in["id"], None, "per ongeluk"), **MARIEKE
    )
    added = Asked("add_check_in", None, time(9, 0), "badge vergeten")
    correct(engine, site, "p-amal", DAY, added, **MARIEKE)
    day = sheet(engine)
    [tap] = day.taps
    assert tap.voided and not tap.fixable
    assert [(a.action, a.at) for a in day.added] == [
        ("add_check_in", datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    ]
    assert day.attendance.auto_closed  # the added check-in was never closed


def test_corrected_day_shows_flags_absence_and_the_agreed_weekday(
    client: TestClient, world: World, engine: Engine
) -> None:
    check_in = wire(1, participant_id="p-dawit", badge_uid="04D4E5F6")
    push(client, world, check_in)
    with writing(engine) as conn:
        conn.execute(update(participants).values(agreed_weekdays="3"))
        conn.execute(
            event_flags.insert().values(
                event_id=check_in["id"], site_id="north", flag="badge_held_by_other",
                detail="", created_at=NOW,
            )
        )  # fmt: skip
    excuse(engine, north(engine), "p-amal", DAY, "sick", "griep", **MARIEKE)
    dawit, amal = sheet(engine, "p-dawit"), sheet(engine)
    assert dawit.taps[0].flags == ("badge_held_by_other",)
    assert amal.agreed and not amal.present
    assert amal.absence is not None
    assert (amal.absence.reason, amal.absence.note, amal.absence.author) == (
        "sick",
        "griep",
        "Marieke",
    )


def test_corrected_day_is_none_for_another_sites_participant(world: World, engine: Engine) -> None:
    assert day_sheet(engine, north(engine), "p-olena", DAY, NOW) is None
    assert day_sheet(engine, north(engine), "p-nobody", DAY, NOW) is None

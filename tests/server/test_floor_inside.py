"""server.attendance.inside: who is in the building now, as the floor and evacuation lists
show them — by name, since when, and what the supervisor should look at."""

from __future__ import annotations

from datetime import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from server.attendance.amendments import Asked, correct
from server.attendance.inside import floor_now
from server.attendance.today import find_site
from server.schema import participants
from tests.server.conftest import NOW, World, wire
from tests.server.test_today import DAWIT, DAY, push


def test_floor_inside_lists_who_is_in_by_name_with_what_to_look_at(
    client: TestClient, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(participants).where(participants.c.id == "p-amal").values(birthday="11-25")
        )
    push(
        client,
        world,
        wire(1, wall_at="2026-11-25T08:05:00Z"),
        wire(2, kind="manual_check_in", participant_id="p-dawit", badge_uid=None,
             supervisor_id="s-marieke", wall_at="2026-11-25T07:50:00Z"),
        wire(3, kind="supervisor", participant_id=None, supervisor_id="s-marieke",
             badge_uid="0499AA11", wall_at="2026-11-25T07:15:00Z"),
    )  # fmt: skip
    floor = floor_now(engine, "north", NOW)
    assert floor is not None and floor.count == 2
    amal, dawit = floor.participants
    assert (amal.name, amal.since.hour, amal.by_hand, amal.birthday) == ("Amal", 8, False, True)
    assert (dawit.name, dawit.since.minute, dawit.by_hand, dawit.birthday) == (
        "Dawit", 50, True, False
    )  # fmt: skip
    assert [(s.name, s.since.hour) for s in floor.supervisors] == [("Marieke", 7)]


def test_floor_inside_leaves_out_who_left_and_marks_a_corrected_day(
    client: TestClient, world: World, engine: Engine
) -> None:
    amal_in = wire(1, wall_at="2026-11-25T08:05:00Z")
    push(
        client,
        world,
        amal_in,
        wire(2, wall_at="2026-11-25T08:10:00Z", **DAWIT),
        wire(3, kind="check_out", wall_at="2026-11-25T08:30:00Z", **DAWIT),
    )
    site = find_site(engine, "north")
    assert site is not None
    fix = Asked("move", amal_in["id"], time(8, 0), "stond eerder binnen")
    correct(engine, site, "p-amal", DAY, fix, staff_id="s-marieke", actor="x", now=NOW)
    floor = floor_now(engine, "north", NOW)
    assert floor is not None
    [amal] = floor.participants
    assert amal.participant_id == "p-amal" and amal.corrected
    assert amal.since.hour == 7  # 08:00 in Amsterdam, as corrected


def test_floor_inside_is_none_for_a_site_that_is_not_there(world: World, engine: Engine) -> None:
    assert floor_now(engine, "atlantis", NOW) is None
    assert floor_now(engine, "south", NOW) is not None

"""server.attendance.amendments: what a supervisor's correction or absence reason does to
the day, what it refuses, and the audit line each change leaves."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.attendance.amendments import Asked, Refused, correct, excuse, withdraw_excuse
from server.attendance.today import Site, find_site
from server.schema import absences, audit_log, corrections
from tests.server.conftest import NOW, World, wire
from tests.server.test_today import push

DAY = date(2026, 11, 25)
MARIEKE: dict[str, Any] = {"staff_id": "s-marieke", "actor": "supervisor:s-marieke", "now": NOW}


def north(engine: Engine) -> Site:
    site = find_site(engine, "north")
    assert site is not None
    return site


def audit_lines(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.participant_id, audit_log.c.actor,
                   audit_log.c.detail).order_by(audit_log.c.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_correcting_days_stores_a_correction_with_its_audit_line(
    client: TestClient, world: World, engine: Engine
) -> None:
    check_in = wire(1)
    push(client, world, check_in)
    moved = Asked("move", check_in["id"], time(8, 30), "stond in de rij")
    assert correct(engine, north(engine), "p-amal", DAY, moved, **MARIEKE) is None
    with engine.connect() as conn:
        row = conn.execute(select(corrections)).one()
    assert (row.action, row.event_id, row.reason, row.staff_id) == (
        "move", check_in["id"], "stond in de rij", "s-marieke"
    )  # fmt: skip
    assert audit_lines(engine) == [
        ("correction", "p-amal", "supervisor:s-marieke",
         {"day": "2026-11-25", "action": "move", "event_id": check_in["id"], "id": row.id}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("participant_id", "asked", "refused"),
    [
        ("p-olena", Asked("add_check_in", None, time(9, 0), "x"), Refused.STRANGER),
        ("p-amal", Asked("void", "DAWIT", None, "x"), Refused.NOT_THEIR_TAP),
        ("p-amal", Asked("move", "", time(9, 0), "x"), Refused.NOT_THEIR_TAP),
        ("p-amal", Asked("add_check_out", None, None, "x"), Refused.NO_TIME),
        ("p-amal", Asked("move", "AMAL", None, "x"), Refused.NO_TIME),
    ],
)
def test_correcting_days_refuses_what_is_not_theirs_or_has_no_time(
    client: TestClient,
    world: World,
    engine: Engine,
    participant_id: str,
    asked: Asked,
    refused: Refused,
) -> None:
    taps = {"AMAL": wire(1), "DAWIT": wire(2, participant_id="p-dawit", badge_uid="04D4E5F6")}
    push(client, world, *taps.values())
    if asked.event_id in taps:
        asked = Asked(asked.action, taps[asked.event_id]["id"], asked.at, asked.reason)
    assert correct(engine, north(engine), participant_id, DAY, asked, **MARIEKE) is refused
    assert count(engine, corrections) == 0
    assert audit_lines(engine) == []


def test_correcting_days_excuses_a_day_and_a_new_reason_replaces_it(
    world: World, engine: Engine
) -> None:
    site = north(engine)
    assert excuse(engine, site, "p-dawit", DAY, "sick", "griep", **MARIEKE) is None
    assert excuse(engine, site, "p-dawit", DAY, "appointment", "", **MARIEKE) is None
    with engine.connect() as conn:
        [row] = conn.execute(select(absences)).all()
    assert (row.participant_id, row.day, row.reason) == ("p-dawit", DAY, "appointment")
    assert [(a, p, d) for a, p, _, d in audit_lines(engine)] == [
        ("absence", "p-dawit", {"day": "2026-11-25", "reason": "sick"}),
        ("absence", "p-dawit", {"day": "2026-11-25", "reason": "appointment"}),
    ]


def test_correcting_days_cannot_excuse_someone_who_came(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(client, world, wire(1))
    assert excuse(engine, north(engine), "p-amal", DAY, "sick", "", **MARIEKE) is Refused.PRESENT
    assert excuse(engine, north(engine), "p-olena", DAY, "sick", "", **MARIEKE) is Refused.STRANGER
    assert count(engine, absences) == 0


def test_correcting_days_withdrawing_an_excuse_is_logged_only_when_there_was_one(
    world: World, engine: Engine
) -> None:
    site, who = north(engine), {"actor": "supervisor:s-marieke", "now": NOW}
    assert withdraw_excuse(engine, site, "p-dawit", DAY, **who) is None  # none yet: no line
    excuse(engine, site, "p-dawit", DAY, "other", "", **MARIEKE)
    assert withdraw_excuse(engine, site, "p-dawit", DAY, **who) is None
    assert withdraw_excuse(engine, site, "p-olena", DAY, **who) is Refused.STRANGER
    assert count(engine, absences) == 0
    assert [a for a, *_ in audit_lines(engine)] == ["absence", "absence_removed"]

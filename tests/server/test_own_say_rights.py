"""Least data for what participants say at the door (issue 15, item 7): the supervisors'
verdicts go with their records under retention, both go with the participant at an
erasure, and the participant's export holds what they said."""

from __future__ import annotations

import json
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.administration.rights import apply_retention, erase_participant, export_participant
from server.db import writing
from server.schema import events, statement_reviews
from tests.server.conftest import NOW, World
from tests.server.door_says import announce, leave_reason, review, tap
from tests.server.test_own_say_reports import at

MON, TUE = date(2026, 11, 23), date(2026, 11, 24)


def amal_and_dawit_say(client: TestClient, world: World, engine: Engine) -> dict[str, str]:
    tap(client, world, "check_in", at(MON, "08:30"))
    out = tap(client, world, "check_out", at(MON, "12:00"))
    ids = {
        "leave": leave_reason(client, world, at(MON, "12:01"), "doctor", out, "p-amal"),
        "absence": announce(
            client, world, at(MON, "12:02"), date(2026, 11, 30), "office", "p-amal"
        ),
        "dawit": announce(client, world, at(TUE, "09:00"), date(2026, 11, 26), "other", "p-dawit"),
    }
    for key, who in (("leave", "p-amal"), ("absence", "p-amal"), ("dawit", "p-dawit")):
        review(engine, ids[key], "confirmed", who)
    return ids


def reviews(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(statement_reviews.c.event_id, statement_reviews.c.verdict))
        return {row.event_id: row.verdict for row in rows}


def test_retention_deletes_the_verdicts_with_their_records(
    client: TestClient, world: World, engine: Engine
) -> None:
    amal_and_dawit_say(client, world, engine)
    with writing(engine) as conn:
        kept = apply_retention(conn, NOW, 365)
    assert kept["statement_reviews"] == 0 and len(reviews(engine)) == 3
    with writing(engine) as conn:  # a year and a day on, every record is past retention
        counts = apply_retention(conn, NOW + timedelta(days=366), 365)
    assert counts["statement_reviews"] == 3 and reviews(engine) == {}
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(events)).scalar_one()
    assert left == 0


def test_erasure_deletes_what_they_said_and_the_verdicts_on_it(
    client: TestClient, world: World, engine: Engine
) -> None:
    ids = amal_and_dawit_say(client, world, engine)
    with writing(engine) as conn:
        counts = erase_participant(conn, "p-amal", "admin (cli)", NOW)
    assert counts["statement_reviews"] == 2
    assert reviews(engine) == {ids["dawit"]: "confirmed"}  # Dawit's stay
    with engine.connect() as conn:
        kinds = conn.execute(select(events.c.kind).where(events.c.participant_id == "p-amal"))
        assert kinds.all() == []


def test_export_holds_their_statements_with_the_verdict(
    client: TestClient, world: World, engine: Engine
) -> None:
    ids = amal_and_dawit_say(client, world, engine)
    review(engine, ids["absence"], "changed", "p-amal", reason="children")
    with engine.connect() as conn:
        data = export_participant(conn, "p-amal", NOW)
    said = {s["id"]: s for s in data["statements"]}
    assert set(said) == {ids["leave"], ids["absence"]}
    leave = said[ids["leave"]]
    assert (leave["kind"], leave["day"], leave["reason"], leave["verdict"]) == (
        "leave_reason",
        "2026-11-23",
        "doctor",
        "confirmed",
    )
    absence = said[ids["absence"]]
    assert (absence["reason"], absence["verdict"], absence["reason_now"]) == (
        "office",
        "changed",
        "children",
    )
    assert absence["reviewed_by"] == "s-marieke"
    assert not any(t["kind"] in ("leave_reason", "absence_announced") for t in data["taps"])
    assert ids["dawit"] not in json.dumps(data)

"""POST /api/v1/records: the kinds a supervisor or a question at the door makes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.administration import operations as admin
from server.db import writing
from tests.server.conftest import NOW, World, wire

BY_HAND = {"supervisor_id": "s-marieke", "badge_uid": None}


def statuses(client: TestClient, world: World, *records) -> list[tuple[str, str | None]]:
    answer = client.post("/api/v1/records", json={"records": list(records)}, headers=world.auth())
    assert answer.status_code == 200, answer.text
    return [(r["status"], r["reason"]) for r in answer.json()["results"]]


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "manual_check_in", **BY_HAND},
        {"kind": "manual_check_out", **BY_HAND, "detail": {"closing": True}},
        {"kind": "lunch", "badge_uid": None, "detail": {"eats": True, "answered": False}},
        {"kind": "badge_enrolled", "supervisor_id": "s-marieke", "badge_uid": "04CAFE01"},
    ],
)
def test_push_kinds_new_accepted(client: TestClient, world: World, fields) -> None:
    assert statuses(client, world, wire(1, **fields)) == [("accepted", None)]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"kind": "manual_check_in", "badge_uid": None}, "manual_check_in needs supervisor_id"),
        ({"kind": "manual_check_out", **BY_HAND, "participant_id": None},
         "manual_check_out needs participant_id"),
        ({"kind": "badge_enrolled", **BY_HAND}, "badge_enrolled needs badge_uid"),
        ({"kind": "lunch", "detail": {"eats": "yes"}}, "lunch needs detail.eats true or false"),
        ({"kind": "lunch", "participant_id": None}, "lunch needs participant_id"),
    ],
)  # fmt: skip
def test_push_kinds_incomplete_rejected(client: TestClient, world: World, fields, reason) -> None:
    assert statuses(client, world, wire(1, **fields)) == [("rejected", reason)]


def test_push_kinds_manual_supervisor_of_other_site_rejected(
    client: TestClient, world: World, engine
) -> None:
    with writing(engine) as conn:
        admin.add_staff(conn, "s-sven", "sven", "supervisor", "Sven", "south", NOW)
    record = wire(1, kind="manual_check_in", supervisor_id="s-sven", badge_uid=None)
    assert statuses(client, world, record) == [("rejected", "supervisor belongs to another site")]


def test_push_kinds_manual_participant_of_other_site_rejected(
    client: TestClient, world: World
) -> None:
    record = wire(1, kind="manual_check_in", participant_id="p-olena", **BY_HAND)
    assert statuses(client, world, record) == [("rejected", "participant belongs to another site")]

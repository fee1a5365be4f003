"""POST /api/v1/records: what a participant says at the door themselves (sync.own_say) is
judged like any record: a bad one is set aside with its reason, the rest of the batch goes
on, a good one is stored once and a repeat is a duplicate."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.schema import events, rejected_records
from tests.server.conftest import World, wire

ESTIMATE = {"day": "2026-11-24", "left_at": "16:15", "stale_record_id": "x"}


def said(seq: int, kind: str, detail: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A participant's answer at the door on Wednesday 25 November, 09:00 (UTC)."""
    return wire(seq, kind=kind, detail=detail, **fields)


def push(client: TestClient, world: World, *records: dict[str, Any]) -> list[tuple[str, Any]]:
    answer = client.post("/api/v1/records", json={"records": list(records)}, headers=world.auth())
    assert answer.status_code == 200, answer.text
    return [(r["status"], r["reason"]) for r in answer.json()["results"]]


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("leave_reason", {"reason": "doctor", "check_out_record_id": "x"}),
        ("absence_announced", {"day": "2026-11-27", "reason": "office"}),
        ("checkout_estimate", ESTIMATE),
        ("checkout_estimate", {**ESTIMATE, "left_at": None}),  # "weet ik niet"
    ],
)
def test_own_say_good_records_are_stored_once(
    client: TestClient, world: World, engine: Engine, kind: str, detail: dict[str, Any]
) -> None:
    record = said(1, kind, detail)
    assert push(client, world, record) == [("accepted", None)]
    assert push(client, world, record) == [("duplicate", None)]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 1


@pytest.mark.parametrize(
    ("kind", "detail", "fields", "reason"),
    [
        ("leave_reason", {"reason": "shopping"}, {}, "unknown reason category 'shopping'"),
        ("absence_announced", {"day": "2026-11-25", "reason": "doctor"}, {},
         "an absence can only be announced for a later day"),
        ("absence_announced", {"day": "27-11-2026", "reason": "doctor"}, {},
         "absence_announced: day must be YYYY-MM-DD"),
        ("checkout_estimate", {**ESTIMATE, "left_at": "25:00"}, {},
         "checkout_estimate: left_at must be HH:MM or null"),
        ("checkout_estimate", {**ESTIMATE, "day": "2026-11-25"}, {},
         "a check-out estimate is for an earlier day"),
        ("checkout_estimate", ESTIMATE, {"participant_id": None},
         "checkout_estimate needs participant_id"),
        ("leave_reason", {"reason": "doctor"}, {"participant_id": "p-nobody"},
         "unknown participant"),
        ("absence_announced", {"day": "2026-11-27", "reason": "doctor"},
         {"participant_id": "p-olena"}, "participant belongs to another site"),
    ],
)  # fmt: skip
def test_own_say_bad_record_is_set_aside_alone(
    client: TestClient,
    world: World,
    engine: Engine,
    kind: str,
    detail: dict[str, Any],
    fields: dict[str, Any],
    reason: str,
) -> None:
    bad = said(2, kind, detail, **fields)
    answers = push(client, world, wire(1), bad, wire(3, wall_at="2026-11-25T15:00:00+00:00"))
    assert answers == [("accepted", None), ("rejected", reason), ("accepted", None)]
    with engine.connect() as conn:
        kept = conn.execute(select(rejected_records.c.reason, rejected_records.c.record)).all()
        stored = conn.execute(select(events.c.kind)).scalars().all()
    assert [row.reason for row in kept] == [reason]
    assert kept[0].record["kind"] == kind and kept[0].record["detail"] == detail
    assert sorted(stored) == ["check_in", "check_in"]  # the good ones of the batch

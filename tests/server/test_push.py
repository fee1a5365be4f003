"""POST /api/v1/records: idempotent ingestion, record by record."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.server.conftest import World, wire


def push(client: TestClient, world: World, *records: dict[str, Any], token: str | None = None):
    return client.post(
        "/api/v1/records", json={"records": list(records)}, headers=world.auth(token)
    )


def statuses(response) -> list[tuple[str, str | None]]:
    assert response.status_code == 200, response.text
    return [(r["status"], r["reason"]) for r in response.json()["results"]]


def test_push_accepts_new_records(client: TestClient, world: World) -> None:
    response = push(client, world, wire(1), wire(2, kind="check_out"))
    assert statuses(response) == [("accepted", None), ("accepted", None)]


def test_push_same_record_twice_is_duplicate(client: TestClient, world: World) -> None:
    record = wire(1)
    push(client, world, record)
    assert statuses(push(client, world, record)) == [("duplicate", None)]


def test_push_same_instant_other_offset_is_duplicate(client: TestClient, world: World) -> None:
    record = wire(1)
    push(client, world, record)
    same = {**record, "wall_at": "2026-11-25T09:00:00+01:00"}
    assert statuses(push(client, world, same)) == [("duplicate", None)]


def test_push_changed_content_is_rejected_not_overwritten(client: TestClient, world: World) -> None:
    record = wire(1)
    push(client, world, record)
    changed = {**record, "kind": "check_out"}
    [(status, reason)] = statuses(push(client, world, changed))
    assert status == "rejected" and "changed under a known id" in reason
    assert statuses(push(client, world, record)) == [("duplicate", None)]


def test_push_seq_reuse_is_rejected(client: TestClient, world: World) -> None:
    push(client, world, wire(1))
    [(status, reason)] = statuses(push(client, world, wire(1)))
    assert status == "rejected" and "sequence number 1" in reason


def test_push_duplicate_within_one_batch(client: TestClient, world: World) -> None:
    record = wire(1)
    assert statuses(push(client, world, record, record)) == [
        ("accepted", None),
        ("duplicate", None),
    ]


def test_push_other_site_participant_rejected_rest_accepted(
    client: TestClient, world: World
) -> None:
    other = wire(1, participant_id="p-olena", badge_uid="04778899")
    result = statuses(push(client, world, other, wire(2)))
    assert result[0] == ("rejected", "participant belongs to another site")
    assert result[1] == ("accepted", None)


def test_push_other_site_badge_rejected(client: TestClient, world: World) -> None:
    record = wire(1, kind="unknown_badge", participant_id=None, badge_uid="04778899")
    assert statuses(push(client, world, record)) == [("rejected", "badge belongs to another site")]


def test_push_unknown_badge_accepted(client: TestClient, world: World) -> None:
    record = wire(1, kind="unknown_badge", participant_id=None, badge_uid="0A0B0C0D")
    assert statuses(push(client, world, record)) == [("accepted", None)]


def test_push_same_id_from_other_kiosk_rejected(client: TestClient, world: World) -> None:
    record = wire(1, participant_id=None, kind="unknown_badge", badge_uid="0A0B0C0D")
    push(client, world, record)
    [(status, _)] = statuses(push(client, world, record, token=world.south_token))
    assert status == "rejected"


def test_push_same_id_twice_in_a_batch_keeps_the_first(client: TestClient, world: World) -> None:
    first = wire(1)
    changed = {**first, "monotonic": first["monotonic"] + 1}
    answer = client.post("/api/v1/records", json={"records": [first, changed]},
                         headers=world.auth())  # fmt: skip
    statuses = [r["status"] for r in answer.json()["results"]]
    assert statuses == ["accepted", "rejected"]
    again = client.post("/api/v1/records", json={"records": [first]}, headers=world.auth())
    assert again.json()["results"][0]["status"] == "duplicate"

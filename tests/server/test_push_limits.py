"""Push limits and malformed bodies: a clear 413/422 answer, nothing stored."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.schema import events
from sync.protocol import MAX_BATCH, MAX_BODY_BYTES
from tests.server.conftest import World, wire


def stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(events)).scalar_one()


def test_push_too_many_records_413_with_limit(client: TestClient, world: World, engine) -> None:
    records = [wire(n) for n in range(1, MAX_BATCH + 2)]
    response = client.post("/api/v1/records", json={"records": records}, headers=world.auth())
    assert response.status_code == 413
    assert str(MAX_BATCH) in response.json()["detail"]
    assert stored(engine) == 0


def test_push_too_many_bytes_413_with_limit(client: TestClient, world: World, engine) -> None:
    body = json.dumps({"records": [wire(1, detail={"pad": "x" * MAX_BODY_BYTES})]})
    response = client.post(
        "/api/v1/records",
        content=body,
        headers={**world.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["detail"]
    assert stored(engine) == 0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "invalid request"),
        (json.dumps({"records": [wire(1, surprise=1)]}).encode(), "surprise"),
        (json.dumps({"records": [{**wire(1), "seq": "one"}]}).encode(), "seq"),
        (json.dumps({"records": [wire(1, wall_at="2026-11-25T08:00:00")]}).encode(), "wall_at"),
        (json.dumps({"records": [wire(1), wire(2, kind="dance")]}).encode(), "kind"),
    ],
)
def test_push_malformed_422_nothing_stored(
    client: TestClient, world: World, engine, body: bytes, words: str
) -> None:
    response = client.post(
        "/api/v1/records",
        content=body,
        headers={**world.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert stored(engine) == 0

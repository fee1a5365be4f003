"""Kiosk tokens: each route refuses a missing, unknown or revoked token with 401."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.administration import operations as admin
from server.db import writing
from server.schema import kiosks
from tests.server.conftest import NOW, World, wire

ROUTES = [
    ("post", "/api/v1/records", {"records": []}),
    ("get", "/api/v1/snapshot", None),
    ("post", "/api/v1/heartbeat", {}),
    ("get", "/api/v1/presence", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc", "Bearer "])
def test_auth_bad_token_401(
    client: TestClient, world: World, method: str, path: str, body, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_auth_revoked_token_401_at_once(client: TestClient, world: World, engine) -> None:
    assert client.get("/api/v1/snapshot", headers=world.auth()).status_code == 200
    with writing(engine) as conn:
        admin.revoke_kiosk(conn, "north-1", NOW)
    response = client.post("/api/v1/records", json={"records": [wire(1)]}, headers=world.auth())
    assert response.status_code == 401
    assert response.json()["detail"] == "kiosk token revoked"


def test_auth_token_stored_only_as_hash(world: World, engine) -> None:
    with engine.connect() as conn:
        hashes = conn.execute(select(kiosks.c.token_hash)).scalars().all()
    assert world.north_token not in hashes
    assert all(len(h) == 64 for h in hashes)

"""The real server: `python -m server run --migrate` under uvicorn, spoken to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests

from sync.client import ServerClient
from tests.faults.harness import running_server
from tests.server.conftest import World, wire


@pytest.fixture
def served(database_url: str, world: World, tmp_path: Path) -> Iterator[str]:
    with running_server(database_url, tmp_path) as server:
        yield server.url


def test_run_serves_push_and_snapshot_over_http(served: str, world: World) -> None:
    with httpx.Client(base_url=served, headers=world.auth(), timeout=5) as http:
        pushed = http.post("/api/v1/records", json={"records": [wire(1)]})
        again = http.post("/api/v1/records", json={"records": [wire(1)]})
        snapshot = http.get("/api/v1/snapshot")
    assert pushed.json()["results"][0]["status"] == "accepted"
    assert again.json()["results"][0]["status"] == "rejected"
    assert snapshot.status_code == 200 and snapshot.headers["etag"]


def test_run_kiosk_client_gets_the_snapshot_gzipped(served: str, world: World) -> None:
    """requests, under the kiosk's ServerClient, asks for gzip and unpacks it unseen."""
    client = ServerClient(served, world.north_token, timeout=5)
    pulled = client.pull(None)
    assert pulled is not None and [p.id for p in pulled.snapshot.participants] == [
        "p-amal",
        "p-dawit",
    ]
    assert client.pull(pulled.etag) is None  # 304
    raw = requests.get(f"{served}/api/v1/snapshot", headers=world.auth(), timeout=5)
    assert raw.headers["content-encoding"] == "gzip"


def test_run_large_answers_gzipped_small_ones_as_they_are(served: str, world: World) -> None:
    with httpx.Client(base_url=served, headers=world.auth(), timeout=5) as http:
        schema = http.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
        beat = http.post(
            "/api/v1/heartbeat",
            headers={"Accept-Encoding": "gzip"},
            json={"queue_depth": 0, "last_seq": 0, "reader_health": "ok",
                  "app_version": "0.1.0", "boot_id": "boot-1", "monotonic": 500.0,
                  "wall_at": "2026-11-25T08:59:30+00:00", "clock_synced": True},
        )  # fmt: skip
        unasked = http.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert schema.headers["content-encoding"] == "gzip" and schema.json()["openapi"]
    assert beat.status_code == 200 and "content-encoding" not in beat.headers
    assert "content-encoding" not in unasked.headers

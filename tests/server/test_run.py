"""The real server: `python -m server run --migrate` under uvicorn, spoken to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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

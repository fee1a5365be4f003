"""The real server: `python -m server run --migrate` under uvicorn, spoken to over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.local import NotServing, free_port, wait_until_serving
from tests.server.conftest import World, wire

ROOT = Path(__file__).parents[2]


@pytest.fixture
def served(database_url: str, world: World) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRIKKLOK_SERVER_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "run", "--migrate", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_serving(base, process, timeout=20)
        except NotServing as error:
            pytest.fail(f"{error}: {process.stderr.read().decode() if process.stderr else ''}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_run_serves_push_and_snapshot_over_http(served: str, world: World) -> None:
    with httpx.Client(base_url=served, headers=world.auth(), timeout=5) as http:
        pushed = http.post("/api/v1/records", json={"records": [wire(1)]})
        again = http.post("/api/v1/records", json={"records": [wire(1)]})
        snapshot = http.get("/api/v1/snapshot")
    assert pushed.json()["results"][0]["status"] == "accepted"
    assert again.json()["results"][0]["status"] == "rejected"
    assert snapshot.status_code == 200 and snapshot.headers["etag"]

"""The real server: `python -m server run --migrate` under uvicorn, spoken to over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import World, wire

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, (
                    process.stderr.read().decode() if process.stderr else ""
                )
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
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

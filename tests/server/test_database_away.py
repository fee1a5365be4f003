"""/healthz, /readyz and the answers while the database cannot be reached, in-process.

The outage of a real PostgreSQL under a real server is tests/faults/test_database_away.py;
here a SQLite database that cannot be opened stands for the database away.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.app import create_app
from server.db import CONNECT_TIMEOUT
from server.deps import EngineDep
from server.settings import Settings, sqlite_url
from server.web.access import COOKIE
from tests.server.conftest import HeldClock, World, wire


def test_probes_alive_and_ready(client: TestClient) -> None:
    alive, ready = client.get("/healthz"), client.get("/readyz")
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


@pytest.fixture
def unopenable(tmp_path: Path, clock: HeldClock) -> Iterator[TestClient]:
    """A server whose SQLite database is a directory: no connection can be opened."""
    (tmp_path / "server.db").mkdir()
    app = create_app(Settings(database_url=sqlite_url(tmp_path / "server.db"), now=clock))
    with TestClient(app) as client:
        yield client


def test_database_away_probes_alive_not_ready(unopenable: TestClient) -> None:
    assert unopenable.get("/healthz").status_code == 200
    ready = unopenable.get("/readyz")
    assert ready.status_code == 503 and ready.headers["retry-after"] == "10"


def test_database_away_kiosk_api_503_with_retry_after(unopenable: TestClient) -> None:
    auth = {"Authorization": "Bearer some-kiosk-token"}
    answers = [
        unopenable.post("/api/v1/records", json={"records": [wire(1)]}, headers=auth),
        unopenable.get("/api/v1/snapshot", headers=auth),
        unopenable.get("/api/v1/presence", headers={**auth, "accept": "text/html"}),
    ]
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "10"
        assert answer.json() == {"detail": "the database cannot be reached; try again in 10 s"}


def test_database_away_staff_page_in_dutch(unopenable: TestClient) -> None:
    unopenable.cookies.set(COOKIE, "a-supervisor-s-login")
    page = unopenable.get("/sites/north/now", headers={"accept": "text/html"})
    assert page.status_code == 503 and page.headers["retry-after"] == "10"
    assert "De gegevens zijn even niet bereikbaar" in page.text
    assert page.headers["content-security-policy"]  # the staff side's headers as always


def test_database_away_logged_once_per_outage(
    unopenable: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="server.faults"):
        for _ in range(5):
            unopenable.get("/readyz")
    lines = [r.getMessage() for r in caplog.records if r.name == "server.faults"]
    assert len(lines) == 1 and "cannot be reached" in lines[0], lines
    assert "unable to open database file" in lines[0]


def test_a_database_bug_is_still_a_500(app: FastAPI, world: World) -> None:
    @app.get("/a-bug")
    def a_bug(engine: EngineDep) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT no_such_column FROM kiosks")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/a-bug").status_code == 500
        assert client.get("/readyz").status_code == 200


@pytest.mark.timeout(20)  # without a connect timeout it waits for ever
def test_a_database_that_never_answers_is_503_within_the_connect_timeout(
    clock: HeldClock,
) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql://prikklok@127.0.0.1:{silent.getsockname()[1]}/prikklok"
        with TestClient(create_app(Settings(database_url=url, now=clock))) as client:
            started = time.monotonic()
            ready = client.get("/readyz")
            waited = time.monotonic() - started
    assert ready.status_code == 503
    assert CONNECT_TIMEOUT <= waited < CONNECT_TIMEOUT + 2

"""The database goes away under a running server, and comes back.

A private PostgreSQL (never the machine's shared one) is stopped under the real
`prikklok server run`. While it is away the kiosk API answers 503 with Retry-After and a
JSON detail, a staff page is a Dutch 503 page, /healthz stays 200 while /readyz says 503,
and the server log says so once per outage, without a traceback. When the database is
started again the same server works at once, and a kiosk that pushed through the outage
ends with every record on the server.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.web.access import COOKIE
from sync.agent import Backoff, SyncAgent
from sync.client import ServerClient
from sync.clock import SystemClock
from sync.journal import Journal
from tests.faults.harness import (
    ServerProcess,
    register,
    seed_from_env,
    stored,
    unknown_tap,
)
from tests.faults.private_postgres import PrivatePostgres
from tests.server.conftest import wire

KIOSK, PUSHING_KIOSK = "door-away", "door-through"
OUTAGE_LINE = re.compile(r"database cannot be reached")
BACK_LINE = re.compile(r"database is back")


@dataclass
class Scene:
    postgres: PrivatePostgres
    server: ServerProcess
    tokens: dict[str, str]

    def log(self) -> str:
        return self.server.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    postgres = PrivatePostgres()
    try:
        postgres.start()
        server = ServerProcess(postgres.url, tmp_path_factory.mktemp("away") / "server.log")
        server.start()  # migrates the private database
        try:
            yield Scene(postgres, server, register(postgres.url, [KIOSK, PUSHING_KIOSK]))
        finally:
            server.stop()
    finally:
        postgres.remove()


@pytest.fixture
def away(scene: Scene) -> Iterator[Scene]:
    """The scene with its database stopped; started again afterwards, whatever happens."""
    scene.postgres.stop("fast")
    try:
        yield scene
    finally:
        if not scene.postgres.running():
            scene.postgres.start()


def _push(seq: int) -> dict[str, object]:
    """A push of one tap of a badge nobody holds (stored without a roster)."""
    tap = wire(seq, kind="unknown_badge", participant_id=None, badge_uid="04C0FFEE")
    return {"records": [tap]}


def _kiosk_calls(http: httpx.Client) -> dict[str, httpx.Response]:
    return {
        "push": http.post("/api/v1/records", json=_push(1)),
        "pull": http.get("/api/v1/snapshot"),
        "heartbeat": http.post("/api/v1/heartbeat", json=_beat()),
        "presence": http.get("/api/v1/presence"),
    }


def _beat() -> dict[str, object]:
    return {
        "queue_depth": 0,
        "oldest_unsynced_at": None,
        "last_tap_at": None,
        "last_seq": 0,
        "reader_health": "ok",
        "app_version": "test",
        "boot_id": "boot-1",
        "monotonic": 1.0,
        "wall_at": datetime.now(UTC).isoformat(),
        "clock_synced": True,
    }


def test_database_away_answers_503_logs_once_and_recovers(away: Scene) -> None:
    auth = {"Authorization": f"Bearer {away.tokens[KIOSK]}"}
    before = away.log()
    with httpx.Client(base_url=away.server.url, headers=auth, timeout=10) as http:
        for _ in range(3):  # three rounds of a kiosk: still one line in the log
            for name, answer in _kiosk_calls(http).items():
                assert answer.status_code == 503, (name, answer.text)
                assert int(answer.headers["retry-after"]) > 0, name
                assert "database" in answer.json()["detail"], name
        page = http.get(
            "/sites/werkplaats/now",
            headers={"accept": "text/html"},
            cookies={COOKIE: "a-supervisor-s-login"},
        )
        alive, ready = http.get("/healthz"), http.get("/readyz")
    assert page.status_code == 503 and page.headers["retry-after"]
    assert "text/html" in page.headers["content-type"]
    assert "niet bereikbaar" in page.text and "Traceback" not in page.text
    assert (alive.status_code, ready.status_code) == (200, 503)
    during = away.log()[len(before) :]
    assert len(OUTAGE_LINE.findall(during)) == 1, during
    assert "Traceback" not in during, during

    away.postgres.start()  # the same server, not restarted
    with httpx.Client(base_url=away.server.url, headers=auth, timeout=10) as http:
        ready = http.get("/readyz")
        pushed = http.post("/api/v1/records", json=_push(1))
    assert ready.status_code == 200
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "accepted"
    after = away.log()[len(before) :]
    assert len(BACK_LINE.findall(after)) == 1, after
    assert "Traceback" not in after, after


def test_a_kiosk_pushing_through_the_outage_loses_nothing(away: Scene, tmp_path: Path) -> None:
    rng = random.Random(seed_from_env())
    journal = Journal(tmp_path / "j.db", kiosk_id=PUSHING_KIOSK)
    client = ServerClient(away.server.url, away.tokens[PUSHING_KIOSK], timeout=10)
    agent = SyncAgent(journal, client, now=SystemClock().now, backoff=Backoff(base=0.01, cap=0.05))
    for _ in range(3):  # the door keeps tapping, the agent keeps trying
        for _ in range(5):
            journal.append(unknown_tap(datetime.now(UTC), rng))
        delay = agent.step()
        assert delay >= 1.0  # the server's Retry-After, not the 0.01 s back-off
    assert journal.sync_status().queue_depth == 15

    away.postgres.start()
    assert agent.step() >= 0.0
    assert journal.sync_status().queue_depth == 0
    assert stored(away.postgres.url).seqs(PUSHING_KIOSK) == list(range(1, 16))
    client.close()
    journal.close()


def test_the_metrics_count_the_outage(away: Scene) -> None:
    """/metrics still answers while the database is away: the errors are counted there."""

    def errors(text: str) -> tuple[float, float]:
        found = {
            (s.name, tuple(s.labels.values())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        return (
            found[("prikklok_database_errors_total", ("unreachable",))],
            found[("prikklok_database_reachable", ())],
        )

    auth = {"Authorization": f"Bearer {away.tokens[KIOSK]}"}
    with httpx.Client(base_url=away.server.url, timeout=10) as http:
        before, _ = errors(http.get("/metrics").text)  # the scrape's own try counts too
        for _ in range(3):
            assert http.post("/api/v1/records", json=_push(1), headers=auth).status_code == 503
        scraped = http.get("/metrics")
    assert scraped.status_code == 200
    after, reachable = errors(scraped.text)
    assert after - before == 3 + 1  # three pushes and this scrape's reading of the kiosks
    assert reachable == 0

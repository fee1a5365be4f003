"""GET /metrics on a real server (`prikklok server run` on 127.0.0.1), read as Prometheus
reads it: the figures an admin graphs and alerts on (docs/admin/metrics.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.harness import ServerProcess, running_server
from tests.server.conftest import World, wire
from tests.server.test_heartbeat import beat

TOKEN = "m" * 24 + "-test-token-not-a-secret"  # 48 characters; the tests' own


def figures(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape by name and labels, parsed by prometheus_client itself."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return figures(text)[(name, frozenset(labels.items()))]


def scrape(server: ServerProcess, **headers: str) -> str:
    answer = httpx.get(f"{server.url}/metrics", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return answer.text


@pytest.fixture
def server(
    database_url: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServerProcess]:
    monkeypatch.setenv("PRIKKLOK_SERVER_METRICS_TOKEN", TOKEN)
    with running_server(database_url, tmp_path) as running:
        yield running


def test_records_are_counted_by_what_became_of_them(server: ServerProcess, world: World) -> None:
    first, second = wire(1), wire(2)
    unknown = wire(3, participant_id="p-nobody", badge_uid=None)
    with httpx.Client(base_url=server.url, headers=world.auth(), timeout=10) as http:
        assert http.post("/api/v1/records", json={"records": [first, second]}).status_code == 200
        answer = http.post("/api/v1/records", json={"records": [first, unknown]})
        assert [r["status"] for r in answer.json()["results"]] == ["duplicate", "rejected"]
        assert http.post("/api/v1/records", json={"records": "not a list"}).status_code == 422
    text = scrape(server)
    assert value(text, "prikklok_records_total", status="accepted") == 2
    assert value(text, "prikklok_records_total", status="duplicate") == 1
    assert value(text, "prikklok_records_total", status="rejected") == 1
    assert value(text, "prikklok_pushes_total", answer="stored") == 2
    assert value(text, "prikklok_pushes_total", answer="refused") == 1


def test_request_times_are_kept_per_route_template(server: ServerProcess, world: World) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for n in range(3):
            http.post("/api/v1/heartbeat", json=beat(monotonic=500.0 + n), headers=world.auth())
        http.get("/sites/north/kiosks")  # a login page for a stranger: still its template
        http.get("/no/such/page/p-amal")
    text = scrape(server)
    assert value(text, "prikklok_request_seconds_count", route="/api/v1/heartbeat",
                 method="POST") == 3  # fmt: skip
    assert value(text, "prikklok_request_seconds_bucket", route="/api/v1/heartbeat",
                 method="POST", le="+Inf") == 3  # fmt: skip
    assert value(text, "prikklok_request_seconds_count", route="/sites/{site_id}/kiosks",
                 method="GET") == 1  # fmt: skip
    assert value(text, "prikklok_request_seconds_count", route="unmatched", method="GET") == 1
    # No path's own text becomes a label: not a site's id, not a participant's.
    assert "p-amal" not in text and 'route="/sites/north' not in text


def test_kiosks_by_state_and_their_queues(server: ServerProcess, world: World) -> None:
    now = datetime.now(UTC)
    waiting_since = now - timedelta(minutes=10)
    heartbeat = beat(
        wall_at=now.isoformat(), queue_depth=3, oldest_unsynced_at=waiting_since.isoformat()
    )
    answer = httpx.post(
        f"{server.url}/api/v1/heartbeat", json=heartbeat, headers=world.auth(), timeout=10
    )
    assert answer.status_code == 200, answer.text
    text = scrape(server)
    # north-1 beats; north-2 and south-1 never did; north-old is revoked.
    assert value(text, "prikklok_kiosks", site="north", state="ok") == 1
    assert value(text, "prikklok_kiosks", site="north", state="alarm") == 1
    assert value(text, "prikklok_kiosks", site="north", state="retired") == 1
    assert value(text, "prikklok_kiosks", site="south", state="alarm") == 1
    assert value(text, "prikklok_kiosk_alarms", site="north", kind="never") == 1
    assert value(text, "prikklok_kiosk_queue_depth", site="north", kiosk="north-1") == 3
    age = value(text, "prikklok_kiosk_oldest_waiting_seconds", site="north", kiosk="north-1")
    assert 590 < age < 700
    assert value(text, "prikklok_database_reachable") == 1


def test_a_failed_login_is_counted(server: ServerProcess, staff_world: object) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        form = http.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        cookie = re.search(r"(__Host-prikklok-login)=([^;]+)", form.headers["set-cookie"])
        assert csrf and cookie
        answer = http.post(
            "/login",
            data={"username": "marieke", "password": "not her password", "csrf": csrf[1]},
            headers={"cookie": f"{cookie[1]}={cookie[2]}"},
        )
    assert answer.status_code == 401
    text = scrape(server)
    assert value(text, "prikklok_login_failures_total", reason="refused") == 1
    assert value(text, "prikklok_login_failures_total", reason="waiting") == 0


def test_a_forwarded_scrape_needs_the_token(server: ServerProcess) -> None:
    """Behind a balancer on this host every request comes from 127.0.0.1: the forwarding
    header says it came from elsewhere."""
    url = f"{server.url}/metrics"
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    refused = httpx.get(url, headers=forwarded, timeout=10)
    assert refused.status_code == 403
    assert "metrics token" in refused.json()["detail"]
    assert httpx.get(url, headers={"Forwarded": "for=203.0.113.9"}, timeout=10).status_code == 403
    wrong = httpx.get(url, headers={**forwarded, "Authorization": "Bearer x" * 6}, timeout=10)
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    text = scrape(server, **forwarded, Authorization=f"Bearer {TOKEN}")
    assert "prikklok_records_total" in text


def test_two_workers_count_as_one_server(database_url: str, world: World, tmp_path: Path) -> None:
    """Pushes over fresh connections land on both workers; a scrape on either has them all."""
    pushes, per_push = 30, 2
    with running_server(database_url, tmp_path, workers=2) as server:
        seqs = iter(range(1, pushes * per_push + 1))
        for _ in range(pushes):
            batch = [wire(next(seqs)) for _ in range(per_push)]
            answer = httpx.post(  # a new connection each: either worker may take it
                f"{server.url}/api/v1/records",
                json={"records": batch},
                headers=world.auth(),
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
        per_worker = _pushes_per_worker(server)
        scrapes = [scrape(server) for _ in range(6)]
    assert len([n for n in per_worker.values() if n]) == 2, per_worker
    for text in scrapes:
        assert value(text, "prikklok_records_total", status="accepted") == pushes * per_push
        assert value(text, "prikklok_pushes_total", answer="stored") == pushes


def _pushes_per_worker(server: ServerProcess) -> dict[int, float]:
    """Each worker's own count of stored pushes, from its file in the shared directory."""
    from prometheus_client.multiprocess import MultiProcessCollector

    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    counts: dict[int, float] = {}
    for pid in map(int, children.read_text().split()):
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        shared = [
            e.split(b"=", 1)[1] for e in environ if e.startswith(b"PROMETHEUS_MULTIPROC_DIR=")
        ]
        own = Path(shared[0].decode()) / f"counter_{pid}.db" if shared else None
        if own is None or not own.exists():
            continue
        for family in MultiProcessCollector.merge([str(own)], accumulate=True):
            for sample in family.samples:
                if sample.name == "prikklok_pushes_total" and sample.labels == {"answer": "stored"}:
                    counts[pid] = sample.value
    return counts


def test_sqlite_that_cannot_be_opened_is_counted(tmp_path: Path) -> None:
    """In one process (no workers): the counts live in the process, the scrape still answers."""
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.settings import Settings, sqlite_url

    (tmp_path / "server.db").mkdir()  # no connection can be opened
    settings = Settings(database_url=sqlite_url(tmp_path / "server.db"), metrics_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings)) as client:
        before = value(client.get("/metrics", headers=auth).text,
                       "prikklok_database_errors_total", kind="unreachable")  # fmt: skip
        pushed = client.post("/api/v1/records", json={"records": [wire(1)]}, headers=auth)
        assert pushed.status_code == 503
        text = client.get("/metrics", headers=auth).text
    after = value(text, "prikklok_database_errors_total", kind="unreachable")
    assert after - before == 1 + 1  # the push, and this scrape's reading of the kiosks
    assert value(text, "prikklok_database_reachable") == 0

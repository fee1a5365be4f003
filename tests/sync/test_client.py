"""The sync client against a real HTTP server on 127.0.0.1 (a stand-in for the peer)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
import requests

from sync.client import (
    MAX_RETRY_AFTER,
    AuthError,
    BatchRefused,
    RetryLater,
    ServerClient,
    SyncError,
    retry_after,
)
from sync.protocol import Heartbeat, WireRecord
from tests.sync.peer import TOKEN, Peer, Reply

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def wire(seq: int) -> WireRecord:
    return WireRecord(
        id=uuid4(),
        seq=seq,
        kind="check_in",
        participant_id="p1",
        badge_uid="04A1B2C3",
        wall_at=NOW,
        workshop_day=date(2026, 11, 24),
        clock_synced=True,
        boot_id="b1",
        monotonic=1.0,
    )


def test_push_sends_bearer_token_and_parses_results(peer: Peer, client: ServerClient) -> None:
    records = [wire(1), wire(2)]
    answer = client.push(records)
    assert [r.status for r in answer.results] == ["accepted", "accepted"]
    assert peer.seen("/records")[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert client.push(records[:1]).results[0].status == "duplicate"


def test_refused_token_is_an_auth_error_without_the_token(peer: Peer) -> None:
    client = ServerClient(peer.url, "wrong-token", timeout=2.0)
    with pytest.raises(AuthError, match="401") as caught:
        client.push([wire(1)])
    assert "wrong-token" not in str(caught.value) and "wrong-token" not in repr(client)


def test_too_big_batch_is_halved_until_it_fits(peer: Peer, client: ServerClient) -> None:
    peer.max_batch = 2
    answer = client.push([wire(n) for n in range(1, 8)])
    assert sorted(r.seq for r in answer.results) == list(range(1, 8))
    assert [len(s.body["records"]) for s in peer.seen("/records")] == [7, 3, 1, 2, 4, 2, 2]


def test_single_record_too_big_is_refused_as_a_batch(peer: Peer, client: ServerClient) -> None:
    peer.then(Reply(413, {"detail": "body too large"}))
    with pytest.raises(BatchRefused, match="body too large") as caught:
        client.push([wire(1)])
    assert caught.value.status == 413


def test_malformed_batch_detail_does_not_echo_the_input(peer: Peer, client: ServerClient) -> None:
    detail = [{"loc": ["body", "records", 0, "badge_uid"], "msg": "bad pattern", "input": "04A1"}]
    peer.then(Reply(422, {"detail": detail}))
    with pytest.raises(BatchRefused, match=r"records\.0\.badge_uid: bad pattern") as caught:
        client.push([wire(1)])
    assert "04A1" not in str(caught.value)


@pytest.mark.parametrize(("status", "header", "seconds"), [(429, "7", 7.0), (503, "120", 120.0)])
def test_busy_server_says_when_to_retry(
    peer: Peer, client: ServerClient, status: int, header: str, seconds: float
) -> None:
    peer.then(Reply(status, {"detail": "busy"}, {"Retry-After": header}))
    with pytest.raises(RetryLater) as caught:
        client.heartbeat(beat())
    assert caught.value.seconds == seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("Tue, 24 Nov 2026 08:01:00 GMT", 60.0),
        ("999999", MAX_RETRY_AFTER),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_dates(value: str | None, expected: float | None) -> None:
    assert retry_after(value, now=NOW) == expected


def test_server_error_is_one_line_with_the_reason(peer: Peer, client: ServerClient) -> None:
    peer.then(Reply(500, {"detail": "database is down"}))
    with pytest.raises(SyncError, match=r"answered 500: database is down$"):
        client.push([wire(1)])


def test_server_that_never_answers_times_out(peer: Peer) -> None:
    peer.then(Reply(delay=3.0, body={}))
    client = ServerClient(peer.url, TOKEN, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(SyncError, match=r"no answer within 0.3 s"):
        client.pull(None)
    assert time.monotonic() - started < 2.0


def test_dropped_connection_is_a_sync_error(peer: Peer, client: ServerClient) -> None:
    peer.then(Reply(drop=True))
    with pytest.raises(SyncError, match="cannot connect"):
        client.push([wire(1)])


def test_nothing_listening_is_a_sync_error() -> None:
    with Peer() as peer:
        url = peer.url
    with pytest.raises(SyncError, match="cannot connect: Connection refused"):
        ServerClient(url, TOKEN, timeout=1.0).heartbeat(beat())


def test_pull_uses_etag_and_304_means_unchanged(peer: Peer, client: ServerClient) -> None:
    pulled = client.pull(None)
    assert pulled is not None and pulled.etag == '"v1"'
    assert pulled.snapshot.participants[0].id == "p1"
    assert client.pull('"v1"') is None
    assert peer.seen("/snapshot")[1].headers["If-None-Match"] == '"v1"'
    # This kiosk reads a task's and a word's pictogram and photo, a word's voice and the
    # workshop's fixed translations and the own-say settings: it says so, and the server
    # sends them.
    understood = {s.headers["Prikklok-Understands"] for s in peer.seen("/snapshot")}
    assert understood == {"pictogram,photo,voice,phrase_fixes,own_say,recall,upgrade"}


def test_answer_not_in_the_protocol_is_a_sync_error(peer: Peer, client: ServerClient) -> None:
    peer.then(Reply(200, {"unexpected": True}))
    with pytest.raises(SyncError, match="not understood as HeartbeatResponse"):
        client.heartbeat(beat())


def test_redirect_is_reported_not_followed(peer: Peer, client: ServerClient) -> None:
    peer.then(Reply(308, {}, {"Location": "https://elsewhere.example/api/v1/records"}))
    with pytest.raises(SyncError, match=r"redirected \(308\) to https://elsewhere"):
        client.push([wire(1)])


class RecordingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, **kwargs: Any) -> Any:  # type: ignore[override]
        self.calls.append(kwargs)
        return super().request(method, url, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ca_file", "verify"), [(None, True), ("/etc/prikklok/ca.pem", "/etc/prikklok/ca.pem")]
)
def test_every_request_has_a_timeout_and_verifies_tls(
    peer: Peer, ca_file: str | None, verify: object
) -> None:
    session = RecordingSession()
    client = ServerClient(peer.url, TOKEN, timeout=4.0, ca_file=ca_file, session=session)
    client.push([wire(1)])
    client.pull(None)
    client.heartbeat(beat())
    assert [(c["timeout"], c["verify"]) for c in session.calls] == [(4.0, verify)] * 3


def beat() -> Heartbeat:
    return Heartbeat(
        queue_depth=0,
        last_seq=0,
        reader_health="ok",
        app_version="0.1.0",
        boot_id="b1",
        monotonic=1.0,
        wall_at=NOW - timedelta(seconds=1),
        clock_synced=True,
    )

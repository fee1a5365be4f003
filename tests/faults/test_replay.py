"""Replays: the same push bodies sent three times, shuffled, change nothing after the first.

The batches are the PushRequest bodies a kiosk sends (journal.pending → WireRecord.of →
PushRequest, as ServerClient.push builds them), posted straight to the real server over
HTTP. The first time a batch arrives its records are accepted; every later copy is answered
"duplicate", identically each time, and the stored events do not change by a byte.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from sync.journal import Journal
from sync.protocol import PushRequest, WireRecord
from sync.record import Entry
from tests.faults.harness import (
    PARTICIPANT_BADGES,
    event_rows,
    register,
    running_server,
    seed_from_env,
    unknown_tap,
)

KIOSK = "door-replay"
BATCH = 40


def _kiosk_batches(journal: Journal, rng: random.Random) -> list[str]:
    """A morning at the door, then the bodies the agent would push, batch by batch."""
    start = datetime.now(UTC) - timedelta(hours=2)
    pids = list(PARTICIPANT_BADGES)
    for n in range(400):
        at = start + timedelta(seconds=n * 7)
        if n % 3:
            journal.append(unknown_tap(at, rng, monotonic=100.0 + n * 7))
        else:
            pid = rng.choice(pids)
            kind = rng.choice(("check_in", "check_out", "too_soon"))
            journal.append(
                Entry(
                    kind=kind,
                    wall_at=at,
                    workshop_day=at.date(),
                    clock_synced=n % 5 != 0,
                    boot_id="boot-1",
                    monotonic=100.0 + n * 7,
                    participant_id=pid,
                    badge_uid=PARTICIPANT_BADGES[pid],
                    detail={"reader": "mfrc522", "n": n},
                )
            )
    bodies: list[str] = []
    after = 0
    while batch := journal.records(after_seq=after, limit=BATCH):
        wire = [WireRecord.of(r) for r in batch]
        bodies.append(PushRequest(records=wire).model_dump_json())
        after = batch[-1].seq
    return bodies


def test_replayed_batches_change_nothing(database_url: str, tmp_path: Path) -> None:
    seed = seed_from_env()
    print(f"fault seed {seed} (replay with PRIKKLOK_FAULT_SEED={seed})")
    rng = random.Random(seed)
    token = register(database_url, [KIOSK])[KIOSK]
    journal = Journal(tmp_path / "j.db", kiosk_id=KIOSK)
    bodies = _kiosk_batches(journal, rng)
    sends = [n for n in range(len(bodies)) for _ in range(3)]
    rng.shuffle(sends)

    answers: dict[int, list[list[dict[str, Any]]]] = {}
    after_first_round: dict[str, dict[str, Any]] | None = None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with running_server(database_url, tmp_path) as server, requests.Session() as http:
        for n in sends:
            response = http.post(
                f"{server.url}/api/v1/records", data=bodies[n], headers=headers, timeout=10
            )
            assert response.status_code == 200, (seed, response.text)
            answers.setdefault(n, []).append(response.json()["results"])
            if after_first_round is None and len(answers) == len(bodies):
                after_first_round = event_rows(database_url)
        # The same records cut into other batches are still only duplicates.
        records = [r for body in bodies for r in PushRequest.model_validate_json(body).records]
        resplit = [records[i : i + 33] for i in range(0, len(records), 33)]
        for part in resplit:
            again = http.post(
                f"{server.url}/api/v1/records",
                headers=headers,
                timeout=10,
                data=PushRequest(records=part).model_dump_json(),
            )
            assert {r["status"] for r in again.json()["results"]} == {"duplicate"}
        final = event_rows(database_url)
        beat = http.post(
            f"{server.url}/api/v1/heartbeat",
            headers=headers,
            timeout=10,
            data=_heartbeat(journal.last_seq()),
        )
        assert beat.status_code == 200 and beat.json()["missing_seqs"] == []

    assert after_first_round is not None
    changed = {
        (rid, column)
        for rid, row in final.items()
        for column, value in row.items()
        if after_first_round.get(rid, {}).get(column) != value
    }
    assert not changed, f"seed {seed}: replays changed stored events: {sorted(changed)[:5]}"
    assert final.keys() == after_first_round.keys()
    assert len(final) == journal.last_seq() == 400
    for n, rounds in answers.items():
        sent = PushRequest.model_validate_json(bodies[n]).records
        first, second, third = rounds
        assert [r["id"] for r in first] == [str(w.id) for w in sent]
        assert {r["status"] for r in first} == {"accepted"}, (seed, n, first)
        assert {r["status"] for r in second} == {"duplicate"}, (seed, n, second)
        assert second == third, f"seed {seed}: batch {n} answered differently on replay"
    for record in journal.records(limit=1000):
        row = final[record.id]
        assert (row["seq"], row["kind"], row["wall_at"]) == (
            record.seq,
            record.kind,
            record.wall_at,
        )
    print(
        f"{len(bodies)} batches × 3 = {len(sends)} pushes in shuffled order, "
        f"+ {len(resplit)} re-split; {len(final)} events stored once"
    )
    journal.close()


def _heartbeat(last_seq: int) -> str:
    from sync.protocol import Heartbeat

    now = datetime.now(UTC)
    return Heartbeat(
        queue_depth=0,
        last_seq=last_seq,
        reader_health="ok",
        app_version="test",
        boot_id="boot-1",
        monotonic=3000.0,
        wall_at=now,
        clock_synced=True,
    ).model_dump_json()

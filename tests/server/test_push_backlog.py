"""A backlog's big batch is stored the bulk way (COPY, one VALUES statement) and answered
exactly as the same records one push at a time; what is stored is the same too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.schema import events
from server.sql import BULK_ROWS
from tests.server.conftest import World, wire


def push(client: TestClient, world: World, records: list[dict[str, Any]], token: str | None = None):
    answer = client.post("/api/v1/records", json={"records": records}, headers=world.auth(token))
    assert answer.status_code == 200, answer.text
    return [(r["seq"], r["status"], r["reason"]) for r in answer.json()["results"]]


def taps(first_seq: int, count: int) -> list[dict[str, Any]]:
    return [
        wire(seq, kind="check_in" if seq % 2 else "check_out", monotonic=100.0 + seq,
             wall_at=f"2026-11-25T08:{seq // 60 % 60:02d}:{seq % 60:02d}+00:00")
        for seq in range(first_seq, first_seq + count)
    ]  # fmt: skip


def test_a_backlog_batch_answers_each_case_as_small_pushes_do(
    client: TestClient, world: World
) -> None:
    sent = taps(1, 4)
    push(client, world, sent)  # the server has these: the answer to them was lost
    south = wire(1, participant_id="p-olena", badge_uid="04778899")
    push(client, world, [south], token=world.south_token)
    changed = {**sent[1], "kind": "lunch", "detail": {"eats": True}}
    other_site = wire(10, participant_id="p-olena", badge_uid="04778899")
    new = taps(11, BULK_ROWS)
    repeated = new[3]
    seq_taken = wire(12)  # a new id under a number the batch itself stores first
    batch = [sent[0], changed, *sent[2:], south, other_site, *new, repeated, seq_taken]
    assert len(batch) >= BULK_ROWS

    answers = push(client, world, batch)

    assert answers[:6] == [
        (1, "duplicate", None),
        (2, "rejected", "changed under a known id: the server keeps the first version"),
        (3, "duplicate", None),
        (4, "duplicate", None),
        (1, "rejected", "id already used by another kiosk"),
        (10, "rejected", "participant belongs to another site"),
    ]
    assert answers[6:-2] == [(r["seq"], "accepted", None) for r in new]
    assert answers[-2:] == [
        (14, "duplicate", None),
        (12, "rejected", "sequence number 12 already used by another record"),
    ]
    # Sent again whole, as after a lost answer: nothing is stored twice.
    again = push(client, world, batch)
    assert [a[1] for a in again[6:-2]] == ["duplicate"] * len(new)


def test_a_backlog_batch_stores_what_a_small_push_stores(
    client: TestClient, world: World, engine: Engine
) -> None:
    odd = {
        "wall_at": "2026-11-25T23:30:00.123456-10:00",  # another day in UTC, microseconds
        "workshop_day": "2026-11-25",
        "detail": {"reader": "mfrc522", "note": 'ë \u0627 "q"', "n": 1.5, "z": [1, None]},
        "badge_uid": "04A1B2C3",
        "monotonic": 12.25,
        "clock_synced": False,
    }
    alone = wire(1, **odd)
    push(client, world, [alone])
    batch = [wire(2, **odd), *taps(3, BULK_ROWS)]
    assert [a[1] for a in push(client, world, batch)] == ["accepted"] * len(batch)

    with engine.connect() as conn:
        rows = {r.seq: r._asdict() for r in conn.execute(select(events)).all()}
    small, big = rows[1], rows[2]
    different = {"id", "seq", "content_hash", "received_at"}
    assert {k: v for k, v in small.items() if k not in different} == {
        k: v for k, v in big.items() if k not in different
    }
    assert big["wall_at"] == datetime.fromisoformat("2026-11-26T09:30:00.123456+00:00")
    assert big["workshop_day"] == date(2026, 11, 25)
    assert big["detail"] == odd["detail"]
    assert len(rows) == 2 + BULK_ROWS

"""What a participant says at the door (sync.own_say), pushed through the kiosk API as the
north-1 door sends it, and a supervisor's verdict on it.

`review` writes the `statement_reviews` row as server/attendance/reviews.py will (issue 15,
built alongside): once that lands, these tests should call it instead.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from server.db import writing
from server.schema import statement_reviews
from tests.server.conftest import NOW, World, wire

AMS = ZoneInfo("Europe/Amsterdam")
_seq = itertools.count(50_000)


def push(client: TestClient, world: World, kind: str, at: datetime, **fields: Any) -> str:
    """One record of north-1 at `at` (its workshop day in Amsterdam); returns its id."""
    record = wire(
        next(_seq),
        kind=kind,
        wall_at=at.astimezone(UTC).isoformat(),
        workshop_day=at.astimezone(AMS).date().isoformat(),
        **fields,
    )
    answer = client.post("/api/v1/records", json={"records": [record]}, headers=world.auth())
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "accepted", answer.text
    return str(record["id"])


def tap(client: TestClient, world: World, kind: str, at: datetime, who: str = "p-amal") -> str:
    badge = {"p-amal": "04A1B2C3", "p-dawit": "04D4E5F6"}[who]
    return push(client, world, kind, at, participant_id=who, badge_uid=badge)


def leave_reason(
    client: TestClient, world: World, at: datetime, reason: str, check_out_id: str, who: str
) -> str:
    detail = {"reason": reason, "check_out_record_id": check_out_id}
    return push(
        client, world, "leave_reason", at, participant_id=who, badge_uid=None, detail=detail
    )


def announce(
    client: TestClient, world: World, at: datetime, day: date, reason: str, who: str
) -> str:
    detail = {"day": day.isoformat(), "reason": reason}
    return push(
        client, world, "absence_announced", at, participant_id=who, badge_uid=None, detail=detail
    )


def estimate(
    client: TestClient,
    world: World,
    at: datetime,
    day: date,
    left_at: str | None,
    stale_id: str,
    who: str,
) -> str:
    detail = {"day": day.isoformat(), "left_at": left_at, "stale_record_id": stale_id}
    return push(
        client, world, "checkout_estimate", at, participant_id=who, badge_uid=None, detail=detail
    )


def review(
    engine: Engine,
    event_id: str,
    verdict: str,
    who: str,
    *,
    reason: str | None = None,
    left_at: datetime | None = None,
    at: datetime = NOW,
) -> None:
    """Marieke's verdict on a statement; a second one replaces the first."""
    with writing(engine) as conn:
        conn.execute(statement_reviews.delete().where(statement_reviews.c.event_id == event_id))
        conn.execute(
            statement_reviews.insert().values(
                event_id=event_id,
                participant_id=who,
                verdict=verdict,
                reason=reason,
                left_at=left_at,
                staff_id="s-marieke",
                reviewed_at=at,
            )
        )

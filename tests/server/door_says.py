"""What a participant says at the door (sync.own_say), pushed through the kiosk API as the
north-1 door sends it, and a supervisor's verdict on it (server.attendance.reviews, as the
day page gives it).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.attendance import reviews
from server.attendance.today import find_site
from server.schema import events
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
    with engine.connect() as conn:
        site_id = conn.execute(select(events.c.site_id).where(events.c.id == event_id)).scalar()
    site = find_site(engine, str(site_id))
    assert site is not None
    clock = left_at.astimezone(ZoneInfo(site.timezone)).time() if left_at else None
    refused = reviews.review(
        engine,
        site,
        who,
        event_id,
        reviews.Review(verdict, reason=reason, left_at=clock),
        staff_id="s-marieke",
        actor="marieke",
        now=at,
    )
    assert refused is None, refused

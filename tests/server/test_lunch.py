"""Lunch: how many eat along today, from the doors' answers to "Eet je mee?"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from server.attendance.presence import lunch_count_of
from server.attendance.sessions import LunchAnswer, lunch_count
from tests.server.conftest import World, wire


def at(hour: int) -> datetime:
    return datetime(2026, 11, 25, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answers", "count"),
    [
        ([], 0),
        ([LunchAnswer("a", at(8), True), LunchAnswer("b", at(8), False)], 1),
        ([LunchAnswer("a", at(8), True), LunchAnswer("a", at(9), False)], 0),  # changed mind
        ([LunchAnswer("a", at(9), False), LunchAnswer("a", at(8), True)], 0),  # by time
        ([LunchAnswer("a", at(8), True), LunchAnswer("a", at(9), True)], 1),  # once each
        ([LunchAnswer("a", at(8), True), LunchAnswer("a", at(9), False, answered=False)], 1),
        ([LunchAnswer("a", at(8), False, answered=False), LunchAnswer("a", at(9), True)], 1),
    ],
)
def test_lunch_count_last_real_answer_counts(answers, count) -> None:
    assert lunch_count(answers) == count


def lunch(seq: int, pid: str, eats: bool, when: str, answered: bool = True) -> dict:
    return wire(seq, kind="lunch", participant_id=pid, badge_uid=None, wall_at=when,
                detail={"eats": eats, "answered": answered})  # fmt: skip


def test_lunch_count_per_site_and_day(client: TestClient, world: World, engine) -> None:
    records = [
        lunch(1, "p-amal", True, "2026-11-25T08:00:00Z"),
        lunch(2, "p-dawit", True, "2026-11-25T08:05:00Z", answered=False),
        lunch(3, "p-dawit", False, "2026-11-25T08:06:00Z"),
        lunch(4, "p-dawit", True, "2026-11-24T08:00:00Z"),  # yesterday
    ]
    answer = client.post("/api/v1/records", json={"records": records}, headers=world.auth())
    assert {r["status"] for r in answer.json()["results"]} == {"accepted"}
    with engine.connect() as conn:
        assert lunch_count_of(conn, "north", date(2026, 11, 25)) == 1
        assert lunch_count_of(conn, "north", date(2026, 11, 24)) == 1
        assert lunch_count_of(conn, "south", date(2026, 11, 25)) == 0
    body = client.get("/api/v1/presence", headers=world.auth()).json()
    assert body["lunch_count"] == 1

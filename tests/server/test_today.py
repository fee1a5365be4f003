"""server.attendance.today: the day at a site as the "Vandaag" page shows it, from stored taps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, update

from server.administration import operations as admin
from server.administration.importer import import_participants
from server.attendance.inside import inside_now
from server.attendance.presence import presence_now
from server.attendance.today import Today, site_of, today
from server.db import writing
from server.schema import absences, corrections, participants
from tests.server.conftest import NOW, HeldClock, World, wire

DAY = date(2026, 11, 25)  # a Wednesday; the site opens at 08:30 and closes at 17:00
AFTER_CLOSING = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
DAWIT = {"participant_id": "p-dawit", "badge_uid": "04D4E5F6"}


def push(client: TestClient, world: World, *records: dict[str, Any], token: str | None = None):
    answer = client.post(
        "/api/v1/records", json={"records": list(records)}, headers=world.auth(token)
    )
    return [r["status"] for r in answer.json()["results"]]


def report(engine: Engine, day: date = DAY, now: datetime = NOW) -> Today:
    with engine.connect() as conn:
        return today(conn, "north", day, now, late_after_minutes=5)


@pytest.mark.parametrize(
    ("arrives", "late_minutes"),
    [("07:30", 0), ("07:35", 0), ("07:36", 6), ("09:10", 100)],  # UTC; opens 08:30 local
)
def test_today_late_counts_from_opening_after_the_grace(
    client: TestClient, world: World, engine: Engine, arrives: str, late_minutes: int
) -> None:
    push(client, world, wire(1, wall_at=f"2026-11-25T{arrives}:00Z"))
    [amal] = report(engine).came
    assert amal.late_minutes == late_minutes
    assert report(engine).late == ([amal] if late_minutes else [])


def test_today_late_follows_a_corrected_check_in(
    client: TestClient, world: World, engine: Engine
) -> None:
    tap = wire(1, wall_at="2026-11-25T08:40:00Z")
    push(client, world, tap)
    assert report(engine).came[0].late
    with writing(engine) as conn:
        admin.add_staff(conn, "s-x", "x", "supervisor", "X", "north", NOW)
        conn.execute(
            corrections.insert().values(
                event_id=tap["id"], participant_id="p-amal", site_id="north", action="move",
                effective_at=datetime(2026, 11, 25, 7, 30, tzinfo=UTC), reason="klok",
                staff_id="s-x", created_at=NOW,
            )
        )  # fmt: skip
    assert not report(engine).came[0].late


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"agreed_weekdays": "3"}, True),
        ({"agreed_weekdays": "1,3,5"}, True),
        ({"agreed_weekdays": "1,2"}, False),  # not a Wednesday worker
        ({"agreed_weekdays": ""}, False),
        ({"agreed_weekdays": "3", "active": False}, False),
        ({"agreed_weekdays": "3", "program_end": date(2026, 11, 24)}, False),
        ({"agreed_weekdays": "3", "program_start": date(2026, 11, 26)}, False),
        ({"agreed_weekdays": "3", "program_start": DAY, "program_end": DAY}, True),
    ],
)
def test_today_missing_means_due_today_and_not_in(
    world: World, engine: Engine, changes: dict[str, Any], expected: bool
) -> None:
    with engine.begin() as conn:
        conn.execute(update(participants).where(participants.c.id == "p-dawit").values(**changes))
    assert [p.id for p in report(engine).missing] == (["p-dawit"] if expected else [])


def test_today_present_or_excused_are_not_missing(
    client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        conn.execute(update(participants).values(agreed_weekdays="3"))
        admin.add_staff(conn, "s-x", "x", "supervisor", "X", "north", NOW)
        for pid in ("p-amal", "p-dawit"):
            conn.execute(
                absences.insert().values(
                    participant_id=pid, site_id="north", day=DAY, reason="sick", note="",
                    staff_id="s-x", created_at=NOW,
                )
            )  # fmt: skip
    push(client, world, wire(1))  # Amal came although she was excused
    found = report(engine)
    assert found.missing == []
    assert [(e.participant_id, e.came) for e in found.excused] == [
        ("p-amal", True),
        ("p-dawit", False),
    ]


def test_today_reads_only_its_own_day(client: TestClient, world: World, engine: Engine) -> None:
    for n, day in enumerate(("2026-11-24", "2026-11-26"), start=1):
        push(
            client,
            world,
            wire(n * 10, wall_at=f"{day}T08:00:00Z", workshop_day=day),
            wire(n * 10 + 1, kind="lunch", detail={"eats": True}, wall_at=f"{day}T08:01:00Z"),
            wire(n * 10 + 2, kind="unknown_badge", participant_id=None, badge_uid="0A0B0C0D",
                 wall_at=f"{day}T08:02:00Z"),
        )  # fmt: skip
    found = report(engine)
    assert (found.came, found.lunch, found.unknown_badges, found.forgotten) == ([], 0, [], [])
    assert [f.participant_id for f in report(engine, date(2026, 11, 24)).forgotten] == ["p-amal"]


def test_today_open_session_is_forgotten_only_after_closing(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(client, world, wire(1, wall_at="2026-11-25T08:00:00Z"))
    during = report(engine)
    assert during.came[0].inside and during.forgotten == []
    after = report(engine, now=AFTER_CLOSING)
    assert not after.came[0].inside and after.came[0].auto_closed
    closing = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 17:00 in Amsterdam
    assert [(f.participant_id, f.closed_at) for f in after.forgotten] == [("p-amal", closing)]


def test_today_lunch_counts_each_participants_last_answer(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(
        client,
        world,
        wire(1, kind="lunch", detail={"eats": True}, wall_at="2026-11-25T08:00:00Z"),
        wire(2, kind="lunch", detail={"eats": False}, wall_at="2026-11-25T08:10:00Z"),
        wire(3, kind="lunch", detail={"eats": True}, **DAWIT),
    )
    assert report(engine).lunch == 1


def test_today_unknown_badge_waits_until_someone_holds_it(
    client: TestClient, world: World, engine: Engine
) -> None:
    unknown = {"kind": "unknown_badge", "participant_id": None, "badge_uid": "0A0B0C0D"}
    push(client, world, wire(1, **unknown), wire(2, **unknown, wall_at="2026-11-25T08:30:00Z"))
    [badge] = report(engine).unknown_badges
    assert (badge.uid, badge.count) == ("0A0B0C0D", 2)
    with writing(engine) as conn:
        admin.assign_badge(conn, "0A0B0C0D", "participant", "p-dawit", NOW)
    assert report(engine).unknown_badges == []


def test_today_set_aside_is_this_sites_records_received_that_day(
    client: TestClient, world: World, engine: Engine, clock: HeldClock
) -> None:
    push(client, world, wire(1, participant_id="p-nobody"))
    push(client, world, wire(1, **DAWIT), token=world.south_token)  # refused, at south
    clock.now += timedelta(days=1)
    push(client, world, wire(2, participant_id="p-nobody"))  # received the next day
    [aside] = report(engine).set_aside
    assert (aside.kiosk_name, aside.reason, aside.kind) == (
        "Front door",
        "unknown participant",
        "check_in",
    )
    assert aside.wall_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert aside.participant_id is None  # server.kiosks.ingest keeps no name it does not know


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_today_asks_the_same_few_questions_however_many_come(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(client, world, wire(1), wire(2, **DAWIT))
    with statements(engine) as few:
        report(engine)
    rows = "".join(f"p-{n},Person {n},nl,,,3\n" for n in range(40))
    with writing(engine) as conn:
        import_participants(
            conn, "id,display_name,language,program_start,program_end,agreed_weekdays\n" + rows,
            "north", NOW,
        )  # fmt: skip
    push(
        client,
        world,
        *(wire(10 + n, participant_id=f"p-{n}", badge_uid=None) for n in range(30)),
        *(wire(50 + n, kind="lunch", participant_id=f"p-{n}", badge_uid=None,
               detail={"eats": True}) for n in range(30)),
    )  # fmt: skip
    with statements(engine) as many:
        found = report(engine)
    assert len(found.came) == 32 and len(found.missing) == 10 and found.lunch == 30
    assert len(many) == len(few) <= 12


def test_inside_now_answers_as_presence_now(
    client: TestClient, world: World, engine: Engine
) -> None:
    supervisor = {"kind": "supervisor", "participant_id": None, "supervisor_id": "s-marieke",
                  "badge_uid": "0499AA11"}  # fmt: skip
    slip = wire(5, kind="check_out", wall_at="2026-11-25T08:50:00Z", **DAWIT)
    push(
        client,
        world,
        wire(1, wall_at="2026-11-25T07:00:00Z"),
        wire(2, kind="check_out", wall_at="2026-11-25T08:00:00Z"),
        wire(3, wall_at="2026-11-25T08:30:00Z"),
        wire(4, wall_at="2026-11-25T07:10:00Z", **DAWIT),
        slip,
        wire(6, **supervisor, wall_at="2026-11-25T06:50:00Z"),
        wire(7, **supervisor, wall_at="2026-11-25T07:40:00Z"),
        wire(8, **supervisor, wall_at="2026-11-25T08:05:00Z"),
    )
    with writing(engine) as conn:
        conn.execute(
            corrections.insert().values(
                event_id=slip["id"], participant_id="p-dawit", site_id="north", action="void",
                effective_at=None, reason="per ongeluk", staff_id="s-marieke", created_at=NOW,
            )
        )  # fmt: skip
    with engine.connect() as conn:
        floor = inside_now(conn, site_of(conn, "north"), NOW)
        present = presence_now(conn, "north", NOW)
    assert {p.participant_id: p.since for p in floor.participants} == present.participants
    assert {s.staff_id: s.since for s in floor.supervisors} == present.supervisors
    assert sorted(present.participants) == ["p-amal", "p-dawit"] and present.supervisors
    assert [p.corrected for p in floor.participants] == [False, True]

"""server.attendance.participants: a site's participants as the supervisor keeps them —
the list with coaches, badges and the unknown badges at the door, and adding or changing
one, each change with its audit line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from server.attendance.participants import (
    change_participant,
    participant_file,
    participant_of,
    site_participants,
    store_participant,
)
from server.kiosks.badge_register import hand_out
from server.schema import audit_log, coach_participants, participants, staff
from tests.server.conftest import NOW, Staff, World, wire
from tests.server.test_today import push

WHO: dict[str, Any] = {"actor": "supervisor:s-marieke", "now": NOW}
FIELDS = {
    "display_name": "Hana",
    "language": "ar",
    "program_start": None,
    "program_end": None,
    "agreed_weekdays": "1,3",
    "birthday": None,
    "team": None,
    "active": True,
}


def audit(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.participant_id, audit_log.c.detail))
        return [tuple(row) for row in rows]


def coaches(engine: Engine, participant_id: str) -> set[str]:
    with engine.connect() as conn:
        found = select(coach_participants.c.coach_id).where(
            coach_participants.c.participant_id == participant_id
        )
        return set(conn.execute(found).scalars())


def test_records_participants_lists_the_site_with_coaches_badges_and_unknown_badges(
    client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(update(participants).where(participants.c.id == "p-amal").values(active=False))
    unknown = {"kind": "unknown_badge", "participant_id": None}
    push(
        client,
        world,
        wire(1, badge_uid="04BEEF01", wall_at="2026-11-24T08:00:00Z", **unknown),
        wire(2, badge_uid="04BEEF02", wall_at="2026-11-01T08:00:00Z", **unknown),  # too long ago
        wire(3, badge_uid="04BEEF03", wall_at="2026-11-24T09:00:00Z", **unknown),
    )
    hand_out(engine, "north", "p-dawit", "04BEEF03", how="enrolled", **WHO)
    shown = site_participants(engine, "north", NOW - timedelta(days=14), NOW)
    assert [p.id for p in shown.people] == ["p-dawit", "p-amal"]  # active ones first
    assert shown.coaches == {"p-amal": [("c-carla", "Carla")], "p-dawit": [("c-carla", "Carla")]}
    assert shown.held == {"p-amal": ["04A1B2C3"], "p-dawit": ["04BEEF03"]}  # 04D4E5F6 revoked
    assert [b.uid for b in shown.unknown] == ["04BEEF01"]


def test_records_participants_finds_only_the_sites_own(world: World, engine: Engine) -> None:
    assert participant_of(engine, "north", "p-amal").display_name == "Amal"
    assert participant_of(engine, "north", "p-olena") is None
    assert participant_of(engine, "south", "p-olena") is not None


def test_records_participants_store_makes_an_id_and_refuses_a_taken_one(
    staff_world: Staff, engine: Engine
) -> None:
    made = store_participant(engine, "north", "", FIELDS, "c-carla", **WHO)
    assert made is not None and made.startswith("p-") and len(made) == 8
    assert participant_of(engine, "north", made).display_name == "Hana"
    assert coaches(engine, made) == {"c-carla"}
    assert store_participant(engine, "north", "p-olena", FIELDS, "", **WHO) is None  # south's
    assert store_participant(engine, "north", "p-hana", FIELDS, "", **WHO) == "p-hana"
    assert audit(engine) == [
        (made, {"participant": "created"}),
        ("p-hana", {"participant": "created"}),
    ]


def test_records_participants_change_logs_the_fields_and_moves_one_coach_link(
    staff_world: Staff, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(coach_participants.insert().values(coach_id="c-koen", participant_id="p-amal"))
    stored = participant_of(engine, "north", "p-amal")
    fields = {**FIELDS, "display_name": "Amal", "language": stored.language, "agreed_weekdays": "3"}
    fields |= {"program_start": stored.program_start, "program_end": stored.program_end}
    assert change_participant(engine, "north", "p-amal", fields, "", "c-carla", **WHO)
    assert coaches(engine, "p-amal") == {"c-koen"}  # Carla's link went, Koen's stayed
    assert audit(engine) == [("p-amal", {"fields": ["agreed_weekdays", "coach"]})]


def test_records_participants_change_refuses_another_sites_participant(
    staff_world: Staff, engine: Engine
) -> None:
    assert not change_participant(engine, "north", "p-olena", FIELDS, "", "", **WHO)
    assert participant_of(engine, "south", "p-olena").display_name == "Olena"
    assert audit(engine) == []


def test_records_participants_file_keeps_a_disabled_coach_and_the_badge_history(
    staff_world: Staff, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(update(staff).where(staff.c.id == "c-carla").values(active=False))
    hand_out(engine, "north", "p-amal", "04CAFE01", how="assigned", **WHO)
    file = participant_file(engine, "p-amal")
    assert file.coaches_now == [("c-carla", "Carla")]
    assert file.coach_choices == {"c-koen": "Koen", "c-carla": "Carla"}
    assert [(b.uid, b.revoked_at is None) for b in file.badges] == [
        ("04CAFE01", True),
        ("04A1B2C3", False),
    ]
    new = participant_file(engine, None)
    assert (new.coach_choices, new.coaches_now, new.badges) == ({"c-koen": "Koen"}, [], [])

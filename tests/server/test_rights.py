"""The participant's data rights: retention, export and erasure, each with an audit row."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import JSON, Engine, String, Text, select

from server.administration import operations as admin
from server.administration.rights import (
    apply_retention,
    audited_export,
    erase_participant,
    export_participant,
    record_audit,
)
from server.cli import server
from server.db import writing
from server.schema import (
    absences,
    audit_log,
    coach_participants,
    corrections,
    events,
    metadata,
    rejected_records,
    tasks,
)
from server.settings import ENV_RETENTION_DAYS, Settings
from tests.server.conftest import NOW, HeldClock, World, wire

AMAL = "p-amal"
EATS = {"eats": True, "answered": True}
DOCS = Path(__file__).parents[2] / "docs"


def paragraph(page: str, opening: str) -> str:
    """The paragraph (or list item) of docs/`page` that starts with `opening`."""
    text = (DOCS / page).read_text(encoding="utf-8")
    start = text.index(opening)
    ends = [i for i in (text.find("\n\n", start), text.find("\n- ", start)) if i != -1]
    return text[start : min(ends)]


def excuse(engine: Engine, participant_id: str, day: date, note: str = "") -> None:
    """A coach enters an excused absence, as the participant's day page does."""
    with writing(engine) as conn:
        conn.execute(
            absences.insert().values(
                participant_id=participant_id, site_id="north", day=day, reason="sick",
                note=note, staff_id="s-marieke", created_at=NOW,
            )
        )  # fmt: skip


def push(client: TestClient, world: World, *records: dict[str, Any]) -> list[str]:
    answer = client.post("/api/v1/records", json={"records": list(records)}, headers=world.auth())
    return [r["status"] for r in answer.json()["results"]]


def taps_of_amal(client: TestClient, world: World) -> list[dict[str, Any]]:
    """Amal comes in, answers lunch and goes; Dawit comes in."""
    records = [
        wire(1, wall_at="2026-11-25T07:00:00Z"),
        wire(2, kind="lunch", badge_uid=None, wall_at="2026-11-25T07:01:00Z", detail=EATS),
        wire(3, kind="check_out", wall_at="2026-11-25T08:30:00Z"),
        wire(4, participant_id="p-dawit", badge_uid="04D4E5F6"),
    ]
    assert push(client, world, *records) == ["accepted"] * 4
    return records


def correct(engine: Engine, event_id: str, participant_id: str = "p-amal") -> None:
    with writing(engine) as conn:
        conn.execute(
            corrections.insert().values(
                event_id=event_id,
                participant_id=participant_id,
                site_id="north",
                action="set_check_out",
                effective_at=NOW,
                reason="Amal forgot to tap out",
                staff_id="s-marieke",
                created_at=NOW,
            )
        )


def invoke(url: str, *args: str) -> Any:
    return CliRunner().invoke(server, [*args, "--database-url", url])


# --- retention -------------------------------------------------------------------------


def test_retention_deletes_only_what_is_older(
    client: TestClient, world: World, engine: Engine, clock: HeldClock
) -> None:
    clock.now = NOW - timedelta(days=400)
    old = wire(1, wall_at="2025-10-21T07:00:00Z", workshop_day="2025-10-21")
    assert push(client, world, old) == ["accepted"]
    correct(engine, old["id"])  # made today, about an old tap: goes with it
    clock.now = NOW
    new = wire(2)
    assert push(client, world, new) == ["accepted"]
    with writing(engine) as conn:
        counts = apply_retention(conn, NOW, 365)
        left = set(conn.execute(select(events.c.id)).scalars())
        assert conn.execute(select(corrections)).all() == []
    assert counts["events"] == 1 and counts["corrections"] == 1
    assert left == {new["id"]}


def test_retention_writes_an_audit_row_without_participant_ids(
    client: TestClient, world: World, engine: Engine, clock: HeldClock
) -> None:
    clock.now = NOW - timedelta(days=30)
    push(client, world, wire(1))
    with writing(engine) as conn:
        apply_retention(conn, NOW, 7)
        row = conn.execute(select(audit_log)).one()
    assert (row.action, row.participant_id, row.detail["deleted"]["events"]) == (
        "retention",
        None,
        1,
    )
    assert "p-amal" not in json.dumps(row.detail)


def test_retention_cli_days_from_environment(database_url: str, world: World) -> None:
    result = CliRunner().invoke(
        server, ["retention", "--database-url", database_url], env={ENV_RETENTION_DAYS: "30"}
    )
    assert result.exit_code == 0 and "kept 30 day(s)" in result.output


@pytest.mark.parametrize("value", ["0", "a year", "-5"])
def test_retention_bad_environment_one_line(database_url: str, value: str) -> None:
    result = CliRunner().invoke(
        server, ["retention", "--database-url", database_url], env={ENV_RETENTION_DAYS: value}
    )
    assert result.exit_code == 1 and ENV_RETENTION_DAYS in result.output
    assert "Traceback" not in result.output


def test_retention_setting_defaults_to_a_year() -> None:
    assert Settings.resolve(database_url="sqlite://", env={}).retention_days == 365


# --- export ----------------------------------------------------------------------------


def test_export_has_taps_sessions_correction_and_lunch(
    client: TestClient, world: World, engine: Engine
) -> None:
    records = taps_of_amal(client, world)
    correct(engine, records[0]["id"])
    with engine.connect() as conn:
        data = export_participant(conn, "p-amal", NOW)
    assert data["participant"]["display_name"] == "Amal"
    assert [t["id"] for t in data["taps"]] == [records[0]["id"], records[2]["id"]]
    assert [a["detail"]["eats"] for a in data["lunch_answers"]] == [True]
    assert data["corrections"][0]["reason"] == "Amal forgot to tap out"
    assert data["sessions"][0]["sessions"][0]["counted_hours"] == 1.5
    assert data["badges"][0]["uid"] == "04A1B2C3"


def test_export_has_their_absences_and_no_one_elses(world: World, engine: Engine) -> None:
    excuse(engine, "p-amal", date(2026, 11, 23), "griep")
    excuse(engine, "p-dawit", date(2026, 11, 23), "tandarts")
    with engine.connect() as conn:
        data = export_participant(conn, "p-amal", NOW)
    assert [(a["day"], a["reason"], a["note"]) for a in data["absences"]] == [
        ("2026-11-23", "sick", "griep")
    ]


def test_docs_list_every_part_of_the_export(world: World, engine: Engine) -> None:
    with writing(engine) as conn:
        parts = set(audited_export(conn, "p-amal", "admin (cli)", NOW))
    server_md = paragraph("server.md", "**Export.**")
    assert parts - set(re.findall(r"`([a-z_]+)`", server_md)) == set()
    privacy_md = paragraph("privacy.md", "- **Export**")
    assert {p for p in parts - {"exported_at"} if p.replace("_", " ") not in privacy_md} == set()


def test_docs_list_every_table_erasure_and_retention_delete_from(
    world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        erased = set(erase_participant(conn, "p-amal", "admin (cli)", NOW)) - {
            "event_flags_redacted"  # kept, with the id replaced: the paragraph says so
        }
        kept_short = set(apply_retention(conn, NOW, 365))
    erasure = paragraph("server.md", "**Erasure.**")
    assert erased - set(re.findall(r"`([a-z_]+)`", erasure)) == set()
    retention = paragraph("server.md", "**Retention.**")
    assert kept_short - set(re.findall(r"`([a-z_]+)`", retention)) == set()
    assert "absences" in paragraph("privacy.md", "- **Erasure**")


def test_export_holds_nothing_of_another_participant(
    client: TestClient, world: World, engine: Engine
) -> None:
    records = taps_of_amal(client, world)
    correct(engine, records[3]["id"], "p-dawit")
    with engine.connect() as conn:
        text = json.dumps(export_participant(conn, "p-amal", NOW))
    assert "p-dawit" not in text and "Dawit" not in text and "04D4E5F6" not in text


def test_export_cli_writes_utf8_json_and_an_audit_row(
    database_url: str, world: World, engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "amal.json"
    result = invoke(database_url, "export-participant", "p-amal", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["participant"]["id"] == "p-amal"
    with engine.connect() as conn:
        row = conn.execute(select(audit_log)).one()
    assert (row.action, row.participant_id, row.actor) == ("export", "p-amal", "admin (cli)")


def test_export_cli_to_stdout_keeps_non_ascii(database_url: str, world: World) -> None:
    from server.administration.importer import import_participants
    from server.db import make_engine

    engine = make_engine(database_url)
    with writing(engine) as conn:
        import_participants(conn, "id,display_name\np-sara,سارة\n", "north", NOW)
    engine.dispose()
    result = invoke(database_url, "export-participant", "p-sara", "--actor", "Fatima")
    assert result.exit_code == 0 and '"display_name": "سارة"' in result.stdout


def test_export_cli_unknown_participant_one_line(database_url: str, world: World) -> None:
    result = invoke(database_url, "export-participant", "ghost")
    assert result.exit_code == 1 and "no participant 'ghost'" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- erasure ---------------------------------------------------------------------------


def amal_everywhere(client: TestClient, world: World, engine: Engine) -> None:
    """Amal in every table that can hold her: taps, a rejected record, a flag on Dawit's
    enrolment of her badge, a correction, a task, an absence, a coach and an earlier
    export."""
    records = taps_of_amal(client, world)
    statuses = push(
        client,
        world,
        wire(5, kind="manual_check_in", badge_uid=None),  # no supervisor: rejected
        wire(6, kind="badge_enrolled", participant_id="p-dawit", supervisor_id="s-marieke"),
    )
    assert statuses == ["rejected", "accepted"]
    correct(engine, records[0]["id"])
    with writing(engine) as conn:
        admin.add_staff(conn, "s-coach", "coach", "coach", "Coach", None, NOW)
        conn.execute(coach_participants.insert().values(coach_id="s-coach", participant_id=AMAL))
        conn.execute(
            tasks.insert().values(site_id="north", day=NOW.date(), text="Zaag", participant_id=AMAL)
        )
        record_audit(conn, NOW, "admin (cli)", "export", "p-amal", {"format": "json"})
    excuse(engine, AMAL, date(2026, 11, 23), "Amal belde: griep")


def naming(engine: Engine, *words: str) -> list[str]:
    """Every table.column whose value mentions one of `words`."""
    found = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            texts = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
            for row in conn.execute(select(*texts)):
                for column, value in zip(texts, row, strict=True):
                    if any(word in json.dumps(value, ensure_ascii=False) for word in words):
                        found.append(f"{table.name}.{column.name}")
    return found


def test_erase_leaves_no_row_naming_the_participant(
    client: TestClient, world: World, engine: Engine
) -> None:
    amal_everywhere(client, world, engine)
    assert naming(engine, "p-amal", "Amal")  # the search finds her before
    with writing(engine) as conn:
        erase_participant(conn, "p-amal", "admin (cli)", NOW)
    assert naming(engine, "p-amal", "Amal") == []


def test_erase_keeps_other_participants(client: TestClient, world: World, engine: Engine) -> None:
    amal_everywhere(client, world, engine)
    with writing(engine) as conn:
        erase_participant(conn, "p-amal", "admin (cli)", NOW)
        left = set(conn.execute(select(events.c.participant_id)).scalars())
        rejected = conn.execute(select(rejected_records)).all()
    assert left == {"p-dawit"} and rejected == []


def test_erase_audit_log_keeps_only_that_it_happened(
    client: TestClient, world: World, engine: Engine
) -> None:
    amal_everywhere(client, world, engine)
    with writing(engine) as conn:
        erase_participant(conn, "p-amal", "Fatima", NOW)
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert [(r.action, r.participant_id) for r in rows] == [("export", None), ("erase", None)]
    assert rows[1].detail["erased"] == "a participant" and rows[1].actor == "Fatima"
    assert rows[1].detail["counts"]["events"] == 3


def test_erase_next_snapshot_drops_them_with_a_new_etag(
    client: TestClient, world: World, engine: Engine
) -> None:
    before = client.get("/api/v1/snapshot", headers=world.auth())
    assert "p-amal" in {p["id"] for p in before.json()["participants"]}
    with writing(engine) as conn:
        erase_participant(conn, "p-amal", "admin (cli)", NOW)
    after = client.get(
        "/api/v1/snapshot", headers={**world.auth(), "If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert "p-amal" not in after.text and "04A1B2C3" not in after.text


def test_erase_cli_refuses_without_yes(database_url: str, world: World, engine: Engine) -> None:
    result = invoke(database_url, "erase-participant", "p-amal")
    assert result.exit_code == 1 and "--yes" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with engine.connect() as conn:
        assert export_participant(conn, "p-amal")["participant"]["id"] == "p-amal"


def test_erase_cli_with_yes(database_url: str, world: World, engine: Engine) -> None:
    result = invoke(database_url, "erase-participant", "p-amal", "--yes")
    assert result.exit_code == 0, result.output
    again = invoke(database_url, "erase-participant", "p-amal", "--yes")
    assert again.exit_code == 1 and "no participant 'p-amal'" in again.output


def test_a_tap_of_the_erased_coming_back_later_names_no_one(
    client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        erase_participant(conn, "p-amal", "admin (cli)", NOW)
    # A kiosk that was offline during the erasure sends one of her taps afterwards.
    assert push(client, world, wire(9)) == ["rejected"]
    assert naming(engine, "p-amal") == []

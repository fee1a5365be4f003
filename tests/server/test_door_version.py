"""The snapshot's ETag from the site's door data version (issue 18, target 4): every writer
of door data gives the doors a new ETag, anything else leaves them a 304."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from server.administration import operations as admin
from server.administration.importer import import_participants
from server.administration.plan import Plan, delete_task, delete_word, load_plan, set_word
from server.administration.rights import erase_participant
from server.administration.sites import say_greeting
from server.administration.staff import save_account
from server.administration.staff_sessions import Viewer
from server.administration.translations import save_phrase
from server.app import create_app
from server.attendance.participants import change_participant
from server.db import writing
from server.demo.build import DEMO_TOKEN, load_demo
from server.kiosks.door_version import door_etag
from server.kiosks.snapshot_bodies import accepts_gzip
from server.schema import door_data_versions
from server.settings import Settings
from sync.protocol import PHRASE_FIXES, PICTOGRAMS, UNDERSTANDS_HEADER, SnapshotTask, SnapshotWord
from tests.server.conftest import NOW, HeldClock, World, wire
from tests.server.test_enrolment import enrolment
from tests.server.test_heartbeat import beat

TODAY = date(2026, 11, 25)
ANNA = Viewer("a-anna", "anna", "admin", "Anna", None, "csrf", "session")
WELCOME = "Welcome, {name}!"


def pull(client: TestClient, world: World, etag: str | None = None, token: str | None = None):
    headers = {**world.auth(token), UNDERSTANDS_HEADER: f"{PICTOGRAMS},{PHRASE_FIXES}"}
    if etag:
        headers["If-None-Match"] = etag
    return client.get("/api/v1/snapshot", headers=headers)


def changed(client: TestClient, world: World, etag: str, token: str | None = None) -> bool:
    """True when the door gets a new snapshot with a new ETag; False on a 304."""
    answer = pull(client, world, etag, token)
    assert answer.status_code in (200, 304), answer.text
    if answer.status_code == 304:
        assert answer.content == b"" and answer.headers["etag"] == etag
        return False
    assert answer.headers["etag"] != etag
    return True


@pytest.fixture
def etag(client: TestClient, world: World) -> str:
    return str(pull(client, world).headers["etag"])


def test_nothing_changed_is_a_304(client: TestClient, world: World, etag: str) -> None:
    assert not changed(client, world, etag)
    assert not changed(client, world, etag)


def test_kiosk_traffic_changes_nothing(client: TestClient, world: World, etag: str) -> None:
    taps = client.post("/api/v1/records", json={"records": [wire(1)]}, headers=world.auth())
    beats = client.post("/api/v1/heartbeat", json=beat(last_seq=1), headers=world.auth())
    assert taps.status_code == 200 and beats.status_code == 200
    assert not changed(client, world, etag)


def test_another_sites_change_is_not_this_sites(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    south = str(pull(client, world, token=world.south_token).headers["etag"])
    with writing(engine) as conn:
        import_participants(conn, "id,display_name\np-ivan,Ivan\n", "south", NOW)
    assert not changed(client, world, etag)
    assert changed(client, world, south, world.south_token)


def test_a_new_day_is_a_new_etag_an_hour_is_not(
    client: TestClient, world: World, clock: HeldClock, etag: str
) -> None:
    clock.now = NOW + timedelta(hours=5)  # 15:00 in Amsterdam, the same day
    assert not changed(client, world, etag)
    clock.now = NOW + timedelta(hours=15)  # 00:00 the next day in Amsterdam
    assert changed(client, world, etag)


def test_what_the_kiosk_understands_is_in_the_etag(
    client: TestClient, world: World, etag: str
) -> None:
    plain = client.get("/api/v1/snapshot", headers={**world.auth(), "If-None-Match": etag})
    assert plain.status_code == 200 and plain.headers["etag"] != etag


def test_importing_participants(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    with writing(engine) as conn:
        import_participants(conn, "id,display_name,language\np-amal,Amal,nl\n", "north", NOW)
    assert changed(client, world, etag)


def test_a_participant_changed_on_the_web(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    assert change_participant(
        engine, "north", "p-dawit", {"display_name": "Dawit T."}, "", "", actor="t", now=NOW
    )
    assert changed(client, world, etag)


def test_badges_given_and_taken(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    with writing(engine) as conn:
        admin.assign_badge(conn, "04BEEF01", "participant", "p-dawit", NOW)
    second = str(pull(client, world).headers["etag"])
    assert second != etag
    with writing(engine) as conn:
        admin.revoke_badge(conn, "04BEEF01", NOW)
    assert changed(client, world, second)


def test_a_badge_given_at_the_door(client: TestClient, world: World, etag: str) -> None:
    pushed = client.post("/api/v1/records", json={"records": [enrolment()]}, headers=world.auth())
    assert pushed.json()["results"][0]["status"] == "accepted"
    assert changed(client, world, etag)


def test_a_supervisor_added_or_disabled(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    with writing(engine) as conn:
        admin.add_staff(conn, "s-joost", "joost", "supervisor", "Joost", "north", NOW)
    second = str(pull(client, world).headers["etag"])
    assert second != etag
    save_account(engine, ANNA, "s-marieke", {"active": False}, None, None, NOW)
    assert changed(client, world, second)


def test_the_plan_tasks_and_words(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    with writing(engine) as conn:
        load_plan(conn, "north", Plan(tasks=[SnapshotTask(day=TODAY, text="Koffie zetten")]))
    after_task = str(pull(client, world).headers["etag"])
    assert after_task != etag
    set_word(engine, "north", SnapshotWord(day=TODAY, word="hamer"), None, actor="t", at=NOW)
    after_word = str(pull(client, world).headers["etag"])
    assert after_word != after_task
    set_word(engine, "north", SnapshotWord(day=TODAY, word="zaag"), None, actor="t", at=NOW)
    another_word = str(pull(client, world).headers["etag"])
    assert another_word != after_word
    assert delete_word(engine, "north", TODAY, actor="t", at=NOW)
    assert changed(client, world, another_word)


def test_a_task_deleted_on_the_plan_page(client: TestClient, world: World, engine: Engine) -> None:
    with writing(engine) as conn:
        load_plan(conn, "north", Plan(tasks=[SnapshotTask(day=TODAY, text="Koffie zetten")]))
        from server.schema import tasks

        task_id = conn.execute(tasks.select()).one().id
    etag = str(pull(client, world).headers["etag"])
    assert delete_task(engine, "north", task_id, actor="t", at=NOW)
    assert changed(client, world, etag)


def test_site_settings(client: TestClient, world: World, engine: Engine, etag: str) -> None:
    assert say_greeting(engine, "north", True)
    assert changed(client, world, etag)


def test_a_fixed_translation_changes_every_site(
    client: TestClient, world: World, engine: Engine, etag: str
) -> None:
    south = str(pull(client, world, token=world.south_token).headers["etag"])
    save_phrase(engine, ANNA, "ti", WELCOME, "እንቋዕ ብደሓን መጻእካ፣ {name}!", "", False, NOW)
    assert changed(client, world, etag)
    assert changed(client, world, south, world.south_token)


def test_erasing_a_participant(client: TestClient, world: World, engine: Engine, etag: str) -> None:
    with writing(engine) as conn:
        erase_participant(conn, "p-dawit", "a-anna", NOW)
    assert changed(client, world, etag)


def test_the_demo_builder(client: TestClient, world: World, engine: Engine, tmp_path: Path) -> None:
    with writing(engine) as conn:
        load_demo(conn, TODAY, NOW, tmp_path)
        assert door_etag(conn, "demo", NOW, ()) is not None  # a version row, not the fallback
    etag = str(pull(client, world, token=DEMO_TOKEN).headers["etag"])
    assert not changed(client, world, etag, DEMO_TOKEN)
    with writing(engine) as conn:
        load_demo(conn, TODAY + timedelta(days=3), NOW, tmp_path)  # the plan moves on
    assert changed(client, world, etag, DEMO_TOKEN)


def test_without_a_version_row_the_bytes_decide(
    client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        conn.execute(delete(door_data_versions).where(door_data_versions.c.site_id == "north"))
    etag = str(pull(client, world).headers["etag"])
    assert not changed(client, world, etag)
    with writing(engine) as conn:
        import_participants(conn, "id,display_name\np-ivan,Ivan\n", "north", NOW)
    assert changed(client, world, etag)


def test_two_server_processes_agree(
    client: TestClient, world: World, engine: Engine, database_url: str, clock: HeldClock
) -> None:
    """The version lives in the database: a change made through one process is seen by
    another that answered before, whatever it kept."""
    other = create_app(Settings(database_url=database_url, now=clock))
    with TestClient(other) as second:
        before = str(pull(second, world).headers["etag"])
        assert str(pull(client, world).headers["etag"]) == before
        with writing(engine) as conn:
            import_participants(conn, "id,display_name\np-ivan,Ivan\n", "north", NOW)
        assert changed(second, world, before)
        after = pull(client, world)
        assert after.headers["etag"] == pull(second, world).headers["etag"] != before
        assert "p-ivan" in {p["id"] for p in after.json()["participants"]}


def test_gzip_when_the_kiosk_asks(client: TestClient, world: World) -> None:
    plain = client.get("/api/v1/snapshot", headers={**world.auth(), "Accept-Encoding": "identity"})
    packed = client.get("/api/v1/snapshot", headers={**world.auth(), "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < int(plain.headers["content-length"])
    assert packed.content == plain.content  # httpx unpacks it
    assert packed.headers["etag"] == plain.headers["etag"]
    assert "Accept-Encoding" in packed.headers["vary"]


@pytest.mark.parametrize(
    ("header", "gzip"),
    [("gzip, deflate", True), ("br;q=1.0, gzip;q=0.8", True), ("gzip;q=0", False),
     ("identity", False), ("*", True), (None, False), ("deflate", False)],
)  # fmt: skip
def test_accepts_gzip(header: str | None, gzip: bool) -> None:
    assert accepts_gzip(header) is gzip


def test_a_revoked_badge_leaves_the_door_at_midnight_not_mid_day(
    client: TestClient, world: World, engine: Engine, clock: HeldClock, database_url: str
) -> None:
    """Revoked badges stay 30 days (the door says "see a supervisor"); counted in whole days
    of the site, so the snapshot changes only when its ETag does: a process that builds it
    afresh in the evening sends the morning's bytes under the morning's ETag."""
    revoked_at = NOW - timedelta(days=30) + timedelta(hours=5)  # 15:00 that day, Amsterdam
    with writing(engine) as conn:
        admin.revoke_badge(conn, "04D4E5F6", revoked_at)
    morning = pull(client, world)
    assert "04D4E5F6" in {b["uid"] for b in morning.json()["badges"]}
    clock.now = NOW + timedelta(hours=8)  # 18:00, past the hour it was revoked
    assert not changed(client, world, morning.headers["etag"])
    with TestClient(create_app(Settings(database_url=database_url, now=clock))) as fresh:
        evening = pull(fresh, world)
    assert evening.headers["etag"] == morning.headers["etag"]
    assert evening.content == morning.content
    clock.now = NOW + timedelta(hours=15)  # midnight
    assert "04D4E5F6" not in {b["uid"] for b in pull(client, world).json()["badges"]}

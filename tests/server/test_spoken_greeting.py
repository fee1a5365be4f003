"""The site's "speak the greeting" travels: the admin's checkbox → the sites table → the
door's snapshot → the door data in the kiosk's journal → a welcome that says "Goedemorgen,
Amal." — and without the tick, a welcome that says nothing aloud."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from kiosk.views import view_of
from server.db import make_engine
from server.migrate import upgrade
from server.schema import sites
from server.settings import sqlite_url
from sync.clock import HeldClock
from sync.journal import Journal
from sync.protocol import Snapshot
from sync.roster import DoorData
from tests.server.conftest import NOW, World, log_in
from tests.server.web.test_users import post


def door_after_pull(client: TestClient, world: World, folder: Path) -> Door:
    """A door at north that pulled its snapshot, the way the sync agent stores it."""
    pulled = Snapshot.model_validate(client.get("/api/v1/snapshot", headers=world.auth()).json())
    journal = Journal(folder / "journal.db", kiosk_id="north-1")
    journal.store_door_data(DoorData.from_dict(pulled.door_data_dict()), source="test")
    return Door(journal=journal, clock=HeldClock(NOW), feedback=QuietIndicator())


def spoken_at_check_in(door: Door) -> str | None:
    answer = door.tap("04A1B2C3")  # Amal
    return view_of(answer.decision, door.data).spoken


def speaks(engine: Engine, site: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(select(sites.c.speak_greeting).where(sites.c.id == site)).scalar())


@pytest.mark.parametrize("tick", [True, False])
def test_admin_tick_makes_the_door_say_the_greeting(
    browser_client: TestClient, staff_world, world: World, engine, tmp_path: Path, tick: bool
) -> None:
    csrf = log_in(browser_client, "anna")
    form = {"speak_greeting": "1"} if tick else {}
    page = post(browser_client, "/sites/north/greeting", csrf, form)
    assert page.status_code == 200 and "Opgeslagen" in page.text
    card = page.text.split("North")[1].split("</section>")[0]
    assert ('name="speak_greeting" value="1" checked' in card) == tick
    assert speaks(engine, "north") == tick and not speaks(engine, "south")
    door = door_after_pull(browser_client, world, tmp_path)
    assert spoken_at_check_in(door) == ("Goedemorgen, Amal." if tick else None)


def test_new_site_with_the_tick_speaks(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    data = {"id": "east", "name": "Oost", "opens_at": "08:00", "closes_at": "16:30",
            "timezone": "Europe/Amsterdam", "speak_greeting": "1"}  # fmt: skip
    assert post(browser_client, "/sites", csrf, data).status_code == 200
    assert speaks(engine, "east") and not speaks(engine, "north")


def test_greeting_tick_is_for_admins_only(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    answer = post(browser_client, "/sites/north/greeting", csrf, {"speak_greeting": "1"})
    assert answer.status_code == 403 and not speaks(engine, "north")


def test_greeting_tick_of_an_unknown_site_is_404(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    answer = post(browser_client, "/sites/nowhere/greeting", csrf, {"speak_greeting": "1"})
    assert answer.status_code == 404


def test_existing_sites_do_not_speak_after_the_migration(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "server.db"))
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sites (id, name, opens_at, closes_at, timezone) "
            "VALUES ('north', 'North', '08:30', '17:00', 'Europe/Amsterdam')"
        )
    upgrade(engine)
    assert speaks(engine, "north") is False
    engine.dispose()


def test_snapshot_etag_changes_with_the_greeting(client, world: World, engine) -> None:
    from sqlalchemy import update

    from server.db import writing

    before = client.get("/api/v1/snapshot", headers=world.auth()).headers["etag"]
    with writing(engine) as conn:
        conn.execute(update(sites).where(sites.c.id == "north").values(speak_greeting=True))
    after = client.get("/api/v1/snapshot", headers={**world.auth(), "If-None-Match": before})
    assert after.status_code == 200 and after.json()["site"]["speak_greeting"] is True

"""End to end: a translator fixes a Tigrinya phrase on the Vertalingen page, the door pulls
its snapshot from `prikklok server run` over HTTP, and the next Tigrinya speaker who taps
in is welcomed with the fix — on the screen's data and in the headless door's transcript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from hardware.feedback import QuietIndicator
from kiosk import phrase_fixes
from kiosk import phrases as P
from kiosk.decide import Outcome
from kiosk.door import Door
from kiosk.language import in_language
from kiosk.transcript import transcript
from kiosk.views import view_of
from server.administration import operations as admin
from server.administration.importer import import_participants
from server.administration.passwords import hash_password
from server.app import create_app
from server.db import make_engine, writing
from server.schema import staff
from server.settings import Settings
from sync.agent import sync_once
from sync.client import ServerClient
from sync.clock import SystemClock
from sync.journal import Journal
from tests.faults.harness import running_server
from tests.server.conftest import STAFF_PASSWORD, log_in

DAWIT = "04D4E5F6"
FIX = "ሰላም {name}፣ እንቋዕ ብሰላም መጻእኩም!"


@pytest.fixture(autouse=True)
def catalogue_after() -> Iterator[None]:
    yield
    phrase_fixes.use({})  # later tests in this process see the catalogue again


def workshop(database_url: str) -> str:
    """A site with Dawit (Tigrinya), a door, and Tesfay the translator; the door's token."""
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    try:
        with writing(engine) as conn:
            admin.add_site(conn, "north", "North", time(0, 0), time(23, 59), "Europe/Amsterdam")
            import_participants(conn, f"id,display_name,language,badge_uid\n"
                                f"p-dawit,Dawit,ti,{DAWIT}\n", "north", now)  # fmt: skip
            token = admin.add_kiosk(conn, "north", "north-1", "Front door", now)
            admin.add_staff(conn, "t-tess", "tess", "translator", "Tesfay", None, now)
            conn.execute(update(staff).values(password_hash=hash_password(STAFF_PASSWORD)))
        return token
    finally:
        engine.dispose()


def test_a_fixed_tigrinya_welcome_reaches_the_door(database_url: str, tmp_path: Path) -> None:
    token = workshop(database_url)
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, base_url="https://testserver") as page:
        csrf = log_in(page, "tess")
        fields = {"csrf": csrf, "msgid": P.WELCOME, "text": FIX, "checked": "yes",
                  "back_translation": "Peace {name}, welcome in peace!"}  # fmt: skip
        saved = page.post("/translations/ti/phrases", data=fields, follow_redirects=False)
        assert saved.status_code == 303  # stored: back to the page with "Opgeslagen"
    catalogue = in_language("ti", P.WELCOME, name="Dawit")
    with running_server(database_url, tmp_path) as server:
        journal = Journal(tmp_path / "door.db", kiosk_id="north-1")
        client = ServerClient(server.url, token, timeout=10)
        pulled = sync_once(journal, client, now=SystemClock().now)
        client.close()
    assert pulled.pulled  # the snapshot came over HTTP
    door = Door(journal=journal, clock=SystemClock(), feedback=QuietIndicator())
    answer = door.tap(DAWIT)
    assert answer.decision.outcome is Outcome.CHECK_IN
    view = view_of(answer.decision, door.data)
    assert view.title.own == "ሰላም Dawit፣ እንቋዕ ብሰላም መጻእኩም!" != catalogue
    assert view.title.lang == "ti"
    assert "    (ti) ሰላም Dawit፣ እንቋዕ ብሰላም መጻእኩም!" in transcript(view)
    journal.close()

"""A real server and a real browser for the staff pages: `prikklok server run` under uvicorn
on 127.0.0.1, Debian's Chromium driven by Playwright (it downloads no browser of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, update

from server.administration import operations as admin
from server.db import writing
from server.schema import coach_participants, staff
from tests.faults.harness import running_server
from tests.server.conftest import STAFF_PASSWORD

ROOT = Path(__file__).parents[3]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "web"
SITE = "werkplaats"
ZONE = ZoneInfo("Europe/Amsterdam")
BOOTED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # when the browser tests' door booted


@dataclass
class Served:
    """The running server, the kiosk's token, and what the test site holds."""

    url: str
    token: str
    seq: int = 0

    def push(self, kind: str, participant_id: str, at: datetime | None = None, **extra: Any) -> str:
        """One record through the kiosk API, as the door would send it; returns its id."""
        self.seq += 1
        at = at or datetime.now(UTC)
        record = {
            "id": str(uuid4()),
            "seq": self.seq,
            "kind": kind,
            "participant_id": participant_id,
            "badge_uid": None,
            "wall_at": at.isoformat(),
            "workshop_day": at.astimezone(ZONE).date().isoformat(),
            "clock_synced": True,
            "boot_id": "boot-browser",
            # One boot: the server orders its taps by monotonic time, so it must agree.
            "monotonic": (at - BOOTED_AT).total_seconds(),
            "detail": extra,
        }
        answer = httpx.post(
            f"{self.url}/api/v1/records",
            json={"records": [record]},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        answer.raise_for_status()
        assert answer.json()["results"][0]["status"] == "accepted", answer.text
        return str(record["id"])


def seed_site(engine: Engine, password_hash: str) -> str:
    """A site open all day (so "present now" holds at any hour the tests run), its door,
    three participants (one whose name tries to smuggle in a script) and three staff."""
    seeded = datetime(2026, 11, 1, tzinfo=UTC)
    from server.administration.importer import import_participants

    with writing(engine) as conn:
        admin.add_site(
            conn, SITE, "De Werkplaats", time(0, 0), time(23, 59, 59), "Europe/Amsterdam"
        )
        token = admin.add_kiosk(conn, SITE, "voordeur", "Voordeur", seeded)
        import_participants(
            conn,
            "id,display_name,language,program_start,program_end\n"
            "p-amal,Amal,ar,2026-10-01,2027-12-31\n"
            "p-dawit,Dawit,ti,2026-10-01,2027-12-31\n"
            'p-x,"<script>alert(1)</script>Xander",nl,2026-10-01,2027-12-31\n',
            SITE,
            seeded,
        )
        admin.add_staff(conn, "s-marieke", "marieke", "supervisor", "Marieke", SITE, seeded)
        admin.add_staff(conn, "a-anna", "anna", "admin", "Anna", None, seeded)
        admin.add_staff(conn, "c-carla", "carla", "coach", "Carla", None, seeded)
        conn.execute(update(staff).values(password_hash=password_hash))
        conn.execute(
            coach_participants.insert(),
            [{"coach_id": "c-carla", "participant_id": p} for p in ("p-amal", "p-dawit")],
        )
    return token


@pytest.fixture
def served(
    database_url: str, engine: Engine, staff_password_hash: str, tmp_path: Path
) -> Iterator[Served]:
    token = seed_site(engine, staff_password_hash)
    with running_server(database_url, tmp_path) as server:
        yield Served(server.url, token)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless; `./dev test` installs it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (./dev test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


def log_in(page: Any, served: Served, username: str | None) -> None:
    """The page's browser logged in as `username` with the staff password (None: logged
    out); every browser test signs in the way a person does, through the form."""
    page.context.clear_cookies()
    if username is None:
        return
    page.goto(f"{served.url}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot in artifacts/web/, kept by CI."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

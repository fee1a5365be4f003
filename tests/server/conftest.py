"""Server test fixtures: every database test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from server.administration import operations as admin
from server.app import create_app
from server.db import make_engine, writing
from server.migrate import upgrade
from server.schema import metadata
from server.settings import Settings, sqlite_url

PG_ENV = "PRIKKLOK_TEST_DATABASE_URL"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Amsterdam


class HeldClock:
    """The server's clock, held by the test."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A private schema on the test PostgreSQL, migrated once; CI always sets the URL."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"{PG_ENV} is not set: the server tests need a PostgreSQL (see ./dev test)")
    schema = f"prikklok_test_{os.getpid()}_{secrets.token_hex(3)}"
    root = create_engine(url)
    with root.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    scoped_url = scoped.render_as_string(hide_password=False)
    engine = make_engine(scoped_url)
    upgrade(engine)
    engine.dispose()
    yield scoped_url
    with root.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    root.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "server.db"
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    engine.dispose()
    return path


def _truncate(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return sqlite_url(path)
    url: str = request.getfixturevalue("pg_url")
    _truncate(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> HeldClock:
    return HeldClock()


@dataclass(frozen=True)
class World:
    """Two sites, a kiosk each, and the people the tests tap with."""

    north_token: str
    south_token: str
    revoked_token: str

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.north_token}"}


@pytest.fixture
def world(engine: Engine) -> World:
    seeded = datetime(2026, 11, 1, tzinfo=UTC)
    with writing(engine) as conn:
        for site in ("north", "south"):
            admin.add_site(conn, site, site.title(), time(8, 30), time(17, 0), "Europe/Amsterdam")
        north = admin.add_kiosk(conn, "north", "north-1", "Front door", seeded)
        admin.add_kiosk(conn, "north", "north-2", "Back door", seeded)
        south = admin.add_kiosk(conn, "south", "south-1", "Door", seeded)
        revoked = admin.add_kiosk(conn, "north", "north-old", "Old door", seeded)
        admin.revoke_kiosk(conn, "north-old", seeded)
        from server.administration.importer import import_participants

        import_participants(
            conn,
            "id,display_name,language,program_start,program_end,badge_uid\n"
            "p-amal,Amal,ar,2026-10-01,2027-03-31,04A1B2C3\n"
            "p-dawit,Dawit,ti,2026-10-01,2027-03-31,04D4E5F6\n",
            "north",
            seeded,
        )
        import_participants(
            conn, "id,display_name,badge_uid\np-olena,Olena,04778899\n", "south", seeded
        )
        admin.add_staff(conn, "s-marieke", "marieke", "supervisor", "Marieke", "north", seeded)
        admin.assign_badge(conn, "0499AA11", "supervisor", "s-marieke", seeded)
    return World(north, south, revoked)


@pytest.fixture
def app(database_url: str, clock: HeldClock) -> FastAPI:
    return create_app(Settings(database_url=database_url, now=clock))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def wire(seq: int = 1, **fields: Any) -> dict[str, Any]:
    """A valid wire record for north-1, as JSON; fields override."""
    record: dict[str, Any] = {
        "id": str(uuid4()),
        "seq": seq,
        "kind": "check_in",
        "participant_id": "p-amal",
        "badge_uid": "04A1B2C3",
        "wall_at": "2026-11-25T08:00:00+00:00",
        "workshop_day": "2026-11-25",
        "clock_synced": True,
        "boot_id": "boot-1",
        "monotonic": 100.0,
        "detail": {},
    }
    record.update(fields)
    if "monotonic" not in fields:
        record["monotonic"] = _monotonic_of(record["wall_at"])
    return record


BOOTED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # when the test doors' boot-1 began


def _monotonic_of(wall_at: Any) -> float:
    """A monotonic reading that agrees with the wall time, as on a real door: the server
    orders one boot's taps by it, so records of one boot must not contradict each other."""
    try:
        seconds = (datetime.fromisoformat(str(wall_at)) - BOOTED_AT).total_seconds()
    except (TypeError, ValueError):
        return 100.0  # a test of bad input: any reading does
    return seconds if seconds >= 0 else 100.0


# --- staff logins (the web side) ---------------------------------------------------------

STAFF_PASSWORD = "werkplaats-koffie-2026"  # every test account's password


@pytest.fixture(scope="session")
def staff_password_hash() -> str:
    from server.administration.passwords import hash_password

    return hash_password(STAFF_PASSWORD)  # once: Argon2id is slow on purpose


@dataclass(frozen=True)
class Staff:
    """The test accounts by username: anna (admin), marieke (supervisor, north), sven
    (supervisor, south), carla (coach of Amal and Dawit), koen (coach of Olena), tess
    (translator)."""

    admin: str = "anna"
    supervisor: str = "marieke"
    other_supervisor: str = "sven"
    coach: str = "carla"
    other_coach: str = "koen"
    translator: str = "tess"


@pytest.fixture
def staff_world(world: World, engine: Engine, staff_password_hash: str) -> Staff:
    from sqlalchemy import update

    from server.schema import coach_participants, staff

    seeded = datetime(2026, 11, 1, tzinfo=UTC)
    with writing(engine) as conn:
        admin.add_staff(conn, "a-anna", "anna", "admin", "Anna", None, seeded)
        admin.add_staff(conn, "s-sven", "sven", "supervisor", "Sven", "south", seeded)
        admin.add_staff(conn, "c-carla", "carla", "coach", "Carla", None, seeded)
        admin.add_staff(conn, "c-koen", "koen", "coach", "Koen", None, seeded)
        admin.add_staff(conn, "t-tess", "tess", "translator", "Tesfay", None, seeded)
        conn.execute(update(staff).values(password_hash=staff_password_hash))
        conn.execute(
            coach_participants.insert(),
            [
                {"coach_id": "c-carla", "participant_id": "p-amal"},
                {"coach_id": "c-carla", "participant_id": "p-dawit"},
                {"coach_id": "c-koen", "participant_id": "p-olena"},
            ],
        )
    return Staff()


@pytest.fixture
def browser_client(app: FastAPI) -> Iterator[TestClient]:
    """A client on https://, so the browser-only `__Host-` cookies are kept and sent."""
    from server.administration.audit import forget_seen

    forget_seen()
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def log_in(client: TestClient, username: str, password: str = STAFF_PASSWORD) -> str:
    """Log `client` in through the login form; returns the login's CSRF token for forms."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None, page.text
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get("/account/password", headers={"accept": "text/html"})
    found = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert found is not None, home.text
    return found.group(1)

"""The login limits: a guesser is slowed more with each failure, but cannot lock the real
staff out — not the supervisor from her own browser, not a colleague at the same address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.administration.login_limits import wait_after
from server.app import create_app
from server.schema import login_failures
from server.settings import Settings
from server.web.devices import DEVICE_COOKIE
from tests.server.conftest import STAFF_PASSWORD, HeldClock, Staff, log_in

WRONG = "geraden-wachtwoord-1"


def attempt(client: TestClient, username: str, password: str = WRONG) -> httpx.Response:
    page = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    data = {"username": username, "password": password, "csrf": found.group(1)}
    return client.post("/login", data=data, follow_redirects=False)


def guess(client: TestClient, username: str, times: int) -> None:
    for _ in range(times):
        assert attempt(client, username).status_code == 401


@pytest.fixture
def attacker(app: FastAPI) -> Iterator[TestClient]:
    """Another browser at the same address as the staff (every TestClient is "testclient")."""
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def her_browser(client: TestClient, username: str = "marieke") -> TestClient:
    """`client` after `username` logged in and out on it: it keeps its device cookie."""
    csrf = log_in(client, username)
    client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert client.cookies.get(DEVICE_COOKIE)
    return client


def give_device_cookie(client: TestClient, value: str) -> None:
    """As a browser holds it (http.cookiejar files a dotless host under `.local`)."""
    client.cookies.set(DEVICE_COOKIE, value, domain="testserver.local")


@pytest.mark.parametrize(
    "typed", [" marieke", "marieke ", "MARIEKE", "\tMarieke\n", "ｍａｒｉｅｋｅ"]
)
def test_a_username_written_differently_is_limited_as_the_same_one(
    browser_client, attacker, staff_world: Staff, typed: str
) -> None:
    guess(attacker, "marieke", 5)
    assert attempt(attacker, typed, STAFF_PASSWORD).status_code == 429
    assert attempt(browser_client, typed, STAFF_PASSWORD).status_code == 429


def test_a_username_written_differently_still_logs_in(browser_client, staff_world) -> None:
    assert attempt(browser_client, "  Marieke ", STAFF_PASSWORD).status_code == 303


def test_a_guesser_waits_longer_after_each_failure(attacker, staff_world, clock: HeldClock) -> None:
    guess(attacker, "marieke", 5)
    waits = []
    for _ in range(4):
        refused = attempt(attacker, "marieke", STAFF_PASSWORD)  # even the right password
        assert refused.status_code == 429
        assert "Probeer het over" in refused.text
        waits.append(int(refused.headers["retry-after"]))
        clock.now += timedelta(seconds=waits[-1])
        guess(attacker, "marieke", 1)
    assert waits == [60, 120, 240, 480]


def test_the_supervisor_gets_in_from_her_own_browser_while_a_guesser_is_slowed(
    browser_client, attacker, staff_world
) -> None:
    her_browser(browser_client)
    guess(attacker, "marieke", 5)
    assert attempt(attacker, "marieke").status_code == 429
    assert attempt(browser_client, "marieke", STAFF_PASSWORD).status_code == 303


def test_a_colleague_at_the_same_address_still_gets_in(app, attacker, staff_world) -> None:
    for username in ("marieke", "anna", "carla", "no-such-user", "sven-typo"):
        for _ in range(6):
            attempt(attacker, username)  # 30 failures from the workshop's one address
    with TestClient(app, base_url="https://testserver") as new_browser:
        assert attempt(new_browser, "sven", STAFF_PASSWORD).status_code == 303


def test_a_stolen_device_cookie_is_slowed_too(browser_client, attacker, staff_world) -> None:
    stolen = her_browser(browser_client).cookies[DEVICE_COOKIE]
    give_device_cookie(attacker, stolen)
    guess(attacker, "marieke", 10)  # 5 as her browser, then 5 as any stranger
    assert attempt(attacker, "marieke", STAFF_PASSWORD).status_code == 429


@pytest.mark.parametrize("cookie", ["for-sven", "tampered"])
def test_a_device_cookie_counts_only_for_its_own_username_and_unaltered(
    browser_client, attacker, staff_world, cookie: str
) -> None:
    her_browser(browser_client)
    guess(attacker, "marieke", 5)
    guess(attacker, "sven", 5)
    if cookie == "for-sven":
        assert attempt(browser_client, "sven", STAFF_PASSWORD).status_code == 429
    else:
        value = browser_client.cookies[DEVICE_COOKIE]
        tampered = value[:-1] + ("B" if value.endswith("A") else "A")
        give_device_cookie(browser_client, tampered)
        assert attempt(browser_client, "marieke", STAFF_PASSWORD).status_code == 429


def test_a_browser_remembers_several_usernames(browser_client, attacker, staff_world) -> None:
    her_browser(browser_client, "marieke")
    her_browser(browser_client, "anna")
    guess(attacker, "marieke", 5)
    assert attempt(browser_client, "marieke", STAFF_PASSWORD).status_code == 303


def test_the_device_cookie_is_host_only_secure_and_hidden_from_scripts(
    browser_client, staff_world
) -> None:
    answer = attempt(browser_client, "marieke", STAFF_PASSWORD)
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{DEVICE_COOKIE}=")
    )
    for part in ("HttpOnly", "Secure", "Path=/", "Max-Age="):
        assert part in cookie
    assert "Domain" not in cookie and "marieke" not in cookie


def test_every_worker_knows_a_device_cookie_another_made(
    database_url, browser_client, attacker, staff_world, clock
) -> None:
    her_browser(browser_client)
    guess(attacker, "marieke", 5)
    other_worker = create_app(Settings(database_url=database_url, now=clock))
    with TestClient(other_worker, base_url="https://testserver") as there:
        give_device_cookie(there, browser_client.cookies[DEVICE_COOKIE])
        assert attempt(there, "marieke", STAFF_PASSWORD).status_code == 303


def test_failures_are_stored_without_names(engine, attacker, staff_world) -> None:
    guess(attacker, "marieke", 2)
    with engine.connect() as conn:
        keys = conn.execute(select(login_failures.c.key)).scalars().all()
    assert len(keys) == 4 and all(re.fullmatch("[0-9a-f]{64}", k) for k in keys)


@pytest.mark.parametrize(
    ("failures", "minutes"), [(0, 0), (4, 0), (5, 1), (6, 2), (8, 8), (11, 60), (500, 60)]
)
def test_the_wait_doubles_after_the_free_tries_up_to_an_hour(failures, minutes) -> None:
    assert wait_after(failures, free=5) == timedelta(minutes=minutes)

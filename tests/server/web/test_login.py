"""Logging in and out: the cookie, the timeouts, the rate limit, the CSRF check."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.server.conftest import STAFF_PASSWORD, HeldClock, Staff, log_in


def _form_token(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _try(client: TestClient, username: str, password: str) -> int:
    data = {"username": username, "password": password, "csrf": _form_token(client)}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_login_sets_a_host_prefixed_secure_cookie(browser_client, staff_world: Staff) -> None:
    data = {"username": "marieke", "password": STAFF_PASSWORD, "csrf": _form_token(browser_client)}
    answer = browser_client.post("/login", data=data, follow_redirects=False)
    assert answer.status_code == 303
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("__Host-prikklok=")
    )
    for part in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"):
        assert part in cookie
    assert "Domain" not in cookie
    assert answer.headers["location"] == "/"


def test_pages_need_a_login(browser_client, staff_world: Staff) -> None:
    page = browser_client.get(
        "/account/password", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=%2Faccount%2Fpassword")
    assert browser_client.get("/account/password").status_code == 401


def test_wrong_password_is_refused_without_saying_which_part(browser_client, staff_world) -> None:
    assert _try(browser_client, "marieke", "not-her-password") == 401
    assert _try(browser_client, "nobody-at-all", STAFF_PASSWORD) == 401


def test_login_form_without_its_token_is_refused(browser_client, staff_world) -> None:
    browser_client.get("/login")
    data = {"username": "marieke", "password": STAFF_PASSWORD, "csrf": "forged"}
    assert browser_client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_rate_limit_holds_even_for_the_right_password(browser_client, staff_world) -> None:
    for _ in range(5):
        assert _try(browser_client, "marieke", "guess-guess-guess") == 401
    data = {"username": "marieke", "password": STAFF_PASSWORD, "csrf": _form_token(browser_client)}
    answer = browser_client.post("/login", data=data, follow_redirects=False)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert _try(browser_client, "anna", STAFF_PASSWORD) == 303  # another account still can


def test_rate_limit_lifts_after_a_minute(browser_client, staff_world, clock: HeldClock) -> None:
    for _ in range(5):
        _try(browser_client, "marieke", "guess-guess-guess")
    assert _try(browser_client, "marieke", STAFF_PASSWORD) == 429
    clock.now += timedelta(minutes=1)
    assert _try(browser_client, "marieke", STAFF_PASSWORD) == 303


def test_idle_timeout_ends_the_login(browser_client, staff_world, clock: HeldClock) -> None:
    log_in(browser_client, "marieke")
    clock.now += timedelta(minutes=29)
    assert browser_client.get("/account/password").status_code == 200
    clock.now += timedelta(minutes=29)  # used 29 minutes ago: still in
    assert browser_client.get("/account/password").status_code == 200
    clock.now += timedelta(minutes=31)
    assert browser_client.get("/account/password").status_code == 401


def test_absolute_timeout_ends_a_busy_login(browser_client, staff_world, clock: HeldClock) -> None:
    log_in(browser_client, "marieke")
    for _ in range(11 * 4):  # a request every quarter hour for 11 hours
        clock.now += timedelta(minutes=15)
        if browser_client.get("/account/password").status_code == 401:
            break
    else:
        raise AssertionError("the login outlived its absolute timeout")
    assert clock.now - timedelta(hours=10) <= clock.now


def test_logout_ends_the_session_and_needs_the_token(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    assert browser_client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert browser_client.get("/account/password").status_code == 200
    browser_client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert browser_client.get("/account/password").status_code == 401


def test_password_change_checks_strength_and_ends_other_logins(
    app, browser_client, staff_world
) -> None:
    csrf = log_in(browser_client, "marieke")
    with TestClient(app, base_url="https://testserver") as other:
        log_in(other, "marieke")
        weak = {"current": STAFF_PASSWORD, "new": "password123", "again": "password123"}
        answer = browser_client.post("/account/password", data={**weak, "csrf": csrf})
        assert answer.status_code == 400
        assert "te makkelijk" in answer.text
        short = {"current": STAFF_PASSWORD, "new": "kort", "again": "kort", "csrf": csrf}
        assert "minstens 10" in browser_client.post("/account/password", data=short).text
        good = "groene-fiets-op-dinsdag"
        data = {"current": STAFF_PASSWORD, "new": good, "again": good, "csrf": csrf}
        assert browser_client.post("/account/password", data=data).status_code == 200
        assert other.get("/account/password").status_code == 401
    browser_client.post("/logout", data={"csrf": csrf})
    assert _try(browser_client, "marieke", STAFF_PASSWORD) == 401
    assert _try(browser_client, "marieke", good) == 303

"""Every staff route × every role: who gets in, who is refused, and that every form needs
its CSRF token. A route missing from the matrix below fails the test, so a new page cannot
slip in without someone deciding who may see it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.server.conftest import Staff, log_in

PUBLIC = "public"  # no login needed
LOGGED_IN = "logged in"  # any role
SITE = "admin + own supervisor"  # /sites/north/…: admin, and the supervisor of north
ADMIN = "admin"
COACH = "coach"  # and only their own participants
TOKEN = "feed token"  # no login: the token in the URL is the key
TRANSLATORS = "admin + translator"  # the door's translations, and nothing else

MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,  # for a load balancer
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): LOGGED_IN,
    ("GET", "/"): LOGGED_IN,
    ("GET", "/account/password"): LOGGED_IN,
    ("POST", "/account/password"): LOGGED_IN,
    ("GET", "/sites/{site_id}/now"): SITE,
    ("GET", "/sites/{site_id}/now/live"): SITE,
    ("GET", "/sites/{site_id}/evacuation"): SITE,
    ("GET", "/sites/{site_id}/evacuation/live"): SITE,
    ("GET", "/sites/{site_id}/today"): SITE,
    ("GET", "/sites/{site_id}/participants/{participant_id}/days/{day}"): SITE,
    ("POST", "/sites/{site_id}/participants/{participant_id}/days/{day}/corrections"): SITE,
    ("POST", "/sites/{site_id}/participants/{participant_id}/days/{day}/absence"): SITE,
    ("POST", "/sites/{site_id}/participants/{participant_id}/days/{day}/absence/delete"): SITE,
    (
        "POST",
        "/sites/{site_id}/participants/{participant_id}/days/{day}/statements/{event_id}",
    ): SITE,
    ("GET", "/sites/{site_id}/participants"): SITE,
    ("GET", "/sites/{site_id}/participants/new"): SITE,
    ("POST", "/sites/{site_id}/participants/new"): SITE,
    ("GET", "/sites/{site_id}/participants/{participant_id}/edit"): SITE,
    ("POST", "/sites/{site_id}/participants/{participant_id}/edit"): SITE,
    ("POST", "/sites/{site_id}/participants/{participant_id}/badges"): SITE,
    ("POST", "/sites/{site_id}/participants/{participant_id}/badges/{uid}/revoke"): SITE,
    ("POST", "/sites/{site_id}/badges/enrol"): SITE,
    ("GET", "/sites/{site_id}/planning"): SITE,
    ("GET", "/sites/{site_id}/planning/pictograms"): SITE,  # the picker's search
    ("GET", "/pictograms/{name}.png"): PUBLIC,  # the open set's pictures: nobody's data
    ("POST", "/sites/{site_id}/planning/tasks"): SITE,
    ("POST", "/sites/{site_id}/planning/tasks/{task_id}/delete"): SITE,
    ("POST", "/sites/{site_id}/planning/words"): SITE,
    ("POST", "/sites/{site_id}/planning/words/{day}/delete"): SITE,
    ("GET", "/sites/{site_id}/planning/photos/{sha256}"): SITE,
    ("GET", "/sites/{site_id}/planning/voices/{sha256}"): SITE,
    ("GET", "/sites/{site_id}/kiosks"): SITE,
    ("POST", "/sites/{site_id}/kiosks"): ADMIN,
    ("POST", "/sites/{site_id}/kiosks/{kiosk_id}/revoke"): ADMIN,
    ("POST", "/sites/{site_id}/kiosks/{kiosk_id}/rotate-token"): ADMIN,
    ("GET", "/sites"): ADMIN,
    ("POST", "/sites"): ADMIN,
    ("POST", "/sites/{site_id}/greeting"): ADMIN,
    ("POST", "/sites/{site_id}/own-say"): ADMIN,
    ("POST", "/sites/{site_id}/word-check"): ADMIN,
    ("POST", "/sites/{site_id}/alerts"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("GET", "/admin/users/{staff_id}"): ADMIN,
    ("POST", "/admin/users/{staff_id}"): ADMIN,
    ("GET", "/admin/participants/{participant_id}/export"): ADMIN,
    ("POST", "/admin/participants/{participant_id}/erase"): ADMIN,
    ("GET", "/admin/retention"): ADMIN,
    ("POST", "/admin/retention"): ADMIN,
    ("GET", "/coach"): COACH,
    ("GET", "/coach/participants/{participant_id}"): COACH,
    ("GET", "/coach/participants/{participant_id}/calendar.svg"): COACH,
    ("GET", "/coach/feeds"): COACH,
    ("POST", "/coach/feeds"): COACH,
    ("POST", "/coach/feeds/{token_id}/revoke"): COACH,
    ("POST", "/coach/feeds/{token_id}/renew"): COACH,
    ("GET", "/feeds/{token}/attendance.json"): TOKEN,
    ("GET", "/feeds/{token}/attendance.csv"): TOKEN,
    ("GET", "/feeds/{token}/attendance.xlsx"): TOKEN,
    ("GET", "/feeds/{token}/attendance.ics"): TOKEN,
    ("GET", "/translations"): TRANSLATORS,
    ("GET", "/translations/{language}"): TRANSLATORS,
    ("POST", "/translations/{language}/phrases"): TRANSLATORS,
    ("POST", "/translations/{language}/words"): TRANSLATORS,
    ("GET", "/translations/{language}/export.po"): TRANSLATORS,
    ("POST", "/translations/{language}/import"): TRANSLATORS,
}

# Sample path values: all of site north, participant Amal (carla's, not koen's).
SAMPLE = {
    "site_id": "north",
    "participant_id": "p-amal",
    "day": "2026-11-25",
    "uid": "04A1B2C3",
    "task_id": "999999",
    "kiosk_id": "north-2",
    "staff_id": "c-koen",
    "token_id": "999999",
    "token": "not-a-real-token",
    "sha256": "0" * 64,
    "language": "ti",
    "event_id": "not-a-statement",
}
ACTORS = ("anonymous", "anna", "marieke", "sven", "carla", "koen", "tess")


def _allowed(rule: str, actor: str) -> bool:
    if rule == PUBLIC:
        return True
    if actor == "anonymous":
        return False
    return {
        LOGGED_IN: True,
        SITE: actor in ("anna", "marieke"),  # sven runs the south site
        ADMIN: actor == "anna",
        COACH: actor in ("carla", "koen"),
        TRANSLATORS: actor in ("anna", "tess"),
    }[rule]


def _routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    def walk(routes: list) -> Iterator:
        for route in routes:
            included = getattr(route, "original_router", None)
            yield from walk(included.routes) if included is not None else [route]

    for route in walk(app.routes):
        if isinstance(route, APIRoute) and not route.path.startswith(("/api/", "/static")):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path


def test_every_staff_route_is_in_the_matrix(app: FastAPI) -> None:
    found = set(_routes(app))
    assert found - set(MATRIX) == set(), "routes without a decision on who may use them"
    assert set(MATRIX) - found == set(), "the matrix names routes that no longer exist"


@pytest.fixture
def clients(app: FastAPI, staff_world: Staff) -> Iterator[dict[str, tuple[TestClient, str]]]:
    opened: dict[str, tuple[TestClient, str]] = {}
    try:
        for actor in ACTORS:
            client = TestClient(app, base_url="https://testserver").__enter__()
            csrf = "" if actor == "anonymous" else log_in(client, actor)
            opened[actor] = (client, csrf)
        yield opened
    finally:
        for client, _ in opened.values():
            client.__exit__(None, None, None)


def test_roles_by_routes(app: FastAPI, clients: dict[str, tuple[TestClient, str]]) -> None:
    wrong: list[str] = []
    # Logging out last: it ends the login the other routes are tried with.
    for method, path in sorted(_routes(app), key=lambda r: (r[1] == "/logout", r)):
        rule = MATRIX[(method, path)]
        if rule in (PUBLIC, TOKEN):
            continue
        url = path.format(**SAMPLE)
        for actor in ACTORS:
            client, csrf = clients[actor]
            if method == "GET":
                status = client.get(url, follow_redirects=False).status_code
            else:
                status = client.post(url, data={"csrf": csrf}, follow_redirects=False).status_code
            allowed = _allowed(rule, actor)
            if actor == "anonymous":
                ok = status == 401
            elif not allowed:
                ok = status == 403
            elif rule == COACH and actor == "koen" and "{participant_id}" in path:
                ok = status == 404  # a coach does not learn that another's participant exists
            else:
                ok = status not in (401, 403) and status < 500
            if not ok:
                wrong.append(f"{method} {url} as {actor}: {status}")
    assert wrong == []


def test_every_form_needs_its_csrf_token(
    app: FastAPI, clients: dict[str, tuple[TestClient, str]]
) -> None:
    """Allowed in, but without the token (a cross-site form post): refused, nothing done."""
    who = {LOGGED_IN: "marieke", SITE: "marieke", ADMIN: "anna", COACH: "carla",
           TRANSLATORS: "tess"}  # fmt: skip
    unrefused: list[str] = []
    for method, path in sorted(_routes(app)):
        rule = MATRIX[(method, path)]
        if method != "POST" or rule not in who:
            continue
        client, _ = clients[who[rule]]
        url = path.format(**SAMPLE)
        for headers in ({}, {"Origin": "https://evil.example"}):
            answer = client.post(url, data={"csrf": "forged"}, headers=headers)
            if answer.status_code != 403:
                unrefused.append(f"{url} {headers}: {answer.status_code}")
    assert unrefused == []


def test_a_foreign_origin_is_refused_even_with_the_token(
    clients: dict[str, tuple[TestClient, str]],
) -> None:
    client, csrf = clients["marieke"]
    answer = client.post(
        "/sites/north/planning/tasks",
        data={"csrf": csrf, "day": "2026-11-26", "text": "Vegen"},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    assert "Vegen" not in client.get("/sites/north/planning?from=2026-11-23").text


@pytest.mark.parametrize("suffix", ["json", "csv", "xlsx", "ics"])
def test_a_made_up_feed_token_gets_nothing(browser_client: TestClient, staff_world, suffix) -> None:
    answer = browser_client.get(f"/feeds/not-a-real-token/attendance.{suffix}")
    assert answer.status_code == 404
    assert "Amal" not in answer.text

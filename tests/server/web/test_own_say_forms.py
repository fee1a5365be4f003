"""The day page's forms for what a participant said at the door: a verdict is stored and
shown; a wrong time, a wrong category or another participant's statement is refused in
Dutch and nothing is stored; another site's supervisor never gets in."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.schema import statement_reviews
from tests.server.conftest import Staff, World, log_in, wire

DAY_PAGE = "/sites/north/participants/{pid}/days/2026-11-25"


def said_early(client: TestClient, world: World) -> str:
    record = wire(1, kind="leave_reason", detail={"reason": "doctor", "check_out_record_id": "x"})
    answer = client.post("/api/v1/records", json={"records": [record]}, headers=world.auth())
    assert answer.json()["results"][0]["status"] == "accepted"
    return str(record["id"])


def verdict(client: TestClient, pid: str, event_id: str, csrf: str, **form: str) -> Any:
    url = DAY_PAGE.format(pid=pid) + f"/statements/{event_id}"
    return client.post(url, data={"csrf": csrf, **form}, follow_redirects=True)


def reviews(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(select(statement_reviews.c.verdict, statement_reviews.c.reason))
        return [tuple(row) for row in rows]


def test_own_say_form_changes_a_reason_and_the_page_shows_it(
    browser_client: TestClient, client: TestClient, staff_world: Staff, world: World, engine
) -> None:
    event_id = said_early(client, world)
    csrf = log_in(browser_client, "marieke")
    page = browser_client.get(DAY_PAGE.format(pid="p-amal"))
    assert "Eerder weggegaan" in page.text and "dokter of ziek" in page.text
    assert "wacht op controle" in page.text
    page = verdict(browser_client, "p-amal", event_id, csrf, verdict="changed", reason="office")
    assert page.status_code == 200 and "Veranderd in" in page.text
    assert "afspraak gemeente/IND" in page.text
    assert reviews(engine) == [("changed", "office")]


@pytest.mark.parametrize(
    ("pid", "form", "status", "error"),
    [
        ("p-amal", {"verdict": "changed", "reason": "winkelen"}, 400, "Kies een reden"),
        ("p-amal", {"verdict": "maybe"}, 400, "Kies: klopt, veranderen of afwijzen."),
        ("p-amal", {"verdict": "changed", "left_at": "25:70"}, 400, "Geef een geldige tijd"),
        ("p-dawit", {"verdict": "confirmed"}, 400, "Deze melding hoort niet bij deze deelnemer."),
        ("p-olena", {"verdict": "confirmed"}, 404, "deze deelnemer hoort niet bij deze locatie"),
    ],
)
def test_own_say_form_refuses_in_dutch_and_stores_nothing(
    browser_client: TestClient,
    client: TestClient,
    staff_world: Staff,
    world: World,
    engine: Engine,
    pid: str,
    form: dict[str, str],
    status: int,
    error: str,
) -> None:
    event_id = said_early(client, world)
    csrf = log_in(browser_client, "marieke")
    answer = verdict(browser_client, pid, event_id, csrf, **form)
    assert answer.status_code == status and error in answer.text
    assert reviews(engine) == []


def test_own_say_form_of_another_sites_supervisor_is_refused(
    browser_client: TestClient, client: TestClient, staff_world: Staff, world: World, engine
) -> None:
    event_id = said_early(client, world)
    csrf = log_in(browser_client, "sven")
    answer = verdict(browser_client, "p-amal", event_id, csrf, verdict="rejected")
    assert answer.status_code == 403 and reviews(engine) == []

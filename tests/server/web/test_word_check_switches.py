"""The recall check's switches (issue 16): the admin's per site, staff's per participant;
each change is in the audit log, and a door then gets no plan for whom it is off."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.schema import audit_log, participants, sites
from sync.protocol import RECALL, UNDERSTANDS_HEADER
from tests.server.conftest import Staff, World, log_in
from tests.server.recall_world import check_in, plan_words, push, word_day
from tests.server.web.test_records import HTML, form, post


def plans(client: TestClient, world: World) -> dict[str, Any]:
    answer = client.get("/api/v1/snapshot", headers={**world.auth(), UNDERSTANDS_HEADER: RECALL})
    assert answer.status_code == 200, answer.text
    return {p["participant_id"]: p for p in answer.json()["recall"]}


def met_words(browser_client: TestClient, world: World, engine: Engine) -> None:
    plan_words(engine)
    visits = [check_in(n + 1, word_day(n), participant=pid)
              for n, pid in enumerate(["p-amal", "p-dawit"] * 3)]  # fmt: skip
    push(browser_client, world, *visits)


def audit(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.participant_id, audit_log.c.detail).where(
                audit_log.c.action == action
            )
        )
        return [tuple(row) for row in rows]


def test_a_participants_word_check_is_switched_off_on_their_page(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    met_words(browser_client, world, engine)
    assert set(plans(browser_client, world)) == {"p-amal", "p-dawit"}
    csrf = log_in(browser_client, staff_world.supervisor)
    url = "/sites/north/participants/p-amal/edit"
    assert 'name="word_check" value="1" checked' in browser_client.get(url, headers=HTML).text
    data = form(display_name="Amal", language="ar")
    del data["word_check"]
    assert post(browser_client, url, csrf, data).status_code == 200
    with engine.connect() as conn:
        on = conn.execute(select(participants.c.word_check).where(participants.c.id == "p-amal"))
        assert on.scalar_one() is False
    assert set(plans(browser_client, world)) == {"p-dawit"}
    (line,) = audit(engine, "participant")
    assert line[1] == "p-amal" and "word_check" in line[2]["fields"]
    assert 'name="word_check" value="1">' in browser_client.get(url, headers=HTML).text


def test_a_sites_word_check_is_switched_off_by_the_admin(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    met_words(browser_client, world, engine)
    csrf = log_in(browser_client, staff_world.admin)
    page = browser_client.get("/sites", headers=HTML).text
    assert 'action="/sites/north/word-check"' in page
    answer = browser_client.post(
        "/sites/north/word-check", data={"csrf": csrf}, headers=HTML, follow_redirects=False
    )
    assert answer.status_code == 303
    assert plans(browser_client, world) == {}
    assert audit(engine, "site") == [
        ("admin:a-anna", None, {"site_id": "north", "word_check": False})
    ]
    browser_client.post("/sites/north/word-check", data={"csrf": csrf, "word_check": "1"})
    with engine.connect() as conn:
        assert conn.execute(select(sites.c.word_check).where(sites.c.id == "north")).scalar()
    assert set(plans(browser_client, world)) == {"p-amal", "p-dawit"}

"""A participant's day offers "Afmelden voor deze dag" only for a day they were not there."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.schema import absences
from tests.server.conftest import Staff, World, log_in, wire
from tests.server.web.test_floor import AMAL_DAY, YESTERDAY, push, section


def test_a_day_with_presence_offers_no_absence(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "marieke")
    push(browser_client, world, wire(1, wall_at="2026-11-25T08:00:00Z"))
    shown = section(browser_client.get(AMAL_DAY).text, "afwezig")
    assert "Afmelden voor deze dag" not in shown and 'name="reason"' not in shown
    assert "Aanwezig op deze dag" in shown
    assert "Afmelden voor deze dag" in browser_client.get(YESTERDAY).text  # not there


def test_an_absence_for_a_day_with_presence_is_refused(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    push(browser_client, world, wire(1, wall_at="2026-11-25T08:00:00Z"))
    answer = browser_client.post(f"{AMAL_DAY}/absence", data={"csrf": csrf, "reason": "sick"})
    assert answer.status_code == 400 and "aanwezig" in answer.text
    with engine.connect() as conn:
        assert conn.execute(select(absences)).first() is None

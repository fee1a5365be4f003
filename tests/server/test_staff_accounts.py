"""Staff accounts as the admin keeps them (server/administration/staff.py): a new account can
log in, a reset or turned-off one is logged out at once, a coach's participants are exactly
those chosen, and each change stands in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from server.administration import staff
from server.administration.passwords import hash_password
from server.administration.staff_sessions import LoginRefused, Viewer, log_in, viewer_of
from server.db import writing
from server.schema import audit_log, participants
from server.settings import Settings
from tests.server.conftest import NOW, STAFF_PASSWORD, Staff

SETTINGS = Settings(database_url="unused://")
NEW_PASSWORD = "rode-tractor-in-de-sneeuw"


def logged_in(engine: Engine, username: str, password: str = STAFF_PASSWORD) -> Viewer:
    return log_in(engine, SETTINGS, username, password, "192.0.2.7", NOW).viewer


def token_of(engine: Engine, username: str) -> str:
    return log_in(engine, SETTINGS, username, STAFF_PASSWORD, "192.0.2.7", NOW).token


def still_in(engine: Engine, token: str) -> bool:
    return viewer_of(engine, SETTINGS, token, NOW) is not None


def audit(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        query = select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id)
        return list(conn.execute(query).all())


def marieke_as_she_is() -> dict[str, Any]:
    return {"display_name": "Marieke", "role": "supervisor", "site_id": "north",
            "email": None, "active": True}  # fmt: skip


@pytest.fixture
def anna(engine: Engine, staff_world: Staff) -> Viewer:
    return logged_in(engine, "anna")


def test_a_new_account_logs_in_with_the_password_handed_over(engine: Engine, anna) -> None:
    digest = hash_password(NEW_PASSWORD)
    staff_id = staff.new_account(engine, anna, "fatima", "Fatima", "coach", None, digest, NOW)
    assert staff_id == "c-fatima"
    assert logged_in(engine, "fatima", NEW_PASSWORD).role == "coach"
    (line,) = audit(engine, "staff")
    assert (line.actor, line.detail) == (
        "admin:a-anna",
        {"staff_id": "c-fatima", "staff": "created"},
    )


def test_a_username_is_taken_whatever_its_capitals(engine: Engine, anna) -> None:
    with pytest.raises(staff.UsernameTaken):
        staff.new_account(engine, anna, "MARIEKE", "M", "coach", None, "x", NOW)
    assert [row.username for row in staff.accounts(engine).rows].count("marieke") == 1


def test_a_new_account_whose_id_is_taken_gets_another(engine: Engine, anna) -> None:
    first = staff.new_account(engine, anna, "jan@x", "Jan", "coach", None, "x", NOW)
    second = staff.new_account(engine, anna, "jan-x", "Jan X", "coach", None, "x", NOW)
    assert first == "c-jan-x"
    assert second.startswith("c-jan-x-") and len(second) == len("c-jan-x-") + 6


def test_a_new_password_from_the_admin_logs_the_account_out(engine: Engine, anna) -> None:
    token = token_of(engine, "marieke")
    staff.save_account(
        engine, anna, "s-marieke", marieke_as_she_is(), hash_password(NEW_PASSWORD), None, NOW
    )
    assert not still_in(engine, token)
    assert logged_in(engine, "marieke", NEW_PASSWORD)
    with pytest.raises(LoginRefused):
        logged_in(engine, "marieke")
    assert audit(engine, "staff")[-1].detail == {"staff_id": "s-marieke", "fields": ["password"]}


def test_turning_an_account_off_logs_it_out(engine: Engine, anna) -> None:
    token = token_of(engine, "marieke")
    staff.save_account(
        engine, anna, "s-marieke", {**marieke_as_she_is(), "active": False}, None, None, NOW
    )
    assert not still_in(engine, token)
    with pytest.raises(LoginRefused):
        logged_in(engine, "marieke")


def test_a_new_name_keeps_the_account_logged_in(engine: Engine, anna) -> None:
    token = token_of(engine, "marieke")
    values = {**marieke_as_she_is(), "display_name": "Marieke de Vries"}
    staff.save_account(engine, anna, "s-marieke", values, None, None, NOW)
    assert still_in(engine, token)
    assert staff.account(engine, "s-marieke").display_name == "Marieke de Vries"
    assert audit(engine, "staff")[-1].detail["fields"] == ["display_name"]


def test_a_coachs_participants_become_exactly_those_chosen(engine: Engine, anna) -> None:
    carla = {"display_name": "Carla", "role": "coach", "site_id": None, "email": None,
             "active": True}  # fmt: skip
    chosen = {"p-dawit", "p-olena", "p-nobody"}
    staff.save_account(engine, anna, "c-carla", carla, None, chosen, NOW)
    assert staff.caseload(engine, "c-carla").assigned == {"p-dawit", "p-olena"}
    assert staff.accounts(engine).caseloads["c-carla"] == 2
    links = {(row.participant_id, row.detail["link"]) for row in audit(engine, "coach")}
    assert links == {("p-amal", "removed"), ("p-olena", "added")}


def test_a_coach_can_be_offered_everyone_active_and_keeps_her_inactive_ones(
    engine: Engine, staff_world: Staff
) -> None:
    with writing(engine) as conn:
        conn.execute(participants.update().values(active=False))  # everyone leaves
        conn.execute(
            participants.update().where(participants.c.id == "p-olena").values(active=True)
        )
    offered = staff.caseload(engine, "c-carla").by_site
    assert {site: [p.id for p in people] for site, people in offered.items()} == {
        "north": ["p-amal", "p-dawit"],  # Carla's, though gone
        "south": ["p-olena"],
    }


def test_ones_own_new_password_ends_the_other_logins(engine: Engine, staff_world) -> None:
    other = token_of(engine, "marieke")
    mine = log_in(engine, SETTINGS, "marieke", STAFF_PASSWORD, "192.0.2.7", NOW)
    assert staff.password_matches(engine, "s-marieke", STAFF_PASSWORD)
    staff.change_own_password(engine, mine.viewer, hash_password(NEW_PASSWORD), NOW)
    assert not still_in(engine, other)
    assert still_in(engine, mine.token)
    assert not staff.password_matches(engine, "s-marieke", STAFF_PASSWORD)
    assert staff.password_matches(engine, "s-marieke", NEW_PASSWORD)
    assert audit(engine, "password")[-1].actor == "supervisor:s-marieke"


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("anna", {"p-amal", "p-dawit", "p-olena"}),
        ("marieke", {"p-amal", "p-dawit"}),  # her site, north
        ("sven", {"p-olena"}),  # his site, south
        ("carla", {"p-amal", "p-dawit"}),  # her participants
        ("koen", {"p-olena"}),
    ],
)
def test_who_may_see_which_participant(
    engine: Engine, staff_world: Staff, username: str, seen: set[str]
) -> None:
    viewer = logged_in(engine, username)
    with engine.connect() as conn:
        found = {
            pid
            for pid in ("p-amal", "p-dawit", "p-olena", "p-nobody")
            if staff.may_see_participant(conn, viewer, pid)
        }
    assert found == seen

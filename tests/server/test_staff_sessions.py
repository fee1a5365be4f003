"""Staff logins on the server's side (server/administration/staff_sessions.py): a login opens
a session its token finds again, until it is logged out, idles or ages out, or the account
is turned off; failed tries make the next ones wait, and the wait holds until its time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from server.administration.staff_sessions import (
    LoginRefused,
    TooManyAttempts,
    Viewer,
    end_all_sessions,
    end_other_sessions,
    log_in,
    log_out,
    viewer_of,
)
from server.db import writing
from server.schema import staff
from server.settings import Settings
from tests.server.conftest import NOW, STAFF_PASSWORD, Staff

SETTINGS = Settings(database_url="unused://")  # the timeouts and limits as shipped
ADDRESS = "192.0.2.7"


def open_login(engine: Engine, username: str = "marieke", at: datetime = NOW) -> str:
    return log_in(engine, SETTINGS, username, STAFF_PASSWORD, ADDRESS, at).token


def fail(engine: Engine, times: int, at: datetime = NOW, device: str | None = None) -> None:
    for _ in range(times):
        with pytest.raises(LoginRefused):
            log_in(engine, SETTINGS, "marieke", "geraden-wachtwoord", ADDRESS, at, device)


def test_a_login_is_found_again_by_its_token(engine: Engine, staff_world: Staff) -> None:
    login = log_in(engine, SETTINGS, " Marieke", STAFF_PASSWORD, ADDRESS, NOW)
    viewer = viewer_of(engine, SETTINGS, login.token, NOW + timedelta(minutes=5))
    assert viewer == login.viewer
    assert (viewer.username, viewer.role, viewer.site_id) == ("marieke", "supervisor", "north")
    assert viewer.sees_site("north") and not viewer.sees_site("south")


def test_a_wrong_password_or_unknown_name_opens_nothing(engine: Engine, staff_world) -> None:
    for name, password in (("marieke", "niet-haar-wachtwoord"), ("niemand", STAFF_PASSWORD)):
        with pytest.raises(LoginRefused):
            log_in(engine, SETTINGS, name, password, ADDRESS, NOW)


def test_a_session_logged_out_is_refused(engine: Engine, staff_world: Staff) -> None:
    token = open_login(engine)
    viewer = viewer_of(engine, SETTINGS, token, NOW)
    assert viewer is not None
    log_out(engine, viewer.session_id)
    assert viewer_of(engine, SETTINGS, token, NOW) is None


def test_an_idle_session_ends_and_stays_ended(engine: Engine, staff_world: Staff) -> None:
    token = open_login(engine)
    assert viewer_of(engine, SETTINGS, token, NOW + timedelta(minutes=29)) is not None
    later = NOW + timedelta(minutes=29 + 31)
    assert viewer_of(engine, SETTINGS, token, later) is None
    assert viewer_of(engine, SETTINGS, token, NOW + timedelta(minutes=30)) is None  # deleted


def test_a_busy_session_ends_after_its_longest_time(engine: Engine, staff_world) -> None:
    token = open_login(engine)
    at = NOW
    while at - NOW <= timedelta(hours=SETTINGS.session_max_hours):
        assert viewer_of(engine, SETTINGS, token, at) is not None
        at += timedelta(minutes=15)  # used every quarter hour: never idle
    assert viewer_of(engine, SETTINGS, token, at) is None


def test_turning_an_account_off_ends_its_login_and_refuses_the_next(engine, staff_world) -> None:
    token = open_login(engine)
    with writing(engine) as conn:
        conn.execute(update(staff).where(staff.c.username == "marieke").values(active=False))
    assert viewer_of(engine, SETTINGS, token, NOW) is None
    with pytest.raises(LoginRefused):
        open_login(engine)


def test_ending_all_sessions_ends_every_login_of_that_person(engine, staff_world) -> None:
    hers = [open_login(engine), open_login(engine)]
    annas = open_login(engine, "anna")
    with writing(engine) as conn:
        end_all_sessions(conn, "s-marieke")
    assert [viewer_of(engine, SETTINGS, token, NOW) for token in hers] == [None, None]
    assert viewer_of(engine, SETTINGS, annas, NOW) is not None


def test_ending_the_other_sessions_keeps_this_one(engine: Engine, staff_world) -> None:
    this, other = open_login(engine), open_login(engine)
    viewer = viewer_of(engine, SETTINGS, this, NOW)
    assert isinstance(viewer, Viewer)
    with writing(engine) as conn:
        end_other_sessions(conn, viewer)
    assert viewer_of(engine, SETTINGS, this, NOW) is not None
    assert viewer_of(engine, SETTINGS, other, NOW) is None


def test_a_locked_out_name_stays_locked_until_its_time(engine, staff_world) -> None:
    fail(engine, SETTINGS.login_failures_per_user_address)
    with pytest.raises(TooManyAttempts) as refused:
        open_login(engine, at=NOW + timedelta(seconds=30))  # even the right password
    assert refused.value.retry_after == 30
    with pytest.raises(TooManyAttempts):
        open_login(engine, at=NOW + timedelta(seconds=59))
    assert open_login(engine, at=NOW + timedelta(minutes=1))
    assert open_login(engine, "anna")  # the others were never kept out


def test_a_browser_she_used_before_is_not_kept_out_by_a_guesser(engine, staff_world) -> None:
    fail(engine, SETTINGS.login_failures_per_user_address)
    with pytest.raises(TooManyAttempts):
        open_login(engine)
    login = log_in(engine, SETTINGS, "marieke", STAFF_PASSWORD, "x", NOW, device="her-laptop")
    assert login.viewer.username == "marieke"


def test_a_device_past_its_own_tries_waits_like_a_stranger(engine, staff_world) -> None:
    tries = SETTINGS.login_failures_per_device + SETTINGS.login_failures_per_user_address
    fail(engine, tries, device="stolen-cookie")
    with pytest.raises(TooManyAttempts):
        log_in(engine, SETTINGS, "marieke", STAFF_PASSWORD, ADDRESS, NOW, device="stolen-cookie")

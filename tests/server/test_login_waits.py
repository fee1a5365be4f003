"""How long a login must wait (server/administration/login_limits.py), on the stored failures:
the wait starts after the free tries, counts from the latest failure, ends at its time, and
failures are forgotten after a success or a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from server.administration.login_limits import (
    Limit,
    count_failure,
    failure_key,
    forget_failures,
    longest_wait,
    normal_username,
    seconds_to_wait,
)
from server.db import writing
from tests.server.conftest import NOW

HERS = Limit(failure_key("user", "marieke"), free=2)
ANNAS = Limit(failure_key("user", "anna"), free=2)


def fail(engine: Engine, limits: list[Limit], times: int, at=NOW) -> None:
    for _ in range(times):
        with writing(engine) as conn:
            count_failure(conn, limits, at)


def wait(engine: Engine, limits: list[Limit], at=NOW) -> int:
    with engine.connect() as conn:
        return longest_wait(conn, limits, at)


def test_the_free_tries_come_without_a_wait(engine: Engine) -> None:
    fail(engine, [HERS], 1)
    assert wait(engine, [HERS]) == 0
    fail(engine, [HERS], 1)
    assert wait(engine, [HERS]) == 60


def test_a_wait_holds_until_its_time_and_not_a_second_longer(engine: Engine) -> None:
    fail(engine, [HERS], 3)  # one past the free tries: two minutes
    assert wait(engine, [HERS], NOW + timedelta(seconds=119.2)) == 1  # whole seconds, rounded up
    assert wait(engine, [HERS], NOW + timedelta(minutes=2)) == 0


def test_one_name_waiting_keeps_no_one_else_out(engine: Engine) -> None:
    fail(engine, [HERS], 5)
    assert wait(engine, [ANNAS]) == 0
    assert wait(engine, [ANNAS, HERS]) == wait(engine, [HERS]) == 8 * 60


def test_a_success_forgets_its_own_failures_and_everyones_old_ones(engine: Engine) -> None:
    fail(engine, [ANNAS], 4, at=NOW - timedelta(days=1))
    fail(engine, [HERS], 4)
    with writing(engine) as conn:
        forget_failures(conn, [HERS], NOW)
    later = NOW - timedelta(days=1) + timedelta(minutes=1)  # Anna would still be waiting
    assert wait(engine, [HERS]) == 0
    assert wait(engine, [ANNAS], later) == 0


def test_failures_older_than_a_day_no_longer_count(engine: Engine) -> None:
    fail(engine, [HERS], 10, at=NOW - timedelta(days=1))
    with engine.connect() as conn:
        assert seconds_to_wait(conn, HERS, NOW) == 0


@pytest.mark.parametrize("typed", [" marieke", "MARIEKE", "\tMarieke\n", "ｍａｒｉｅｋｅ"])
def test_a_name_typed_differently_is_the_same_name(typed: str) -> None:
    assert normal_username(typed) == "marieke"

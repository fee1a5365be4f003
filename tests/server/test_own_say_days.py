"""What a participant said at the door, in attendance: yesterday's estimated check-out closes
the forgotten session and counts per the site's setting; a supervisor's verdict (audited)
confirms, changes or rejects it; "Vandaag" lists leave reasons and announced absences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from server.attendance.day_sheet import day_sheet
from server.attendance.history import load_timelines
from server.attendance.reviews import NotReviewed, Refused, Review, review
from server.attendance.today import Site, find_site, today
from server.db import writing
from server.schema import audit_log, participants, sites
from tests.server.conftest import NOW, World, wire
from tests.server.test_own_say_push import push

YESTERDAY = date(2026, 11, 24)  # a Tuesday; NOW is Wednesday 10:00 in Amsterdam
TODAY = date(2026, 11, 25)
MARIEKE: dict[str, Any] = {"staff_id": "s-marieke", "actor": "supervisor:s-marieke", "now": NOW}
AMS = "Europe/Amsterdam"


def north(engine: Engine) -> Site:
    site = find_site(engine, "north")
    assert site is not None
    return site


def forgot_yesterday(client: TestClient, world: World, left_at: str | None = "16:15") -> str:
    """Amal came yesterday at 09:00 (site time), never checked out, and this morning told
    the door when she left; the estimate's event id."""
    estimate = wire(
        2,
        kind="checkout_estimate",
        detail={"day": "2026-11-24", "left_at": left_at, "stale_record_id": "x"},
    )
    came = wire(1, wall_at="2026-11-24T08:00:00+00:00", workshop_day="2026-11-24")
    assert push(client, world, came, estimate) == [("accepted", None)] * 2
    return str(estimate["id"])


def yesterday_session(engine: Engine) -> Any:
    sheet = day_sheet(engine, north(engine), "p-amal", YESTERDAY, NOW)
    assert sheet is not None
    [session] = sheet.attendance.sessions
    return session


def coach_hours(engine: Engine) -> float:
    with engine.connect() as conn:
        timelines = load_timelines(
            conn, ["p-amal"], YESTERDAY, YESTERDAY, NOW, late_after=timedelta(minutes=5)
        )
    return timelines.of["p-amal"].figures().hours


def site_clock(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(AMS)).strftime("%H:%M")


def test_own_say_estimate_closes_the_forgotten_session_counted_once_confirmed(
    client: TestClient, world: World, engine: Engine
) -> None:
    event_id = forgot_yesterday(client, world)
    session = yesterday_session(engine)
    assert session.estimated and not session.auto_closed
    assert site_clock(session.end_at) == "16:15"
    assert session.counted_seconds == 0 and coach_hours(engine) == 0  # pending: not yet
    assert review(engine, north(engine), "p-amal", event_id, Review("confirmed"), **MARIEKE) is None
    session = yesterday_session(engine)
    assert session.estimated and session.estimate_counts
    assert session.counted_seconds == 7.25 * 3600 and coach_hours(engine) == 7.25


def test_own_say_estimate_counts_at_once_where_the_site_says_so(
    client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        conn.execute(update(sites).where(sites.c.id == "north").values(estimated_hours="at_once"))
    forgot_yesterday(client, world)
    assert yesterday_session(engine).counted_seconds == 7.25 * 3600
    assert coach_hours(engine) == 7.25


def test_own_say_changed_time_replaces_the_estimate_and_rejected_one_closes_nothing(
    client: TestClient, world: World, engine: Engine
) -> None:
    event_id = forgot_yesterday(client, world)
    changed = Review("changed", left_at=time(15, 30))
    assert review(engine, north(engine), "p-amal", event_id, changed, **MARIEKE) is None
    session = yesterday_session(engine)
    assert site_clock(session.end_at) == "15:30" and session.counted_seconds == 6.5 * 3600
    assert review(engine, north(engine), "p-amal", event_id, Review("rejected"), **MARIEKE) is None
    session = yesterday_session(engine)
    assert session.auto_closed and not session.estimated  # back to closing time, flagged
    assert site_clock(session.end_at) == "17:00" and coach_hours(engine) == 0
    with engine.connect() as conn:
        lines = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.detail)
            .where(audit_log.c.action == "statement_review")
            .order_by(audit_log.c.id)
        ).all()
    assert [tuple(line) for line in lines] == [
        ("statement_review", "supervisor:s-marieke",
         {"event_id": event_id, "kind": "checkout_estimate", "day": "2026-11-24",
          "verdict": "changed", "left_at": "15:30"}),
        ("statement_review", "supervisor:s-marieke",
         {"event_id": event_id, "kind": "checkout_estimate", "day": "2026-11-24",
          "verdict": "rejected"}),
    ]  # fmt: skip


def test_own_say_do_not_know_leaves_the_session_closed_at_closing_time(
    client: TestClient, world: World, engine: Engine
) -> None:
    forgot_yesterday(client, world, left_at=None)
    session = yesterday_session(engine)
    assert session.auto_closed and site_clock(session.end_at) == "17:00"
    sheet = day_sheet(engine, north(engine), "p-amal", YESTERDAY, NOW)
    assert sheet is not None
    [said] = sheet.statements  # the supervisor still sees she was asked
    assert said.said_left_at is None and said.pending


@pytest.mark.parametrize(
    ("participant_id", "asked", "refused"),
    [
        ("p-olena", Review("confirmed"), Refused.STRANGER),  # another site's participant
        ("p-dawit", Review("confirmed"), NotReviewed.NOT_THEIRS),  # Amal's statement
        ("p-amal", Review("changed"), NotReviewed.NO_TIME),
    ],
)
def test_own_say_review_refuses_what_is_not_theirs(
    client: TestClient,
    world: World,
    engine: Engine,
    participant_id: str,
    asked: Review,
    refused: Refused | NotReviewed,
) -> None:
    event_id = forgot_yesterday(client, world)
    assert review(engine, north(engine), participant_id, event_id, asked, **MARIEKE) is refused
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.id)).first() is None


def test_own_say_review_of_a_reason_needs_a_category(
    client: TestClient, world: World, engine: Engine
) -> None:
    said = wire(1, kind="leave_reason", detail={"reason": "doctor", "check_out_record_id": "x"})
    push(client, world, said)
    site, event_id = north(engine), str(said["id"])
    bad = Review("changed", reason="shopping")
    assert review(engine, site, "p-amal", event_id, bad, **MARIEKE) is NotReviewed.NO_REASON
    good = Review("changed", reason="office")
    assert review(engine, site, "p-amal", event_id, good, **MARIEKE) is None
    sheet = day_sheet(engine, site, "p-amal", TODAY, NOW)
    assert sheet is not None
    [statement] = sheet.statements
    assert (statement.said_reason, statement.reason, statement.verdict) == (
        "doctor", "office", "changed"
    )  # fmt: skip
    assert statement.reviewer == "Marieke"


def vandaag(engine: Engine) -> Any:
    with engine.connect() as conn:
        return today(conn, "north", TODAY, NOW, late_after_minutes=5)


def test_own_say_vandaag_moves_an_announced_absence_out_of_missing(
    client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        conn.execute(update(participants).values(agreed_weekdays="3"))  # Wednesdays
    assert [p.id for p in vandaag(engine).missing] == ["p-amal", "p-dawit"]
    announced = wire(
        1,
        kind="absence_announced",
        wall_at="2026-11-23T15:00:00+00:00",
        workshop_day="2026-11-23",
        detail={"day": "2026-11-25", "reason": "children"},
    )
    early = wire(2, kind="leave_reason", detail={"reason": "transport", "check_out_record_id": "x"},
                 participant_id="p-dawit", badge_uid=None)  # fmt: skip
    push(client, world, announced, early)
    shown = vandaag(engine)
    assert [p.id for p in shown.missing] == ["p-dawit"]
    assert [(s.participant_id, s.reason, s.verdict) for s in shown.announced] == [
        ("p-amal", "children", "pending")
    ]
    assert [(s.participant_id, s.reason) for s in shown.reasons] == [("p-dawit", "transport")]
    review(engine, north(engine), "p-amal", str(announced["id"]), Review("rejected"), **MARIEKE)
    shown = vandaag(engine)
    assert shown.announced == [] and [p.id for p in shown.missing] == ["p-amal", "p-dawit"]


def estimate_said(event_id: str, said_at: int, left_at: int | None, verdict: str) -> Any:
    from server.attendance.statements import Statement

    at = datetime(2026, 11, 25, said_at, tzinfo=UTC)
    left = None if left_at is None else datetime(2026, 11, 24, left_at, tzinfo=UTC)
    return Statement(event_id, "p-amal", "north", "checkout_estimate", YESTERDAY, at, None, left,
                     verdict, None, left)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize(
    ("said", "closes"),
    [
        ([("a", 8, 15, "pending"), ("b", 9, 16, "pending")], ("b", False)),  # the latest
        ([("a", 8, 15, "confirmed"), ("b", 9, 16, "pending")], ("a", True)),  # reviewed first
        ([("a", 8, 15, "pending"), ("b", 9, 16, "rejected")], None),  # rejected: nothing
        ([("a", 8, 15, "pending"), ("b", 9, None, "pending")], None),  # "weet ik niet" last
    ],
)
def test_own_say_which_estimate_closes_the_day(said: list[Any], closes: Any) -> None:
    from server.attendance.statements import estimates_in

    found = estimates_in([estimate_said(*s) for s in said])
    got = found.get(("p-amal", YESTERDAY))
    assert (None if got is None else (got.event_id, got.counts)) == closes

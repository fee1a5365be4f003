"""The audit log as the staff pages write it (server/administration/audit.py) and the admin's
rights actions behind the pages (the engine-level entries of server/administration/rights.py):
a view is logged once per ten minutes, not per refresh; an export, an erasure and a
retention run each leave their line, and the retention page lists the latest runs first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from server.administration import audit, rights
from server.administration.staff_sessions import Viewer
from server.db import writing
from server.schema import audit_log, participants
from tests.server.conftest import NOW, World

MARIEKE = Viewer("s-marieke", "marieke", "supervisor", "Marieke", "north", "csrf", "session")
ANNA = Viewer("a-anna", "anna", "admin", "Anna", None, "csrf", "session")


def lines(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        query = select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id)
        return list(conn.execute(query).all())


@pytest.fixture(autouse=True)
def fresh_views() -> None:
    audit.forget_seen()  # the view throttle is per process


def test_a_view_is_logged_once_per_participant_and_page(engine: Engine, world: World) -> None:
    audit.saw(engine, MARIEKE, "now", ["p-amal", "p-dawit"], NOW)
    audit.saw(engine, MARIEKE, "now", ["p-amal", "p-dawit"], NOW + timedelta(seconds=5))
    seen = lines(engine, "view")
    assert [(row.actor, row.participant_id) for row in seen] == [
        ("supervisor:s-marieke", "p-amal"),
        ("supervisor:s-marieke", "p-dawit"),
    ]
    assert seen[0].detail == {"page": "now"}


def test_a_view_is_logged_again_after_ten_minutes_or_on_another_page(engine, world) -> None:
    audit.saw(engine, MARIEKE, "now", ["p-amal"], NOW)
    audit.saw(engine, MARIEKE, "records", ["p-amal"], NOW + timedelta(minutes=1))
    audit.saw(engine, MARIEKE, "now", ["p-amal"], NOW + timedelta(minutes=9))
    audit.saw(engine, MARIEKE, "now", ["p-amal"], NOW + timedelta(minutes=10))
    assert [row.detail["page"] for row in lines(engine, "view")] == ["now", "records", "now"]


def test_a_change_is_logged_in_its_own_transaction(engine: Engine, world: World) -> None:
    with writing(engine) as conn:
        audit.changed(conn, MARIEKE, "correction", "p-amal", {"kind": "check_out"}, NOW)
    with pytest.raises(RuntimeError), writing(engine) as conn:
        audit.changed(conn, MARIEKE, "correction", "p-dawit", {"kind": "check_out"}, NOW)
        raise RuntimeError("the change failed")  # and so its line goes with it
    assert [row.participant_id for row in lines(engine, "correction")] == ["p-amal"]


def test_an_export_is_logged_and_an_unknown_participant_refused(engine, world: World) -> None:
    data = rights.export_now(engine, "p-amal", ANNA.actor, NOW)
    assert data["participant"]["display_name"] == "Amal"
    with pytest.raises(rights.UnknownParticipant):
        rights.export_now(engine, "p-nobody", ANNA.actor, NOW)
    assert [(row.actor, row.participant_id) for row in lines(engine, "export")] == [
        ("admin:a-anna", "p-amal")
    ]


def test_an_erasure_names_the_site_and_leaves_no_one_behind(engine, world: World) -> None:
    assert rights.erase_now(engine, "p-olena", ANNA.actor, NOW) == "south"
    with pytest.raises(rights.UnknownParticipant):
        rights.erase_now(engine, "p-olena", ANNA.actor, NOW)
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(participants)).scalar()
    assert left == 2
    (line,) = lines(engine, "erase")
    assert line.participant_id is None


def test_the_latest_retention_runs_come_first(engine: Engine, world: World) -> None:
    for day in range(4):
        rights.retention_now(engine, NOW + timedelta(days=day), 30 + day, ANNA.actor)
    runs = audit.retention_runs(engine, 3)
    assert [run.detail["days"] for run in runs] == [33, 32, 31]
    assert runs[0].actor == "admin:a-anna"

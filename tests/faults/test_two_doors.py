"""Two doors of one site against a real server: a participant who came in at one door can
leave through the other, promise 5 (docs/design.md), and the first door learns she left."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from hardware.feedback import QuietIndicator
from kiosk.decide import DoorRules, Outcome
from kiosk.door import Door
from server.db import make_engine, writing
from server.schema import sites
from sync.agent import sync_once
from sync.client import ServerClient
from sync.clock import SystemClock
from sync.journal import Journal
from tests.faults.harness import PARTICIPANT_BADGES, register, running_server

RULES = DoorRules(too_soon=timedelta(0))


def open_all_day(database_url: str) -> None:
    """The server closes open sessions at closing time: this test must not depend on the
    hour it runs at, so the site is open from midnight to midnight."""
    engine = make_engine(database_url)
    try:
        with writing(engine) as conn:
            conn.execute(sites.update().values(opens_at=time(0, 0), closes_at=time(23, 59)))
    finally:
        engine.dispose()  # leaving at once is leaving, for the test


BADGE = PARTICIPANT_BADGES["p-01"]


def test_a_participant_in_at_one_door_leaves_through_the_other(
    database_url: str, tmp_path: Path
) -> None:
    tokens = register(database_url, ["door-a", "door-b"])
    open_all_day(database_url)
    clock = SystemClock()
    with running_server(database_url, tmp_path) as server:
        doors, syncs = {}, {}
        for name in ("door-a", "door-b"):
            # The agent has its own connection to the journal, as in the kiosk.
            agent_journal = Journal(tmp_path / f"{name}.db", kiosk_id=name)
            client = ServerClient(server.url, tokens[name], timeout=10)
            syncs[name] = lambda j=agent_journal, c=client: sync_once(j, c, now=clock.now)
            syncs[name]()  # the roster first
            journal = Journal(tmp_path / f"{name}.db", kiosk_id=name)
            doors[name] = Door(journal=journal, clock=clock, feedback=QuietIndicator(),
                               rules=RULES)  # fmt: skip
        a, b = doors["door-a"], doors["door-b"]
        assert a.tap(BADGE).decision.outcome is Outcome.CHECK_IN
        syncs["door-a"]()
        syncs["door-b"]()
        b.refresh()
        assert b.presence.inside() == ["p-01"]  # door B knows she is in
        left = b.tap(BADGE)
        assert left.decision.outcome is Outcome.CHECK_OUT
        assert left.record.detail == {"checked_in_at_another_door": True}
        syncs["door-b"]()
        syncs["door-a"]()
        a.refresh()
        assert a.presence.inside() == []  # and door A learns she left
        for door in doors.values():
            door.journal.close()

"""What a participant says at the door (sync.own_say's kinds) goes to the server like a
tap: in the wire format the server reads, and once: a failed push is sent again, and a
round with nothing new sends nothing."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from sync.agent import sync_once
from sync.client import ServerClient, SyncError
from sync.clock import HeldClock, Instant
from sync.journal import Journal
from sync.own_say import KINDS, detail_problem
from sync.protocol import PushRequest
from sync.roster import DoorData
from tests.sync.peer import TOKEN, Peer, Reply
from tests.sync.taps import NOW

DATA = DoorData.from_dict(
    {"participants": [{"id": "p-amal", "display_name": "Amal", "agreed_weekdays": [2, 4]}],
     "badges": [{"uid": "04A1B2C3", "holder_id": "p-amal"}]}
)  # fmt: skip
SITE = {
    "id": "s", "name": "Werkplaats", "opens_at": "08:30:00", "closes_at": "16:30:00",
    "timezone": "Europe/Amsterdam", "speak_greeting": False, "my_week": True,
    "leave_reason_minutes": 60, "usual_leaving_times": [],
}  # fmt: skip


def said_at_the_door(tmp_path: Path) -> Journal:
    """A check-in left open on Monday, Tuesday's check-in asking when they left, an early
    check-out asking why, and a day they will not come."""
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-1")
    journal.store_door_data(DATA, source="test")
    journal.store_site(SITE)
    clock = HeldClock(NOW.replace(day=23))  # Monday 09:00 at the workshop
    door = Door(journal=journal, clock=clock, feedback=QuietIndicator())
    door.tap("04A1B2C3")
    clock.advance(24 * 3600)
    forgot = door.tap("04A1B2C3")
    assert forgot.asked is not None
    door.checkout_estimate(forgot.asked, time(15, 30))
    clock.advance(2 * 3600)
    out = door.tap("04A1B2C3")
    assert out.asked is not None
    door.leave_reason(out.asked, "doctor")
    door.announce_absence("p-amal", NOW.date().replace(day=26), "children")
    return journal


def test_each_answer_is_pushed_once_in_the_wire_format(tmp_path: Path, peer: Peer) -> None:
    journal = said_at_the_door(tmp_path)
    client = ServerClient(peer.url, TOKEN, timeout=2.0)
    now = lambda: Instant(NOW, 500.0, "boot-7", True)  # noqa: E731
    try:
        peer.then(Reply(drop=True, path="/records"))  # the first push is lost on the way
        with pytest.raises(SyncError):
            sync_once(journal, client, now=now, app_version="0.1.0")
        assert journal.sync_status().queue_depth == 6  # kept, every one of them
        sync_once(journal, client, now=now, app_version="0.1.0")
        sync_once(journal, client, now=now, app_version="0.1.0")
    finally:
        client.close()
    said = [r for r in peer.received.values() if r["kind"] in KINDS]
    assert sorted(r["kind"] for r in said) == sorted(KINDS)  # each once
    pushes = peer.seen("/records")
    assert len(pushes) == 2  # the lost one and its retry; the third round had nothing
    for push in pushes:
        PushRequest.model_validate(push.body)  # the server's own reading of the batch
    for record in said:
        day = date.fromisoformat(record["workshop_day"])
        assert detail_problem(record["kind"], record["detail"], day) is None
    assert journal.sync_status().queue_depth == 0
    journal.close()

"""The door's supervisor work on a real journal: by hand, at closing, enrolment and lunch,
and what survives a restart of the door."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.feedback import QuietIndicator
from kiosk.decide import BadgeTaken, Outcome
from kiosk.door import Door
from sync.clock import HeldClock
from sync.journal import Journal
from sync.roster import DoorData
from tests.kiosk.test_decide import amsterdam

AMAL, DAWIT, NEW = "04A1B2C3", "04D4E5F6", "04ABCDEF"
DATA = DoorData.from_dict(
    {
        "participants": [{"id": "p-amal", "display_name": "Amal"},
                         {"id": "p-dawit", "display_name": "Dawit"},
                         {"id": "p-sanne", "display_name": "Sanne"}],
        "supervisors": [{"id": "s-marieke", "display_name": "Marieke"}],
        "badges": [{"uid": AMAL, "holder_id": "p-amal"}, {"uid": DAWIT, "holder_id": "p-dawit"}],
    }
)  # fmt: skip


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.db", kiosk_id="door-1") as j:
        j.store_door_data(DATA, source="test")
        yield j


def door_on(journal: Journal, clock: HeldClock) -> Door:
    return Door(journal=journal, clock=clock, feedback=QuietIndicator())


def test_closing_checks_out_everyone_inside_by_hand(journal: Journal) -> None:
    clock = HeldClock(amsterdam("2026-11-24 09:00"))
    door = door_on(journal, clock)
    door.tap(AMAL)
    door.tap(DAWIT)
    clock.advance(8 * 3600)
    answers = door.close_day("s-marieke")
    assert sorted(a.record.participant_id for a in answers) == ["p-amal", "p-dawit"]
    assert {a.record.kind for a in answers} == {"manual_check_out"}
    assert door.presence.inside() == []
    assert door.close_day("s-marieke") == []


def test_by_hand_check_in_counts_as_inside_after_a_restart(journal: Journal) -> None:
    clock = HeldClock(amsterdam("2026-11-24 09:00"))
    door_on(journal, clock).by_hand(Outcome.MANUAL_CHECK_IN, "p-sanne", "s-marieke")
    assert door_on(journal, clock).presence.inside() == ["p-sanne"]


def test_enrolled_badge_works_now_and_after_a_restart(journal: Journal) -> None:
    clock = HeldClock(amsterdam("2026-11-24 09:00"))
    door = door_on(journal, clock)
    assert door.tap(NEW).decision.outcome is Outcome.UNKNOWN_BADGE
    door.enrol(NEW, "p-sanne", "s-marieke")
    assert door.tap(NEW).decision.participant.display_name == "Sanne"
    again = door_on(journal, clock)
    clock.advance(3600)
    assert again.tap(NEW).decision.outcome is Outcome.CHECK_OUT
    journal.store_door_data(DATA, source="a snapshot from before the enrolment reached it")
    again.reload()
    assert again.data.holder_name(NEW) == "Sanne"


def test_enrolling_a_held_badge_records_nothing(journal: Journal) -> None:
    door = door_on(journal, HeldClock(amsterdam("2026-11-24 09:00")))
    with pytest.raises(BadgeTaken):
        door.enrol(AMAL, "p-sanne", "s-marieke")
    assert journal.of_kind("badge_enrolled") == []


def test_lunch_answers_count_after_a_restart(journal: Journal) -> None:
    clock = HeldClock(amsterdam("2026-11-24 09:00"))
    door = door_on(journal, clock)
    door.tap(AMAL)
    door.lunch("p-amal", eats=True, answered=True)
    door.tap(DAWIT)
    door.lunch("p-dawit", eats=False, answered=False)
    today = clock.now().workshop_day()
    assert door_on(journal, clock).presence.lunch_count(today) == 1


def test_an_unreadable_site_presence_leaves_the_door_to_its_own_journal(
    journal: Journal,
) -> None:
    journal.store_site_presence({"participants": [{"id": "p-amal"}]})  # no times at all
    door = door_on(journal, HeldClock(amsterdam("2026-11-24 09:00")))
    assert door.site is None and door.presence.inside() == []
    assert door.tap(AMAL).decision.outcome is Outcome.CHECK_IN


def test_someone_erased_on_the_server_is_no_longer_inside(journal: Journal, tmp_path: Path) -> None:
    door = door_on(journal, HeldClock(amsterdam("2026-11-24 09:00")))
    door.tap(AMAL)
    without_amal = DoorData.from_dict(
        {"participants": [{"id": "p-dawit", "display_name": "Dawit"}],
         "badges": [{"uid": DAWIT, "holder_id": "p-dawit"}]}
    )  # fmt: skip
    with Journal(tmp_path / "journal.db", kiosk_id="door-1") as agent_side:
        agent_side.store_door_data(without_amal, source="a snapshot after the erasure")
    door.refresh()
    assert door.presence.inside() == []

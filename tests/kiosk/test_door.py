"""The whole door on real parts: the unmodified mfrc522 library on an emulated chip, the
Door, a real SQLite journal, and gpiozero LEDs and buzzer on MockFactory pins."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gpiozero import LED, TonalBuzzer

from hardware.emulation import Card, emulated_chip
from hardware.feedback import Signal
from hardware.indicator import Indicator
from hardware.mfrc522_reader import Mfrc522Reader
from kiosk.door import Door, DoorFailure
from sync.clock import HeldClock, SystemClock
from sync.journal import Journal
from sync.roster import DoorData
from tests.hardware.gpio_fixtures import mock_factory  # noqa: F401 (a fixture)
from tests.hardware.mfrc522_fixtures import wait_until

AMAL, DAWIT_7_BYTES, STRANGER = "04A1B2C3", "04C2A1B2C3D480", "04FFFFFF"

DATA = DoorData.from_dict(
    {
        "participants": [{"id": "p-amal", "display_name": "Amal"},
                         {"id": "p-dawit", "display_name": "Dawit"}],
        "badges": [{"uid": AMAL, "holder_id": "p-amal"},
                   {"uid": DAWIT_7_BYTES, "holder_id": "p-dawit"}],
    }
)  # fmt: skip


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.db", kiosk_id="door-1") as j:
        j.store_door_data(DATA, source="test")
        yield j


def kinds(journal: Journal) -> list[tuple[str, str | None]]:
    return [(r.kind, r.badge_uid) for r in reversed(journal.last(50))]


def test_badge_on_the_reader_checks_in_once_with_green_light(
    journal: Journal,
    mock_factory,  # noqa: F811
) -> None:
    green, red = LED(17), LED(27)
    with (
        Indicator(green, red, TonalBuzzer(18)) as indicator,
        emulated_chip() as chip,
        Mfrc522Reader(poll_interval=0.005, away_seconds=0.5) as reader,
    ):
        door = Door(journal=journal, clock=SystemClock(), feedback=indicator)
        reader.start(lambda read: door.tap(read.uid))
        chip.place(Card.from_hex(AMAL))
        wait_until(lambda: journal.last_seq() >= 1, what="a check-in")
        polls = reader.polls
        wait_until(lambda: reader.polls > polls + 20, what="the card to lie there a while")
        assert kinds(journal) == [("check_in", AMAL)]
        assert mock_factory.pin(17).state and not mock_factory.pin(27).state


def test_seven_byte_badge_and_unknown_badge_through_the_reader(
    journal: Journal,
    mock_factory,  # noqa: F811
) -> None:
    with (
        Indicator(LED(17), LED(27), TonalBuzzer(18)) as indicator,
        emulated_chip() as chip,
        Mfrc522Reader(poll_interval=0.005, away_seconds=0.05) as reader,
    ):
        door = Door(journal=journal, clock=SystemClock(), feedback=indicator)
        reader.start(lambda read: door.tap(read.uid))
        chip.place(Card.from_hex(DAWIT_7_BYTES))
        wait_until(lambda: journal.last_seq() >= 1, what="Dawit's check-in")
        chip.remove()
        chip.place(Card.from_hex(STRANGER))
        wait_until(lambda: journal.last_seq() >= 2, what="the unknown badge")
        assert kinds(journal) == [("check_in", DAWIT_7_BYTES), ("unknown_badge", STRANGER)]
        wait_until(lambda: mock_factory.pin(27).state, what="the red light")


class CheckingFeedback:
    """Feedback that, at the moment it is asked to signal, reads the journal file through a
    connection of its own: the record must already be durable there."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[tuple[Signal, int]] = []

    def show(self, signal: Signal) -> None:
        with sqlite3.connect(self.path) as conn:
            count = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        self.seen.append((signal, count))

    def close(self) -> None:
        pass


def test_tap_is_committed_before_anyone_is_told(journal: Journal) -> None:
    feedback = CheckingFeedback(journal.path)
    door = Door(journal=journal, clock=SystemClock(), feedback=feedback)
    door.tap(AMAL)
    door.tap(STRANGER)
    assert feedback.seen == [(Signal.WELCOME, 1), (Signal.UNKNOWN, 2)]


def test_a_tap_that_cannot_be_recorded_only_signals_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db", kiosk_id="door-1")
    journal.store_door_data(DATA, source="test")
    feedback = CheckingFeedback(journal.path)
    door = Door(journal=journal, clock=SystemClock(), feedback=feedback)
    journal.db.execute("CREATE TRIGGER full BEFORE INSERT ON records BEGIN "
                       "SELECT RAISE(ABORT, 'disk full'); END")  # fmt: skip
    with pytest.raises(DoorFailure, match="disk full"):
        door.tap(AMAL)
    assert feedback.seen == [(Signal.ERROR, 0)]
    assert door.presence.inside() == []  # nobody was let in on a record that does not exist
    journal.close()


def test_door_restarts_knowing_who_is_in(journal: Journal) -> None:
    clock = HeldClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    first = Door(journal=journal, clock=clock, feedback=CheckingFeedback(journal.path))
    first.tap(AMAL)
    clock.reboot("boot-2")
    clock.wall = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    again = Door(journal=journal, clock=clock, feedback=CheckingFeedback(journal.path))
    assert again.presence.inside() == ["p-amal"]
    answer = again.tap(AMAL)
    assert answer.record.kind == "check_out"
    assert answer.decision.worked_today is not None
    assert answer.decision.worked_today.total_seconds() == 6 * 3600


def test_taps_from_two_threads_each_get_one_record(journal: Journal) -> None:
    door = Door(journal=journal, clock=SystemClock(), feedback=CheckingFeedback(journal.path))
    threads = [threading.Thread(target=door.tap, args=(STRANGER,)) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert journal.last_seq() == 20 and journal.counts() == {"unknown_badge": 20}


def test_door_decides_on_door_data_stored_by_another_process(journal: Journal) -> None:
    door = Door(journal=journal, clock=SystemClock(), feedback=CheckingFeedback(journal.path))
    assert door.tap(STRANGER).record.kind == "unknown_badge"
    enrolled = DoorData.from_dict(
        {"participants": [{"id": "p-new", "display_name": "New"}],
         "badges": [{"uid": STRANGER, "holder_id": "p-new"}]}
    )  # fmt: skip
    with Journal(journal.path, kiosk_id="door-1") as sync_side:
        sync_side.store_door_data(enrolled, source="server", etag='"v2"')
    assert door.tap(STRANGER).record.kind == "check_in"


def test_on_answer_runs_once_per_durable_tap(journal: Journal) -> None:
    durable: list[int] = []
    door = Door(journal=journal, clock=SystemClock(), feedback=CheckingFeedback(journal.path),
                on_answer=lambda answer: durable.append(journal.last_seq()))  # fmt: skip
    door.tap(AMAL)
    door.tap(STRANGER)
    assert durable == [1, 2]  # each call comes after its record is in the journal

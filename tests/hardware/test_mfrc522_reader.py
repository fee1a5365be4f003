"""Mfrc522Reader driving the real mfrc522 library against the emulated chip."""

from __future__ import annotations

import logging
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.badge import ReaderHealth
from hardware.emulation import Card, Mfrc522Chip, emulated_chip, gpio
from hardware.mfrc522_reader import RECOVERY_POLLS, Mfrc522Reader
from tests.hardware.mfrc522_fixtures import (
    ShiftedClock,
    running_reader,
    wait_polls,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
UID4 = "04A1B2C3"
UID7 = "04112233445566"


@pytest.fixture
def chip() -> Iterator[Mfrc522Chip]:
    with emulated_chip() as chip:
        yield chip


def test_card_arrival_taps_once_with_4_byte_uid(chip):
    with running_reader() as (reader, rec):
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        assert rec.uids == [UID4]
        assert rec.taps[0].source == "mfrc522"
        assert reader.stats.taps == 1


def test_card_staying_taps_once(chip):
    with running_reader() as (reader, rec):
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        wait_polls(reader, 15)
        assert rec.uids == [UID4]
        assert reader.stats.garbled == 0


def test_card_staying_is_seen_every_poll(chip):
    card = Card.from_hex(UID4)
    with running_reader() as (reader, rec):
        chip.place(card)
        wait_until(lambda: rec.taps)
        wait_polls(reader, 1)
        selects = sum(f.sent[:2] == b"\x93\x70" for f in chip.frames)
        wait_polls(reader, 6)
        # WUPA wakes the card halted last poll: one SELECT per poll, none skipped.
        assert sum(f.sent[:2] == b"\x93\x70" for f in chip.frames) - selects >= 5


def test_card_back_before_away_seconds_is_the_same_tap(chip):
    card = Card.from_hex(UID4)
    with running_reader(away_seconds=5.0) as (reader, rec):
        chip.place(card)
        wait_until(lambda: rec.taps)
        chip.remove(card)
        wait_polls(reader, 3)
        chip.place(card)
        wait_polls(reader, 5)
        assert rec.uids == [UID4]


def test_card_back_after_away_seconds_taps_again(chip):
    clock = ShiftedClock()
    card = Card.from_hex(UID4)
    with running_reader(monotonic=clock, away_seconds=5.0) as (reader, rec):
        chip.place(card)
        wait_until(lambda: rec.taps)
        chip.remove(card)
        wait_polls(reader, 3)
        clock.advance(5.0)
        chip.place(card)
        wait_until(lambda: len(rec.taps) == 2)
        assert rec.uids == [UID4, UID4]
        assert rec.taps[1].monotonic - rec.taps[0].monotonic >= 5.0


def test_two_cards_one_after_the_other_both_tap(chip):
    with running_reader() as (_reader, rec):
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        chip.remove()
        chip.place(Card.from_hex("DEADBEEF"))
        wait_until(lambda: len(rec.taps) == 2)
        assert rec.uids == [UID4, "DEADBEEF"]


def test_7_byte_card_taps_with_all_14_hex_digits(chip):
    with running_reader() as (reader, rec):
        chip.place(Card.from_hex(UID7))
        wait_until(lambda: rec.taps)
        wait_polls(reader, 5)
        assert rec.uids == [UID7]
        assert reader.stats.garbled == 0


def test_collision_is_garbled_not_a_tap(chip):
    with running_reader() as (reader, rec):
        chip.place(Card.from_hex("11223344"), Card.from_hex("11223355"))
        wait_until(lambda: reader.stats.garbled >= 3)
        assert rec.taps == []


def test_crc_errors_are_garbled_then_a_clean_read_taps(chip):
    with running_reader() as (reader, rec):
        chip.inject_errors(4, kind="crc")
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        assert reader.stats.garbled == 4
        assert rec.uids == [UID4]


def test_bad_bcc_is_garbled_then_a_clean_read_taps(chip):
    with running_reader() as (reader, rec):
        chip.inject_errors(2, kind="bcc")
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        assert reader.stats.garbled == 2
        assert rec.uids == [UID4]


def test_bad_sak_crc_is_garbled_then_a_clean_read_taps(chip):
    with running_reader() as (reader, rec):
        chip.inject_errors(2, kind="sak")
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        assert reader.stats.garbled == 2
        assert rec.uids == [UID4]


def test_card_leaving_mid_read_is_not_garbled(chip):
    card = Card.from_hex(UID4)
    with running_reader() as (reader, rec):
        answer = card.receive
        # answers WUPA, then is gone before the anticollision frame
        card.receive = lambda frame, bits: answer(frame, bits) if bits == 7 else None
        chip.place(card)
        wait_polls(reader, 5)
        assert rec.taps == []
        assert reader.stats.garbled == 0


def test_crc_error_on_cascade_level_2_never_taps_a_truncated_uid(chip):
    with running_reader() as (reader, rec):
        chip.inject_errors(3, kind="crc")  # CL1 anticoll, CL1 select, CL2 anticoll...
        chip.place(Card.from_hex(UID7))
        wait_until(lambda: rec.taps)
        assert rec.uids == [UID7]
        assert reader.stats.garbled == 3


@pytest.mark.parametrize("mode", ["zeros", "oserror"])
def test_dead_chip_goes_absent_then_back_to_ok(chip, mode):
    with running_reader() as (reader, rec):
        chip.fail(mode)
        wait_until(lambda: reader.health is ReaderHealth.ABSENT)
        assert rec.healths[:2] == [ReaderHealth.DEGRADED, ReaderHealth.ABSENT]
        assert reader.stats.reinits >= 1
        assert reader.stats.errors >= 3
        chip.restore(power_cycled=True)
        wait_until(lambda: reader.health is ReaderHealth.OK)
        assert rec.healths[-2:] == [ReaderHealth.DEGRADED, ReaderHealth.OK]
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        assert rec.uids == [UID4]


def test_chip_reset_behind_our_back_is_reinitialised(chip):
    with running_reader() as (reader, rec):
        chip.fail("zeros")
        chip.restore(power_cycled=True)  # a brown-out: registers back at reset values
        wait_until(lambda: reader.stats.reinits >= 1)
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
        assert ReaderHealth.ABSENT not in rec.healths


def test_absent_chip_is_retried_slower(chip):
    with running_reader(poll_interval=0.01) as (reader, _rec):
        chip.fail("oserror")
        wait_until(lambda: reader.health is ReaderHealth.ABSENT)
        reinits, polls = reader.stats.reinits, reader.polls
        wait_until(lambda: reader.stats.reinits >= reinits + 2)
        # every poll while absent is a re-init attempt, paced 10× slower than normal polls
        assert reader.polls - polls == reader.stats.reinits - reinits


def test_missing_spi_device_is_absent_from_the_start(chip):
    recorder_healths = []
    with Mfrc522Reader(device=1, poll_interval=0.005) as reader:
        reader.start(lambda _read: None, recorder_healths.append)
        wait_until(lambda: recorder_healths)
        assert reader.health is ReaderHealth.ABSENT


def test_degraded_recovers_after_clean_polls(chip):
    with running_reader() as (reader, rec):
        chip.fail("oserror")
        wait_until(lambda: reader.health is ReaderHealth.DEGRADED)
        chip.restore(power_cycled=False)
        wait_polls(reader, RECOVERY_POLLS + 2)
        assert reader.health is ReaderHealth.OK
        assert rec.healths == [ReaderHealth.DEGRADED, ReaderHealth.OK]


def test_stock_empty_poll_costs_about_2000_transfers(chip):
    from mfrc522 import MFRC522

    stock = MFRC522()
    before = chip.transfers
    status, _bits = stock.MFRC522_Request(stock.PICC_REQIDL)
    assert status == stock.MI_ERR
    assert 2000 <= chip.transfers - before <= 2020


def test_reader_empty_poll_costs_at_most_30_transfers(chip):
    with Mfrc522Reader() as reader:
        reader.poll_once()  # connects and initialises
        costs = []
        for _ in range(7):
            before = chip.transfers
            reader.poll_once()
            costs.append(chip.transfers - before)
        assert statistics.median(costs) <= 30
        assert max(costs) <= 30


def test_docs_quote_the_empty_poll_cost_the_reader_has(chip):
    """docs/config.md and docs/hardware-mfrc522.md give what benchmarks/bench_spi_transfers.py
    measures: the median empty poll, and the most one costs (the first after the start)."""
    config_md = (ROOT / "docs" / "config.md").read_text()
    hardware_md = (ROOT / "docs" / "hardware-mfrc522.md").read_text()
    quoted = re.search(r"An empty poll costs (\d+) SPI transfers \(at most (\d+)\)", config_md)
    assert quoted, "docs/config.md: reader.poll_interval does not say what an empty poll costs"
    with Mfrc522Reader() as reader:
        reader.poll_once()  # connects and initialises
        costs = []
        for _ in range(15):
            before = chip.transfers
            reader.poll_once()
            costs.append(chip.transfers - before)
    assert int(quoted.group(1)) == statistics.median(costs)
    assert max(costs) <= int(quoted.group(2))
    assert f"{quoted.group(1)} transfers per empty poll" in hardware_md


def test_reader_uses_bcm_and_raises_the_reset_pin(chip):
    with running_reader(rst_pin=25):
        assert gpio.mode == gpio.BCM
        assert gpio.levels[25] == gpio.HIGH


def test_close_cleans_up_only_the_reset_pin(chip):
    with running_reader(rst_pin=25) as (reader, _rec):
        pass
    assert gpio.cleanups == [(25,)]
    reader.close()  # idempotent
    assert gpio.cleanups == [(25,)]


def test_close_stops_the_thread(chip):
    with running_reader() as (reader, _rec):
        thread = reader._thread
    assert thread is not None and not thread.is_alive()


def test_badge_ids_never_logged_in_clear(chip, caplog):
    caplog.set_level(logging.DEBUG)
    with running_reader() as (_reader, rec):
        chip.place(Card.from_hex(UID4))
        wait_until(lambda: rec.taps)
    assert caplog.records
    assert UID4 not in caplog.text and UID4.lower() not in caplog.text


def test_start_twice_is_refused(chip):
    with running_reader() as (reader, _rec), pytest.raises(RuntimeError):
        reader.start(lambda _read: None)

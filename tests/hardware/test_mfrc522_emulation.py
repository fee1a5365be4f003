"""The emulated MFRC522 answers the unmodified mfrc522 library as the real chip does."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from hardware.emulation import (
    Card,
    CardState,
    Mfrc522Chip,
    SpiDev,
    crc_a,
    emulated_chip,
    fakes_installed,
    gpio,
)
from hardware.emulation.chip import COLL, COMM_IRQ, ERROR, IRQ_TIMER, T_MODE, VERSION


class StepClock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def chip() -> Iterator[Mfrc522Chip]:
    with emulated_chip() as chip:
        yield chip


@pytest.fixture
def lib(chip):
    from mfrc522 import MFRC522

    return MFRC522(pin_mode=11, pin_rst=25)


def uid_with_bcc(hex_uid: str) -> list[int]:
    data = list(bytes.fromhex(hex_uid))
    return [*data, data[0] ^ data[1] ^ data[2] ^ data[3]]


def test_crc_a_matches_known_frames():
    assert crc_a(b"\x50\x00").to_bytes(2, "little") == b"\x57\xcd"  # HLTA
    assert crc_a(b"\x00\x00").to_bytes(2, "little") == b"\xa0\x1e"


def test_version_register_reads_0x92(chip, lib):
    assert lib.Read_MFRC522(lib.VersionReg) == 0x92


def test_library_init_sets_timer_to_15_ms(chip, lib):
    assert chip.timer_period() == pytest.approx(0.0155, abs=0.0002)
    assert chip.antenna_on


def test_calc_crc_gives_crc_a(chip, lib):
    assert lib.CalulateCRC([0x50, 0x00]) == [0x57, 0xCD]


def test_soft_reset_restores_register_defaults(chip, lib):
    assert chip.register(T_MODE) == 0x8D
    lib.MFRC522_Reset()
    assert chip.register(T_MODE) == 0x00
    assert not chip.antenna_on


def test_empty_transceive_raises_only_the_timer_interrupt_after_its_period():
    clock = StepClock()
    with emulated_chip(Mfrc522Chip(clock=clock)) as chip:
        from mfrc522 import MFRC522

        lib = MFRC522(pin_mode=11, pin_rst=25)
        spi = SpiDev(0, 0)
        lib.Write_MFRC522(lib.BitFramingReg, 0x07)
        lib.Write_MFRC522(lib.CommIrqReg, 0x7F)
        lib.Write_MFRC522(lib.FIFODataReg, 0x26)
        lib.Write_MFRC522(lib.CommandReg, lib.PCD_TRANSCEIVE)
        lib.Write_MFRC522(lib.BitFramingReg, 0x87)
        clock.now += 0.015
        assert spi.xfer2([0x80 | COMM_IRQ << 1, 0])[1] & 0x31 == 0
        clock.now += 0.001
        assert spi.xfer2([0x80 | COMM_IRQ << 1, 0])[1] & 0x31 == IRQ_TIMER
        assert chip.transfers > 0


def test_stock_request_spins_2000_reads_without_a_card(chip, lib):
    before = chip.transfers
    assert lib.MFRC522_Request(lib.PICC_REQIDL) == (lib.MI_ERR, 0)
    assert chip.transfers - before == 2013


def test_4_byte_card_answers_request_anticoll_select(chip, lib):
    chip.place(Card.from_hex("04A1B2C3"))
    assert lib.MFRC522_Request(lib.PICC_REQIDL) == (lib.MI_OK, 16)
    status, uid = lib.MFRC522_Anticoll()
    assert (status, uid) == (lib.MI_OK, uid_with_bcc("04A1B2C3"))
    assert lib.MFRC522_SelectTag(uid) == 0x08


def test_7_byte_card_cascades_to_level_2(chip, lib):
    card = Card.from_hex("04112233445566")
    chip.place(card)
    assert lib.MFRC522_Request(lib.PICC_REQALL) == (lib.MI_OK, 16)
    status, cl1 = lib.MFRC522_Anticoll()
    assert status == lib.MI_OK
    assert cl1[:4] == [0x88, 0x04, 0x11, 0x22]
    assert lib.MFRC522_SelectTag(cl1) & 0x04
    lib.Write_MFRC522(lib.BitFramingReg, 0x00)
    status, cl2, bits = lib.MFRC522_ToCard(lib.PCD_TRANSCEIVE, [0x95, 0x20])
    assert status == lib.MI_OK and bits == 40
    assert cl2 == uid_with_bcc("33445566")
    frame = [0x95, 0x70, *cl2]
    lib.Write_MFRC522(lib.CommandReg, lib.PCD_IDLE)
    status, sak, _bits = lib.MFRC522_ToCard(lib.PCD_TRANSCEIVE, frame + lib.CalulateCRC(frame))
    assert status == lib.MI_OK and sak[0] == 0x00
    assert card.state is CardState.ACTIVE


def test_reqa_skips_a_selected_card_but_wupa_wakes_a_halted_one(chip, lib):
    card = Card.from_hex("04A1B2C3")
    chip.place(card)
    lib.MFRC522_Request(lib.PICC_REQIDL)
    lib.MFRC522_SelectTag(lib.MFRC522_Anticoll()[1])
    assert card.state is CardState.ACTIVE
    lib.Write_MFRC522(lib.BitFramingReg, 0x00)
    lib.Write_MFRC522(lib.CommandReg, lib.PCD_IDLE)
    halt = [0x50, 0x00, *lib.CalulateCRC([0x50, 0x00])]
    assert halt == [0x50, 0x00, 0x57, 0xCD]
    assert lib.MFRC522_ToCard(lib.PCD_TRANSCEIVE, halt)[0] == lib.MI_ERR  # silence: stock times out
    assert card.state is CardState.HALT
    assert lib.MFRC522_Request(lib.PICC_REQIDL)[0] == lib.MI_ERR
    assert lib.MFRC522_Request(lib.PICC_REQALL) == (lib.MI_OK, 16)


def test_two_cards_collide_on_anticoll(chip, lib):
    chip.place(Card.from_hex("11223344"), Card.from_hex("11223355"))
    assert lib.MFRC522_Request(lib.PICC_REQIDL) == (lib.MI_OK, 16)  # same ATQA
    status, _uid = lib.MFRC522_Anticoll()
    assert status == lib.MI_ERR
    assert chip.register(ERROR) & 0x08
    assert chip.register(COLL) & 0x1F == 25  # first differing bit: byte 3, bit 0


def test_injected_crc_error_flags_errorreg_and_breaks_bcc(chip, lib):
    chip.place(Card.from_hex("04A1B2C3"))
    chip.inject_errors(1, kind="crc")
    lib.MFRC522_Request(lib.PICC_REQIDL)
    assert lib.MFRC522_Anticoll()[0] == lib.MI_ERR
    assert chip.register(ERROR) & 0x04
    assert chip.pending_errors == 0
    assert lib.MFRC522_Anticoll() == (lib.MI_OK, uid_with_bcc("04A1B2C3"))  # still READY


def test_card_leaving_stops_answering(chip, lib):
    card = Card.from_hex("04A1B2C3")
    chip.place(card)
    chip.remove(card)
    assert card.state is CardState.OFF
    assert lib.MFRC522_Request(lib.PICC_REQALL)[0] == lib.MI_ERR


def test_failed_chip_reads_zeros_then_comes_back_reset(chip, lib):
    chip.fail("zeros")
    assert lib.Read_MFRC522(VERSION) == 0x00
    chip.restore(power_cycled=True)
    assert lib.Read_MFRC522(VERSION) == 0x92
    assert chip.register(T_MODE) == 0x00


def test_failed_chip_can_raise_oserror(chip, lib):
    chip.fail("oserror")
    with pytest.raises(OSError):
        lib.Read_MFRC522(VERSION)


def test_spidev_open_without_a_chip_is_file_not_found(chip):
    with pytest.raises(FileNotFoundError):
        SpiDev(0, 1)


def test_fakes_reach_an_already_imported_library(chip):
    import mfrc522.MFRC522  # noqa: F401

    module = sys.modules["mfrc522.MFRC522"]
    assert module.spidev is sys.modules["spidev"]
    assert module.GPIO.getmode == gpio.getmode


def test_fakes_leave_sys_modules_as_they_found_them():
    before = {name: sys.modules.get(name) for name in ("spidev", "RPi", "RPi.GPIO")}
    with fakes_installed():
        assert sys.modules["spidev"].SpiDev is SpiDev
    assert {name: sys.modules.get(name) for name in before} == before


def test_stock_close_cleans_up_every_pin(chip, lib):
    lib.Close_MFRC522()
    assert gpio.cleanups == [None]  # why our reader never calls it


def test_stock_select_accepts_a_sak_with_a_bad_crc(chip, lib):
    chip.place(Card.from_hex("04A1B2C3"))
    chip.inject_errors(1, kind="sak")
    lib.MFRC522_Request(lib.PICC_REQIDL)
    status, uid = lib.MFRC522_Anticoll()
    assert status == lib.MI_OK  # "sak" errors leave anticollision alone
    assert lib.MFRC522_SelectTag(uid) == 0x08  # why our reader checks the SAK's CRC itself
    assert chip.register(ERROR) & 0x04

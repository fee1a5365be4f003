"""Talking to an MFRC522 through the unmodified `mfrc522` library: a wait that honours the
chip's timer, and ISO 14443 cascade levels for 4-, 7- and 10-byte UIDs."""

from __future__ import annotations

import functools
import importlib
import logging
import time
from types import ModuleType
from typing import Any

from hardware.badge import (
    GarbledRead,
)

log = logging.getLogger(__name__)

GPIO_BCM = 11  # RPi.GPIO.BCM, the numbering gpiozero uses too
SPI_SPEED_HZ = 1_000_000  # the library's default

COMMAND_REG = 0x01
BIT_FRAMING_REG = 0x0D
IRQ_TIMER = 0x01
IRQ_ERR = 0x02
ERRORS_RX = 0x1F  # BufferOvfl, CollErr, CRCErr, ParityErr, ProtocolErr (the library skips CRCErr)

SEL_CODES = (0x93, 0x95, 0x97)  # cascade levels 1, 2, 3
CASCADE_TAG = 0x88
SAK_CASCADE = 0x04  # SAK bit: "UID not complete, go to the next cascade level"
HLTA = (0x50, 0x00)


class ChipTimeout(OSError):
    """The chip raised no interrupt before the deadline: it is not running."""


class CardGone(Exception):
    """The card answered WUPA, then fell silent: it left, which is not a garbled read."""


class ChipAbsent(OSError):
    """VersionReg reads 0x00 or 0xFF: nothing answers on the SPI bus."""


class LibraryUnavailable(RuntimeError):
    """The mfrc522 library cannot load RPi.GPIO or spidev: not a Pi, or the wrong GPIO library."""


def library() -> ModuleType:
    """The `mfrc522.MFRC522` module (needs RPi.GPIO and spidev, real or fake)."""
    try:
        return importlib.import_module("mfrc522.MFRC522")
    except (ImportError, RuntimeError) as error:
        # RPi.GPIO raises RuntimeError at import where it cannot reach the GPIO (a Pi 5:
        # "Cannot determine SOC peripheral base address"); rpi-lgpio is its drop-in.
        raise LibraryUnavailable(
            f"the mfrc522 library cannot load RPi.GPIO or spidev "
            f"({type(error).__name__}: {error}); on a Raspberry Pi 5 install rpi-lgpio "
            "in place of RPi.GPIO"
        ) from error


@functools.cache
def driver_class() -> type[Any]:
    """The library's MFRC522 with a wait that honours the chip's timer, built on first use."""
    base: Any = library().MFRC522

    class PoliteMFRC522(base):  # type: ignore[misc]
        """MFRC522 whose Transceive sleeps until an interrupt instead of spinning 2000 reads."""

        wait_timeout = 0.1  # s; the library's timer setting fires after 15.5 ms
        first_sleep = 0.001  # a card answers within a millisecond
        timer_margin = 0.001  # the timer starts only once the frame has gone out
        max_sleep = 0.008
        timer_period = 0.0  # read back from the chip by MFRC522_Init

        def __init__(self, *, bus: int = 0, device: int = 0, rst_pin: int = 25) -> None:
            self.bus, self.device, self.rst_pin = bus, device, rst_pin
            self.last_status = self.MI_ERR
            self.last_error = 0
            self.last_data: list[int] = []
            self.pending: tuple[int, int, float] | None = None  # sent, not yet collected
            gpio = library().GPIO
            mode = gpio.getmode()
            if mode not in (None, GPIO_BCM):
                raise RuntimeError("RPi.GPIO numbering is already BOARD; prikklok uses BCM")
            super().__init__(bus=bus, device=device, pin_mode=GPIO_BCM, pin_rst=rst_pin)

        def MFRC522_ToCard(self, command: int, sendData: list[int]) -> tuple[int, list[int], int]:
            """The library's ToCard, but waiting for RxIRq/IdleIRq, ErrIRq or TimerIRq."""
            self.send(command, sendData)
            return self.collect()

        def send(self, command: int, data: list[int]) -> None:
            """First half of ToCard: load the FIFO and start the command; do not wait."""
            irq_en, wait_irq = 0x00, 0x00
            if command == self.PCD_AUTHENT:
                irq_en, wait_irq = 0x12, 0x10
            elif command == self.PCD_TRANSCEIVE:
                irq_en, wait_irq = 0x77, 0x30
            self.pending = None
            self.Write_MFRC522(self.CommIEnReg, irq_en | 0x80)
            self.Write_MFRC522(self.CommIrqReg, 0x7F)  # Set1=0: clear every request bit
            self.Write_MFRC522(self.FIFOLevelReg, 0x80)  # FlushBuffer
            self.Write_MFRC522(self.CommandReg, self.PCD_IDLE)
            for byte in data:
                self.Write_MFRC522(self.FIFODataReg, byte)
            self.Write_MFRC522(self.CommandReg, command)
            if command == self.PCD_TRANSCEIVE:
                self.SetBitMask(self.BitFramingReg, 0x80)  # StartSend
            self.pending = (command, wait_irq, time.monotonic())

        def collect(self) -> tuple[int, list[int], int]:
            """Second half of ToCard: wait for the outcome of send() and read the answer."""
            if self.pending is None:
                raise RuntimeError("collect() without send()")
            command, wait_irq, sent_at = self.pending
            self.pending = None
            try:
                irq = self._wait_irq(wait_irq | IRQ_ERR | IRQ_TIMER, sent_at)
            finally:
                self.last_status, self.last_error, self.last_data = self.MI_ERR, 0, []
                if command == self.PCD_TRANSCEIVE:
                    self.ClearBitMask(self.BitFramingReg, 0x80)
            if irq & IRQ_TIMER and not irq & wait_irq:
                self.last_status = self.MI_NOTAGERR  # nothing answered before the timer ran out
                return self.MI_NOTAGERR, [], 0
            self.last_error = self.Read_MFRC522(self.ErrorReg)
            if self.last_error & ERRORS_RX:
                return self.MI_ERR, [], 0
            data: list[int] = []
            bits = 0
            if command == self.PCD_TRANSCEIVE:
                level = self.Read_MFRC522(self.FIFOLevelReg)
                last_bits = self.Read_MFRC522(self.ControlReg) & 0x07
                bits = (level - 1) * 8 + last_bits if last_bits else level * 8
                data = [self.Read_MFRC522(self.FIFODataReg) for _ in range(min(level, 16))]
            self.last_status, self.last_data = self.MI_OK, data
            return self.MI_OK, data, bits

        def send_wupa(self) -> None:
            """Start a WUPA (as MFRC522_Request(PICC_REQALL) does) without waiting for it."""
            self.Write_MFRC522(self.BitFramingReg, 0x07)  # a 7-bit short frame
            self.send(self.PCD_TRANSCEIVE, [self.PICC_REQALL])

        def MFRC522_Init(self) -> None:
            super().MFRC522_Init()
            self.timer_period = self._read_timer_period()

        def _read_timer_period(self) -> float:
            """Seconds from the end of a frame to TimerIRq, as the registers now say."""
            t_mode = self.Read_MFRC522(self.TModeReg)
            prescaler = ((t_mode & 0x0F) << 8) | self.Read_MFRC522(self.TPrescalerReg)
            reload = (self.Read_MFRC522(self.TReloadRegH) << 8) | self.Read_MFRC522(
                self.TReloadRegL
            )
            return float((2 * prescaler + 1) * (reload + 1) / 13_560_000)

        def _wait_irq(self, mask: int, sent_at: float) -> int:
            """Read CommIrqReg until a bit in mask is set, sleeping in between.

            Look first where the outcome is likeliest: 1 ms after sending if a card answered
            the last frame (it is mid-conversation), else when the chip's timer is due (an
            idle poll hears silence) - at once if that time has passed. Then after growing
            sleeps, until a deadline for a dead chip.
            """
            deadline = sent_at + self.wait_timeout
            timer_due = sent_at + self.timer_period + self.timer_margin
            first = sent_at + self.first_sleep if self.last_status == self.MI_OK else timer_due
            now = time.monotonic()
            if first > now:
                time.sleep(first - now)
            delay = self.first_sleep
            while True:
                irq = int(self.Read_MFRC522(self.CommIrqReg))
                if irq & mask:
                    return irq
                now = time.monotonic()
                if now >= deadline:
                    raise ChipTimeout("no interrupt from the MFRC522 before the deadline")
                if now < timer_due:
                    time.sleep(timer_due - now)
                else:
                    time.sleep(delay)
                    delay = min(delay * 2, self.max_sleep)

        def version(self) -> int:
            """VersionReg: 0x91 or 0x92 for a genuine chip, 0x00/0xFF when nothing answers."""
            return int(self.Read_MFRC522(self.VersionReg))

        def reopen(self) -> None:
            """Close and reopen the SPI device and run the library's init again."""
            self.spi.close()
            self.spi.open(self.bus, self.device)
            self.spi.max_speed_hz = SPI_SPEED_HZ
            self.pending = None
            self.MFRC522_Init()

        def release(self) -> None:
            """Close SPI and free only our reset pin; never GPIO.cleanup() of every pin."""
            try:
                self.spi.close()
            finally:
                library().GPIO.cleanup(self.rst_pin)

    return PoliteMFRC522


def _crc(drv: Any, data: list[int]) -> list[int]:
    # The library's CalulateCRC does not stop a CalcCRC left running, which would swallow the
    # new bytes into the old calculation: stop it first.
    drv.Write_MFRC522(COMMAND_REG, drv.PCD_IDLE)
    return list(drv.CalulateCRC(data))


def _select(drv: Any, level: int, part: list[int]) -> int:
    """SELECT one cascade level (4 UID bytes + BCC); return the SAK, checked against its CRC."""
    if level == 0:
        drv.MFRC522_SelectTag(part)  # its return value cannot tell SAK 0 from failure
        status, data = drv.last_status, drv.last_data
    else:
        frame = [SEL_CODES[level], 0x70, *part]
        frame += _crc(drv, frame)
        status, data, _bits = drv.MFRC522_ToCard(drv.PCD_TRANSCEIVE, frame)
    if status != drv.MI_OK or len(data) != 3:
        raise GarbledRead("no clean SAK")
    if _crc(drv, data[:1]) != data[1:]:
        raise GarbledRead("SAK fails its CRC")
    return int(data[0])


def _anticoll(drv: Any, level: int) -> list[int]:
    """The 4 UID bytes + BCC of one cascade level, BCC checked."""
    if level == 0:
        status, data = drv.MFRC522_Anticoll()  # checks the BCC itself
    else:
        drv.Write_MFRC522(BIT_FRAMING_REG, 0x00)
        status, data, _bits = drv.MFRC522_ToCard(drv.PCD_TRANSCEIVE, [SEL_CODES[level], 0x20])
        if status == drv.MI_OK and (
            len(data) != 5 or data[0] ^ data[1] ^ data[2] ^ data[3] != data[4]
        ):
            status = drv.MI_ERR
    if drv.last_status == drv.MI_NOTAGERR:
        raise CardGone("the card left")
    if status != drv.MI_OK:
        raise GarbledRead("anticollision failed: collision, bad BCC or wrong length")
    return list(data)


def read_uid(drv: Any) -> bytes | None:
    """Wake, identify, select and halt one card; None if nothing answers, GarbledRead if garbled.

    WUPA (not REQA) so the card we halted last poll answers again: a card lying on the
    reader is seen every poll instead of every other one. The WUPA is usually sent at the
    end of the previous poll (see Mfrc522Reader.poll_once), so its outcome is ready now.
    """
    if drv.pending is None:
        drv.send_wupa()
    status, _data, bits = drv.collect()
    if status == drv.MI_NOTAGERR:
        return None
    if status != drv.MI_OK or bits != 16:
        raise GarbledRead("answer to WUPA garbled or of the wrong length")
    uid: list[int] = []
    for level in range(len(SEL_CODES)):
        part = _anticoll(drv, level)
        sak = _select(drv, level, part)
        cascades = part[0] == CASCADE_TAG
        if bool(sak & SAK_CASCADE) != cascades:
            raise GarbledRead("SAK and cascade tag disagree")
        if not cascades:
            uid += part[:4]  # strip the BCC
            break
        uid += part[1:4]  # strip the cascade tag and the BCC
    else:
        raise GarbledRead("more cascade levels than ISO 14443 has")
    halt = [*HLTA]
    drv.Write_MFRC522(BIT_FRAMING_REG, 0x00)
    drv.MFRC522_ToCard(drv.PCD_TRANSCEIVE, halt + _crc(drv, halt))
    return bytes(uid)


def default_driver(*, bus: int, device: int, rst_pin: int) -> Any:
    return driver_class()(bus=bus, device=device, rst_pin=rst_pin)

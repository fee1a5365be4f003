"""An MFRC522 emulated at register level, with ISO 14443A cards in its RF field."""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from hardware.emulation.card import (
    CRC_PRESETS,
    NVB_ANTICOLL,
    NVB_SELECT,
    SEL_CODES,
    Card,
    crc_a,
)

CARRIER_HZ = 13_560_000
VERSION_MFRC522_V2 = 0x92
FIFO_SIZE = 64

# Register addresses (datasheet names; the library calls 0x15 TxAutoReg).
COMMAND = 0x01
COMM_IEN = 0x02
DIV_IEN = 0x03
COMM_IRQ = 0x04
DIV_IRQ = 0x05
ERROR = 0x06
STATUS1 = 0x07
STATUS2 = 0x08
FIFO_DATA = 0x09
FIFO_LEVEL = 0x0A
WATER_LEVEL = 0x0B
CONTROL = 0x0C
BIT_FRAMING = 0x0D
COLL = 0x0E
MODE = 0x11
TX_CONTROL = 0x14
DEMOD = 0x19
CRC_RESULT_M = 0x21
CRC_RESULT_L = 0x22
T_MODE = 0x2A
T_PRESCALER = 0x2B
T_RELOAD_H = 0x2C
T_RELOAD_L = 0x2D
T_COUNTER_H = 0x2E
T_COUNTER_L = 0x2F
VERSION = 0x37

# Commands (CommandReg bits 3..0).
CMD_IDLE = 0x00
CMD_MEM = 0x01
CMD_CALC_CRC = 0x03
CMD_TRANSMIT = 0x04
CMD_NO_CHANGE = 0x07
CMD_RECEIVE = 0x08
CMD_TRANSCEIVE = 0x0C
CMD_MF_AUTHENT = 0x0E
CMD_SOFT_RESET = 0x0F

# CommIrqReg bits.
IRQ_TX = 0x40
IRQ_RX = 0x20
IRQ_IDLE = 0x10
IRQ_ERR = 0x02
IRQ_TIMER = 0x01
# DivIrqReg bits.
IRQ_CRC = 0x04
# ErrorReg bits.
ERR_BUFFER_OVFL = 0x10
ERR_COLL = 0x08
ERR_CRC = 0x04
ERR_PARITY = 0x02
ERR_PROTOCOL = 0x01
ERR_RX = ERR_COLL | ERR_CRC | ERR_PARITY | ERR_PROTOCOL

# Reset values from the datasheet (section 9.2); registers not listed reset to 0x00.
RESET_VALUES = {
    COMMAND: 0x20,
    COMM_IEN: 0x80,
    COMM_IRQ: 0x14,
    STATUS1: 0x21,
    WATER_LEVEL: 0x08,
    CONTROL: 0x10,
    COLL: 0xA0,
    MODE: 0x3F,
    TX_CONTROL: 0x80,
    0x16: 0x10,  # TxSelReg
    0x17: 0x84,  # RxSelReg
    0x18: 0x84,  # RxThresholdReg
    DEMOD: 0x4D,
    0x1C: 0x62,  # MfTxReg
    0x1F: 0xEB,  # SerialSpeedReg
    CRC_RESULT_M: 0xFF,
    CRC_RESULT_L: 0xFF,
    0x24: 0x26,  # ModWidthReg
    0x26: 0x48,  # RFCfgReg
    0x27: 0x88,  # GsNReg
    0x28: 0x20,  # CWGsPReg
    0x29: 0x20,  # ModGsPReg
    0x33: 0x80,  # TestPinEnReg
    0x36: 0x40,  # AutoTestReg
}
READ_ONLY = frozenset(
    {ERROR, STATUS1, CRC_RESULT_M, CRC_RESULT_L, T_COUNTER_H, T_COUNTER_L, VERSION}
)


class ChipFault(enum.Enum):
    ZEROS = "zeros"  # MISO stuck low: every byte reads 0x00, writes are lost
    ONES = "ones"  # MISO floating high: every byte reads 0xFF
    OSERROR = "oserror"  # the SPI ioctl itself fails


@dataclass(frozen=True)
class Frame:
    """One transmission seen on the air: what the reader sent and what came back."""

    sent: bytes
    last_bits: int
    answer: bytes | None


class Mfrc522Chip:
    """Registers, FIFO, timer, CRC coprocessor and Transceive of an MFRC522; thread-safe.

    The SPI side is `transfer()`; the test side is `place()`, `remove()`, `inject_errors()`,
    `fail()` and `restore()`. Card answers are instant; the timer runs on `clock`.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, version: int = 0x92):
        self._lock = threading.RLock()
        self._clock = clock
        self._version = version
        self._cards: list[Card] = []
        self._failure: ChipFault | None = None
        self._errors: deque[str] = deque()
        self.transfers = 0
        self.resets = 0
        self.frames: deque[Frame] = deque(maxlen=64)
        self._power_on_reset()

    # ---- the test's side -------------------------------------------------------------

    def place(self, *cards: Card) -> None:
        """Cards enter the field (they power up if the antenna is on)."""
        with self._lock:
            for card in cards:
                if card not in self._cards:
                    self._cards.append(card)
                    card.power(self.antenna_on)

    def remove(self, *cards: Card) -> None:
        """Cards leave the field; with no argument, all of them."""
        with self._lock:
            for card in cards or tuple(self._cards):
                if card in self._cards:
                    self._cards.remove(card)
                    card.power(False)

    @property
    def cards(self) -> tuple[Card, ...]:
        with self._lock:
            return tuple(self._cards)

    def inject_errors(self, n: int, kind: str = "crc") -> None:
        """Corrupt the next n UID answers (anticollision and SELECT answers).

        kind "crc": the check byte is wrong (BCC, or the SAK's CRC_A) and ErrorReg gets
        CRCErr; kind "bcc": only anticollision answers, wrong BCC, no error flag; kind "sak":
        only SELECT answers, wrong CRC_A and CRCErr.
        """
        if kind not in ("crc", "bcc", "sak"):
            raise ValueError(f"unknown error kind {kind!r}")
        with self._lock:
            self._errors.extend([kind] * n)

    @property
    def pending_errors(self) -> int:
        with self._lock:
            return len(self._errors)

    def fail(self, mode: ChipFault | str = ChipFault.ZEROS) -> None:
        """The chip stops answering (unpowered, unplugged, or the SPI bus breaks)."""
        with self._lock:
            self._failure = ChipFault(mode)

    def restore(self, *, power_cycled: bool = True) -> None:
        """The chip answers again; after a power cycle its registers are back at reset values."""
        with self._lock:
            self._failure = None
            if power_cycled:
                self._power_on_reset()

    @property
    def failure(self) -> ChipFault | None:
        return self._failure

    @property
    def antenna_on(self) -> bool:
        return bool(self._regs[TX_CONTROL] & 0x03)

    def register(self, addr: int) -> int:
        """Peek at a register without counting a transfer or side effects."""
        with self._lock:
            self._tick()
            return self._peek(addr)

    # ---- the SPI side ----------------------------------------------------------------

    def transfer(self, mosi: list[int]) -> list[int]:
        """One SPI transaction (a spidev xfer2 call): address byte, then data bytes."""
        with self._lock:
            self.transfers += 1
            if self._failure is ChipFault.OSERROR:
                raise OSError(5, "Input/output error")
            if self._failure is not None:
                fill = 0x00 if self._failure is ChipFault.ZEROS else 0xFF
                return [fill] * len(mosi)
            self._tick()
            if not mosi:
                return []
            if mosi[0] & 0x80:
                # Read: each further MOSI byte is the next address, MISO lags by one byte.
                miso = [0]
                addrs = [(b >> 1) & 0x3F for b in mosi[:-1]]
                miso.extend(self._read(a) for a in addrs)
                return miso
            addr = (mosi[0] >> 1) & 0x3F
            for value in mosi[1:]:
                self._write(addr, value & 0xFF)
            return [0] * len(mosi)

    # ---- registers -------------------------------------------------------------------

    def _power_on_reset(self) -> None:
        self.resets += 1
        self._regs = [0] * 0x40
        for addr, value in RESET_VALUES.items():
            self._regs[addr] = value
        self._irq = RESET_VALUES[COMM_IRQ] & 0x7F
        self._div_irq = 0
        self._fifo: deque[int] = deque()
        self._timer_start: float | None = None
        self._crc: int | None = None  # running CRC while CalcCRC is active
        for card in self._cards:
            card.power(False)

    def _peek(self, addr: int) -> int:
        if addr == COMM_IRQ:
            return self._irq
        if addr == DIV_IRQ:
            return self._div_irq
        if addr == FIFO_LEVEL:
            return len(self._fifo)
        if addr == FIFO_DATA:
            return self._fifo[0] if self._fifo else 0
        if addr == VERSION:
            return self._version
        if addr == STATUS1:
            running = 0x08 if self._timer_start is not None else 0
            return (self._regs[STATUS1] & ~0x08 & 0xFF) | running
        if addr in (T_COUNTER_H, T_COUNTER_L):
            value = self._counter_value()
            return value >> 8 if addr == T_COUNTER_H else value & 0xFF
        return self._regs[addr]

    def _read(self, addr: int) -> int:
        if addr == FIFO_DATA:
            return self._fifo.popleft() if self._fifo else 0
        return self._peek(addr)

    def _write(self, addr: int, value: int) -> None:
        if addr == COMMAND:
            self._command(value)
        elif addr == COMM_IRQ:
            # Set1 (bit 7) says whether the marked bits are set or cleared.
            self._irq = (self._irq | value) & 0x7F if value & 0x80 else self._irq & ~value & 0x7F
        elif addr == DIV_IRQ:
            if value & 0x80:
                self._div_irq = (self._div_irq | value) & 0x7F
            else:
                self._div_irq &= ~value & 0x7F
        elif addr == FIFO_DATA:
            self._push(value)
        elif addr == FIFO_LEVEL:
            if value & 0x80:  # FlushBuffer
                self._fifo.clear()
                self._regs[ERROR] &= ~ERR_BUFFER_OVFL
        elif addr == CONTROL:
            if value & 0x80:  # TStopNow
                self._timer_start = None
            if value & 0x40:  # TStartNow
                self._timer_start = self._clock()
        elif addr == BIT_FRAMING:
            self._regs[BIT_FRAMING] = value
            if value & 0x80 and self._command_bits() == CMD_TRANSCEIVE:
                self._transmit(expect_answer=True)
        elif addr == COLL:
            self._regs[COLL] = (self._regs[COLL] & 0x7F) | (value & 0x80)
        elif addr == TX_CONTROL:
            self._regs[TX_CONTROL] = value
            for card in self._cards:
                card.power(self.antenna_on)
        elif addr not in READ_ONLY:
            self._regs[addr] = value

    def _push(self, value: int) -> None:
        if self._command_bits() == CMD_CALC_CRC and self._crc is not None:
            self._feed_crc([value])
            return
        if len(self._fifo) >= FIFO_SIZE:
            self._regs[ERROR] |= ERR_BUFFER_OVFL
            self._irq |= IRQ_ERR
            return
        self._fifo.append(value)

    def _command_bits(self) -> int:
        return self._regs[COMMAND] & 0x0F

    def _command(self, value: int) -> None:
        command = value & 0x0F
        flags = value & 0x30  # RcvOff, PowerDown
        if command == CMD_SOFT_RESET:
            self._power_on_reset()
            return
        self._regs[COMMAND] = flags | command
        if command == CMD_NO_CHANGE:
            return
        self._crc = None
        if command == CMD_CALC_CRC:
            self._crc = CRC_PRESETS[self._regs[MODE] & 0x03]
            data = list(self._fifo)
            self._fifo.clear()
            self._feed_crc(data)
        elif command == CMD_TRANSMIT:
            self._transmit(expect_answer=False)
            self._finish()
        elif command == CMD_MF_AUTHENT:
            # Crypto1 is not emulated: the authentication fails as with a wrong key.
            self._regs[ERROR] |= ERR_PROTOCOL
            self._irq |= IRQ_ERR
            self._finish()
        elif command not in (CMD_IDLE, CMD_TRANSCEIVE, CMD_RECEIVE):
            self._finish()  # Mem, GenerateRandomID and unknown commands end at once

    def _finish(self) -> None:
        # A command that terminates itself goes back to Idle and raises IdleIRq.
        self._regs[COMMAND] &= 0x30
        self._irq |= IRQ_IDLE

    def _feed_crc(self, data: list[int]) -> None:
        assert self._crc is not None
        preset = self._crc
        self._crc = crc_a(data, preset)
        self._regs[CRC_RESULT_L] = self._crc & 0xFF
        self._regs[CRC_RESULT_M] = self._crc >> 8
        self._div_irq |= IRQ_CRC

    # ---- timer -----------------------------------------------------------------------

    def timer_period(self) -> float:
        """Seconds from start to TimerIRq, as TModeReg, TPrescalerReg and TReloadReg set it."""
        prescaler = ((self._regs[T_MODE] & 0x0F) << 8) | self._regs[T_PRESCALER]
        reload = (self._regs[T_RELOAD_H] << 8) | self._regs[T_RELOAD_L]
        even = 2 if self._regs[DEMOD] & 0x10 else 1  # TPrescalEven
        return (2 * prescaler + even) * (reload + 1) / CARRIER_HZ

    def _tick(self) -> None:
        if self._timer_start is None:
            return
        period = self.timer_period()
        elapsed = self._clock() - self._timer_start
        if elapsed < period:
            return
        self._irq |= IRQ_TIMER
        if self._regs[T_MODE] & 0x10 and period > 0:  # TAutoRestart
            self._timer_start += period * (elapsed // period)
        else:
            self._timer_start = None

    def _counter_value(self) -> int:
        reload = (self._regs[T_RELOAD_H] << 8) | self._regs[T_RELOAD_L]
        if self._timer_start is None:
            return reload
        period = self.timer_period()
        left = 1 - (self._clock() - self._timer_start) / period if period else 0
        return max(0, min(reload, round(reload * left)))

    # ---- the air interface -----------------------------------------------------------

    def _transmit(self, *, expect_answer: bool) -> None:
        sent = bytes(self._fifo)
        self._fifo.clear()
        last_bits = self._regs[BIT_FRAMING] & 0x07
        self._regs[ERROR] &= ~ERR_RX
        self._regs[CONTROL] &= ~0x07
        self._regs[COLL] = (self._regs[COLL] & 0x80) | 0x20  # CollPosNotValid
        self._irq |= IRQ_TX
        answers: list[bytes] = []
        if self.antenna_on:
            for card in self._cards:
                answer = card.receive(sent, last_bits)
                if answer is not None:
                    answers.append(answer)
        if answers and self._errors and self._is_uid_frame(sent):
            answers = [self._corrupt(a, sent, self._errors.popleft()) for a in answers]
        answer = self._merge(answers) if answers else None
        self.frames.append(Frame(sent, last_bits, answer))
        if not expect_answer:
            return
        if answer is None:
            if self._regs[T_MODE] & 0x80:  # TAuto: the timer starts at the end of sending
                self._timer_start = self._clock()
            return
        self._timer_start = None  # TAuto timers stop once an answer starts to arrive
        self._fifo.extend(answer)
        self._irq |= IRQ_RX
        if self._regs[ERROR] & ERR_RX:
            self._irq |= IRQ_ERR

    @staticmethod
    def _is_uid_frame(sent: bytes) -> bool:
        return len(sent) >= 2 and sent[0] in SEL_CODES

    def _corrupt(self, answer: bytes, sent: bytes, kind: str) -> bytes:
        wanted = {"bcc": NVB_ANTICOLL, "sak": NVB_SELECT}.get(kind, sent[1])
        if sent[1] != wanted:
            self._errors.appendleft(kind)  # keep it for the next answer of its kind
            return answer
        if kind != "bcc":
            self._regs[ERROR] |= ERR_CRC
        return answer[:-1] + bytes([answer[-1] ^ 0x5A])

    def _merge(self, answers: list[bytes]) -> bytes:
        """What the receiver hears when several cards answer at once (Manchester collisions)."""
        length = max(len(a) for a in answers)
        merged = bytearray(length)
        first_collision: int | None = None
        for i in range(length):
            present = [a[i] for a in answers if i < len(a)]
            ored, anded = 0, 0xFF
            for byte in present:
                ored |= byte
                anded &= byte
            merged[i] = ored
            differ = ored ^ anded
            if differ and first_collision is None:
                bit = (differ & -differ).bit_length() - 1  # bits go on the air LSB first
                first_collision = i * 8 + bit + 1
        if first_collision is not None:
            self._regs[ERROR] |= ERR_COLL
            if first_collision <= 32:
                self._regs[COLL] = (self._regs[COLL] & 0x80) | (first_collision & 0x1F)
        return bytes(merged)

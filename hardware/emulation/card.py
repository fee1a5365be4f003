"""ISO 14443A cards as the emulated MFRC522 sees them: UIDs, cascade levels, CRC_A."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

# ISO 14443A card commands.
REQA = 0x26
WUPA = 0x52
SEL_CODES = (0x93, 0x95, 0x97)
NVB_ANTICOLL = 0x20
NVB_SELECT = 0x70
HLTA = 0x50
CASCADE_TAG = 0x88
SAK_CASCADE = 0x04

CRC_PRESETS = (0x0000, 0x6363, 0xA671, 0xFFFF)


def crc_a(data: Iterable[int], preset: int = 0x6363) -> int:
    """ISO/IEC 14443-3 CRC_A (sent low byte first)."""
    crc = preset
    for byte in data:
        byte ^= crc & 0xFF
        byte = (byte ^ (byte << 4)) & 0xFF
        crc = (crc >> 8) ^ (byte << 8) ^ (byte << 3) ^ (byte >> 4)
    return crc & 0xFFFF


def with_crc(data: bytes) -> bytes:
    """The frame followed by its CRC_A, low byte first."""
    crc = crc_a(data)
    return data + bytes([crc & 0xFF, crc >> 8])


def bcc(data: bytes) -> int:
    """Block check character of a cascade level: XOR of its four bytes."""
    out = 0
    for byte in data:
        out ^= byte
    return out


class CardState(enum.Enum):
    OFF = "off"  # out of the field, or the field is off
    IDLE = "idle"
    READY = "ready"
    ACTIVE = "active"
    HALT = "halt"


@dataclass(eq=False)
class Card:
    """An ISO 14443A card (PICC) with a 4-, 7- or 10-byte UID; the state machine of part 3."""

    uid: bytes
    sak: int | None = None  # final SAK; default 0x08 (Classic 1K) for 4 bytes, else 0x00
    state: CardState = field(default=CardState.OFF, init=False)
    level: int = field(default=0, init=False)  # cascade level being resolved, 0-based
    halted_before: bool = field(default=False, init=False)  # READY*/ACTIVE* in ISO terms

    def __post_init__(self) -> None:
        self.uid = bytes(self.uid)
        if len(self.uid) not in (4, 7, 10):
            raise ValueError("an ISO 14443A UID has 4, 7 or 10 bytes")
        if self.sak is None:
            self.sak = 0x08 if len(self.uid) == 4 else 0x00

    @classmethod
    def from_hex(cls, uid: str, sak: int | None = None) -> Card:
        return cls(bytes.fromhex(uid), sak)

    @property
    def atqa(self) -> bytes:
        """ATQA, low byte first: bits 7..6 give the UID size."""
        return bytes([{4: 0x04, 7: 0x44, 10: 0x84}[len(self.uid)], 0x00])

    @property
    def cascade_levels(self) -> list[bytes]:
        """The four UID bytes each cascade level answers with (before its BCC)."""
        u = self.uid
        if len(u) == 4:
            return [u]
        if len(u) == 7:
            return [bytes([CASCADE_TAG]) + u[:3], u[3:]]
        return [bytes([CASCADE_TAG]) + u[:3], bytes([CASCADE_TAG]) + u[3:6], u[6:]]

    def power(self, on: bool) -> None:
        if not on:
            self.state = CardState.OFF
        elif self.state is CardState.OFF:
            self.state = CardState.IDLE
            self.halted_before = False

    def _reject(self) -> None:
        # Any unexpected frame sends a card back to IDLE, or to HALT if it was woken from it.
        self.state = CardState.HALT if self.halted_before else CardState.IDLE

    def receive(self, frame: bytes, last_bits: int) -> bytes | None:
        """Answer one frame from the reader, or None for silence."""
        if self.state is CardState.OFF or not frame:
            return None
        if last_bits == 7 and len(frame) == 1:
            return self._short_frame(frame[0])
        if last_bits != 0:
            self._reject()
            return None
        if frame[0] in SEL_CODES and len(frame) >= 2:
            return self._select_or_anticoll(frame)
        is_hlta = len(frame) == 4 and with_crc(bytes([HLTA, 0])) == frame
        if is_hlta and self.state is CardState.ACTIVE:
            self.state = CardState.HALT  # a halted card stays silent
            return None
        self._reject()
        return None

    def _short_frame(self, command: int) -> bytes | None:
        wakes = {CardState.IDLE} if command == REQA else {CardState.IDLE, CardState.HALT}
        if command in (REQA, WUPA) and self.state in wakes:
            self.halted_before = self.state is CardState.HALT
            self.state = CardState.READY
            self.level = 0
            return self.atqa
        if self.state in (CardState.READY, CardState.ACTIVE):
            self._reject()
        return None

    def _select_or_anticoll(self, frame: bytes) -> bytes | None:
        if self.state is not CardState.READY:
            self._reject()
            return None
        levels = self.cascade_levels
        if SEL_CODES.index(frame[0]) != self.level:
            self._reject()
            return None
        part = levels[self.level]
        if frame[1] == NVB_ANTICOLL and len(frame) == 2:
            return part + bytes([bcc(part)])
        if frame[1] == NVB_SELECT and len(frame) == 9:
            if with_crc(frame[:7]) != frame:
                self._reject()
                return None
            if frame[2:7] != part + bytes([bcc(part)]):
                return None  # another card is being selected: stay READY
            if self.level + 1 < len(levels):
                self.level += 1
                return with_crc(bytes([SAK_CASCADE]))
            self.state = CardState.ACTIVE
            assert self.sak is not None
            return with_crc(bytes([self.sak & ~SAK_CASCADE]))
        # Partial-UID anticollision (NVB other than 20/70) is not emulated.
        self._reject()
        return None

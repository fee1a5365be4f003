"""What every badge reader hands the rest of the app: a normalised badge read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from threading import Lock
from typing import Protocol

_HEX = re.compile(r"^[0-9A-F]+$")

# ISO 14443 UIDs are 4, 7 or 10 bytes; 125 kHz wedge badges often 5. Anything else
# is a misread, not a badge.
UID_LENGTHS = frozenset({4, 5, 7, 10})


class GarbledRead(ValueError):
    """A read that cannot be a badge id; it is ignored and counted, never decided on."""


class ReaderHealth(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # answering, but with recent errors or re-initialisations
    ABSENT = "absent"  # not answering at all: the door must say so, never stay silent


@dataclass(frozen=True)
class BadgeRead:
    """One badge arriving at a reader."""

    uid: str  # uppercase hex of the UID bytes only, e.g. "04A1B2C3"
    source: str  # "mfrc522", "wedge" or "simulated"
    monotonic: float  # time.monotonic() when the badge arrived


OnBadge = Callable[[BadgeRead], None]
OnHealth = Callable[[ReaderHealth], None]


def normalise_uid(raw: str | bytes | bytearray | list[int]) -> str:
    """Uppercase hex of the UID bytes; raise GarbledRead for anything that is not one."""
    if isinstance(raw, (bytes, bytearray, list)):
        data = bytes(raw)
        if len(data) not in UID_LENGTHS:
            raise GarbledRead(f"{len(data)} bytes is not a badge UID length")
        return data.hex().upper()
    text = raw.strip().upper().replace(":", "").replace("-", "").replace(" ", "")
    if text.startswith("0X"):
        text = text[2:]
    if not text or not _HEX.match(text) or len(text) % 2:
        raise GarbledRead("not an even run of hex digits")
    if len(text) // 2 not in UID_LENGTHS:
        raise GarbledRead(f"{len(text) // 2} bytes is not a badge UID length")
    return text


def mask_uid(uid: str) -> str:
    """A badge id fit for logs and screens: first and last byte only."""
    if len(uid) <= 4:
        return "•" * len(uid)
    return uid[:2] + "•" * (len(uid) - 4) + uid[-2:]


@dataclass
class ReaderStats:
    """Counters a reader keeps; read them from any thread."""

    taps: int = 0
    garbled: int = 0
    errors: int = 0
    reinits: int = 0
    _lock: Lock = field(default_factory=Lock, repr=False, compare=False)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "taps": self.taps,
                "garbled": self.garbled,
                "errors": self.errors,
                "reinits": self.reinits,
            }


class BadgeReader(Protocol):
    """A source of badge reads. Callbacks run on the reader's own thread."""

    source: str
    stats: ReaderStats

    @property
    def health(self) -> ReaderHealth: ...

    def start(self, on_badge: OnBadge, on_health: OnHealth | None = None) -> None: ...

    def close(self) -> None: ...

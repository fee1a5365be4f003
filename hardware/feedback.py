"""The door's answer in light and sound: what a pattern means, and the quiet null."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Signal(StrEnum):
    """One signal per kind of answer; each must be told apart without reading."""

    WELCOME = "welcome"  # checked in
    GOODBYE = "goodbye"  # checked out
    ASK = "ask"  # too soon: tap again (or answer on screen) to leave
    UNKNOWN = "unknown"  # unknown or inactive badge: ask your supervisor
    ERROR = "error"  # the door itself has a problem (reader, journal): tap again
    NOT_SAVED = "not_saved"  # the journal cannot be written (disk full): go to the supervisor


class Feedback(Protocol):
    """Starts a signal and returns at once; a new signal cuts the running one short."""

    def show(self, signal: Signal) -> None: ...

    def close(self) -> None: ...


class QuietIndicator:
    """Feedback for a kiosk without GPIO: shows nothing, remembers what it was asked."""

    def __init__(self) -> None:
        self.shown: list[Signal] = []

    def show(self, signal: Signal) -> None:
        self.shown.append(signal)

    def close(self) -> None:
        pass

    def __enter__(self) -> QuietIndicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

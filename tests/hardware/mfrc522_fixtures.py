"""Helpers for the MFRC522 tests: waiting with a deadline, recording callbacks, a movable clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hardware.badge import BadgeRead, ReaderHealth
from hardware.mfrc522_reader import Mfrc522Reader

FAST = {"poll_interval": 0.005, "away_seconds": 1.0, "error_threshold": 3}


def wait_until(predicate: Callable[[], object], timeout: float = 5.0, what: str = "") -> None:
    """Poll predicate until it is true; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.002)


def wait_polls(reader: Mfrc522Reader, n: int = 3) -> None:
    """Let the reader's thread do n more polls."""
    target = reader.polls + n
    wait_until(lambda: reader.polls >= target, what=f"{n} polls")


class Recorder:
    """Collects taps and health changes from the reader's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.taps: list[BadgeRead] = []
        self.healths: list[ReaderHealth] = []

    def on_badge(self, read: BadgeRead) -> None:
        with self._lock:
            self.taps.append(read)

    def on_health(self, health: ReaderHealth) -> None:
        with self._lock:
            self.healths.append(health)

    @property
    def uids(self) -> list[str]:
        with self._lock:
            return [t.uid for t in self.taps]


class ShiftedClock:
    """time.monotonic plus an offset the test can push forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@contextmanager
def running_reader(**kwargs: Any) -> Iterator[tuple[Mfrc522Reader, Recorder]]:
    """A started Mfrc522Reader (fast settings unless overridden) and what it reported."""
    recorder = Recorder()
    with Mfrc522Reader(**{**FAST, **kwargs}) as reader:
        reader.start(recorder.on_badge, recorder.on_health)
        wait_polls(reader, 2)
        yield reader, recorder

"""The kiosk's sense of time, injected everywhere so tests can hold the clock.

A Raspberry Pi has no real-time clock: before NTP it may believe it is 1970 or last week.
So every moment carries the wall time *and* what is needed to correct it later: whether
the clock was synchronised, the boot id and the monotonic time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

WORKSHOP_TZ = ZoneInfo("Europe/Amsterdam")

# systemd-timesyncd touches this file once the clock is synchronised (systemd >= 239).
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
# A clock earlier than this year has certainly not been set: the software is younger.
SANE_YEAR = 2026


@dataclass(frozen=True)
class Instant:
    """One moment as the kiosk knows it."""

    wall: datetime  # aware, UTC
    monotonic: float  # seconds, comparable only within one boot
    boot_id: str
    synchronised: bool

    def workshop_day(self) -> date:
        """The workshop day (Europe/Amsterdam) this moment falls on."""
        return self.wall.astimezone(WORKSHOP_TZ).date()

    def local(self) -> datetime:
        return self.wall.astimezone(WORKSHOP_TZ)

    def reckon(self, earlier: Instant) -> datetime:
        """When `earlier` really happened, by this moment's wall clock.

        Within one boot the monotonic clock is trusted over the wall clock, which may
        have been wrong then (no NTP yet) or have jumped since.
        """
        if earlier.boot_id == self.boot_id:
            return self.wall - timedelta(seconds=self.monotonic - earlier.monotonic)
        return earlier.wall

    def seconds_since(self, earlier: Instant) -> float:
        """Elapsed time, on the monotonic clock when both are from the same boot.

        A wall-clock jump (NTP catching up after boot) must not make a repeat tap look
        like hours later; across a reboot the wall clock is all there is.
        """
        if earlier.boot_id == self.boot_id:
            return self.monotonic - earlier.monotonic
        return (self.wall - earlier.wall).total_seconds()


class Clock(Protocol):
    def now(self) -> Instant: ...


def clock_is_sane(wall: datetime) -> bool:
    return wall.year >= SANE_YEAR


class SystemClock:
    """The real clock: wall time, CLOCK_MONOTONIC, the kernel's boot id and timesyncd."""

    def __init__(
        self,
        *,
        timesync_flag: Path = TIMESYNC_FLAG,
        boot_id_path: Path = BOOT_ID,
    ) -> None:
        self._timesync_flag = timesync_flag
        self._boot_id = _read_boot_id(boot_id_path)

    def now(self) -> Instant:
        wall = datetime.now(UTC)
        return Instant(
            wall=wall,
            monotonic=time.monotonic(),
            boot_id=self._boot_id,
            synchronised=self._synchronised(wall),
        )

    def _synchronised(self, wall: datetime) -> bool:
        # Without timesyncd (containers, CI, other init systems) the best honest answer
        # is whether the year is plausible at all.
        if self._timesync_flag.parent.exists():
            return self._timesync_flag.exists()
        return clock_is_sane(wall)


def _read_boot_id(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        # Not Linux: one id per process is the closest stand-in (monotonic restarts too).
        import uuid

        return f"process-{uuid.uuid4()}"


class HeldClock:
    """A clock a test (or a replay) moves by hand."""

    def __init__(
        self,
        wall: datetime,
        *,
        monotonic: float = 1000.0,
        boot_id: str = "boot-1",
        synchronised: bool = True,
    ) -> None:
        if wall.tzinfo is None:
            raise ValueError("HeldClock needs an aware datetime")
        self.wall = wall.astimezone(UTC)
        self.monotonic = monotonic
        self.boot_id = boot_id
        self.synchronised = synchronised

    def now(self) -> Instant:
        return Instant(self.wall, self.monotonic, self.boot_id, self.synchronised)

    def advance(self, seconds: float) -> None:
        """Let time pass: wall and monotonic move together."""
        self.wall += timedelta(seconds=seconds)
        self.monotonic += seconds

    def jump_wall(self, seconds: float) -> None:
        """The wall clock jumps (NTP, a user) while monotonic time does not."""
        self.wall += timedelta(seconds=seconds)

    def reboot(self, boot_id: str, *, monotonic: float = 5.0) -> None:
        self.boot_id = boot_id
        self.monotonic = monotonic

"""One boot's clock: its taps are ordered and measured by its monotonic time (pure, no database).

Within one boot the door's monotonic clock is the truth about order and duration: it never
jumps. Its wall clock may (set by hand, stepped by NTP, a fake-hwclock at boot), so two taps'
wall times can lie about which came first and how far apart they were. Every tap of a boot
is therefore reckoned from one anchor, the wall time at which the boot's monotonic clock read
0 (its "epoch"): a tap with monotonic m happened at epoch + m.

The anchor is the best-trusted clock the boot has. A synchronised tap's own wall time says
epoch = wall − monotonic; when those disagree (the clock jumped), the server's clock — the
heartbeats' estimate — picks the side that agrees with it, and without heartbeats the
clock's latest setting wins (a jump is most often a correction). A boot with no
synchronised tap is anchored by its heartbeats alone, or not at all.

A tap whose own wall time agrees with the anchor keeps it; any other is moved to
anchor + monotonic. So a boot whose clock never jumped reads exactly as its doors wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Clocks this close agree: a step smaller than this cannot reorder taps a person makes.
AGREE = timedelta(seconds=2)


@dataclass(frozen=True)
class BootTap:
    """A stored tap as its boot's clock sees it."""

    id: str
    wall_at: datetime
    synced: bool
    monotonic: float

    @property
    def epoch(self) -> datetime | None:
        """When the boot's monotonic clock read 0, by this tap's wall clock."""
        try:
            return self.wall_at - timedelta(seconds=self.monotonic)
        except OverflowError:
            return None  # a monotonic reading no real boot reaches


@dataclass(frozen=True)
class Anchor:
    """What a boot's taps are reckoned from."""

    epoch_at: datetime
    monotonic: float | None  # the synchronised tap it comes from; None: the heartbeats


def choose_anchor(taps: Iterable[BootTap], heartbeat_epoch: datetime | None) -> Anchor | None:
    """The boot's anchor: see the module docstring."""
    synced = [(epoch, t.monotonic) for t in taps if t.synced and (epoch := t.epoch) is not None]
    if synced and heartbeat_epoch is not None:
        epoch, monotonic = min(synced, key=lambda s: (abs(s[0] - heartbeat_epoch), -s[1]))
        return Anchor(epoch, monotonic)
    if synced:
        epoch, monotonic = max(synced, key=lambda s: s[1])
        return Anchor(epoch, monotonic)
    if heartbeat_epoch is not None:
        return Anchor(heartbeat_epoch, None)
    return None


def agrees(tap: BootTap, anchor: Anchor) -> bool:
    """Whether the tap's own wall time is the anchor's: synchronised and within AGREE."""
    epoch = tap.epoch
    return tap.synced and epoch is not None and abs(epoch - anchor.epoch_at) <= AGREE


def reckoned_at(tap: BootTap, anchor: Anchor | None) -> datetime | None:
    """The tap's corrected wall time, or None when its own wall time is the honest one."""
    if anchor is None or agrees(tap, anchor):
        return None
    try:
        return anchor.epoch_at + timedelta(seconds=tap.monotonic)
    except OverflowError:
        return None  # an impossible monotonic reading stays as sent


def moves_anchor(anchor: Anchor | None, tap: BootTap, heartbeat_epoch: datetime | None) -> bool:
    """Whether a newly arrived tap could change its boot's anchor (then the whole boot is
    reckoned again); otherwise the tap is reckoned alone from the anchor there is."""
    epoch = tap.epoch
    if not tap.synced or epoch is None:
        return False
    if anchor is None or anchor.monotonic is None:
        return True  # the first synchronised tap outranks the heartbeats
    if abs(epoch - anchor.epoch_at) <= AGREE:
        return False
    if heartbeat_epoch is not None:
        return abs(epoch - heartbeat_epoch) < abs(anchor.epoch_at - heartbeat_epoch)
    return tap.monotonic > anchor.monotonic

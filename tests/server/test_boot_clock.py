"""One boot's clock (pure): which wall time anchors a boot's taps, and which taps move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.kiosks.boot_clock import Anchor, BootTap, choose_anchor, moves_anchor, reckoned_at

BOOTED = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # when the boot's monotonic clock read 0
HOUR = timedelta(hours=1)


def tap(monotonic: float, off_by: timedelta = timedelta(0), synced: bool = True) -> BootTap:
    """A tap at BOOTED + monotonic, by a wall clock that is `off_by` wrong."""
    wall = BOOTED + timedelta(seconds=monotonic) + off_by
    return BootTap(f"t{monotonic:g}", wall, synced, monotonic)


def test_boot_clock_a_boot_that_never_jumped_reads_as_sent() -> None:
    taps = [tap(100.0), tap(700.0), tap(4000.0, timedelta(seconds=0.4))]  # a small NTP slew
    anchor = choose_anchor(taps, BOOTED + timedelta(seconds=0.2))
    assert [reckoned_at(t, anchor) for t in taps] == [None, None, None]


def test_boot_clock_taps_before_ntp_take_the_synchronised_clock() -> None:
    early = tap(60.0, -timedelta(days=20000), synced=False)  # a Pi without RTC: 1970
    later = tap(900.0)
    anchor = choose_anchor([early, later], None)
    assert reckoned_at(early, anchor) == BOOTED + timedelta(seconds=60)
    assert reckoned_at(later, anchor) is None


@pytest.mark.parametrize("jump", [-HOUR, HOUR], ids=["back", "forward"])
def test_boot_clock_the_heartbeats_pick_the_true_side_of_a_jump(jump: timedelta) -> None:
    before, after = tap(1000.0), tap(1720.0, jump)
    heartbeat = BOOTED + timedelta(seconds=0.3)
    anchor = choose_anchor([before, after], heartbeat)
    assert reckoned_at(before, anchor) is None
    assert reckoned_at(after, anchor) == BOOTED + timedelta(seconds=1720)
    alone = choose_anchor([before, after], None)  # no heartbeat: the latest setting
    assert reckoned_at(before, alone) == BOOTED + timedelta(seconds=1000) + jump


def test_boot_clock_only_a_disagreeing_synchronised_tap_moves_the_anchor() -> None:
    anchor = Anchor(BOOTED, 1000.0)
    assert not moves_anchor(anchor, tap(2000.0), None)
    assert not moves_anchor(anchor, tap(2000.0, HOUR, synced=False), None)
    assert moves_anchor(anchor, tap(2000.0, HOUR), None)  # later: the clock's latest setting
    assert not moves_anchor(anchor, tap(500.0, HOUR), None)  # an older one arriving late
    assert not moves_anchor(anchor, tap(2000.0, HOUR), BOOTED)  # the server agrees with BOOTED
    assert moves_anchor(Anchor(BOOTED, None), tap(2000.0), BOOTED)  # first synchronised tap

"""The kiosk's memory keeping: tidying is rate-limited, and trimming really runs."""

from __future__ import annotations

from kiosk.ui.memory import Tidy, limit_arenas, trim


def test_tidy_runs_at_most_once_per_interval() -> None:
    now = [100.0]
    tidy = Tidy(every=1.0, clock=lambda: now[0])
    assert tidy()
    now[0] += 0.5
    assert not tidy()
    now[0] += 0.6
    assert tidy()


def test_glibc_takes_the_settings_and_trims() -> None:
    assert limit_arenas()  # glibc on every machine prikklok runs on
    trim()  # returns whether memory went back; it must simply not fail

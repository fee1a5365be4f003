"""systemd's watchdog, the timing half: whether it watches us, and how often to ping.

systemd sets $WATCHDOG_USEC from the unit's WatchdogSec= (and $WATCHDOG_PID to the main
process); once READY=1 is sent it expects WATCHDOG=1 within every interval, or it kills
and restarts the unit. The pings come from the loop that must stay alive (the Kivy main
loop, the headless door's loop), never from a thread of their own: a hung loop then falls
silent, and that is the point.
"""

from __future__ import annotations

import faulthandler
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# A quarter of the interval, where sd_watchdog_enabled(3) asks for half at the least: a
# ping that comes a frame or a slow tap late is still well within half the interval.
PINGS_PER_INTERVAL = 4


@dataclass(frozen=True)
class Watchdog:
    """systemd watches this process: it wants a WATCHDOG=1 within every `interval` seconds."""

    interval: float

    @property
    def ping_every(self) -> float:
        """Seconds between our pings."""
        return self.interval / PINGS_PER_INTERVAL

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, pid: int | None = None
    ) -> Watchdog | None:
        """The watchdog systemd set up for this process, or None, as sd_watchdog_enabled(3)
        decides: $WATCHDOG_USEC set and positive, and $WATCHDOG_PID unset or our pid. Without
        $NOTIFY_SOCKET a ping has nowhere to go, so there is no watchdog either."""
        env = os.environ if env is None else env
        if not env.get("NOTIFY_SOCKET"):
            return None
        try:
            usec = int(env.get("WATCHDOG_USEC", ""))
        except ValueError:
            return None
        if usec <= 0:
            return None
        watched = env.get("WATCHDOG_PID", "")
        if watched:
            try:
                if int(watched) != (os.getpid() if pid is None else pid):
                    return None  # meant for another process (the one that started us)
            except ValueError:
                return None
        return cls(interval=usec / 1_000_000)


def arm(env: Mapping[str, str] | None = None) -> Watchdog | None:
    """The watchdog systemd set up for this process (see Watchdog.from_env), with Python's
    fault handler on: systemd ends a silent process with SIGABRT (WatchdogSignal=), and every
    thread's stack then goes to stderr, the journal: where the loop was stuck. A stack holds
    file names, lines and functions, never values (no names, no badge ids)."""
    watchdog = Watchdog.from_env(env)
    if watchdog and not faulthandler.is_enabled():
        faulthandler.enable()
    return watchdog


class PingPacer:
    """When a loop that waits on something else must ping next: for the headless door,
    whose loop blocks on its inbox with a timeout."""

    def __init__(
        self,
        watchdog: Watchdog | None,
        ping: Callable[[], object],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.watchdog = watchdog
        self._ping = ping
        self._monotonic = monotonic
        self._due = monotonic() + watchdog.ping_every if watchdog else 0.0

    def wait(self) -> float | None:
        """How long the loop may wait before the next ping; None: as long as it likes."""
        if self.watchdog is None:
            return None
        return max(0.0, self._due - self._monotonic())

    def tick(self) -> None:
        """Ping if one is due; call on every turn of the loop."""
        if self.watchdog is None:
            return
        now = self._monotonic()
        if now >= self._due:
            self._ping()
            self._due = now + self.watchdog.ping_every

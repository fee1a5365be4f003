"""Badge reader for an MFRC522 on SPI: polls, reports arrivals once, heals a dropped chip."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from hardware.badge import (
    BadgeRead,
    GarbledRead,
    OnBadge,
    OnHealth,
    ReaderHealth,
    ReaderStats,
    mask_uid,
    normalise_uid,
)
from hardware.mfrc522_driver import (
    CardGone,
    ChipAbsent,
    LibraryUnavailable,
    default_driver,
    read_uid,
)

log = logging.getLogger(__name__)

RECOVERY_POLLS = 20  # clean polls after an error or re-init before health is OK again
ABSENT_SLOWDOWN = 10  # while absent, retry every ABSENT_SLOWDOWN × poll_interval
# A library that cannot load will not load on the next poll either: try again after 1 s,
# doubling to a minute (about 15 tries in ten minutes instead of 6 000).
UNAVAILABLE_FIRST = 1.0
UNAVAILABLE_CAP = 60.0
SURPRISE_LOG_EVERY = 60.0  # seconds between lines about the same unexpected poll failure


class Mfrc522Reader:
    """BadgeReader for an MFRC522: polls in a thread, reports arrivals, heals a dropped chip."""

    source = "mfrc522"

    def __init__(
        self,
        *,
        bus: int = 0,
        device: int = 0,
        rst_pin: int = 25,
        poll_interval: float = 0.1,
        away_seconds: float = 1.0,
        error_threshold: int = 5,
        driver: Callable[[], Any] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.stats = ReaderStats()
        self.poll_interval = poll_interval
        self.away_seconds = away_seconds
        self.error_threshold = error_threshold
        self._make_driver = driver or functools.partial(
            default_driver, bus=bus, device=device, rst_pin=rst_pin
        )
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._drv: Any = None
        self._health = ReaderHealth.OK
        self._absent = False
        self._errors_in_row = 0
        self._unavailable_for = 0.0  # > 0: the driver cannot be built; seconds to the next try
        self._surprise: tuple[str, float, int] | None = None  # (what, logged at, held back)
        self._clean_polls = RECOVERY_POLLS
        self._last_seen: dict[str, float] = {}
        self._polls = 0
        self._garbling = False
        self._on_badge: OnBadge = _ignore
        self._on_health: OnHealth = _ignore
        self._thread: threading.Thread | None = None
        self._closed = False
        self._lock = threading.Lock()  # one poll at a time, and close() waits for it

    @property
    def health(self) -> ReaderHealth:
        return self._health

    @property
    def polls(self) -> int:
        """Polls done so far (tests and benchmarks wait on it)."""
        return self._polls

    def start(self, on_badge: OnBadge, on_health: OnHealth | None = None) -> None:
        if self._thread is not None or self._closed:
            raise RuntimeError("an Mfrc522Reader starts once")
        self._on_badge = on_badge
        self._on_health = on_health or _ignore
        self._thread = threading.Thread(target=self._run, name="mfrc522-reader", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        with self._lock:
            drv, self._drv = self._drv, None
            if drv is not None:
                try:
                    drv.release()
                except Exception:
                    log.exception("releasing the MFRC522 failed")

    def __enter__(self) -> Mfrc522Reader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = self._monotonic()
            try:
                self.poll_once()
            except Exception as exc:  # the thread must outlive any surprise
                self._surprised(exc)
                self._error()
            self._sleep(max(0.0, self._pace() - (self._monotonic() - started)))

    def _pace(self) -> float:
        if self._unavailable_for:
            return self._unavailable_for
        return self.poll_interval * (ABSENT_SLOWDOWN if self._absent else 1)

    def _surprised(self, exc: Exception) -> None:
        """A traceback the first time, then one line a minute: a poll every 0.1 s must not
        turn one bug into 6 000 tracebacks in ten minutes."""
        what, now = f"{type(exc).__name__}: {exc}", self._monotonic()
        if self._surprise is None or self._surprise[0] != what:
            self._surprise = (what, now, 0)
            log.exception("MFRC522 poll failed")
            return
        _, logged_at, held = self._surprise
        if now - logged_at < SURPRISE_LOG_EVERY:
            self._surprise = (what, logged_at, held + 1)
            return
        self._surprise = (what, now, 0)
        log.warning("MFRC522 poll failed %d more times: %s", held + 1, what)

    def poll_once(self) -> None:
        """One poll: connect or re-init if due, check the chip, read a card, report it."""
        with self._lock:
            if self._closed:
                return
            self._polls += 1
            if self._drv is None or self._absent:
                self._connect()
                return
            try:
                if self._drv.version() in (0x00, 0xFF):
                    raise ChipAbsent("VersionReg reads 0x00/0xFF")
                try:
                    raw = read_uid(self._drv)
                except CardGone:
                    raw = None
                finally:
                    # Send the next poll's WUPA now: it is answered (or timed out) by the time
                    # we look, so an idle poll costs one sleep, not two.
                    self._drv.send_wupa()
                uid = normalise_uid(raw) if raw is not None else None
            except GarbledRead as exc:
                self.stats.count("garbled")
                # A card lying badly garbles every poll: say so once per run, not 10 times a second.
                level = logging.DEBUG if self._garbling else logging.INFO
                log.log(level, "garbled badge read ignored: %s", exc)
                self._garbling = True
                self._clean()
                return
            except OSError as exc:
                log.debug("MFRC522 error: %s", exc)
                self._error()
                return
            self._garbling = False
            self._clean()
            if uid is not None:
                self._seen(uid)

    def _seen(self, uid: str) -> None:
        now = self._monotonic()
        last = self._last_seen.get(uid)
        self._last_seen = {u: t for u, t in self._last_seen.items() if now - t < self.away_seconds}
        self._last_seen[uid] = now
        if last is not None and now - last < self.away_seconds:
            return  # still lying there, or back too soon: the same tap
        self.stats.count("taps")
        log.debug("badge %s arrived", mask_uid(uid))
        try:
            self._on_badge(BadgeRead(uid=uid, source=self.source, monotonic=now))
        except Exception:
            log.exception("on_badge failed for badge %s", mask_uid(uid))

    def _connect(self) -> None:
        """Build the driver the first time, reopen and re-init it after that; check it answers."""
        first = self._drv is None
        try:
            if first:
                self._drv = self._make_driver()
            else:
                self.stats.count("reinits")
                self._drv.reopen()
            version = self._drv.version()
            if version in (0x00, 0xFF):
                raise ChipAbsent(f"VersionReg reads {version:#04x}")
        except (LibraryUnavailable, RuntimeError) as exc:
            if not first:
                self._not_answering(exc)
                return
            # No GPIO library (x86, a Pi 5 with RPi.GPIO) or GPIO in BOARD numbering: no
            # poll can work until someone fixes the Pi. Absent, said once, tried rarely.
            if not self._unavailable_for:
                log.warning("MFRC522 reader unavailable: %s; trying again at most once a "
                            "minute", exc)  # fmt: skip
            self._drv = None
            self._unavailable_for = min(UNAVAILABLE_CAP, 2 * self._unavailable_for) or (
                UNAVAILABLE_FIRST
            )
            self._absent = True
            self._set_health(ReaderHealth.ABSENT)
            return
        except Exception as exc:  # OSError, or a driver confused in some other way
            self._not_answering(exc)
            return
        if self._unavailable_for:
            log.info("MFRC522 reader available again")
            self._unavailable_for = 0.0
        self._absent = False
        self._errors_in_row = 0
        if first:
            self._set_health(ReaderHealth.OK)
            return
        self._clean_polls = 0
        self._set_health(ReaderHealth.DEGRADED)
        log.warning("MFRC522 re-initialised")

    def _not_answering(self, exc: Exception) -> None:
        if not self._absent:
            log.warning("MFRC522 not answering (%s); retrying slowly", exc)
        self._absent = True
        self._set_health(ReaderHealth.ABSENT)

    def _error(self) -> None:
        self.stats.count("errors")
        self._errors_in_row += 1
        self._clean_polls = 0
        if self._health is ReaderHealth.OK:
            self._set_health(ReaderHealth.DEGRADED)
        if self._errors_in_row >= self.error_threshold and self._drv is not None:
            self._connect()

    def _clean(self) -> None:
        self._errors_in_row = 0
        self._clean_polls += 1
        if self._health is ReaderHealth.DEGRADED and self._clean_polls >= RECOVERY_POLLS:
            self._set_health(ReaderHealth.OK)

    def _set_health(self, health: ReaderHealth) -> None:
        if health is self._health:
            return
        log.info("MFRC522 health %s -> %s", self._health.value, health.value)
        self._health = health
        try:
            self._on_health(health)
        except Exception:
            log.exception("on_health failed")


def _ignore(_value: object) -> None:
    pass

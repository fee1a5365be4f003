"""USB keyboard-wedge badge readers: they type the UID and press Enter; we read the keys."""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import evdev
from evdev import ecodes

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

log = logging.getLogger(__name__)

WedgeFormat = Literal["hex", "decimal"]

# Key codes, not characters: a wedge sends the same codes whatever keyboard layout the
# kiosk has, and Shift (for capital A-F) makes no difference to which key it was.
_KEY_CHARS: dict[int, str] = {
    **{getattr(ecodes, f"KEY_{d}"): str(d) for d in range(10)},
    **{getattr(ecodes, f"KEY_KP{d}"): str(d) for d in range(10)},
    **{getattr(ecodes, f"KEY_{c}"): c for c in "ABCDEF"},
}
_ENTER = frozenset({ecodes.KEY_ENTER, ecodes.KEY_KPENTER})
_MODIFIERS = frozenset(
    {ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT, ecodes.KEY_CAPSLOCK, ecodes.KEY_NUMLOCK}
)
_KEY_DOWN = 1  # 0 is key-up, 2 autorepeat: neither is a new character

MAX_LINE = 20  # 10 bytes in hex, the longest UID there is
DECIMAL_DIGITS = 10  # "0012345678": the 4-byte UID as an unsigned 32-bit number
LINE_GAP = 1.0  # seconds; a wedge types a whole UID in well under this


class KeystrokeDecoder:
    """Turns a wedge's key-down events into badge UIDs, one line per badge."""

    def __init__(self, fmt: WedgeFormat = "hex") -> None:
        if fmt not in ("hex", "decimal"):
            raise ValueError(f"wedge format must be 'hex' or 'decimal', not {fmt!r}")
        self.fmt = fmt
        self._line: list[str] = []
        self._bad = False  # the line holds a key that is no UID character, or too many
        self._last_key: float | None = None

    def feed(self, event: evdev.InputEvent) -> str | None:
        """Take one event: a UID when Enter ends a good line, else None.

        Raises GarbledRead when Enter ends a line that is not a badge, or when a
        half-typed line is abandoned for longer than LINE_GAP.
        """
        if event.type != ecodes.EV_KEY or event.value != _KEY_DOWN:
            return None
        if event.code in _MODIFIERS:
            return None
        stale = self._stale(event.timestamp())
        if event.code in _ENTER:
            if stale:
                self._reset()
                raise GarbledRead("half-typed line abandoned")
            return self._finish()
        if stale:
            self._reset()
            self._absorb(event.code)
            raise GarbledRead("half-typed line abandoned")
        self._absorb(event.code)
        return None

    def reset(self) -> None:
        """Forget a half-typed line, e.g. when the device went away mid-badge."""
        self._reset()
        self._last_key = None

    def _stale(self, now: float) -> bool:
        last, self._last_key = self._last_key, now
        pending = bool(self._line) or self._bad
        return pending and last is not None and now - last > LINE_GAP

    def _absorb(self, code: int) -> None:
        char = _KEY_CHARS.get(code)
        if char is None or len(self._line) >= MAX_LINE:
            self._bad = True
        else:
            self._line.append(char)

    def _finish(self) -> str:
        line, bad = "".join(self._line), self._bad
        self._reset()
        if bad or not line:
            raise GarbledRead("line is empty, too long or holds other keys")
        if self.fmt == "decimal":
            return decimal_to_uid(line)
        return normalise_uid(line)

    def _reset(self) -> None:
        self._line.clear()
        self._bad = False


def decimal_to_uid(digits: str) -> str:
    """A 10-digit decimal wedge line as the 4-byte big-endian hex UID it stands for."""
    if len(digits) != DECIMAL_DIGITS or not digits.isdigit():
        raise GarbledRead("not a 10-digit decimal badge number")
    number = int(digits)
    if number >= 1 << 32:
        raise GarbledRead("decimal badge number does not fit in 4 bytes")
    return normalise_uid(number.to_bytes(4, "big"))


def decode_keystrokes(
    events: Iterable[evdev.InputEvent],
    fmt: WedgeFormat = "hex",
    on_garbled: Callable[[GarbledRead], None] | None = None,
) -> Iterator[str]:
    """Yield the UIDs typed in *events*; garbled lines go to *on_garbled*, never out."""
    decoder = KeystrokeDecoder(fmt)
    for event in events:
        try:
            uid = decoder.feed(event)
        except GarbledRead as exc:
            if on_garbled is not None:
                on_garbled(exc)
            continue
        if uid is not None:
            yield uid


class WedgeReader:
    """A BadgeReader on an evdev keyboard device, grabbed so its keys reach nothing else."""

    source = "wedge"

    def __init__(
        self,
        path: str,
        *,
        fmt: WedgeFormat = "hex",
        grab: bool = True,
        device: Any | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        open_device: Callable[[str], Any] = evdev.InputDevice,
        retry_seconds: float = 3.0,
    ) -> None:
        self.path = path
        self.stats = ReaderStats()
        self._decoder = KeystrokeDecoder(fmt)
        self._grab = grab
        self._device = device
        self._grabbed = False
        self._monotonic = monotonic
        self._open_device = open_device
        self._retry_seconds = retry_seconds
        self._health = ReaderHealth.ABSENT
        self._said_missing = False  # one line while it stays away, not one per retry
        self._on_badge: OnBadge | None = None
        self._on_health: OnHealth | None = None
        self._closed = threading.Event()
        self._wake_r, self._wake_w = os.pipe()  # lets close() interrupt select()
        self._thread: threading.Thread | None = None

    @property
    def health(self) -> ReaderHealth:
        """OK while the device is open, ABSENT while it is unplugged or unreadable."""
        return self._health

    def start(self, on_badge: OnBadge, on_health: OnHealth | None = None) -> None:
        """Open the device and read it on a background thread; callbacks run there."""
        if self._thread is not None:
            raise RuntimeError("wedge reader already started")
        self._on_badge = on_badge
        self._connect()
        self._on_health = on_health
        if on_health is not None:
            on_health(self._health)  # the caller learns where we start from
        self._thread = threading.Thread(target=self._run, name="wedge-reader", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop reading, release the grab and close the device; safe to call twice."""
        if self._closed.is_set():
            return
        self._closed.set()
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._disconnect()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> WedgeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._closed.is_set():
            if self._device is None and not self._connect():
                self._closed.wait(self._retry_seconds)
                continue
            try:
                self._read_available()
            except OSError as exc:
                # ENODEV when unplugged; the kiosk must say the reader is gone.
                log.warning("wedge reader %s lost: %s", self.path, exc.strerror or exc)
                self._said_missing = True
                self.stats.count("errors")
                self._disconnect()
                self._set_health(ReaderHealth.ABSENT)

    def _read_available(self) -> None:
        assert self._device is not None
        ready, _, _ = select.select([self._device.fd, self._wake_r], [], [])
        if self._closed.is_set() or self._device.fd not in ready:
            return
        try:
            events = list(self._device.read())
        except BlockingIOError:
            return
        for event in events:
            self._feed(event)

    def _feed(self, event: evdev.InputEvent) -> None:
        try:
            uid = self._decoder.feed(event)
        except GarbledRead as exc:
            self.stats.count("garbled")
            log.info("garbled wedge read ignored: %s", exc)
            return
        if uid is None:
            return
        self.stats.count("taps")
        log.debug("badge %s on wedge", mask_uid(uid))
        if self._on_badge is None:
            return
        try:
            self._on_badge(BadgeRead(uid=uid, source=self.source, monotonic=self._monotonic()))
        except Exception:
            # The reader outlives a bug downstream; the next tap must still arrive.
            self.stats.count("errors")
            log.exception("badge callback failed")

    def _connect(self) -> bool:
        """Open (if needed) and grab the device; True when it is ready to read."""
        try:
            if self._device is None:
                self._device = self._open_device(self.path)
            if self._grab and not self._grabbed:
                self._device.grab()
                self._grabbed = True
        except OSError as exc:
            if self._device is not None and not self._grabbed and self._grab:
                # Another process holds the grab: our keys would leak into it.
                log.warning("wedge reader %s cannot be grabbed: %s", self.path, exc)
                self._set_health(ReaderHealth.DEGRADED)
                return True
            if self._said_missing:
                log.debug("wedge reader %s not there: %s", self.path, exc)
            else:
                log.warning("wedge reader %s not there (%s); trying again every %g s",
                            self.path, exc.strerror or exc, self._retry_seconds)  # fmt: skip
                self._said_missing = True
            self._device = None
            self._set_health(ReaderHealth.ABSENT)
            return False
        if self._health is not ReaderHealth.OK:
            log.info("wedge reader %s ready", self.path)
        self._said_missing = False
        self._set_health(ReaderHealth.OK)
        return True

    def _disconnect(self) -> None:
        device, self._device = self._device, None
        self._decoder.reset()
        if device is None:
            return
        if self._grabbed:
            with contextlib.suppress(OSError):  # an unplugged device has no grab to release
                device.ungrab()
        self._grabbed = False
        with contextlib.suppress(OSError):
            device.close()

    def _set_health(self, health: ReaderHealth) -> None:
        if health is self._health:
            return
        self._health = health
        if self._on_health is None:
            return
        try:
            self._on_health(health)
        except Exception:
            log.exception("health callback failed")  # keep reading all the same

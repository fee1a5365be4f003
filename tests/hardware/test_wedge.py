"""The keyboard-wedge reader, fed real evdev InputEvents as the kernel would send them."""

from __future__ import annotations

import errno
import os
import queue
import threading
import time
from collections.abc import Iterator

import pytest
from evdev import InputEvent, ecodes

from hardware.badge import BadgeRead, GarbledRead, ReaderHealth
from hardware.wedge import KeystrokeDecoder, WedgeReader, decimal_to_uid, decode_keystrokes

DIGIT_KEYS = {str(d): getattr(ecodes, f"KEY_{d}") for d in range(10)}


def key(code: int, value: int = 1, t: float = 1000.0) -> InputEvent:
    sec = int(t)
    return InputEvent(sec, int((t - sec) * 1_000_000), ecodes.EV_KEY, code, value)


def typed(text: str, t: float = 1000.0, enter: int = ecodes.KEY_ENTER) -> list[InputEvent]:
    """The events a US-layout wedge sends for *text* and Enter: scan, down, syn, up, syn."""
    events: list[InputEvent] = []
    for ch in text:
        code = DIGIT_KEYS.get(ch) or getattr(ecodes, f"KEY_{ch.upper()}")
        shifted = ch.isupper()
        if shifted:
            events.append(key(ecodes.KEY_LEFTSHIFT, 1, t))
        events += [
            InputEvent(int(t), 0, ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70000 + code),
            key(code, 1, t),
            InputEvent(int(t), 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0),
            key(code, 0, t),
        ]
        if shifted:
            events.append(key(ecodes.KEY_LEFTSHIFT, 0, t))
        t += 0.01
    return [*events, key(enter, 1, t), key(enter, 0, t)]


def decode(events: list[InputEvent], fmt: str = "hex") -> tuple[list[str], int]:
    garbled: list[GarbledRead] = []
    uids = list(decode_keystrokes(events, fmt, on_garbled=garbled.append))  # type: ignore[arg-type]
    return uids, len(garbled)


def test_decode_hex_uid():
    assert decode(typed("04a1b2c3")) == (["04A1B2C3"], 0)


def test_decode_shifted_letters():
    assert decode(typed("04A1B2C3DEF0AB")) == (["04A1B2C3DEF0AB"], 0)


def test_decode_keypad_digits_and_enter():
    pad = [key(getattr(ecodes, f"KEY_KP{d}")) for d in "12345678"]
    assert decode([*pad, key(ecodes.KEY_KPENTER)]) == (["12345678"], 0)


def test_decode_decimal_as_big_endian_hex():
    assert decode(typed("0077705923"), fmt="decimal") == (["04A1B2C3"], 0)


@pytest.mark.parametrize(
    ("digits", "uid"), [("0000000001", "00000001"), ("4294967295", "FFFFFFFF")]
)
def test_decimal_to_uid_edges(digits, uid):
    assert decimal_to_uid(digits) == uid


@pytest.mark.parametrize("digits", ["4294967296", "123456789", "12345678901", "00A1234567"])
def test_decimal_to_uid_refuses_non_badges(digits):
    with pytest.raises(GarbledRead):
        decimal_to_uid(digits)


@pytest.mark.parametrize("line", ["04a1g2c3", "", "04a1b2c", "04a1b2c3d4e5f60718293a4b", "0102"])
def test_decode_garbled_line_counted_not_tapped(line):
    assert decode(typed(line) + typed("04a1b2c3")) == (["04A1B2C3"], 1)


def test_decode_other_keys_make_line_garbled():
    events = [key(ecodes.KEY_4), key(ecodes.KEY_SPACE), *typed("4a1b2c3")]
    assert decode(events) == ([], 1)


def test_decode_ignores_key_up_and_autorepeat():
    events = [key(ecodes.KEY_0), key(ecodes.KEY_0, 2), key(ecodes.KEY_0, 2), key(ecodes.KEY_0, 0)]
    assert decode(events + typed("4a1b2c3")) == (["04A1B2C3"], 0)


def test_decode_abandoned_half_line_is_garbled():
    half = typed("04a1", t=1000.0)[:-2]  # no Enter: the badge was pulled away
    assert decode(half + typed("04a1b2c3", t=1005.0)) == (["04A1B2C3"], 1)


def test_decoder_refuses_unknown_format():
    with pytest.raises(ValueError, match="hex"):
        KeystrokeDecoder("octal")  # type: ignore[arg-type]


class FakeEventDevice:
    """Stands in for the kernel's /dev/input/eventN: a readable fd and queued real events."""

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        self.fd = self._r
        self._events: queue.SimpleQueue[InputEvent] = queue.SimpleQueue()
        self.unplugged = False
        self.grabbed = False
        self.grab_calls = self.ungrab_calls = 0
        self.closed = False
        self.grab_error: OSError | None = None

    def send(self, events: list[InputEvent]) -> None:
        for event in events:
            self._events.put(event)
        os.write(self._w, b".")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._w, b"!")

    def read(self) -> Iterator[InputEvent]:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        os.read(self._r, 4096)
        if self._events.empty():
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        while not self._events.empty():
            yield self._events.get()

    def grab(self) -> None:
        self.grab_calls += 1
        if self.grab_error:
            raise self.grab_error
        self.grabbed = True

    def ungrab(self) -> None:
        self.ungrab_calls += 1
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._r)
            os.close(self._w)


class Taps:
    """Collects badge reads and health changes from the reader's thread."""

    def __init__(self) -> None:
        self.reads: queue.SimpleQueue[BadgeRead] = queue.SimpleQueue()
        self.health: queue.SimpleQueue[ReaderHealth] = queue.SimpleQueue()

    def on_badge(self, read: BadgeRead) -> None:
        self.reads.put(read)

    def next(self) -> BadgeRead:
        return self.reads.get(timeout=2.0)

    def next_health(self) -> ReaderHealth:
        return self.health.get(timeout=2.0)


@pytest.fixture
def device() -> Iterator[FakeEventDevice]:
    dev = FakeEventDevice()
    yield dev
    dev.close()


@pytest.fixture
def taps() -> Taps:
    return Taps()


def test_wedge_reads_badge_with_source_and_clock(device, taps):
    with WedgeReader("/dev/input/by-id/wedge", device=device, monotonic=lambda: 42.0) as reader:
        reader.start(taps.on_badge)
        device.send(typed("04A1B2C3"))
        assert taps.next() == BadgeRead("04A1B2C3", "wedge", 42.0)
        assert reader.stats.taps == 1


def test_wedge_decimal_reader(device, taps):
    with WedgeReader("/dev/wedge", fmt="decimal", device=device) as reader:
        reader.start(taps.on_badge)
        device.send(typed("0077705923"))
        assert taps.next().uid == "04A1B2C3"


def test_wedge_garbled_line_counted(device, taps):
    with WedgeReader("/dev/wedge", device=device) as reader:
        reader.start(taps.on_badge)
        device.send(typed("xyz") + typed("04a1b2c3"))
        assert taps.next().uid == "04A1B2C3"
        assert reader.stats.snapshot()["garbled"] == 1


def test_wedge_grabs_and_ungrabs_on_close(device, taps):
    reader = WedgeReader("/dev/wedge", device=device)
    reader.start(taps.on_badge)
    assert device.grabbed
    reader.close()
    reader.close()
    assert (device.grabbed, device.ungrab_calls, device.closed) == (False, 1, True)


def test_wedge_without_grab_leaves_device_shared(device, taps):
    with WedgeReader("/dev/wedge", grab=False, device=device) as reader:
        reader.start(taps.on_badge)
    assert device.grab_calls == 0


def test_wedge_grab_refused_is_degraded(device, taps):
    device.grab_error = OSError(errno.EBUSY, "Device or resource busy")
    with WedgeReader("/dev/wedge", device=device) as reader:
        reader.start(taps.on_badge)
        assert reader.health is ReaderHealth.DEGRADED
        device.send(typed("04a1b2c3"))
        assert taps.next().uid == "04A1B2C3"


def test_wedge_close_is_prompt_while_waiting(device, taps):
    reader = WedgeReader("/dev/wedge", device=device)
    reader.start(taps.on_badge)
    started = time.monotonic()
    reader.close()
    assert time.monotonic() - started < 0.5


def test_wedge_vanishing_device_goes_absent_then_ok(device, taps):
    plugged = threading.Event()
    second = FakeEventDevice()

    def open_device(path: str) -> FakeEventDevice:
        if not plugged.is_set():
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return second

    reader = WedgeReader("/dev/wedge", device=device, open_device=open_device, retry_seconds=0.02)
    with reader:
        reader.start(taps.on_badge, taps.health.put)
        assert taps.next_health() is ReaderHealth.OK
        device.unplug()
        assert taps.next_health() is ReaderHealth.ABSENT
        assert reader.stats.errors == 1 and device.closed
        plugged.set()
        assert taps.next_health() is ReaderHealth.OK
        second.send(typed("04a1b2c3"))
        assert taps.next().uid == "04A1B2C3"
        assert second.grabbed
    second.close()


def test_wedge_missing_at_start_is_absent(taps):
    def open_device(path: str) -> FakeEventDevice:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)

    with WedgeReader("/dev/wedge", open_device=open_device, retry_seconds=0.02) as reader:
        reader.start(taps.on_badge, taps.health.put)
        assert taps.next_health() is ReaderHealth.ABSENT
        assert reader.health is ReaderHealth.ABSENT


def test_wedge_survives_failing_callback(device, taps):
    calls: list[BadgeRead] = []

    def on_badge(read: BadgeRead) -> None:
        calls.append(read)
        if len(calls) == 1:
            raise RuntimeError("bug downstream")
        taps.on_badge(read)

    with WedgeReader("/dev/wedge", device=device) as reader:
        reader.start(on_badge)
        device.send(typed("04a1b2c3") + typed("04a1b2c4"))
        assert taps.next().uid == "04A1B2C4"
        assert reader.stats.errors == 1


def test_wedge_real_evdev_open_of_missing_path_is_absent(tmp_path, taps):
    with WedgeReader(str(tmp_path / "no-such-event"), retry_seconds=0.02) as reader:
        reader.start(taps.on_badge)
        assert reader.health is ReaderHealth.ABSENT

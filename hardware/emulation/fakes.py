"""Fake `spidev` and `RPi.GPIO` modules, wired to emulated chips, for the real `mfrc522` library.

The fake modules are process-wide singletons: whoever imported them (the `mfrc522` library,
before or after `install_fakes()`) sees the same objects, and `SpiDev.open(bus, device)`
attaches to whichever chip is attached for that bus and device at that moment.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hardware.emulation.chip import Mfrc522Chip

_lock = threading.RLock()
_chips: dict[tuple[int, int], Mfrc522Chip] = {}


def attach(chip: Mfrc522Chip, bus: int = 0, device: int = 0) -> Mfrc522Chip:
    """Put a chip behind /dev/spidev<bus>.<device>; SpiDev.open() from now on reaches it."""
    with _lock:
        _chips[(bus, device)] = chip
    return chip


def detach(bus: int = 0, device: int = 0) -> None:
    """No chip behind /dev/spidev<bus>.<device> any more (open() raises FileNotFoundError)."""
    with _lock:
        _chips.pop((bus, device), None)


class SpiDev:
    """The slice of py-spidev's SpiDev the `mfrc522` library uses, counting transfers."""

    def __init__(self, bus: int | None = None, device: int | None = None) -> None:
        self.max_speed_hz = 500_000
        self.mode = 0
        self.bits_per_word = 8
        self.transfers = 0
        self._chip: Mfrc522Chip | None = None
        if bus is not None and device is not None:
            self.open(bus, device)

    def open(self, bus: int, device: int) -> None:
        with _lock:
            chip = _chips.get((bus, device))
        if chip is None:
            raise FileNotFoundError(2, "No such file or directory", f"/dev/spidev{bus}.{device}")
        self._chip = chip

    def close(self) -> None:
        self._chip = None

    def xfer2(self, data: list[int], *_args: Any) -> list[int]:
        chip = self._chip
        if chip is None:
            raise OSError(9, "Bad file descriptor")
        self.transfers += 1
        _counter.add()
        return chip.transfer(list(data))

    xfer = xfer2

    def writebytes(self, data: list[int]) -> None:
        self.xfer2(data)

    def readbytes(self, n: int) -> list[int]:
        return self.xfer2([0] * n)


class _Counter:
    """Every xfer2 in the process, whichever chip it went to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


_counter = _Counter()


def total_transfers() -> int:
    """xfer2 calls made through the fake spidev since the process started."""
    return _counter.value


class FakeGpio:
    """State behind the fake RPi.GPIO: numbering mode, pins set up, cleanup calls."""

    BOARD = 10
    BCM = 11
    OUT = 0
    IN = 1
    LOW = 0
    HIGH = 1
    PUD_OFF = 20
    PUD_DOWN = 21
    PUD_UP = 22

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget the mode, the pins and the calls (between tests)."""
        with self._lock:
            self.mode: int | None = None
            self.directions: dict[int, int] = {}
            self.levels: dict[int, int] = {}
            self.cleanups: list[tuple[int, ...] | None] = []

    def setmode(self, mode: int) -> None:
        with self._lock:
            if mode not in (self.BOARD, self.BCM):
                raise ValueError("An invalid mode was passed to setmode()")
            if self.mode is not None and self.mode != mode:
                raise ValueError("A different mode has already been set!")
            self.mode = mode

    def getmode(self) -> int | None:
        return self.mode

    def setwarnings(self, _flag: bool) -> None:
        pass

    def setup(self, channel: int | list[int], direction: int, **_kwargs: Any) -> None:
        with self._lock:
            if self.mode is None:
                raise RuntimeError(
                    "Please set pin numbering mode using GPIO.setmode(GPIO.BOARD) "
                    "or GPIO.setmode(GPIO.BCM)"
                )
            for pin in _channels(channel):
                self.directions[pin] = direction
                self.levels.setdefault(pin, self.LOW)
                if "initial" in _kwargs:
                    self.levels[pin] = int(_kwargs["initial"])

    def output(self, channel: int | list[int], value: int | bool) -> None:
        with self._lock:
            for pin in _channels(channel):
                if self.directions.get(pin) != self.OUT:
                    raise RuntimeError("The GPIO channel has not been set up as an OUTPUT")
                self.levels[pin] = int(bool(value))

    def input(self, channel: int) -> int:
        with self._lock:
            if channel not in self.directions:
                raise RuntimeError("You must setup() the GPIO channel first")
            return self.levels.get(channel, self.LOW)

    def cleanup(self, channel: int | list[int] | tuple[int, ...] | None = None) -> None:
        with self._lock:
            if channel is None:
                self.cleanups.append(None)
                self.directions.clear()
                self.levels.clear()
                self.mode = None
                return
            pins = tuple(_channels(channel))
            self.cleanups.append(pins)
            for pin in pins:
                self.directions.pop(pin, None)
                self.levels.pop(pin, None)


def _channels(channel: int | list[int] | tuple[int, ...]) -> list[int]:
    return list(channel) if isinstance(channel, (list, tuple)) else [channel]


gpio = FakeGpio()


def _build_modules() -> dict[str, types.ModuleType]:
    spidev = types.ModuleType("spidev", "Fake py-spidev backed by emulated MFRC522 chips.")
    spidev.SpiDev = SpiDev  # type: ignore[attr-defined]
    rpi = types.ModuleType("RPi", "Fake RPi package holding the fake GPIO module.")
    rpi_gpio = types.ModuleType("RPi.GPIO", "Fake RPi.GPIO recording pins in FakeGpio state.")
    for name in ("BOARD", "BCM", "OUT", "IN", "LOW", "HIGH", "PUD_OFF", "PUD_DOWN", "PUD_UP"):
        setattr(rpi_gpio, name, getattr(FakeGpio, name))
    for name in ("setmode", "getmode", "setwarnings", "setup", "output", "input", "cleanup"):
        setattr(rpi_gpio, name, getattr(gpio, name))
    rpi_gpio.RPI_INFO = {"P1_REVISION": 3, "TYPE": "Emulated"}  # type: ignore[attr-defined]
    rpi_gpio.VERSION = "0.7.1-emulated"  # type: ignore[attr-defined]
    rpi.GPIO = rpi_gpio  # type: ignore[attr-defined]
    return {"spidev": spidev, "RPi": rpi, "RPi.GPIO": rpi_gpio}


FAKE_MODULES = _build_modules()
# Names the mfrc522 library binds at import time, per module: global name -> fake module.
_LIBRARY_GLOBALS = {
    "mfrc522.MFRC522": {"GPIO": "RPi.GPIO", "spidev": "spidev"},
    "mfrc522.SimpleMFRC522": {"GPIO": "RPi.GPIO"},
}
_saved: list[dict[str, Any]] = []
_MISSING = object()


def install_fakes() -> None:
    """Put the fake spidev and RPi.GPIO in sys.modules (and in mfrc522 if already imported).

    Nested calls stack; each `uninstall_fakes()` undoes one.
    """
    with _lock:
        saved: dict[str, Any] = {}
        for name, module in FAKE_MODULES.items():
            saved[name] = sys.modules.get(name, _MISSING)
            sys.modules[name] = module
        for lib_name, names in _LIBRARY_GLOBALS.items():
            lib = sys.modules.get(lib_name)
            if lib is None:
                continue
            for global_name, fake_name in names.items():
                saved[f"{lib_name}:{global_name}"] = getattr(lib, global_name, _MISSING)
                setattr(lib, global_name, FAKE_MODULES[fake_name])
        _saved.append(saved)


def uninstall_fakes() -> None:
    """Undo the latest `install_fakes()`: put back what sys.modules and mfrc522 held before."""
    with _lock:
        if not _saved:
            return
        saved = _saved.pop()
        for key, previous in saved.items():
            if ":" in key:
                lib_name, global_name = key.split(":")
                lib = sys.modules.get(lib_name)
                if lib is not None and previous is not _MISSING:
                    setattr(lib, global_name, previous)
            elif previous is _MISSING:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = previous


@contextmanager
def fakes_installed() -> Iterator[FakeGpio]:
    """Fakes in place for the block; yields the fake GPIO state."""
    install_fakes()
    try:
        yield gpio
    finally:
        uninstall_fakes()


@contextmanager
def emulated_chip(
    chip: Mfrc522Chip | None = None, bus: int = 0, device: int = 0
) -> Iterator[Mfrc522Chip]:
    """Fakes installed, GPIO state fresh, and a chip attached at bus/device for the block."""
    chip = chip or Mfrc522Chip()
    with fakes_installed():
        gpio.reset()
        attach(chip, bus, device)
        try:
            yield chip
        finally:
            with _lock:
                if _chips.get((bus, device)) is chip:
                    del _chips[(bus, device)]

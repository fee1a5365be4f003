"""A reader that cannot work says so in one clear line and backs off: no log flood.

On x86, or on a Pi 5 with the old RPi.GPIO (which raises RuntimeError when imported), the
MFRC522 library cannot load. That is "absent", not "degraded", and never a traceback per poll.
"""

from __future__ import annotations

import errno
import importlib.abc
import importlib.machinery
import logging
import sys
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from hardware import mfrc522_driver
from hardware.badge import ReaderHealth
from hardware.emulation import emulated_chip
from hardware.mfrc522_reader import Mfrc522Reader
from hardware.wedge import WedgeReader
from tests.hardware.mfrc522_fixtures import Recorder, wait_until

_LIBRARY = ("mfrc522", "mfrc522.MFRC522", "mfrc522.SimpleMFRC522", "RPi", "RPi.GPIO")


class _BrokenGpio(importlib.abc.Loader, importlib.abc.MetaPathFinder):
    """Finds RPi.GPIO and fails to run it, as the real one does where it cannot work."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.imports = 0

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "RPi.GPIO":
            return None
        return importlib.machinery.ModuleSpec(name, self)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        self.imports += 1
        raise self.error


@contextmanager
def gpio_that_cannot_load(error: Exception) -> Iterator[_BrokenGpio]:
    """The real import path of the mfrc522 library, with an RPi.GPIO that raises on import."""
    with emulated_chip():  # fake spidev in place; RPi.GPIO is replaced below
        saved = {name: sys.modules.pop(name, None) for name in _LIBRARY}
        package = types.ModuleType("RPi")
        package.__path__ = []  # a package: RPi.GPIO is looked up through the finders
        sys.modules["RPi"] = package
        broken = _BrokenGpio(error)
        sys.meta_path.insert(0, broken)
        mfrc522_driver.driver_class.cache_clear()
        try:
            yield broken
        finally:
            sys.meta_path.remove(broken)
            for name in _LIBRARY:
                sys.modules.pop(name, None)
                if saved[name] is not None:
                    sys.modules[name] = saved[name]
            mfrc522_driver.driver_class.cache_clear()


class FakeTime:
    """A monotonic clock that a sleep moves forward: ten minutes pass in milliseconds."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.001)
        time.sleep(0.0002)  # let the test's thread look


def warnings_from(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("Cannot determine SOC peripheral base address"),  # a Pi 5, old RPi.GPIO
        ModuleNotFoundError("No module named 'RPi.GPIO'"),  # x86
    ],
    ids=["runtime-error", "import-error"],
)
def test_mfrc522_without_gpio_is_absent_in_one_line_and_backs_off(caplog, error):
    caplog.set_level(logging.DEBUG)
    clock, seen = FakeTime(), Recorder()
    with gpio_that_cannot_load(error) as broken:
        reader = Mfrc522Reader(poll_interval=0.1, monotonic=clock.monotonic, sleep=clock.sleep)
        reader.start(seen.on_badge, seen.on_health)
        try:
            wait_until(lambda: clock.now >= 600, timeout=10, what="ten minutes of polling")
        finally:
            reader.close()
    assert seen.healths == [ReaderHealth.ABSENT]
    assert reader.health is ReaderHealth.ABSENT
    [line] = warnings_from(caplog, "hardware.mfrc522_reader")
    assert "rpi-lgpio" in line.getMessage() and "RPi.GPIO" in line.getMessage()
    assert line.exc_info is None  # one line, no traceback
    assert not any(r.exc_info for r in caplog.records)
    # 6 000 polls in ten minutes at 0.1 s; a library that cannot load is tried a few times.
    assert 3 <= broken.imports <= 20
    assert max(clock.sleeps) >= 30


def test_mfrc522_surprise_in_every_poll_logs_one_traceback_then_counts(caplog):
    class Confused:
        calls = 0

        def version(self) -> int:  # answers when connected, then every poll is a surprise
            Confused.calls += 1
            if Confused.calls == 1:
                return 0x92
            raise ValueError("the bus is confused")

        def reopen(self) -> None:
            pass

        def send_wupa(self) -> None:
            pass

        def release(self) -> None:
            pass

    caplog.set_level(logging.DEBUG)
    with Mfrc522Reader(poll_interval=0.001, error_threshold=10_000, driver=Confused) as reader:
        reader.start(lambda _read: None)
        wait_until(lambda: reader.polls >= 300, what="300 polls")
    loud = warnings_from(caplog, "hardware.mfrc522_reader")
    assert sum(1 for r in loud if r.exc_info) == 1
    assert len(loud) <= 3
    assert reader.stats.errors >= 250  # counted, all the same


def test_wedge_missing_device_says_so_once(caplog):
    caplog.set_level(logging.DEBUG)
    tries = threading.Semaphore(0)

    def open_device(path: str) -> Any:
        tries.release()
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)

    with WedgeReader("/dev/wedge", open_device=open_device, retry_seconds=0.001) as reader:
        reader.start(lambda _read: None)
        for _ in range(30):
            assert tries.acquire(timeout=5)
    [line] = warnings_from(caplog, "hardware.wedge")
    assert "/dev/wedge" in line.getMessage() and "not there" in line.getMessage()

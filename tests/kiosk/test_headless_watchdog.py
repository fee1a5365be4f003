"""The headless door speaks systemd's notify protocol too: READY once it reads badges, and
watchdog pings from its loop, which fall silent while the loop is stuck in a tap."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from hardware.feedback import QuietIndicator, Signal
from hardware.simulated import SimulatedReader
from kiosk.decide import DoorRules
from kiosk.headless import HeadlessDoor
from sync.journal import Journal
from sync.roster import DoorData
from tests.hardware.mfrc522_fixtures import wait_until
from tests.kiosk.test_notify import NotifyListener, gaps

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 0.4  # WATCHDOG_USEC=400000
HALF = INTERVAL / 2
SLACK = 0.05
BADGE = "04778899"
DATA = DoorData.from_dict(
    {"participants": [{"id": "p-olena", "display_name": "Olena"}],
     "badges": [{"uid": BADGE, "holder_id": "p-olena"}]}
)  # fmt: skip


class StampedOut(io.StringIO):
    """The door's output, with when each line was written."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.stamps.append((time.time(), text))
        return super().write(text)


class StuckFeedback(QuietIndicator):
    """LEDs whose first signal hangs for a while, as a GPIO write that blocks would."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.stuck: list[float] = []

    def show(self, signal: Signal) -> None:
        super().show(signal)
        if len(self.shown) == 1:
            self.stuck.append(time.time())
            time.sleep(self.seconds)
            self.stuck.append(time.time())


@contextmanager
def headless_door(
    tmp_path: Path, listener: NotifyListener, feedback: QuietIndicator, out: io.StringIO
) -> Iterator[Path]:
    """The door's loop on a thread, as `prikklok kiosk --headless` runs it on its main one;
    yields the reader's socket."""
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-1")
    journal.store_door_data(DATA, source="test")
    taps = listener.folder / "taps.sock"
    reader = SimulatedReader(socket_path=taps)
    door = HeadlessDoor(journal=journal, reader=reader, feedback=feedback,
                        rules=DoorRules(), out=out)  # fmt: skip
    loop = threading.Thread(target=door.run, kwargs={"install_signals": False})
    loop.start()
    try:
        yield taps
    finally:
        door.stop()
        loop.join(timeout=5)
    assert not loop.is_alive()


@pytest.fixture
def watched(listener: NotifyListener, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(listener.path))
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)


def tap(taps: Path, uid: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(taps))
        s.sendall(f"{uid}\n".encode())


@pytest.mark.usefixtures("watched")
def test_headless_door_says_ready_once_then_pings_every_half_interval(
    tmp_path: Path, listener: NotifyListener
) -> None:
    out = StampedOut()
    with headless_door(tmp_path, listener, QuietIndicator(), out) as taps:
        wait_until(lambda: listener.times("READY=1") != [], what="READY=1")
        tap(taps, BADGE)  # taps in between do not hold the pings back
        time.sleep(1.2)
        end = time.time()
    ready = listener.times("READY=1")
    pings = [at for at in listener.times("WATCHDOG=1") if at < end]
    assert len(ready) == 1
    said, first_line = out.stamps[0]
    assert first_line.startswith("prikklok — ") and said < ready[0]  # reading badges first
    assert "Welkom, Olena!" in out.getvalue()
    measured = gaps([*ready, *pings, end])
    assert max(measured) <= HALF + SLACK, measured


@pytest.mark.usefixtures("watched")
def test_headless_door_stuck_in_a_tap_falls_silent_and_pings_resume_after(
    tmp_path: Path, listener: NotifyListener
) -> None:
    feedback = StuckFeedback(seconds=1.5)
    with headless_door(tmp_path, listener, feedback, io.StringIO()) as taps:
        wait_until(lambda: listener.times("READY=1") != [], what="READY=1")
        time.sleep(0.5)
        tap(taps, BADGE)
        wait_until(lambda: len(feedback.stuck) == 2, timeout=5, what="the end of the hang")
        time.sleep(0.6)
    start, end = feedback.stuck
    pings = listener.times("WATCHDOG=1")
    assert [at for at in pings if at <= start]
    assert not [at for at in pings if start < at < end]
    after = [at for at in pings if at >= end]
    assert len(after) >= 3 and after[0] - end <= HALF + SLACK
    assert max(gaps(after)) <= HALF + SLACK


def test_headless_door_without_a_watchdog_sends_only_ready(
    tmp_path: Path, listener: NotifyListener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(listener.path))
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)  # no WatchdogSec= in the unit
    with headless_door(tmp_path, listener, QuietIndicator(), io.StringIO()):
        wait_until(lambda: listener.times("READY=1") != [], what="READY=1")
        time.sleep(0.5)
    assert [text for _, text in listener.drain()] == ["READY=1"]


CONFIG = """\
[kiosk]
id = "headless-door"
data_dir = "."
door_data_file = "door-data.json"

[reader]
kind = "simulated"
simulated_stdin = false
simulated_socket = "taps.sock"

[feedback]
enabled = false

[log]
level = "warning"
"""


def test_prikklok_kiosk_headless_says_ready_and_pings_as_systemd_expects(
    tmp_path: Path, listener: NotifyListener
) -> None:
    from server.demo.data import door_data

    (tmp_path / "prikklok.toml").write_text(CONFIG, "utf-8")
    data = json.dumps(door_data(date.today()), ensure_ascii=False)
    (tmp_path / "door-data.json").write_text(data, "utf-8")
    env = os.environ | {"NOTIFY_SOCKET": str(listener.path), "WATCHDOG_USEC": "400000",
                        "PYTHONPATH": str(ROOT)}  # fmt: skip
    command = [sys.executable, "-m", "prikklok", "kiosk", "--headless", "--config", "prikklok.toml"]
    process = subprocess.Popen(
        ["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh", *command],  # as systemd sets it
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: listener.times("READY=1") != [], timeout=20, what="READY=1")
        time.sleep(1.0)
        end = time.time()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    ready = listener.times("READY=1")
    pings = [at for at in listener.times("WATCHDOG=1") if at < end]
    assert len(ready) == 1
    measured = gaps([*ready, *pings, end])
    assert max(measured) <= HALF + SLACK, measured

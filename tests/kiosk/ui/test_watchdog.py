"""systemd's READY and watchdog against the real app: a datagram socket stands in for
systemd's notify socket, and the kernel stamps when each message arrived.

WATCHDOG_USEC=400000 (0.4 s) here, WatchdogSec=30 on the Pi: systemd wants a ping within
every interval and sd_watchdog_enabled(3) asks for one every half interval at the least.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing
from datetime import date
from pathlib import Path

import pytest
from kivy.clock import Clock
from kivy.core.window import Window

from hardware.simulated import SimulatedReader
from tests.kiosk.test_notify import NotifyListener, gaps
from tests.kiosk.ui.conftest import PEOPLE, Doorway, running_kiosk

ROOT = Path(__file__).resolve().parents[3]
INTERVAL = 0.4
HALF = INTERVAL / 2
SLACK = 0.05  # a frame (30 fps) and a busy test machine; still far inside the interval
WATCHED = {"WATCHDOG_USEC": str(round(INTERVAL * 1_000_000))}


@pytest.fixture
def flips() -> Iterator[list[float]]:
    """When each frame went to the (offscreen) glass: on_flip, just before the swap."""
    times: list[float] = []

    def flipped(*_: object) -> None:
        times.append(time.time())

    Window.bind(on_flip=flipped)
    try:
        yield times
    finally:
        Window.unbind(on_flip=flipped)


Start = Callable[..., AbstractContextManager[Doorway]]


@pytest.fixture
def kiosk(tmp_path: Path, listener: NotifyListener, monkeypatch: pytest.MonkeyPatch) -> Start:
    """The real app in systemd's environment (`NAME=None` unsets one); running_kiosk
    returns once the waiting screen is drawn."""

    def start(**env: str | None) -> AbstractContextManager[Doorway]:
        env = {"NOTIFY_SOCKET": str(listener.path), "WATCHDOG_PID": None} | env
        for name, value in env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        socket_path = tmp_path / "taps.sock"
        return running_kiosk(tmp_path, SimulatedReader(socket_path=socket_path), socket_path)

    return start


def test_ready_once_after_the_waiting_screen_is_drawn_then_pings_every_half_interval(
    kiosk: Start, listener: NotifyListener, flips: list[float]
) -> None:
    with kiosk(**WATCHED) as door:
        assert door.stage.app.manager.current == "waiting"
        door.stage.pump(1.5)
        end = time.time()
    for _ in range(12):  # the clock turns on after the app stopped: its pings do not
        Clock.tick()
    ready = listener.times("READY=1")
    pings = listener.times("WATCHDOG=1")
    assert pings[-1] < end + HALF
    assert len(ready) == 1
    assert flips and flips[0] < ready[0]  # the waiting screen was on the glass first
    assert pings[0] > ready[0]  # the watchdog counts from READY
    measured = gaps([*ready, *pings, end])
    assert max(measured) <= HALF + SLACK, measured


def test_a_hung_ui_loop_falls_silent_and_pings_resume_after(
    kiosk: Start, listener: NotifyListener
) -> None:
    hang: list[float] = []

    def freeze(_dt: float) -> None:
        hang.append(time.time())
        time.sleep(2.0)  # a frozen UI: systemd (0.4 s here) would restart the kiosk
        hang.append(time.time())

    with kiosk(**WATCHED) as door:
        door.stage.pump(0.5)
        Clock.schedule_once(freeze, 0)
        door.stage.wait_for(lambda: len(hang) == 2, 5.0, "the end of the hang")
        door.stage.pump(0.6)
    start, end = hang
    pings = listener.times("WATCHDOG=1")
    before = [at for at in pings if at <= start]
    after = [at for at in pings if at >= end]
    assert before and after
    assert not [at for at in pings if start < at < end]  # silent while the loop hangs
    assert after[0] - end <= HALF + SLACK  # back as soon as the loop turns again
    assert max(gaps(after)) <= HALF + SLACK and len(after) >= 3


def test_no_pings_when_the_watchdog_is_meant_for_another_process(
    kiosk: Start, listener: NotifyListener
) -> None:
    with kiosk(**WATCHED, WATCHDOG_PID="1") as door:
        door.stage.pump(0.8)
    assert [text for _, text in listener.drain()] == ["READY=1"]


def test_without_a_notify_socket_the_kiosk_runs_and_sends_nothing(
    kiosk: Start, listener: NotifyListener
) -> None:
    with kiosk(**WATCHED, NOTIFY_SOCKET=None) as door:
        assert "NOTIFY_SOCKET" not in os.environ
        door.tap(PEOPLE["ar"][2])
        door.stage.wait_for_screen("welcome")  # the loop goes on as ever
        door.stage.pump(0.5)
    assert listener.drain() == []


# -- the real command, as systemd starts it -----------------------------------------------

CONFIG = """\
[kiosk]
id = "watchdog-door"
data_dir = "."
door_data_file = "door-data.json"

[reader]
kind = "simulated"
simulated_stdin = false
simulated_socket = "taps.sock"

[feedback]
enabled = false

[screen]
sound = false

[log]
level = "warning"
"""

# The real command, plus one thing a test needs: SIGUSR1 blocks the main thread (Python runs
# signal handlers there) for a while, as a stuck UI would; the reader thread goes on.
FREEZE_ON_USR1 = """\
import runpy, signal, sys, time
signal.signal(signal.SIGUSR1, lambda *_: time.sleep(2.0))
sys.argv = ["prikklok", *sys.argv[1:]]
runpy.run_module("prikklok", run_name="__main__")
"""


def kiosk_folder(folder: Path) -> Path:
    from server.demo.data import door_data

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prikklok.toml").write_text(CONFIG, "utf-8")
    data = json.dumps(door_data(date.today()), ensure_ascii=False)
    (folder / "door-data.json").write_text(data, "utf-8")
    return folder


def spawn(folder: Path, listener: NotifyListener, *python: str) -> subprocess.Popen[bytes]:
    """`prikklok kiosk --offscreen` as systemd runs it: WATCHDOG_PID is the main process's
    own pid (`exec` keeps the shell's)."""
    env = os.environ | WATCHED | {"NOTIFY_SOCKET": str(listener.path), "PYTHONPATH": str(ROOT)}
    command = [*python, "kiosk", "--offscreen", "--config", "prikklok.toml"]
    with (folder / "kiosk.log").open("wb") as log:  # stderr: what journald would keep
        return subprocess.Popen(
            ["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh", *command],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def wait_for_ready(listener: NotifyListener, process: subprocess.Popen[bytes]) -> float:
    end = time.monotonic() + 20
    while not (ready := listener.times("READY=1")):
        assert process.poll() is None, "the kiosk exited before READY=1"
        assert time.monotonic() < end, "no READY=1 within 20 s"
        time.sleep(0.02)
    return ready[0]


def stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def test_prikklok_kiosk_says_ready_once_and_pings_every_half_interval(
    tmp_path: Path, listener: NotifyListener
) -> None:
    process = spawn(kiosk_folder(tmp_path / "door"), listener, sys.executable, "-m", "prikklok")
    try:
        ready = wait_for_ready(listener, process)
        time.sleep(1.5)
        end = time.time()
    finally:
        assert stop(process) == 0
    pings = [at for at in listener.times("WATCHDOG=1") if ready < at < end]
    assert len(listener.times("READY=1")) == 1
    measured = gaps([ready, *pings, end])
    assert max(measured) <= HALF + SLACK, measured


def test_prikklok_kiosk_with_a_frozen_ui_stops_pinging_while_taps_still_reach_the_journal(
    tmp_path: Path, listener: NotifyListener
) -> None:
    from server.demo.data import DEMO_KEYS

    folder = kiosk_folder(tmp_path / "door")
    process = spawn(folder, listener, sys.executable, "-c", FREEZE_ON_USR1)
    try:
        wait_for_ready(listener, process)
        time.sleep(0.5)
        start = time.time()
        process.send_signal(signal.SIGUSR1)  # the UI thread is stuck for 2 s from here
        time.sleep(0.3)
        tap(folder, DEMO_KEYS[0])  # the reader thread still commits the tap
        assert wait_for_check_in(folder / "journal.db", before=start + 1.8)
        time.sleep(max(0.0, start + 2.0 - time.time()) + 0.8)  # the hang ends; pings again
    finally:
        assert stop(process) == 0
    pings = listener.times("WATCHDOG=1")
    silent = [at for at in pings if start + 0.05 < at < start + 1.95]
    assert not silent
    before = [at for at in pings if at <= start + 0.05]
    after = [at for at in pings if at >= start + 1.95]
    assert before and len(after) >= 3
    assert after[0] - (start + 2.0) <= HALF + SLACK  # back as soon as the loop turns again
    assert max(gaps(after)) <= HALF + SLACK


def test_prikklok_kiosk_ended_by_systemd_for_a_frozen_ui_logs_where_it_hung(
    tmp_path: Path, listener: NotifyListener
) -> None:
    folder = kiosk_folder(tmp_path / "door")
    process = spawn(folder, listener, sys.executable, "-c", FREEZE_ON_USR1)
    try:
        wait_for_ready(listener, process)
        process.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
        process.send_signal(signal.SIGABRT)  # systemd's WatchdogSignal= after WatchdogSec=
        assert process.wait(10) == -signal.SIGABRT
    finally:
        stop(process)
    log = (folder / "kiosk.log").read_text()
    assert "Fatal Python error: Aborted" in log
    assert 'File "<string>", line 2 in <lambda>' in log  # the freeze, on the UI's stack
    assert "kivy/base.py" in log  # ... inside Kivy's main loop


def tap(folder: Path, uid: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(folder / "taps.sock"))
        s.sendall(f"{uid}\n".encode())


def wait_for_check_in(journal: Path, *, before: float) -> bool:
    """Whether a check-in is in the journal before the wall-clock time `before`."""
    while time.time() < before:
        with closing(sqlite3.connect(f"file:{journal}?mode=ro", uri=True)) as db:
            if db.execute("SELECT 1 FROM records WHERE kind = 'check_in'").fetchone():
                return True
        time.sleep(0.05)
    return False

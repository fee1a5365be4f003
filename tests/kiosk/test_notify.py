"""The notify protocol against a real datagram socket, as systemd listens; and the watchdog's
timing: whether systemd watches us, and how often to ping."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kiosk.notify import notify
from kiosk.watchdog import PingPacer, Watchdog

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; Python does not name it


class NotifyListener:
    """Where systemd would listen: a thread reads every datagram as it comes (the kernel
    queues only a few, net.unix.max_dgram_qlen) and keeps it with the kernel's arrival time
    on the wall clock, so a test still knows when each came while its own thread was busy."""

    def __init__(self) -> None:
        # A socket path holds at most 107 bytes: pytest's tmp_path can be longer.
        self.folder = Path(tempfile.mkdtemp(prefix="notify-", dir="/tmp"))
        self.path = self.folder / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.settimeout(0.05)
        self._received: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="notify-listener", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._closed.is_set():
            try:
                data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(16))
            except TimeoutError:
                continue
            stamps = [d for _level, kind, d in ancillary if kind == SO_TIMESTAMPNS]
            seconds, nanoseconds = struct.unpack("qq", stamps[0])
            with self._lock:
                self._received.append((seconds + nanoseconds / 1e9, data.decode()))

    def drain(self) -> list[tuple[float, str]]:
        """Everything received so far, after a moment for what is still in flight."""
        time.sleep(0.06)
        with self._lock:
            return list(self._received)

    def times(self, message: str) -> list[float]:
        return [at for at, text in self.drain() if text == message]

    def close(self) -> None:
        self._closed.set()
        self._thread.join()
        self.sock.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_notify_sends_the_message_to_the_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        assert notify("READY=1", env={"NOTIFY_SOCKET": str(path)})
        assert listener.recv(100) == b"READY=1"


def test_notify_reaches_an_abstract_socket() -> None:
    name = f"prikklok-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        assert notify("WATCHDOG=1", env={"NOTIFY_SOCKET": "@" + name})
        assert listener.recv(100) == b"WATCHDOG=1"


def test_notify_without_a_socket_does_nothing() -> None:
    assert not notify("READY=1", env={})


def test_notify_to_a_vanished_socket_is_not_an_error(tmp_path: Path) -> None:
    assert not notify("READY=1", env={"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})


def test_notify_to_a_listener_that_stopped_reading_never_blocks() -> None:
    folder = Path(tempfile.mkdtemp(prefix="notify-", dir="/tmp"))
    path = folder / "full.sock"
    env = {"NOTIFY_SOCKET": str(path)}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as stuck:
            stuck.bind(str(path))
            sent = 0
            while notify("WATCHDOG=1", env=env):  # until its queue is full
                sent += 1
                assert sent < 100_000
            start = time.monotonic()
            assert not notify("WATCHDOG=1", env=env)  # dropped at once: the UI goes on
            assert time.monotonic() - start < 0.1
            stuck.setblocking(False)
            assert [stuck.recv(100) for _ in range(sent)] == [b"WATCHDOG=1"] * sent
    finally:
        shutil.rmtree(folder, ignore_errors=True)


SOCKET = {"NOTIFY_SOCKET": "/run/systemd/notify"}


@pytest.mark.parametrize(
    ("env", "interval"),
    [
        (SOCKET | {"WATCHDOG_USEC": "30000000"}, 30.0),
        (SOCKET | {"WATCHDOG_USEC": "400000", "WATCHDOG_PID": "4242"}, 0.4),  # our pid
        (SOCKET | {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # another's
        (SOCKET | {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "x"}, None),
        (SOCKET | {"WATCHDOG_USEC": "0"}, None),
        (SOCKET | {"WATCHDOG_USEC": "soon"}, None),
        (SOCKET, None),  # no WatchdogSec= in the unit
        ({"WATCHDOG_USEC": "30000000"}, None),  # nowhere to send a ping
    ],
)
def test_watchdog_is_on_only_when_systemd_watches_this_process(
    env: dict[str, str], interval: float | None
) -> None:
    watchdog = Watchdog.from_env(env, pid=4242)
    assert (watchdog.interval if watchdog else None) == interval


def test_watchdog_pings_well_within_half_the_interval() -> None:
    watchdog = Watchdog.from_env(SOCKET | {"WATCHDOG_USEC": "30000000"})
    assert watchdog is not None and watchdog.ping_every == 7.5  # WatchdogSec=30


class HeldTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_ping_pacer_pings_when_due_and_says_how_long_to_wait() -> None:
    clock, pings = HeldTime(), []
    pacer = PingPacer(Watchdog(interval=4.0), lambda: pings.append(clock.now), monotonic=clock)
    assert pacer.wait() == 1.0
    clock.now += 0.6
    pacer.tick()
    assert pings == [] and pacer.wait() == pytest.approx(0.4)
    clock.now += 0.5  # a little late: the loop was busy with a tap
    pacer.tick()
    assert pings == [101.1] and pacer.wait() == 1.0  # counted from the ping sent
    clock.now += 5.0  # a hung loop pings once when it comes back, not five times
    pacer.tick()
    assert pings == [101.1, 106.1]


def test_ping_pacer_without_a_watchdog_never_pings_and_never_hurries() -> None:
    clock, pings = HeldTime(), []
    pacer = PingPacer(None, lambda: pings.append(clock.now), monotonic=clock)
    clock.now += 1000
    pacer.tick()
    assert pacer.wait() is None and pings == []

"""The simulated reader: lines from stdin, a FIFO and a Unix socket become taps."""

from __future__ import annotations

import io
import logging
import os
import queue
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.badge import BadgeRead, ReaderHealth
from hardware.simulated import MAX_LINE_BYTES, SimulatedReader


class Taps:
    """Collects badge reads from the reader's threads."""

    def __init__(self) -> None:
        self.reads: queue.SimpleQueue[BadgeRead] = queue.SimpleQueue()

    def on_badge(self, read: BadgeRead) -> None:
        self.reads.put(read)

    def next(self) -> str:
        return self.reads.get(timeout=3.0).uid

    def take(self, n: int) -> list[str]:
        return [self.next() for _ in range(n)]


@pytest.fixture
def taps() -> Taps:
    return Taps()


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    # Unix socket paths are limited to ~108 bytes; pytest's tmp_path can be longer.
    path = Path(tempfile.mkdtemp(prefix="pk-"))
    try:
        yield path
    finally:
        shutil.rmtree(path)


def write_fifo(fifo: Path, text: str) -> None:
    """A separate process writes and closes, like `echo 04A1B2C3 > fifo` in a shell."""
    subprocess.run(["sh", "-c", f"printf '{text}' > '{fifo}'"], check=True, timeout=5)


def test_simulated_stdin_lines_tap_in_order(taps):
    stdin = io.StringIO("04A1B2C3\n04:a1:b2:c4\n04-A1-B2-C5\n04 A1 B2 C6 D7 E8 F9\n")
    with SimulatedReader(stdin=stdin) as reader:
        reader.start(taps.on_badge)
        assert taps.take(4) == ["04A1B2C3", "04A1B2C4", "04A1B2C5", "04A1B2C6D7E8F9"]
        assert reader.stats.taps == 4


def test_simulated_reads_carry_source_and_clock(taps):
    with SimulatedReader(stdin=io.StringIO("04A1B2C3\n"), monotonic=lambda: 7.5) as reader:
        reader.start(taps.on_badge)
        assert taps.reads.get(timeout=3.0) == BadgeRead("04A1B2C3", "simulated", 7.5)


def test_simulated_comments_and_blanks_ignored_silently(taps, caplog):
    stdin = io.StringIO("# the morning shift\n\n   \n04A1B2C3\n")
    with SimulatedReader(stdin=stdin) as reader:
        reader.start(taps.on_badge)
        assert taps.next() == "04A1B2C3"
        assert reader.stdin_ended.wait(3.0)
    assert reader.stats.garbled == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("line", ["hello", "04A1B2C", "0102", "04A1B2C3Z9", "x" * 1000])
def test_simulated_garbled_line_counted_and_not_echoed(taps, caplog, line):
    with SimulatedReader(stdin=io.StringIO(f"{line}\n04A1B2C3\n")) as reader:
        reader.start(taps.on_badge)
        assert taps.next() == "04A1B2C3"
    assert reader.stats.garbled == 1
    assert line not in caplog.text


def test_simulated_stdin_end_calls_on_eof(taps):
    ended = threading.Event()
    reader = SimulatedReader(stdin=io.StringIO("04A1B2C3\n"), on_eof=ended.set)
    with reader:
        reader.start(taps.on_badge)
        assert ended.wait(3.0)
        assert reader.stdin_ended.is_set()


def test_simulated_stdin_pipe_reads_until_writer_closes(taps):
    r, w = os.pipe()
    with os.fdopen(r, "r") as stdin, SimulatedReader(stdin=stdin) as reader:
        reader.start(taps.on_badge)
        os.write(w, b"04A1B2C3\n04A1")
        assert taps.next() == "04A1B2C3"
        os.write(w, b"B2C4")
        os.close(w)  # the last line had no newline: it still counts
        assert taps.next() == "04A1B2C4"
        assert reader.stdin_ended.wait(3.0)


def test_simulated_fifo_created_and_read_twice(taps, tmp_path):
    fifo = tmp_path / "badges"
    with SimulatedReader(fifo=fifo) as reader:
        reader.start(taps.on_badge)
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        write_fifo(fifo, "04A1B2C3\\n")
        assert taps.next() == "04A1B2C3"
        write_fifo(fifo, "04A1B2C4")  # echo -n: no newline
        assert taps.next() == "04A1B2C4"
    assert fifo.exists()  # left for the next run: a writer must not create a plain file


def test_simulated_fifo_path_that_is_a_file_refused(taps, tmp_path):
    path = tmp_path / "badges"
    path.write_text("")
    reader = SimulatedReader(fifo=path)
    with pytest.raises(ValueError, match="not a FIFO"):
        reader.start(taps.on_badge)
    reader.close()


def test_simulated_socket_client_taps(taps, short_tmp):
    path = short_tmp / "reader.sock"
    with SimulatedReader(socket_path=path) as reader:
        reader.start(taps.on_badge)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        for payload in (b"04A1B2C3\n# note\n04A1B2C4\n", b"04A1B2C5"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(str(path))
                client.sendall(payload)
        assert taps.take(3) == ["04A1B2C3", "04A1B2C4", "04A1B2C5"]


def test_simulated_close_removes_socket(taps, short_tmp):
    path = short_tmp / "reader.sock"
    reader = SimulatedReader(socket_path=path)
    reader.start(taps.on_badge)
    reader.close()
    reader.close()
    assert not path.exists()


def test_simulated_stale_socket_replaced(taps, short_tmp):
    path = short_tmp / "reader.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as leftover:
        leftover.bind(str(path))  # bound, never listening: what a crash leaves behind
    with SimulatedReader(socket_path=path) as reader:
        reader.start(taps.on_badge)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(path))
            client.sendall(b"04A1B2C3\n")
        assert taps.next() == "04A1B2C3"


def test_simulated_live_socket_not_stolen(taps, short_tmp):
    path = short_tmp / "reader.sock"
    with SimulatedReader(socket_path=path) as first:
        first.start(taps.on_badge)
        second = SimulatedReader(socket_path=path)
        with pytest.raises(RuntimeError, match="listening"):
            second.start(taps.on_badge)
        second.close()
        assert path.exists()


def test_simulated_close_is_prompt_with_idle_fifo_and_socket(taps, tmp_path, short_tmp):
    reader = SimulatedReader(fifo=tmp_path / "badges", socket_path=short_tmp / "r.sock")
    reader.start(taps.on_badge)
    started = time.monotonic()
    reader.close()
    assert time.monotonic() - started < 0.5
    assert not [t for t in threading.enumerate() if t.name.startswith("simulated")]


def test_simulated_health_always_ok(taps):
    seen: list[ReaderHealth] = []
    with SimulatedReader(stdin=io.StringIO("")) as reader:
        reader.start(taps.on_badge, seen.append)
        assert reader.stdin_ended.wait(3.0)
        assert reader.health is ReaderHealth.OK
    assert seen == [ReaderHealth.OK]


def test_simulated_overlong_line_without_newline_is_one_garbled(taps):
    r, w = os.pipe()
    with os.fdopen(r, "r") as stdin, SimulatedReader(stdin=stdin) as reader:
        reader.start(taps.on_badge)
        os.write(w, b"7" * (MAX_LINE_BYTES * 3) + b"\n04A1B2C3\n")
        os.close(w)
        assert taps.next() == "04A1B2C3"
    assert reader.stats.garbled == 1


def test_simulated_survives_failing_callback():
    got: queue.SimpleQueue[str] = queue.SimpleQueue()

    def on_badge(read: BadgeRead) -> None:
        if read.uid == "04A1B2C3":
            raise RuntimeError("bug downstream")
        got.put(read.uid)

    with SimulatedReader(stdin=io.StringIO("04A1B2C3\n04A1B2C4\n")) as reader:
        reader.start(on_badge)
        assert got.get(timeout=3.0) == "04A1B2C4"
    assert reader.stats.errors == 1


def test_stdin_from_dev_null_ends_at_once_instead_of_failing() -> None:
    ended = threading.Event()
    with open(os.devnull) as null, SimulatedReader(stdin=null, on_eof=ended.set) as reader:
        reader.start(lambda _read: None)
        assert ended.wait(5)

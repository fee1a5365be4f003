"""A journal that cannot be written: refused at start in one line, never a crash in the
door's loop, and a full disk gets its own answer (go to the supervisor) after the reserve
kept for taps is used up. Real file systems: a read-only bind mount, a 2 MB tmpfs."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hardware.feedback import QuietIndicator, Signal
from hardware.simulated import SimulatedReader
from kiosk.decide import DoorRules
from kiosk.door import Door, DoorFailure
from kiosk.headless import HeadlessDoor
from sync.clock import SystemClock
from sync.disk import Reserve, WriteTrouble, room
from sync.journal import Journal
from sync.roster import DoorData
from tests.hardware.mfrc522_fixtures import wait_until

ROOT = Path(__file__).resolve().parents[2]
AMAL, SANNE = "04A1B2C3", "04D4E5F6"
DATA = DoorData.from_dict(
    {"participants": [{"id": "p-amal", "display_name": "Amal", "language": "ar"},
                      {"id": "p-sanne", "display_name": "Sanne"}],
     "badges": [{"uid": AMAL, "holder_id": "p-amal"}, {"uid": SANNE, "holder_id": "p-sanne"}]}
)  # fmt: skip


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The journal file read-only, its folder writable: as `chmod 444` is for a kiosk user
    (the tests run as root, whom modes do not stop; a read-only bind mount does)."""
    mount("--bind", str(path), str(path))
    try:
        mount("-o", "remount,bind,ro", str(path))
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 2 MB file system of its own, so "disk full" is SQLite's real SQLITE_FULL."""
    folder = Path(tempfile.mkdtemp(prefix="prikklok-disk-"))
    mount("-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()


def fill(folder: Path) -> None:
    """Write a file until the disk says no more."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError:
        pass
    finally:
        os.close(fd)


def new_journal(path: Path) -> None:
    with Journal(path, kiosk_id="door-1") as journal:
        journal.store_door_data(DATA, source="test")


def loud(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_read_only_journal_is_refused_at_start_in_one_line(tmp_path: Path) -> None:
    new_journal(tmp_path / "journal.db")
    config = tmp_path / "p.toml"
    config.write_text(
        f'[kiosk]\nid = "door-1"\ndata_dir = "{tmp_path}"\n[reader]\nkind = "simulated"\n'
    )
    with read_only(tmp_path / "journal.db"):
        done = subprocess.run(
            [sys.executable, "-m", "prikklok", "kiosk", "--headless", "--config", str(config)],
            capture_output=True, text=True, timeout=60, cwd=ROOT, input="",
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "journal cannot be written (read_only)" in line, done.stderr
    assert "Traceback" not in done.stderr


def test_headless_door_on_a_read_only_journal_sends_to_the_supervisor_and_stays_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "journal.db"
    new_journal(path)
    out, feedback, ended = io.StringIO(), QuietIndicator(), []
    with read_only(path):
        reader = SimulatedReader()
        door = HeadlessDoor(journal=Journal(path, kiosk_id="door-1"), reader=reader,
                            feedback=feedback, rules=DoorRules(), out=out)  # fmt: skip
        loop = threading.Thread(target=lambda: ended.append(door.run(install_signals=False)))
        loop.start()
        try:
            for uid in (AMAL, SANNE, AMAL):
                reader.tap(uid)
            wait_until(lambda: out.getvalue().count("Je prik is niet bewaard.") == 3, what="3")
        finally:
            door.stop()
            loop.join(timeout=5)
    assert ended == [0]  # the loop ended because it was asked to, not by a crash
    text = out.getvalue()
    assert "☛ Je prik is niet bewaard." in text and "(ar) لم يُحفظ تسجيلك." in text
    assert "Ga nu naar je begeleider." in text
    assert "Prikken worden niet bewaard: journaal alleen-lezen" in text
    assert feedback.shown.count(Signal.NOT_SAVED) == 3
    [line] = loud(caplog)  # the reader's health, then three taps: said once
    assert "read_only" in line.getMessage() and line.exc_info is None
    assert AMAL not in caplog.text


def test_full_disk_gives_the_reserve_to_the_taps_then_sends_to_the_supervisor(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = small_disk / "journal.db"
    new_journal(path)
    journal = Journal(path, kiosk_id="door-1")
    reserve = Reserve(path, size=128 * 1024)
    feedback = QuietIndicator()
    door = Door(journal=journal, clock=SystemClock(), feedback=feedback, reserve=reserve)
    assert reserve.held()
    fill(small_disk)
    assert room(path).free_bytes < 8192
    saved = 0
    with pytest.raises(DoorFailure) as failed:
        for _ in range(1000):
            door.tap(AMAL if saved % 2 else SANNE)  # in, out, in, … on the reserve's space
            saved += 1
    assert saved >= 3, "the reserve took the first taps after the disk filled"
    assert door.reserve_released and not reserve.held()
    assert failed.value.trouble is WriteTrouble.DISK_FULL
    assert feedback.shown[-1] is Signal.NOT_SAVED
    assert journal.last_seq() == saved  # every welcomed tap is in the journal
    for _ in range(5):
        with pytest.raises(DoorFailure):
            door.tap(SANNE)
    assert len(loud(caplog)) == 1  # said once, not once per tap
    (small_disk / "filler").unlink()
    door.tap(SANNE)  # space again: taps are saved, the reserve is held again
    assert reserve.held() and not door.reserve_released and door.write_trouble is None
    journal.close()

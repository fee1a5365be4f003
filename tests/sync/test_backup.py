"""The nightly journal backup: SQLite's backup API on a live journal, checked, the newest kept,
and the documented restore (copy a backup over the journal) gives a journal that goes on."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync.backup import BackupError, backup_journal, backups
from sync.journal import Journal
from tests.sync.taps import tap

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)


def prikklok(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prikklok", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def kiosk_config(tmp_path: Path, kiosk_id: str = "door-1") -> Path:
    config = tmp_path / "prikklok.toml"
    config.write_text(
        f'[kiosk]\nid = "{kiosk_id}"\ndata_dir = "{tmp_path / "data"}"\n'
        '[reader]\nkind = "simulated"\n'
    )
    return config


def contents(path: Path) -> tuple[str, list[int], int]:
    """Integrity, the sequence numbers held, and the sequence counter of a journal file."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        seqs = [row[0] for row in conn.execute("SELECT seq FROM records ORDER BY seq")]
        last = conn.execute("SELECT last FROM sequence").fetchone()[0]
    finally:
        conn.close()
    return integrity, seqs, last


@pytest.fixture
def live_journal(tmp_path: Path) -> Iterator[Path]:
    """A kiosk tapping away in another process, as the door does while the timer fires."""
    path = tmp_path / "data" / "journal.db"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.tap_loop", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    acks = 0
    for line in child.stdout:  # until the door has tapped a while
        acks += line.startswith("ACK")
        if acks == 200:
            break
    drain = threading.Thread(target=child.stdout.read, daemon=True)
    drain.start()  # keeps the pipe from filling while the backups run
    try:
        yield path
    finally:
        child.kill()
        child.wait()


def test_backup_of_a_live_journal_is_a_consistent_snapshot(
    live_journal: Path, tmp_path: Path
) -> None:
    config = tmp_path / "prikklok.toml"
    config.write_text(f'[kiosk]\nid = "kill-test"\ndata_dir = "{live_journal.parent}"\n')
    seen = []
    for _ in range(3):
        before = contents(live_journal)[2]
        done = prikklok("journal", "backup", "--config", str(config))
        assert done.returncode == 0, done.stderr
        copy = Path(done.stdout.split(":")[0])
        integrity, seqs, last = contents(copy)
        assert integrity == "ok"
        # Records and their counter from one moment: no torn or half-copied transaction,
        # and every tap acknowledged before the backup began is in it.
        assert seqs == list(range(1, last + 1))
        assert last >= before
        assert f"{len(seqs)} record(s), last seq {last}, integrity ok" in done.stdout
        seen.append(last)
    assert seen == sorted(seen) and seen[0] < seen[-1]  # the door kept writing throughout
    assert len(backups(live_journal.parent / "backup")) == 3


def test_backup_is_one_private_file_without_wal(journal: Journal, tmp_path: Path) -> None:
    tap(journal)
    done = backup_journal(journal.path, tmp_path / "backup", now=NOW)
    assert done.path.name == "journal-20261124-013000.db"
    assert sorted(p.name for p in done.path.parent.iterdir()) == [done.path.name]
    assert done.path.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(done.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.parametrize("keep", [1, 3, 7])
def test_backup_keeps_the_newest_n(journal: Journal, tmp_path: Path, keep: int) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "notes.txt").write_text("the admin's own file")
    made = [
        backup_journal(journal.path, folder, now=NOW + timedelta(days=day), keep=keep).path
        for day in range(5)
    ]
    assert backups(folder) == made[-keep:]
    assert (folder / "notes.txt").exists()


def test_backups_within_one_second_get_their_own_names(journal: Journal, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    made = [backup_journal(journal.path, folder, now=NOW, keep=2).path for _ in range(3)]
    assert [p.name for p in made] == [
        "journal-20261124-013000.db",
        "journal-20261124-013000-2.db",
        "journal-20261124-013000-3.db",
    ]
    assert backups(folder) == made[1:]


def test_cli_backs_up_into_the_data_dir_and_keeps_n(tmp_path: Path) -> None:
    config = kiosk_config(tmp_path)
    with Journal(tmp_path / "data" / "journal.db", kiosk_id="door-1") as journal:
        tap(journal, badge="04A1B2C3")
    for _ in range(3):
        done = prikklok("journal", "--config", str(config), "backup", "--keep", "2")
        assert done.returncode == 0, done.stderr
    assert len(backups(tmp_path / "data" / "backup")) == 2
    assert "kept the newest 2, deleted 1" in done.stdout
    assert "04A1B2C3" not in done.stdout + done.stderr


def test_cli_backs_up_to_another_folder(tmp_path: Path) -> None:
    config = kiosk_config(tmp_path)
    Journal(tmp_path / "data" / "journal.db", kiosk_id="door-1").close()
    done = prikklok("journal", "backup", "--config", str(config), "--to", str(tmp_path / "usb"))
    assert done.returncode == 0, done.stderr
    assert len(backups(tmp_path / "usb")) == 1


def test_no_journal_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    done = prikklok("journal", "backup", "--config", str(kiosk_config(tmp_path)))
    assert done.returncode == 1
    assert done.stderr.strip().endswith("journal.db: no journal to back up")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data" / "journal.db").exists()


def test_a_damaged_journal_leaves_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with Journal(path, kiosk_id="door-1") as journal:
        for n in range(300):
            tap(journal, badge=f"04{n:06X}")
    with open(path, "r+b") as damaged:  # scribble over the records' pages
        damaged.seek(4096 * 3)
        damaged.write(b"\xff" * 4096 * 4)
    with pytest.raises(BackupError, match=r"backup failed|integrity"):
        backup_journal(path, tmp_path / "backup", now=NOW)
    assert list((tmp_path / "backup").iterdir()) == []


def test_restore_by_copying_a_backup_over_the_journal(journal: Journal, tmp_path: Path) -> None:
    kept = [tap(journal).seq for _ in range(3)]
    copy = backup_journal(journal.path, tmp_path / "backup", now=NOW).path
    tap(journal)  # lost with the disaster
    journal.close()
    for leftover in journal.path.parent.glob("journal.db*"):
        leftover.unlink()
    # The documented restore: units stopped, the backup copied over the journal, started.
    journal.path.write_bytes(copy.read_bytes())
    with Journal(journal.path, kiosk_id="door-1") as restored:
        assert [r.seq for r in restored.records()] == kept
        assert tap(restored).seq == 4
        assert restored.integrity_check() == "ok"

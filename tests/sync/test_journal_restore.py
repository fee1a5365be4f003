"""A journal restored from a backup never hands out a number the server already holds."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from prikklok.inspect import journal_report
from sync.backup import backup_journal
from sync.journal import Journal, Renumbered
from tests.sync.taps import NOW, tap


def restored(tmp_path: Path, *, before: int, after: int) -> Journal:
    """A journal with `before` taps, backed up; `after` more; then the backup restored."""
    live = tmp_path / "journal.db"
    with Journal(live, kiosk_id="door-1") as journal:
        for _ in range(before):
            tap(journal)
        copy = backup_journal(live, tmp_path / "backup", now=datetime.now(UTC)).path
        for _ in range(after):
            tap(journal)
    for part in tmp_path.glob("journal.db*"):
        part.unlink()
    shutil.copy(copy, live)
    return Journal(live, kiosk_id="door-1")


def test_numbers_after_the_backup_wait_for_the_server(tmp_path: Path) -> None:
    with restored(tmp_path, before=3, after=5) as journal:
        assert journal.unconfirmed_after() == 3
        new = [tap(journal) for _ in range(2)]
        assert [r.seq for r in journal.pending(10, now=NOW)] == [1, 2, 3]
        assert journal.confirm_numbers(8) == Renumbered(5, 10, 2)
        assert [journal.get(r.id).seq for r in new] == [9, 10]  # type: ignore[union-attr]
        assert [r.seq for r in journal.pending(10, now=NOW)] == [1, 2, 3, 9, 10]
        assert tap(journal).seq == 11 and journal.unconfirmed_after() is None


def test_numbers_the_server_never_saw_are_kept(tmp_path: Path) -> None:
    with restored(tmp_path, before=3, after=5) as journal:
        tap(journal)
        assert journal.confirm_numbers(3) is None  # the later ones never reached it
        assert [r.seq for r in journal.pending(10, now=NOW)] == [1, 2, 3, 4]


def test_an_older_server_that_cannot_say_releases_the_records(tmp_path: Path) -> None:
    with restored(tmp_path, before=3, after=5) as journal:
        tap(journal)
        assert journal.confirm_numbers(None) is None
        assert [r.seq for r in journal.pending(10, now=NOW)] == [1, 2, 3, 4]


def test_a_journal_behind_the_server_moves_its_counter_past(journal: Journal) -> None:
    tap(journal)
    assert journal.confirm_numbers(40) == Renumbered(1, 40, 0)
    assert tap(journal).seq == 41


def test_the_usual_round_writes_nothing(journal: Journal) -> None:
    tap(journal)
    with Journal(journal.path, kiosk_id="door-1") as door:  # sees the agent's commits
        version = door.data_version()
        assert journal.confirm_numbers(1) is None and journal.confirm_numbers(None) is None
        assert door.data_version() == version
        journal.confirm_numbers(5)
        assert door.data_version() != version


def test_prikklok_journal_says_the_numbers_wait(tmp_path: Path) -> None:
    restored(tmp_path, before=3, after=5).close()
    report = journal_report(tmp_path / "journal.db", "door-1", 5, now=NOW)
    assert "Restored from a backup: records after #3 wait for the server" in report.as_text()
    assert report.as_dict()["unconfirmed_after_seq"] == 3

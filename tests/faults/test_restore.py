"""Restoring a journal backup after later records reached the server sets nothing aside.

Back up (the real `prikklok journal backup`), tap 50 and sync, restore the backup the way
docs/admin/backup-restore.md says, tap 10 and sync: the 10 new taps must not reuse the
numbers the server already holds, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from prikklok.cli import main
from sync.agent import sync_once
from sync.backup import backups
from sync.client import ServerClient
from sync.clock import SystemClock
from sync.journal import Journal
from tests.faults.harness import PARTICIPANT_BADGES, register, running_server, stored

KIOSK = "door-restored"


@contextmanager
def door_at(path: Path) -> Iterator[Door]:
    with Journal(path, kiosk_id=KIOSK) as journal:
        yield Door(journal=journal, clock=SystemClock(), feedback=QuietIndicator())


def tap(door: Door, n: int) -> list[str]:
    badges = [*PARTICIPANT_BADGES.values(), "DEADBEEF"]
    return [door.tap(badges[i % len(badges)]).record.id for i in range(n)]


@pytest.mark.parametrize("later_sent", [True, False], ids=["later taps sent", "never sent"])
def test_taps_after_a_restore_are_not_set_aside(
    database_url: str, tmp_path: Path, later_sent: bool
) -> None:
    token = register(database_url, [KIOSK])[KIOSK]
    data = tmp_path / "kiosk"
    journal_path = data / "journal.db"
    config = tmp_path / "prikklok.toml"
    config.write_text(f'[kiosk]\nid = "{KIOSK}"\ndata_dir = "{data}"\n')
    with running_server(database_url, tmp_path) as server:
        client = ServerClient(server.url, token, timeout=10)
        now = SystemClock().now
        with door_at(journal_path) as door:
            made = tap(door, 5)
            assert sync_once(door.journal, client, now=now).accepted == 5
            assert main(["journal", "backup", "--config", str(config)]) == 0
            later = tap(door, 50)
            if later_sent:
                assert sync_once(door.journal, client, now=now).accepted == 50
                made += later  # lost from the kiosk with the damaged journal, not from the server
        # The restore: the door and sync stopped, the damaged journal moved aside, the
        # newest backup put in its place.
        (data / "damaged").mkdir()
        for part in data.glob("journal.db*"):
            part.rename(data / "damaged" / part.name)
        shutil.copy(backups(data / "backup")[-1], journal_path)
        with door_at(journal_path) as door:
            made += tap(door, 10)  # offline still: before the first contact after the restore
            result = sync_once(door.journal, client, now=now)
            aside = door.journal.set_aside_records()
            last_seq = door.journal.last_seq()
        client.close()
    held = stored(database_url)
    assert (result.rejected, len(aside), held.rejected) == (0, 0, 0), [a.reason for a in aside]
    assert result.accepted == 10  # in the first round after the restore
    assert held.ids() == set(made)
    expected = 65 if later_sent else 15
    assert held.seqs(KIOSK) == list(range(1, expected + 1)) and last_seq == expected

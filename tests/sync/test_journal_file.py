"""The journal's file is marked as ours; another program's database is refused untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from sync.journal import Journal, JournalError
from sync.journal_file import APPLICATION_ID
from sync.schema import journal_migrations

ROOT = Path(__file__).resolve().parents[2]


def _foreign(path: Path) -> str:
    """Another program's SQLite file (no application_id); its digest."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        conn.execute("INSERT INTO recipes VALUES ('stamppot', 40)")
    conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "command",
    [["kiosk", "--headless"], ["sync"], ["journal"], ["journal", "backup"]],
    ids=" ".join,
)
def test_cli_refuses_a_foreign_database_in_one_line(tmp_path: Path, command: list[str]) -> None:
    digest = _foreign(tmp_path / "journal.db")
    (tmp_path / "token").write_text("t" * 40)
    config = tmp_path / "prikklok.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path}"\n[reader]\nkind = "simulated"\n'
        f'[sync]\nserver_url = "http://127.0.0.1:9"\ntoken_file = "{tmp_path / "token"}"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "prikklok", *command, "--config", str(config)],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("prikklok: ") and "is not a prikklok journal" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert hashlib.sha256((tmp_path / "journal.db").read_bytes()).hexdigest() == digest
    assert not (tmp_path / "journal.db-wal").exists()


def test_a_foreign_file_with_a_table_named_like_ours_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.close()
    with pytest.raises(JournalError, match="not a prikklok journal: it has no journal migrations"):
        Journal(tmp_path / "other.db", kiosk_id="door-1")


def test_a_new_journal_is_marked_as_ours(tmp_path: Path) -> None:
    Journal(tmp_path / "j.db", kiosk_id="door-1").close()
    with sqlite3.connect(tmp_path / "j.db") as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_a_journal_of_an_earlier_version_is_adopted_and_marked(tmp_path: Path) -> None:
    # What an earlier prikklok left: the first three migrations, a record, no mark.
    conn = sqlite3.connect(tmp_path / "j.db", isolation_level=None)
    journal_migrations.apply(Database(conn), stop_before="m004_honest_time")
    conn.execute("INSERT INTO meta VALUES ('kiosk_id', 'door-1')")
    conn.execute(
        "INSERT INTO records (id, seq, kind, wall_at, workshop_day, clock_synced, boot_id, "
        "monotonic) VALUES ('r1', 1, 'too_soon', '2026-11-24T08:00:00+00:00', '2026-11-24', "
        "1, 'b1', 1.0)"
    )
    conn.execute("UPDATE sequence SET last = 1")
    conn.close()
    with Journal(tmp_path / "j.db", kiosk_id="door-1") as journal:
        assert [r.id for r in journal.records()] == ["r1"]
        assert journal.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID

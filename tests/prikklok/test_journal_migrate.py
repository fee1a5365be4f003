"""`prikklok journal migrate --dry-run`: the check an upgrade runs with the new version
before it switches to it. It migrates a copy; the journal itself is never written."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tests.prikklok.test_cli import demo_config, prikklok  # noqa: F401 (a fixture)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_copy_migrates_and_the_journal_stays_as_it_was(demo_config: Path) -> None:  # noqa: F811
    done = prikklok("kiosk", "--headless", "--config", str(demo_config), stdin="04A1B2C3\n")
    assert done.returncode == 0, done.stderr
    journal = demo_config.parent / "journal.db"
    before = digest(journal)
    tried = prikklok("journal", "--config", str(demo_config), "migrate", "--dry-run")
    assert tried.returncode == 0, tried.stderr
    assert "a copy migrates, 1 record(s), integrity ok" in tried.stdout
    assert digest(journal) == before


def test_without_dry_run_it_says_what_it_does_not_do(demo_config: Path) -> None:  # noqa: F811
    done = prikklok("journal", "--config", str(demo_config), "migrate")
    assert done.returncode == 1
    assert "--dry-run tries it on a copy" in done.stderr


def test_a_journal_that_cannot_migrate_fails_the_check(tmp_path: Path) -> None:
    """Another program's database where the journal should be: the upgrade stops there."""
    data = tmp_path / "data"
    data.mkdir()
    other = sqlite3.connect(data / "journal.db")
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    other.commit()
    other.close()
    config = tmp_path / "p.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{data}"\n')
    done = prikklok("journal", "--config", str(config), "migrate", "--dry-run")
    assert done.returncode == 1
    assert "is not a prikklok journal" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1

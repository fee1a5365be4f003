"""A new version's journal migration, tried on a copy: an upgrade (sync.upgrade_install)
switches to a version only once its migrations ran on today's journal without error.

The copy is made with SQLite's online backup API (as sync.backup does: safe while the door
writes), opened as the new version opens a journal (which applies its migrations), checked
with PRAGMA integrity_check, and deleted. The journal itself is never written.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sync.journal import Journal, JournalError


def try_migration(journal: Path, kiosk_id: str, scratch: Path | None = None) -> int:
    """Migrate a copy of `journal`; the number of records the migrated copy holds.

    Raises JournalError, saying why, when the copy cannot be made or migrated."""
    if not journal.exists():
        return 0  # a kiosk that never ran: the new version makes a new journal
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        copy = Path(folder) / "journal.db"
        try:
            source = sqlite3.connect(f"{journal.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        except sqlite3.Error as error:
            raise JournalError(f"{journal}: cannot copy the journal: {error}") from None
        with Journal(copy, kiosk_id=kiosk_id) as migrated:
            verdict = [row[0] for row in migrated.db.execute("PRAGMA integrity_check").fetchall()]
            if verdict != ["ok"]:
                raise JournalError(f"the migrated copy fails its integrity check: {verdict[0]}")
            return int(migrated.db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

"""The journal's schema, as sqlite-utils migrations applied at start-up."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

journal_migrations = Migrations("prikklok.journal")


@journal_migrations()
def m001_records(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE records (
            id TEXT PRIMARY KEY,              -- UUIDv7 made on the kiosk
            seq INTEGER NOT NULL UNIQUE,      -- per kiosk, gapless, from sequence.last
            kind TEXT NOT NULL,
            participant_id TEXT,
            supervisor_id TEXT,
            badge_uid TEXT,
            wall_at TEXT NOT NULL,            -- UTC, ISO 8601
            workshop_day TEXT NOT NULL,       -- Europe/Amsterdam date
            clock_synced INTEGER NOT NULL,
            boot_id TEXT NOT NULL,
            monotonic REAL NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            synced_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at TEXT
        ) STRICT
        """
    )
    db.execute("CREATE INDEX records_unsynced ON records (seq) WHERE synced_at IS NULL")
    db.execute("CREATE INDEX records_participant ON records (participant_id, seq)")
    db.execute("CREATE INDEX records_day ON records (workshop_day, seq)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT")
    # The counter outlives deleted records (retention), so a sequence number is never
    # handed out twice, even when every record has been cleaned away.
    db.execute(
        "CREATE TABLE sequence (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL)"
        " STRICT"
    )
    db.execute("INSERT INTO sequence (id, last) VALUES (1, 0)")


@journal_migrations()
def m002_door_data_cache(db: Database) -> None:
    # One row per snapshot part; replaced whole, in one transaction, so the door never
    # sees half a roster. The etag makes the agent's pull conditional (If-None-Match).
    db.execute(
        """
        CREATE TABLE door_data (
            name TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            etag TEXT,
            source TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT
        """
    )


@journal_migrations()
def m003_sync_state(db: Database) -> None:
    # A record the server refused (or that cannot be sent at all) is set aside: it keeps
    # its reason in last_error for a supervisor, and never blocks the records after it.
    db.execute("ALTER TABLE records ADD COLUMN rejected_at TEXT")
    db.execute(
        "CREATE INDEX records_pending ON records (seq) "
        "WHERE synced_at IS NULL AND rejected_at IS NULL"
    )


@journal_migrations()
def m004_honest_time(db: Database) -> None:
    # A record's time on a trusted clock, which retention and pruning judge it by: its wall
    # time when the clock was synchronised, otherwise filled in later by the sync agent
    # (through the monotonic clock within the boot, or the first trusted moment after).
    # NULL until known: such a record is never deleted for its age.
    db.execute("ALTER TABLE records ADD COLUMN honest_at TEXT")
    db.execute("UPDATE records SET honest_at = wall_at WHERE clock_synced = 1")
    db.execute("CREATE INDEX records_unsettled ON records (seq) WHERE honest_at IS NULL")

"""One tap in a journal, for the sync tests: only what they care about can differ."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sync.journal import Journal
from sync.record import Entry, Record

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def tap(journal: Journal, badge: str = "04A1B2C3", **fields: Any) -> Record:
    entry = {
        "kind": "check_in",
        "wall_at": NOW,
        "workshop_day": NOW.date(),
        "clock_synced": True,
        "boot_id": "b1",
        "monotonic": 1.0,
        "participant_id": "p1",
        "badge_uid": badge,
        **fields,
    }
    return journal.append(Entry(**entry))

"""One journal record: a decision at the door, with everything needed to trust its time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sync.own_say import KINDS as OWN_SAY_KINDS
from sync.recall import KINDS as RECALL_KINDS

# Kinds that open or close a participant's session; the server pairs these. A manual
# record is a supervisor checking someone in or out by hand (a forgotten badge, closing).
OPENS_SESSION = frozenset({"check_in", "forgot_checkout", "manual_check_in"})
CLOSES_SESSION = frozenset({"check_out", "manual_check_out"})
KINDS = frozenset(
    {
        "check_in",
        "forgot_checkout",
        "check_out",
        "too_soon",
        "unknown_badge",
        "inactive",
        "supervisor",
        "manual_check_in",
        "manual_check_out",
        "lunch",  # the answer to "Eet je mee?"; detail: eats, answered
        "badge_enrolled",  # a supervisor gave a new badge to a participant at the door
    }
    | OWN_SAY_KINDS  # what a participant tells the system themselves (sync.own_say)
    | RECALL_KINDS  # the answer to the recall check of a word at check-out (sync.recall)
)


@dataclass(frozen=True)
class Entry:
    """A record to be written: everything but the id and sequence number the journal gives."""

    kind: str
    wall_at: datetime  # aware, UTC
    workshop_day: date  # Europe/Amsterdam day the decision was made for
    clock_synced: bool
    boot_id: str
    monotonic: float
    participant_id: str | None = None
    supervisor_id: str | None = None
    badge_uid: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown record kind {self.kind!r}")
        if self.wall_at.tzinfo is None:
            raise ValueError("wall_at must be an aware datetime")


@dataclass(frozen=True)
class Record(Entry):
    """A record as the journal holds it: with its kiosk-made id and gapless sequence number."""

    id: str = ""
    seq: int = 0
    synced_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None

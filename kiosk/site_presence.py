"""Who is in, as a door knows it: folded from its own journal, and from what the server
says about the site's other doors. Pure Python, like the rest of the check-in core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sync.clock import WORKSHOP_TZ, Instant
from sync.record import CLOSES_SESSION, OPENS_SESSION, Record


@dataclass(frozen=True)
class OpenSession:
    """A check-in not yet matched by a check-out."""

    record_id: str
    at: Instant


SITE_RECORD = "site"  # an open session the server told us about (a tap at another door)


@dataclass(frozen=True)
class SiteView:
    """Who the server says is in at this site, read at `fetched_at` (the kiosk's clock)."""

    fetched_at: datetime
    inside: dict[str, datetime]  # participant id → since when
    supervisors: dict[str, datetime] = field(default_factory=dict)
    lunch_count: int = 0
    day: date | None = None  # the workshop day of fetched_at
    # Each participant's marked days, from every door (sync.protocol.DayMark): day → state.
    days: dict[str, dict[date, str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteView:
        fetched = datetime.fromisoformat(data["fetched_at"])
        return cls(
            fetched_at=fetched,
            inside={p["id"]: datetime.fromisoformat(p["since"]) for p in data["participants"]},
            supervisors={
                s["id"]: datetime.fromisoformat(s["since"]) for s in data.get("supervisors", [])
            },
            lunch_count=int(data.get("lunch_count", 0)),
            day=fetched.astimezone(WORKSHOP_TZ).date(),
            days=_days(data.get("days") or []),
        )


def _days(marks: list[dict[str, Any]]) -> dict[str, dict[date, str]]:
    days: dict[str, dict[date, str]] = {}
    for mark in marks:
        days.setdefault(mark["participant_id"], {})[date.fromisoformat(mark["day"])] = mark["state"]
    return days


@dataclass
class ParticipantDay:
    day: date
    open: OpenSession | None = None
    worked_seconds: float = 0.0  # closed sessions of `day`
    asked_to_leave_at: Instant | None = None  # when the door last said "too soon"
    eats: bool | None = None  # today's answer to "Eet je mee?"; None: not asked yet
    last_record_id: str | None = None  # the last session record this door knows of


@dataclass
class Presence:
    """Who is in, as this kiosk knows it: folded from its own journal records."""

    people: dict[str, ParticipantDay] = field(default_factory=dict)

    def of(self, participant_id: str) -> ParticipantDay | None:
        return self.people.get(participant_id)

    def apply(
        self,
        kind: str,
        participant_id: str | None,
        record_id: str,
        at: Instant,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Fold one decision into the state; records must come in sequence order."""
        if participant_id is None:
            return
        day = at.workshop_day()
        state = self.people.get(participant_id)
        if state is None or (state.day != day and state.open is None):
            state = self.people[participant_id] = ParticipantDay(day=day)
        if kind in OPENS_SESSION:
            # A stale open session is the server's to close; here it is simply replaced.
            same_day = state.day == day
            self.people[participant_id] = ParticipantDay(
                day=day,
                open=OpenSession(record_id, at),
                worked_seconds=state.worked_seconds if same_day else 0.0,
                eats=state.eats if same_day else None,
                last_record_id=record_id,
            )
        elif kind in CLOSES_SESSION and state.open is not None:
            worked = max(0.0, at.seconds_since(state.open.at))
            same_day = state.day == day
            state.worked_seconds = (state.worked_seconds if same_day else 0.0) + worked
            if not same_day:
                state.eats = None
            state.day, state.open, state.asked_to_leave_at = day, None, None
            state.last_record_id = record_id
        elif kind == "too_soon":
            state.asked_to_leave_at = at
        elif kind == "lunch" and state.day == day:
            state.eats = bool(detail.get("eats")) if detail else False

    def apply_record(self, record: Record) -> None:
        self.apply(
            record.kind, record.participant_id, record.id, _instant_of(record), record.detail
        )

    def forget_absent(self, known: set[str] | frozenset[str]) -> None:
        """Drop whoever the roster no longer has (erased on the server)."""
        for pid in [pid for pid in self.people if pid not in known]:
            del self.people[pid]

    def inside(self) -> list[str]:
        return [pid for pid, state in self.people.items() if state.open is not None]

    def merge_site(self, site: SiteView, synced_at: Callable[[str], datetime | None]) -> None:
        """Fold in who the server says is in: taps at the site's other doors.

        This door's own record wins until the server had it when it answered:
        `synced_at(record_id)` says when the server acknowledged a record (None: not yet).
        """

        def settled(state: ParticipantDay) -> bool:
            rid = state.last_record_id
            if rid is None or rid == SITE_RECORD:
                return True
            acked = synced_at(rid)
            return acked is not None and acked <= site.fetched_at

        for pid, since in site.inside.items():
            state = self.people.get(pid)
            if state is not None and (state.open is not None or not settled(state)):
                continue
            day = since.astimezone(WORKSHOP_TZ).date()
            same_day = state is not None and state.day == day
            self.people[pid] = ParticipantDay(
                day=day,
                # Another boot's instant: times are reckoned on the wall clock.
                open=OpenSession(SITE_RECORD, Instant(since, 0.0, SITE_RECORD, True)),
                worked_seconds=state.worked_seconds if state and same_day else 0.0,
                eats=state.eats if state and same_day else None,
                last_record_id=SITE_RECORD,
            )
        for pid, state in self.people.items():
            if state.open is not None and pid not in site.inside and settled(state):
                # Checked out at another door, or closed by the server at closing time.
                state.open, state.asked_to_leave_at = None, None

    def lunch_count(self, day: date) -> int:
        """How many said they eat along on `day`, as this kiosk knows it."""
        return sum(1 for state in self.people.values() if state.day == day and state.eats)


def _instant_of(record: Record) -> Instant:
    return Instant(record.wall_at, record.monotonic, record.boot_id, record.clock_synced)

"""What supervisor mode and the evacuation list show, decided from what the door knows.

Pure Python, like the rest of the check-in core: the screens in kiosk/ui/supervisor.py read
the door and the journal, call these, and lay out the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from math import ceil
from typing import TypeVar

from kiosk import phrases as P
from kiosk.language import clock_time, dutch
from kiosk.site_presence import Presence, SiteView
from kiosk.views import CAUSES
from sync.disk import Room, size_text
from sync.record import Record
from sync.roster import DoorData, Participant


def since_text(at: datetime) -> str:
    """ "sinds 08:58", in workshop time: how a list says since when someone is inside."""
    return dutch(P.SINCE, time=clock_time(at, "nl"))


@dataclass(frozen=True)
class Inside:
    """Someone in the building, and since when."""

    id: str
    name: str
    since: datetime

    @property
    def since_text(self) -> str:
        return since_text(self.since)


def participants_inside(presence: Presence, data: DoorData) -> list[Inside]:
    """Every participant checked in, by name; whom the roster no longer has is left out."""
    rows = []
    for pid in presence.inside():
        state = presence.of(pid)
        person = data.participants.get(pid)
        if person is None or state is None or state.open is None:
            continue
        rows.append(Inside(pid, person.display_name, state.open.at.wall))
    return sorted(rows, key=lambda row: row.name.casefold())


def supervisors_today(
    taps: Iterable[Record], site: SiteView | None, data: DoorData, today: date
) -> list[Inside]:
    """Supervisors who tapped their badge at this door today (`taps`: today's supervisor
    records), or whom the server counts in at the site today; each since their first sign."""
    seen: dict[str, datetime] = {}
    for record in taps:
        if record.supervisor_id:
            seen.setdefault(record.supervisor_id, record.wall_at)
    if site is not None and site.day == today:
        for sid, since in site.supervisors.items():
            seen[sid] = min(since, seen.get(sid, since))
    rows = [
        Inside(sid, person.display_name, since)
        for sid, since in seen.items()
        if (person := data.supervisors.get(sid)) is not None
    ]
    return sorted(rows, key=lambda row: (row.name, row.since_text))


@dataclass(frozen=True)
class RollEntry:
    """Someone on an evacuation list: a participant or a supervisor, inside since when."""

    key: str  # "participant:<id>" or "supervisor:<id>": the two kinds' ids may coincide
    name: str
    since: datetime
    supervisor: bool

    @property
    def since_text(self) -> str:
        return since_text(self.since)

    @property
    def caption(self) -> str:
        """The line under the name: "sinds 08:58", or "Begeleider · 08:30" (short, so a
        tile holds it)."""
        if self.supervisor:
            return f"{dutch(P.SUPERVISOR)} · {clock_time(self.since, 'nl')}"
        return self.since_text


class RollCall:
    """One evacuation's roll call: who was inside when the list was made, and whom the
    supervisor has ticked off as seen since.

    It is a tool for the moment, not attendance: it lives in the kiosk's memory for as long
    as that list is open, and is never journaled or synced. A new list starts unticked.
    """

    def __init__(
        self, made_at: datetime, participants: Iterable[Inside], supervisors: Iterable[Inside]
    ) -> None:
        self.made_at = made_at
        self.entries = tuple(
            [RollEntry(f"participant:{r.id}", r.name, r.since, False) for r in participants]
            + [RollEntry(f"supervisor:{r.id}", r.name, r.since, True) for r in supervisors]
        )
        self._keys = {entry.key for entry in self.entries}
        self._seen: set[str] = set()

    def tick(self, key: str) -> bool:
        """Tick someone off as seen, or untick a mistaken tick; returns whether ticked now."""
        if key not in self._keys:
            raise KeyError(key)
        if key in self._seen:
            self._seen.discard(key)
            return False
        self._seen.add(key)
        return True

    def ticked(self, key: str) -> bool:
        return key in self._seen

    @property
    def seen(self) -> int:
        return len(self._seen)

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def made_text(self) -> str:
        """ "gemaakt om 08:14", in workshop time: how old the list is."""
        return dutch(P.MADE_AT, time=clock_time(self.made_at, "nl"))

    @property
    def seen_text(self) -> str:
        """ "12 van 20 gezien"."""
        return dutch(P.SEEN_COUNT, seen=str(self.seen), count=str(self.total))


def lunch_count(presence: Presence, site: SiteView | None, today: date) -> int:
    """Today's "yes" answers: this door's, or the site's from the server when it has more."""
    here = presence.lunch_count(today)
    if site is not None and site.day == today:
        return max(here, site.lunch_count)
    return here


@dataclass(frozen=True)
class PresentRow:
    """One participant on supervisor mode's list, with a button to check in or out by hand."""

    id: str
    name: str
    inside: bool
    since_text: str  # "sinds 08:58"; empty when not inside


def present_list(presence: Presence, data: DoorData, today: date) -> list[PresentRow]:
    """Supervisor mode's list: whoever is inside first, by name (on a busy morning they fill
    the first page), then whoever may still check in today, by name."""
    inside = participants_inside(presence, data)
    here = {row.id for row in inside}
    rows = [PresentRow(row.id, row.name, True, row.since_text) for row in inside]
    rows += [
        PresentRow(person.id, person.display_name, False, "")
        for person in by_hand_list(data, here, today)
        if person.id not in here
    ]
    return rows


def by_hand_list(data: DoorData, inside: Iterable[str], today: date) -> list[Participant]:
    """Whom a supervisor may check in or out by hand: everyone inside, and everyone who
    may check in today; by name."""
    present = set(inside)
    return [
        person
        for person in by_name(data.participants.values())
        if person.id in present or not person.inactive_reason(today)
    ]


def badge_candidates(data: DoorData, today: date) -> list[Participant]:
    """Whom a new badge may be given to: everyone who may check in today, by name."""
    return [p for p in by_name(data.participants.values()) if not p.inactive_reason(today)]


def by_name(people: Iterable[Participant]) -> list[Participant]:
    return sorted(people, key=lambda p: p.display_name.casefold())


T = TypeVar("T")


@dataclass(frozen=True)
class Grid:
    """How a list of tiles is laid out on the screen: in columns, a page at a time."""

    columns: int
    rows: int  # tiles per column
    pages: int

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def columns_of(self, items: Sequence[T], page: int) -> list[list[T]]:
        """Page `page` (from 0) of `items`, column by column: a list reads down, then across."""
        start = max(0, min(page, self.pages - 1)) * self.per_page
        shown = items[start : start + self.per_page]
        return [list(shown[c * self.rows : (c + 1) * self.rows]) for c in range(self.columns)]


def grid_for(count: int, rows_fit: int, columns_fit: int) -> Grid:
    """The grid for `count` tiles where `rows_fit` rows and `columns_fit` columns of tiles
    fit: as few columns as hold them all (the wider a tile, the longer a name it shows),
    and more than one page only when even the most columns do not."""
    rows_fit, columns_fit = max(1, rows_fit), max(1, columns_fit)
    columns = min(columns_fit, max(1, ceil(count / rows_fit)))
    rows = min(rows_fit, max(1, ceil(count / columns)))
    return Grid(columns, rows, max(1, ceil(count / (columns * rows))))


def storage_alert(write_trouble: str | None, reserve_released: bool) -> str:
    """Why taps are not saved, or that they live on the reserve; empty when all is well."""
    if write_trouble is not None:
        return dutch(P.TAPS_NOT_SAVED, cause=dutch(CAUSES[write_trouble]))
    if reserve_released:
        return dutch(P.RESERVE_IN_USE)
    return ""


HEALTH = {"ok": P.READER_OK, "degraded": P.READER_DEGRADED, "absent": P.READER_ABSENT}


@dataclass(frozen=True)
class KioskHealth:
    """How the kiosk is doing, as its journal and disk say."""

    kiosk_id: str
    queue_depth: int  # records waiting for the server
    last_contact: datetime | None  # the server's last answer
    clock_synced: bool  # the newest record's clock (True before the first)
    reader_health: str  # "ok", "degraded" or "absent"
    disk: Room | None  # None: the disk could not be read


def status_lines(health: KioskHealth) -> list[str]:
    """Supervisor mode's status line, part by part."""
    when = clock_time(health.last_contact, "nl") if health.last_contact else dutch(P.NEVER)
    reader = dutch(HEALTH.get(health.reader_health, P.READER_OK))
    return [
        dutch(P.RECORDS_WAITING, count=str(health.queue_depth)),
        dutch(P.LAST_CONTACT, time=when),
        dutch(P.CLOCK_SYNCED if health.clock_synced else P.CLOCK_NOT_SYNCED),
        dutch(P.READER_STATUS, state=reader),
        *([disk_line(health.disk)] if health.disk is not None else []),
        dutch(P.KIOSK_ID, kiosk=health.kiosk_id),
    ]


def disk_line(disk: Room) -> str:
    """How much room the journal's disk has left."""
    share = f"{disk.share * 100:.0f} %"
    return dutch(P.DISK_FREE, free=size_text(disk.free_bytes), share=share)

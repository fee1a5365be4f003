"""What supervisor mode and the evacuation list show, decided from what the door knows.

Pure Python, like the rest of the check-in core: the screens in kiosk/ui/supervisor.py read
the door and the journal, call these, and lay out the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from kiosk import phrases as P
from kiosk.language import clock_time, dutch
from kiosk.site_presence import Presence, SiteView
from kiosk.views import CAUSES
from sync.disk import Room, size_text
from sync.record import Record
from sync.roster import DoorData, Participant


@dataclass(frozen=True)
class Inside:
    """Someone in the building, and since when."""

    id: str
    name: str
    since: datetime

    @property
    def since_text(self) -> str:
        """ "sinds 08:58", in workshop time."""
        return dutch(P.SINCE, time=clock_time(self.since, "nl"))


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


def lunch_count(presence: Presence, site: SiteView | None, today: date) -> int:
    """Today's "yes" answers: this door's, or the site's from the server when it has more."""
    here = presence.lunch_count(today)
    if site is not None and site.day == today:
        return max(here, site.lunch_count)
    return here


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

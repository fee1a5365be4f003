"""A kiosk's alarms, from its latest heartbeat and the time now (pure: no database).

A door that stops talking, a queue that keeps growing or a reader that does not read all
mean taps are not reaching the server: the supervisor must see it before the evacuation
list is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Beat:
    """What the alarms need of a kiosk's latest heartbeat."""

    received_at: datetime  # server time
    queue_depth: int
    oldest_unsynced_at: datetime | None  # the kiosk's wall time
    clock_offset_seconds: float  # server time − kiosk wall time, at the heartbeat
    reader_health: str
    disk_free_bytes: int | None = None  # None: the kiosk does not say (an older version)
    disk_total_bytes: int | None = None
    journal_trouble: str | None = None  # disk_full, read_only, write_failed

    @classmethod
    def of_row(cls, row: Any) -> Beat | None:
        """From a row joined to kiosk_heartbeats; None for a kiosk that never sent one."""
        if row.received_at is None:
            return None
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    @property
    def disk_free_share(self) -> float | None:
        if self.disk_free_bytes is None or not self.disk_total_bytes:
            return None
        return self.disk_free_bytes / self.disk_total_bytes


@dataclass(frozen=True)
class Alarm:
    kind: str  # never, silent, queue, reader, journal, disk, clock, set_aside
    message: str  # Dutch, for the supervisor; kiosk facts only, never a name or a badge

    @property
    def urgent(self) -> bool:
        """Whether it is told outside the site's opening hours too (docs/admin/alerts.md)."""
        return self.kind in URGENT


# Taps are being lost or soon will be, even at night: a door that cannot keep its journal,
# a disk nearly full, records the server had to set aside. A door silent or a reader out
# at night is what a closed workshop looks like: that waits for the morning.
URGENT = frozenset({"journal", "disk", "set_aside"})
CLOCK_ALARM = timedelta(minutes=2)  # a kiosk's clock this far off the server's
SET_ASIDE_WINDOW = timedelta(hours=24)  # records set aside this recently raise the alarm


READER_HEALTH = {"ok": "in orde", "degraded": "slecht", "absent": "niet gevonden"}
JOURNAL_TROUBLE = {
    "disk_full": "de schijf is vol",
    "read_only": "het journaal is alleen-lezen",
    "write_failed": "het journaal geeft schrijffouten",
}
# Below either, the disk alarms: a small SD card by its share, a big one by its bytes, long
# before the kiosk's 8 MB reserve for taps is needed.
DISK_ALARM_SHARE = 0.10
DISK_ALARM_BYTES = 50 * 1024 * 1024


def disk_text(beat: Beat) -> str | None:
    """'1.2 GB vrij (45 %)', or None when the kiosk does not say."""
    share = beat.disk_free_share
    if share is None or beat.disk_free_bytes is None:
        return None
    return f"{_size(beat.disk_free_bytes)} vrij ({share * 100:.0f} %)"


def _size(count: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            amount = count / size
            return f"{amount:.1f} {unit}" if amount < 10 else f"{amount:.0f} {unit}"
    return f"{count} B"


def ago(then: datetime, now: datetime) -> str:
    """'zojuist', '4 min geleden', '2 uur geleden', '3 dagen geleden'."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "zojuist"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min geleden"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} uur geleden"
    return f"{hours // 24} dagen geleden"


def clock_difference(offset_seconds: float) -> str:
    """How far the kiosk's clock is off: 'loopt 30 s achter', 'loopt 2 uur voor', 'gelijk'."""
    size = abs(offset_seconds)
    if size < 1:
        return "gelijk"
    if size < 120:
        amount = f"{size:.0f} s"
    elif size < 2 * 3600:
        amount = f"{size // 60:.0f} min"
    elif size < 2 * 86400:
        amount = f"{size // 3600:.0f} uur"
    else:
        amount = f"{size // 86400:.0f} dagen"
    # The offset is server time − kiosk time: positive means the kiosk is behind.
    return f"loopt {amount} {'achter' if offset_seconds > 0 else 'voor'}"


def oldest_waiting_at(beat: Beat) -> datetime | None:
    """When the oldest record still on the kiosk was made, in server time.

    The kiosk stamps it by its own clock, which may be off (no NTP yet): the heartbeat's
    offset brings it to the server's clock, so a wrong kiosk clock raises no false alarm.
    """
    if beat.oldest_unsynced_at is None or beat.queue_depth == 0:
        return None
    return beat.oldest_unsynced_at + timedelta(seconds=beat.clock_offset_seconds)


def alarms(
    beat: Beat | None,
    now: datetime,
    *,
    silent_after: timedelta,
    queue_after: timedelta,
    revoked: bool = False,
    set_aside: int = 0,
    clock_off_after: timedelta = CLOCK_ALARM,
) -> list[Alarm]:
    """What is wrong with a kiosk now; empty when it is healthy (or retired).

    `set_aside`: how many of its records the server set aside in the last SET_ASIDE_WINDOW.
    """
    if revoked:
        return []  # a retired door is silent on purpose
    if beat is None:
        return [Alarm("never", "Deze kiosk heeft nog nooit iets laten horen.")]
    found = []
    silent = now - beat.received_at
    if silent > silent_after:
        found.append(
            Alarm(
                "silent",
                f"Geen contact sinds {ago(beat.received_at, now)}: controleer stroom en netwerk.",
            )
        )
    waiting_since = oldest_waiting_at(beat)
    if waiting_since is not None and now - waiting_since > queue_after:
        found.append(
            Alarm(
                "queue",
                f"{beat.queue_depth} prik(ken) nog niet bij de server; "
                f"de oudste is van {ago(waiting_since, now)}.",
            )
        )
    if beat.reader_health != "ok":
        health = READER_HEALTH.get(beat.reader_health, beat.reader_health)
        found.append(
            Alarm("reader", f"De badgelezer werkt niet goed ({health}): badges worden gemist.")
        )
    if beat.journal_trouble:
        why = JOURNAL_TROUBLE.get(beat.journal_trouble, beat.journal_trouble)
        message = f"De kiosk kan geen prikken bewaren: {why}. Deelnemers worden naar de "
        found.append(Alarm("journal", message + "begeleider gestuurd."))
    share = beat.disk_free_share
    if (
        share is not None
        and beat.disk_free_bytes is not None
        and (share < DISK_ALARM_SHARE or beat.disk_free_bytes < DISK_ALARM_BYTES)
    ):
        message = f"De schijf van de kiosk is bijna vol: nog {disk_text(beat)}. "
        found.append(
            Alarm("disk", message + "Maak ruimte voordat prikken niet meer bewaard kunnen worden.")
        )
    if abs(beat.clock_offset_seconds) > clock_off_after.total_seconds():
        found.append(
            Alarm(
                "clock",
                f"De klok van de kiosk {clock_difference(beat.clock_offset_seconds)}: "
                "controleer de tijdsynchronisatie (NTP).",
            )
        )
    if set_aside:
        found.append(
            Alarm(
                "set_aside",
                f"De server heeft {set_aside} prik(ken) van deze kiosk apart gezet "
                "(in de laatste 24 uur): bekijk ze op de pagina Vandaag.",
            )
        )
    return found

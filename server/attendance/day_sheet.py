"""One participant's day as the supervisor corrects it: the taps as the doors sent them,
the corrections beside what they correct, the sessions derived from both, and the day's
absence reason.

A correction never changes a tap: it is a row of its own (who, when, why), and attendance
is derived from taps and corrections together (server.attendance.sessions.corrected).
Making corrections and absence reasons is server.attendance.amendments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, Engine, select

from server.attendance.presence import load_day
from server.attendance.sessions import SESSION_KINDS, DayAttendance, closing_time, pair_sessions
from server.attendance.statements import Statement, estimates_in, statements_of
from server.attendance.today import Site, agreed_on, flags_of
from server.schema import absences, corrections, kiosks, participants, staff
from server.sql import member_of


@dataclass(frozen=True)
class Amendment:
    """A correction with its author and when it was made."""

    id: int
    action: str
    event_id: str | None
    at: datetime | None
    reason: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class DoorTap:
    """A tap as the door sent it, and what the corrections made of it."""

    id: str
    kind: str
    at: datetime
    door: str
    flags: tuple[str, ...]
    amendments: list[Amendment]
    counted_at: datetime | None  # the time attendance uses; None: voided

    @property
    def voided(self) -> bool:
        return self.counted_at is None

    @property
    def fixable(self) -> bool:
        return self.kind in SESSION_KINDS and not self.voided


@dataclass(frozen=True)
class AbsenceNote:
    """Why the participant was away that day, as a supervisor entered it."""

    reason: str
    note: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class DaySheet:
    """One participant's day at a site, everything the day page shows and corrects."""

    site: Site
    participant_id: str
    name: str
    day: date
    taps: list[DoorTap]
    added: list[Amendment]  # taps the door never saw
    attendance: DayAttendance
    absence: AbsenceNote | None
    agreed: bool  # one of their agreed weekdays
    # What they said at the door about this day themselves, oldest first, with verdicts
    statements: list[Statement] = field(default_factory=list)

    @property
    def present(self) -> bool:
        """They were in on this day (a session, or in now): no absence to excuse."""
        return bool(self.attendance.sessions or self.attendance.open_since)


def day_sheet(
    engine: Engine, site: Site, participant_id: str, day: date, now: datetime
) -> DaySheet | None:
    """The participant's day at `site`, or None when they are not this site's."""
    with engine.connect() as conn:
        return sheet_of(conn, site, participant_id, day, now)


def sheet_of(
    conn: Connection, site: Site, participant_id: str, day: date, now: datetime
) -> DaySheet | None:
    """As `day_sheet`, inside a transaction the caller holds."""
    person = conn.execute(
        select(participants.c.display_name, participants.c.agreed_weekdays).where(
            participants.c.id == participant_id, participants.c.site_id == site.id
        )
    ).first()
    if person is None:
        return None
    taps = load_day(conn, site.id, day)
    raw = taps.raw_of(participant_id)
    counted = taps.of_participant(participant_id)
    fixes = taps.fixes.get(participant_id, [])
    made = {
        row.id: row
        for row in conn.execute(
            select(corrections.c.id, corrections.c.created_at, staff.c.display_name)
            .join(staff, staff.c.id == corrections.c.staff_id)
            .where(member_of(conn, corrections.c.id, [f.id for f in fixes]))
        )
    }
    amendments = sorted(
        (
            Amendment(
                f.id,
                f.action,
                f.event_id,
                f.at,
                f.reason,
                made[f.id].display_name,
                made[f.id].created_at,
            )
            for f in fixes
            if f.id in made
        ),
        key=lambda a: a.id,
    )
    doors = {
        kiosk_id: name
        for kiosk_id, name in conn.execute(
            select(kiosks.c.id, kiosks.c.name).where(kiosks.c.site_id == site.id)
        )
    }
    flags = flags_of(conn, (t.id for t in raw))
    counted_at = {t.id: t.at for t in counted}
    door_taps = [
        DoorTap(
            t.id,
            t.kind,
            t.at,
            doors.get(t.kiosk_id, t.kiosk_id),
            tuple(sorted(flags.get(t.id, ()))),
            [a for a in amendments if a.event_id == t.id],
            counted_at.get(t.id),
        )
        for t in sorted(raw, key=lambda t: (t.at, t.id))
    ]
    close_at = closing_time(day, site.closes_at, site.timezone)
    said = statements_of(conn, [participant_id], day, day)
    estimate = estimates_in(said).get((participant_id, day))
    return DaySheet(
        site=site,
        participant_id=participant_id,
        name=person.display_name,
        day=day,
        taps=door_taps,
        added=[a for a in amendments if a.event_id is None],
        attendance=pair_sessions(counted, day, close_at, now, estimate),
        absence=_absence(conn, participant_id, day),
        agreed=agreed_on(person.agreed_weekdays, day),
        statements=said,
    )


def _absence(conn: Connection, participant_id: str, day: date) -> AbsenceNote | None:
    row = conn.execute(
        select(absences.c.reason, absences.c.note, absences.c.created_at, staff.c.display_name)
        .join(staff, staff.c.id == absences.c.staff_id)
        .where(absences.c.participant_id == participant_id, absences.c.day == day)
    ).first()
    if row is None:
        return None
    return AbsenceNote(row.reason, row.note, row.display_name, row.created_at)

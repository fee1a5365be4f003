"""A supervisor's amendments to a participant's day: a correction of the taps, the day's
absence reason, and taking that reason away; each in one transaction with its audit line.

The form is read and checked by the page (server.web.corrections); what only the
database can tell is decided here: whether the participant is the site's, whether a tap
is theirs, whether they were in that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, select

from server.administration.rights import record_audit
from server.attendance.day_sheet import sheet_of
from server.attendance.presence import load_day
from server.attendance.sessions import CORRECTION_ACTIONS, SESSION_KINDS
from server.attendance.today import Site
from server.db import writing
from server.schema import ABSENCE_REASONS as ABSENCE_REASONS  # the page offers these
from server.schema import absences, corrections, participants
from server.sql import upsert


class Refused(Enum):
    """Why an amendment was not made."""

    STRANGER = "not this site's participant"
    NOT_THEIR_TAP = "the tap is not theirs on that day"
    NO_TIME = "adding or moving a tap needs a time"
    PRESENT = "they were in that day: nothing to excuse"


@dataclass(frozen=True)
class Asked:
    """A correction as the form asks it: `event_id` for move and void, `at` (the time of
    day at the site) for everything but void."""

    action: str
    event_id: str | None
    at: time | None
    reason: str


def theirs(conn: Connection, site: Site, participant_id: str) -> bool:
    """Whether the participant is this site's: the check every amendment makes first."""
    found = conn.execute(
        select(participants.c.id).where(
            participants.c.id == participant_id, participants.c.site_id == site.id
        )
    ).first()
    return found is not None


def correct(
    engine: Engine,
    site: Site,
    participant_id: str,
    day: date,
    asked: Asked,
    *,
    staff_id: str,
    actor: str,
    now: datetime,
) -> Refused | None:
    """Add a check-in or check-out, move a tap or void it; None when it is made."""
    assert asked.action in CORRECTION_ACTIONS
    with writing(engine) as conn:
        if not theirs(conn, site, participant_id):
            return Refused.STRANGER
        event_id: str | None = None
        if asked.action in ("move", "void"):
            taps = load_day(conn, site.id, day).raw_of(participant_id)
            event_id = asked.event_id
            if {t.id: t.kind for t in taps}.get(event_id or "") not in SESSION_KINDS:
                return Refused.NOT_THEIR_TAP
        effective_at: datetime | None = None
        if asked.action != "void":
            if asked.at is None:
                return Refused.NO_TIME
            effective_at = datetime.combine(day, asked.at, tzinfo=ZoneInfo(site.timezone))
        new_id = conn.execute(
            corrections.insert()
            .values(
                action=asked.action,
                event_id=event_id,
                effective_at=effective_at,
                reason=asked.reason,
                participant_id=participant_id,
                site_id=site.id,
                staff_id=staff_id,
                created_at=now,
            )
            .returning(corrections.c.id)
        ).scalar_one()
        detail = {"day": day.isoformat(), "action": asked.action, "event_id": event_id}
        record_audit(conn, now, actor, "correction", participant_id, {**detail, "id": new_id})
    return None


def excuse(
    engine: Engine,
    site: Site,
    participant_id: str,
    day: date,
    reason: str,
    note: str,
    *,
    staff_id: str,
    actor: str,
    now: datetime,
) -> Refused | None:
    """Excuse the participant for the day with a reason code, replacing an earlier one;
    None when it is stored."""
    assert reason in ABSENCE_REASONS
    with writing(engine) as conn:
        sheet = sheet_of(conn, site, participant_id, day, now)
        if sheet is None:
            return Refused.STRANGER
        if sheet.present:
            return Refused.PRESENT
        row = {
            "participant_id": participant_id,
            "day": day,
            "site_id": site.id,
            "reason": reason,
            "note": note,
            "staff_id": staff_id,
            "created_at": now,
        }
        upsert(conn, absences, ["participant_id", "day"], row)
        detail = {"day": day.isoformat(), "reason": reason}
        record_audit(conn, now, actor, "absence", participant_id, detail)
    return None


def withdraw_excuse(
    engine: Engine, site: Site, participant_id: str, day: date, *, actor: str, now: datetime
) -> Refused | None:
    """Take the day's absence reason away (e.g. entered for the wrong day); None when done
    or there was none."""
    with writing(engine) as conn:
        if not theirs(conn, site, participant_id):
            return Refused.STRANGER
        gone = conn.execute(
            delete(absences).where(
                absences.c.participant_id == participant_id, absences.c.day == day
            )
        ).rowcount
        if gone:
            record_audit(
                conn, now, actor, "absence_removed", participant_id, {"day": day.isoformat()}
            )
    return None

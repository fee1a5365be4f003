"""Badges handed out and taken back from the staff pages, each in one transaction with
its audit line. A badge someone else holds is not taken from them: the page is told who
holds it, by name only when that holder is of the same site.

Badges given at the door itself are server.kiosks.enrolment; the rules of holding one
(one holder at a time, the history kept) are server.administration.operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from server.administration.operations import (
    AdminError,
    BadgeHeldError,
    assign_badge,
    revoke_badge,
)
from server.administration.rights import record_audit
from server.db import writing
from server.schema import badges, participants, staff


@dataclass(frozen=True)
class HeldElsewhere:
    """The badge is someone else's; `holder` is their name, None for another site's."""

    holder: str | None


@dataclass(frozen=True)
class NotGiven:
    """The badge cannot be given (e.g. the participant is gone)."""

    why: str


def hand_out(
    engine: Engine,
    site_id: str,
    participant_id: str,
    uid: str,
    *,
    how: str,
    actor: str,
    now: datetime,
) -> HeldElsewhere | NotGiven | None:
    """Give the badge (a normalised uid) to the site's participant, their previous one
    revoked; `how` ('assigned', 'enrolled') goes in the audit line. None when given."""
    with writing(engine) as conn:
        try:
            assign_badge(conn, uid, "participant", participant_id, now)
        except BadgeHeldError as held:
            return HeldElsewhere(_holder_name(conn, site_id, held.holder_kind, held.holder_id))
        except AdminError as error:
            return NotGiven(str(error))
        record_audit(conn, now, actor, "badge", participant_id, {"badge": how})
    return None


def _holder_name(conn: Connection, site_id: str, kind: str, holder_id: str) -> str | None:
    """The holder's name if they are of this site: no names of another site."""
    table = participants if kind == "participant" else staff
    found = conn.execute(
        select(table.c.display_name).where(table.c.id == holder_id, table.c.site_id == site_id)
    ).scalar()
    return str(found) if found is not None else None


def take_back(engine: Engine, participant_id: str, uid: str, *, actor: str, now: datetime) -> bool:
    """Revoke the participant's current badge: the door says "see a supervisor" when it is
    tapped. False when it is not a badge they hold."""
    with writing(engine) as conn:
        theirs = conn.execute(
            select(badges.c.uid).where(
                badges.c.uid == uid,
                badges.c.holder_kind == "participant",
                badges.c.holder_id == participant_id,
                badges.c.revoked_at.is_(None),
            )
        ).first()
        if theirs is None:
            return False
        revoke_badge(conn, uid, now)
        record_audit(conn, now, actor, "badge", participant_id, {"badge": "revoked"})
    return True

"""Badges given at the door: a `badge_enrolled` record assigns the badge as assign-badge does."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from server.administration.operations import AdminError, BadgeHeldError, assign_badge
from server.schema import event_flags
from sync.protocol import WireRecord

log = logging.getLogger(__name__)

HELD_BY_OTHER = "badge_held_by_other"
NOT_GIVEN = "badge_not_given"


def enrol(
    conn: Connection, site_id: str, event_id: str, record: WireRecord, received_at: datetime
) -> None:
    """Give the record's badge to its participant, once, when the record is first stored.

    The record is a fact and stays stored either way; when the badge cannot be given (by
    now someone else holds it) nothing is reassigned and the event is flagged instead.
    """
    assert record.badge_uid is not None and record.participant_id is not None
    try:
        # From when the server learns it: an offline door's clock may be wrong, and the
        # history must not revoke a badge before it was given.
        assign_badge(conn, record.badge_uid, "participant", record.participant_id, received_at)
    except BadgeHeldError as held:
        detail = (
            f"badge {record.badge_uid} given to {record.participant_id} at the door, "
            f"but {held.holder_kind} {held.holder_id} holds it: not reassigned"
        )
        _flag(conn, site_id, event_id, HELD_BY_OTHER, detail, received_at)
    except AdminError as error:
        _flag(conn, site_id, event_id, NOT_GIVEN, str(error), received_at)


def _flag(
    conn: Connection, site_id: str, event_id: str, flag: str, detail: str, at: datetime
) -> None:
    log.warning("event %s: %s", event_id, detail)
    conn.execute(
        event_flags.insert().values(
            event_id=event_id, site_id=site_id, flag=flag, detail=detail, created_at=at
        )
    )

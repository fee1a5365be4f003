"""A supervisor's verdict on what a participant said at the door (server.attendance.statements):
confirm it, change it (another reason category, or another time of leaving) or reject it;
each in one transaction with its audit line, like server.attendance.amendments.

The participant's record is a fact and stays as it was; the verdict is a row of its own
(`statement_reviews`), and a later verdict replaces an earlier one — the audit log keeps
every one. The form is read and checked by the page (server.web.statement_reviews); what
only the database can tell is decided here: whether the participant is the site's and the
statement theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from server.administration.rights import record_audit
from server.attendance.amendments import Refused as Refused  # the page answers these too
from server.attendance.amendments import theirs
from server.attendance.statements import statement_of
from server.attendance.today import Site
from server.db import writing
from server.schema import statement_reviews
from server.sql import upsert
from sync.own_say import CHECKOUT_ESTIMATE, REASONS

REVIEWS = ("confirmed", "changed", "rejected")


class NotReviewed(Enum):
    """Why a verdict was not given (beside amendments.Refused.STRANGER)."""

    NOT_THEIRS = "no such statement of this participant"
    NO_REASON = "changing a reason needs one of the categories"
    NO_TIME = "changing an estimate needs a time"


@dataclass(frozen=True)
class Review:
    """A verdict as the form asks it: `reason` for changing a leave reason or an announced
    absence, `left_at` (site time on the statement's day) for changing an estimate."""

    verdict: str  # one of REVIEWS
    reason: str | None = None
    left_at: time | None = None


def review(
    engine: Engine,
    site: Site,
    participant_id: str,
    event_id: str,
    asked: Review,
    *,
    staff_id: str,
    actor: str,
    now: datetime,
) -> Refused | NotReviewed | None:
    """Give a statement its verdict, replacing an earlier one; None when it is stored."""
    assert asked.verdict in REVIEWS
    with writing(engine) as conn:
        if not theirs(conn, site, participant_id):
            return Refused.STRANGER
        said = statement_of(conn, event_id)
        if said is None or said.participant_id != participant_id:
            return NotReviewed.NOT_THEIRS
        row: dict[str, Any] = {
            "event_id": event_id,
            "participant_id": participant_id,
            "verdict": asked.verdict,
            "reason": None,
            "left_at": None,
            "staff_id": staff_id,
            "reviewed_at": now,
        }
        detail: dict[str, Any] = {
            "event_id": event_id,
            "kind": said.kind,
            "day": said.day.isoformat(),
            "verdict": asked.verdict,
        }
        if asked.verdict == "changed" and said.kind == CHECKOUT_ESTIMATE:
            if asked.left_at is None:
                return NotReviewed.NO_TIME
            row["left_at"] = datetime.combine(
                said.day, asked.left_at, tzinfo=ZoneInfo(site.timezone)
            )
            detail["left_at"] = asked.left_at.strftime("%H:%M")
        elif asked.verdict == "changed":
            if asked.reason not in REASONS:
                return NotReviewed.NO_REASON
            row["reason"] = detail["reason"] = asked.reason
        upsert(conn, statement_reviews, ["event_id"], row)
        record_audit(conn, now, actor, "statement_review", participant_id, detail)
    return None

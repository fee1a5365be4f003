"""What a participant tells the system at the door themselves (issue 15): why they leave
early, a day they will not come, and when they left yesterday. One definition for both ends,
like the protocol: the door writes these records, the server checks and keeps them.

Categories only, never free text: a reason like "dokter" touches health (docs/privacy.md).
Each is a journal record of its own kind, synced exactly once like a tap:

- ``leave_reason``: detail ``{"reason": REASON, "check_out_record_id": id}`` — the answer to
  "Waarom ga je eerder weg?" after a check-out at least the site's `early_leave_minutes`
  before closing. No answer writes nothing.
- ``absence_announced``: detail ``{"day": "YYYY-MM-DD", "reason": REASON}`` — "Ik kom niet op
  …": one of the participant's next agreed days, later than the record's workshop day.
- ``checkout_estimate``: detail ``{"day": "YYYY-MM-DD", "left_at": "HH:MM" | None,
  "stale_record_id": id}`` — the answer to "Hoe laat ging je gisteren weg?" at the first tap
  after a forgotten check-out; `day` is the day left open, `left_at` site time on that day,
  None for "weet ik niet" (recorded, so a supervisor knows the participant was asked).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

LEAVE_REASON = "leave_reason"
ABSENCE_ANNOUNCED = "absence_announced"
CHECKOUT_ESTIMATE = "checkout_estimate"
KINDS = frozenset({LEAVE_REASON, ABSENCE_ANNOUNCED, CHECKOUT_ESTIMATE})

# The reason categories, in the door's order, each with the pictogram its button shows.
REASONS: dict[str, str] = {
    "office": "gemeentehuis",  # an appointment at the municipality or the IND
    "doctor": "ziekenhuis",  # doctor, or ill
    "children": "school",  # children, school
    "transport": "bus",
    "other": "vraagteken",
}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def detail_problem(kind: str, detail: dict[str, Any], workshop_day: date) -> str | None:
    """Why this record's detail cannot be kept, in words a supervisor can act on; None if
    it is sound. Only for the kinds above; other kinds are not judged here."""
    if kind not in KINDS:
        return None
    if kind in (LEAVE_REASON, ABSENCE_ANNOUNCED) and detail.get("reason") not in REASONS:
        return f"unknown reason category {detail.get('reason')!r}"
    if kind == LEAVE_REASON:
        return None
    day = detail.get("day")
    if not isinstance(day, str) or not _DAY.match(day):
        return f"{kind}: day must be YYYY-MM-DD"
    try:
        on = date.fromisoformat(day)
    except ValueError:
        return f"{kind}: no such day {day!r}"
    if kind == ABSENCE_ANNOUNCED:
        return None if on > workshop_day else "an absence can only be announced for a later day"
    left_at = detail.get("left_at")
    if left_at is not None and (not isinstance(left_at, str) or not _CLOCK.match(left_at)):
        return "checkout_estimate: left_at must be HH:MM or null"
    return None if on < workshop_day else "a check-out estimate is for an earlier day"


def left_at(detail: dict[str, Any]) -> time | None:
    """The estimated time of leaving of a checkout_estimate's detail (site time)."""
    value = detail.get("left_at")
    return time.fromisoformat(value) if value else None

"""GET /api/v1/presence: who is in at the kiosk's site, so every door of a site agrees; for
a door that shows a participant their week, each participant's days around this week."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header

from server.api.problems import AUTH_RESPONSES
from server.attendance.presence import lunch_count_of, presence_now
from server.attendance.week_marks import WeekMark, week_marks
from server.deps import ClockDep, ConnDep, KioskDep
from server.kiosks.snapshot import site_day
from sync.protocol import (
    API_PREFIX,
    OWN_SAY,
    UNDERSTANDS_HEADER,
    DayMark,
    PresentPerson,
    SitePresence,
)

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


def _people(found: dict[str, datetime]) -> list[PresentPerson]:
    return [PresentPerson(id=i, since=at) for i, at in sorted(found.items())]


def _mark(mark: WeekMark) -> DayMark:
    return DayMark(participant_id=mark.participant_id, day=mark.day, state=mark.state)


# exclude_none: `days` is left out, not null, for a kiosk that did not ask for it (an older
# kiosk's strict model forbids a field it does not know).
@router.get(
    "/presence",
    response_model=SitePresence,
    response_model_exclude_none=True,
    responses=AUTH_RESPONSES,
    summary="Who is in",
)
def presence(
    kiosk: KioskDep,
    conn: ConnDep,
    now: ClockDep,
    understands: Annotated[str, Header(alias=UNDERSTANDS_HEADER)] = "",
) -> SitePresence:
    """Participants and supervisors of this site checked in today and not out, and how
    many eat along today; with `days` for a kiosk that says it understands own_say."""
    at = now()
    asked = OWN_SAY in (part.strip() for part in understands.split(","))
    with conn.begin():
        found = presence_now(conn, kiosk.site_id, at)
        eating = lunch_count_of(conn, kiosk.site_id, site_day(conn, kiosk.site_id, at))
        marks = week_marks(conn, kiosk.site_id, at) if asked else None
    return SitePresence(
        site_id=kiosk.site_id,
        as_of=at,
        participants=_people(found.participants),
        supervisors=_people(found.supervisors),
        lunch_count=eating,
        days=None if marks is None else [_mark(m) for m in marks],
    )

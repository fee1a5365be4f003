"""GET /api/v1/presence: who is in at the kiosk's site, so every door of a site agrees."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from server.api.problems import AUTH_RESPONSES
from server.attendance.presence import lunch_count_of, presence_now
from server.deps import ClockDep, ConnDep, KioskDep
from server.kiosks.snapshot import site_day
from sync.protocol import API_PREFIX, PresentPerson, SitePresence

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


def _people(found: dict[str, datetime]) -> list[PresentPerson]:
    return [PresentPerson(id=i, since=at) for i, at in sorted(found.items())]


@router.get("/presence", response_model=SitePresence, responses=AUTH_RESPONSES, summary="Who is in")
def presence(kiosk: KioskDep, conn: ConnDep, now: ClockDep) -> SitePresence:
    """Participants and supervisors of this site checked in today and not out, and how
    many eat along today."""
    at = now()
    with conn.begin():
        found = presence_now(conn, kiosk.site_id, at)
        eating = lunch_count_of(conn, kiosk.site_id, site_day(conn, kiosk.site_id, at))
    return SitePresence(
        site_id=kiosk.site_id,
        as_of=at,
        participants=_people(found.participants),
        supervisors=_people(found.supervisors),
        lunch_count=eating,
    )

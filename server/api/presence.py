"""GET /api/v1/presence: who is in at the kiosk's site, so every door of a site agrees."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict

from server.api.problems import AUTH_RESPONSES
from server.deps import ClockDep, ConnDep, KioskDep
from server.presence import lunch_count_of, presence_now
from server.snapshot import site_day
from sync.protocol import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


class PresentPerson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    since: AwareDatetime


class PresenceResponse(BaseModel):
    """Ids only: the door already has the names from its snapshot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site_id: str
    as_of: AwareDatetime
    participants: list[PresentPerson]
    supervisors: list[PresentPerson]
    lunch_count: int  # how many said they eat along today (site time)


def _people(found: dict[str, datetime]) -> list[PresentPerson]:
    return [PresentPerson(id=i, since=at) for i, at in sorted(found.items())]


@router.get(
    "/presence", response_model=PresenceResponse, responses=AUTH_RESPONSES, summary="Who is in"
)
def presence(kiosk: KioskDep, conn: ConnDep, now: ClockDep) -> PresenceResponse:
    """Participants and supervisors of this site checked in today and not out, and how
    many eat along today."""
    at = now()
    with conn.begin():
        found = presence_now(conn, kiosk.site_id, at)
        eating = lunch_count_of(conn, kiosk.site_id, site_day(conn, kiosk.site_id, at))
    return PresenceResponse(
        site_id=kiosk.site_id,
        as_of=at,
        participants=_people(found.participants),
        supervisors=_people(found.supervisors),
        lunch_count=eating,
    )

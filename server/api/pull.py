"""GET /api/v1/snapshot: the door data of the kiosk's site, with a strong ETag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from server.api.problems import AUTH_RESPONSES
from server.deps import ClockDep, ConnDep, KioskDep
from server.kiosks.snapshot import build_snapshot, canonical_json, etag_matches, etag_of
from sync.protocol import API_PREFIX, UNDERSTANDS_HEADER, Snapshot

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


@router.get(
    "/snapshot",
    response_model=Snapshot,
    responses={**AUTH_RESPONSES, 304: {"description": "Not modified: the door data is current."}},
    summary="Pull the door data",
)
def snapshot(
    kiosk: KioskDep,
    conn: ConnDep,
    now: ClockDep,
    if_none_match: Annotated[str | None, Header()] = None,
    understands: Annotated[str, Header(alias=UNDERSTANDS_HEADER)] = "",
) -> Response:
    """Participants, badges, supervisors, tasks and words for today and the next 7 days;
    the tasks' and words' pictograms, photos and voices and the fixed translations only
    for a kiosk that says it understands them."""
    understood = frozenset(part.strip() for part in understands.split(","))
    with conn.begin():
        snapshot = build_snapshot(conn, kiosk.site_id, now())
        body = canonical_json(snapshot, understood=understood)
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": UNDERSTANDS_HEADER}
    if etag_matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)

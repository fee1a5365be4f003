"""GET /api/v1/snapshot: the door data of the kiosk's site, with a strong ETag."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from sqlalchemy import Connection

from server.api.problems import AUTH_RESPONSES
from server.deps import ClockDep, ConnDep, KioskDep
from server.kiosks.door_version import door_etag
from server.kiosks.snapshot import build_snapshot, canonical_json, etag_matches, etag_of
from server.kiosks.snapshot_bodies import Bodies, SnapshotBodies, accepts_gzip
from sync.protocol import API_PREFIX, RECALL, UNDERSTANDS_HEADER, Snapshot

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


@router.get(
    "/snapshot",
    response_model=Snapshot,
    responses={**AUTH_RESPONSES, 304: {"description": "Not modified: the door data is current."}},
    summary="Pull the door data",
)
def snapshot(
    request: Request,
    kiosk: KioskDep,
    conn: ConnDep,
    now: ClockDep,
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
    understands: Annotated[str, Header(alias=UNDERSTANDS_HEADER)] = "",
) -> Response:
    """Participants, badges, supervisors, tasks and words for today and the next 7 days;
    the tasks' and words' pictograms, photos and voices and the fixed translations only
    for a kiosk that says it understands them. Gzip-compressed when the kiosk accepts it."""
    understood = frozenset(part.strip() for part in understands.split(","))
    at = now()
    with conn.begin():
        # The version before the data: what is read after it is at least as new, so an
        # ETag never names older bytes than its own (PostgreSQL reads committed data per
        # statement). A 304 stops here, without building anything.
        etag = door_etag(conn, kiosk.site_id, at, understood)
        if etag is None:  # the site has no version row: only the bytes can tell
            bodies = Bodies.of(_built(conn, kiosk.site_id, at, understood))
            etag = etag_of(bodies.plain)
            if etag_matches(if_none_match, etag):
                return _not_modified(etag)
        elif etag_matches(if_none_match, etag):
            return _not_modified(etag)
        else:
            # Kept per process (app.state, server.app); an ETag names its bytes, so none
            # goes stale.
            kept_here: SnapshotBodies = request.app.state.snapshot_bodies
            kept = kept_here.get(etag)
            bodies = kept or Bodies.of(_built(conn, kiosk.site_id, at, understood))
            if kept is None:
                kept_here.put(etag, bodies)
    headers = _headers(etag)
    if accepts_gzip(accept_encoding):
        headers["Content-Encoding"] = "gzip"
        return Response(bodies.gzipped, media_type="application/json", headers=headers)
    return Response(bodies.plain, media_type="application/json", headers=headers)


def _built(conn: Connection, site_id: str, at: datetime, understood: frozenset[str]) -> bytes:
    # The recall plans cost most of a build: not for a door that would not get them.
    built = build_snapshot(conn, site_id, at, recall=RECALL in understood)
    return canonical_json(built, understood=understood)


def _headers(etag: str) -> dict[str, str]:
    return {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "Vary": f"{UNDERSTANDS_HEADER}, Accept-Encoding",
    }


def _not_modified(etag: str) -> Response:
    return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=_headers(etag))

"""GET /api/v1/media/{sha256}: a photo of the site's plan, for the door's cache.

The name is the sha256 of the bytes, so an answer never changes: a kiosk (or a proxy) may
keep it for ever, and checks the bytes against their name before it keeps them.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from server.administration import media
from server.api.problems import AUTH_RESPONSES
from server.deps import ConnDep, KioskDep
from sync.protocol import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])

IMMUTABLE = "private, max-age=31536000, immutable"


@router.get(
    "/media/{sha256}",
    responses={
        **AUTH_RESPONSES,
        200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo."},
        404: {"description": "No photo of this name."},
    },
    response_class=Response,
    summary="Fetch a photo by its sha256",
)
def photo(kiosk: KioskDep, conn: ConnDep, sha256: str) -> Response:
    """The stored bytes of a photo a task or word names (the snapshot's `photo`)."""
    with conn.begin():
        found = media.read(conn, sha256)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no photo of this name")
    content, content_type = found
    headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{sha256}"'}
    return Response(content, media_type=content_type, headers=headers)

"""GET /api/v1/wheelhouse/{sha256}: a release's manifest or one of its wheels, for a kiosk
installing the version its site names (sync.upgrade, docs/admin/upgrading.md).

Named by the sha256 of the bytes, as the photos are (server.api.photos): the kiosk checks
what it gets against the name it asked for, which came from the snapshot over the same TLS.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse

from server.administration.wheelhouse import find
from server.api.photos import IMMUTABLE
from server.api.problems import AUTH_RESPONSES
from server.deps import KioskDep
from sync.protocol import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


@router.get(
    "/wheelhouse/{sha256}",
    responses={
        **AUTH_RESPONSES,
        200: {"content": {"application/octet-stream": {}}, "description": "The file."},
        404: {"description": "No manifest or wheel of this sha256."},
    },
    response_class=FileResponse,
    summary="Fetch a release's manifest or wheel by its sha256",
)
def wheelhouse_file(request: Request, kiosk: KioskDep, sha256: str) -> FileResponse:
    """The manifest a snapshot's `site.upgrade` names, or a wheel that manifest lists."""
    found = find(request.app.state.settings.wheelhouse, sha256)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no manifest or wheel of this sha256")
    return FileResponse(
        found,
        media_type="application/octet-stream",
        headers={"Cache-Control": IMMUTABLE, "ETag": f'"{sha256}"'},
    )

"""The Sites page's choice of the prikklok version each site's kiosks run (upgrades without
a visit, docs/admin/upgrading.md): a release of the wheelhouse, or none."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from server.administration import upgrades
from server.administration.wheelhouse import WheelhouseError, releases
from server.deps import ClockDep, EngineDep
from server.web.access import Admin, CsrfDep
from server.web.forms import FormDep, back, text

router = APIRouter(include_in_schema=False)


def release_names(request: Request) -> list[str]:
    """The releases the wheelhouse holds, for the Sites page's choice."""
    return [each.version for each in releases(request.app.state.settings.wheelhouse)]


@router.post("/sites/{site_id}/version", response_model=None)
def site_version(
    request: Request,
    site_id: str,
    engine: EngineDep,
    clock: ClockDep,
    viewer: Admin,
    _: CsrfDep,
    form: FormDep,
) -> Response:
    """The site's kiosks install this release (empty: they keep theirs); audited. They
    learn it with their next snapshot; the Kiosks page shows how it went."""
    chosen = text(form, "version") or None
    try:
        upgrades.want_version(
            engine,
            site_id,
            chosen,
            request.app.state.settings.wheelhouse,
            actor=viewer.actor,
            now=clock(),
        )
    except upgrades.NoSuchSite:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet") from None
    except WheelhouseError:
        return back("/sites?saved=no-release")
    return back("/sites?saved=version")

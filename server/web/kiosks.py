"""The kiosks of a site: how each door is doing, and (admin) registering one, giving it a
new token and revoking it. The doors are read and changed by server.kiosks.doors; this
page says how each is doing, in words a supervisor acts on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from server.administration.operations import AdminError, check_id
from server.deps import ClockDep, EngineDep
from server.kiosks import doors
from server.kiosks.doors import SiteKiosk
from server.kiosks.status import (
    READER_HEALTH,
    Alarm,
    ago,
    clock_difference,
    disk_text,
    oldest_waiting_at,
)
from server.web.access import Admin, CsrfDep, SiteViewerDep
from server.web.forms import FormDep, back, known_site, site_page, text

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class KioskView:
    """One kiosk as the page shows it."""

    id: str
    name: str
    revoked_at: datetime | None
    beat: Any  # the kiosk_heartbeats row, or None
    alarms: list[Alarm]
    seen: str  # "4 min geleden"
    waiting_since: str | None
    disk: str | None  # "1.2 GB vrij (45 %)"
    log_lines: list[Any]  # its newest warnings and errors, newest first


def _view(kiosk: SiteKiosk, now: datetime, settings: Any) -> KioskView:
    beat = kiosk.beat
    waiting = oldest_waiting_at(beat) if beat else None
    return KioskView(
        id=kiosk.id,
        name=kiosk.name,
        revoked_at=kiosk.revoked_at,
        beat=kiosk.heartbeat,
        alarms=kiosk.alarms(
            now,
            silent_minutes=settings.kiosk_silent_minutes,
            queue_minutes=settings.kiosk_queue_minutes,
        ),
        seen=ago(beat.received_at, now) if beat else "nooit",
        waiting_since=ago(waiting, now) if waiting else None,
        disk=disk_text(beat) if beat else None,
        log_lines=kiosk.log_lines,
    )


def _page(
    request: Request,
    engine: EngineDep,
    viewer: Any,
    site_id: str,
    now: datetime,
    *,
    error: str | None = None,
    new_token: tuple[str, str] | None = None,
    rotated: bool = False,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    settings = request.app.state.settings
    site = known_site(engine, site_id)
    views = [_view(kiosk, now, settings) for kiosk in doors.kiosks_of(engine, site_id, now)]
    return site_page(
        request,
        "kiosks/list.html",
        viewer,
        site,
        error=error,
        kiosks=views,
        health=READER_HEALTH,
        difference=clock_difference,
        new_token=new_token,
        rotated=rotated,
        form=form or {},
        silent_minutes=settings.kiosk_silent_minutes,
        queue_minutes=settings.kiosk_queue_minutes,
        public_url=settings.link_base(str(request.base_url)),
    )


@router.get("/sites/{site_id}/kiosks", response_class=HTMLResponse)
def kiosk_list(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str, now: ClockDep
) -> HTMLResponse:
    return _page(request, engine, viewer, site_id, now())


@router.post("/sites/{site_id}/kiosks", response_class=HTMLResponse)
def register_kiosk(
    request: Request,
    engine: EngineDep,
    viewer: Admin,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
    now: ClockDep,
) -> HTMLResponse:
    """Register a kiosk; its token is on this answer and nowhere else, ever."""
    at = now()
    shown = {"id": text(form, "id"), "name": text(form, "name")}
    error = None
    token = None
    known_site(engine, site_id)
    try:
        check_id(shown["id"], "kiosk id")
    except AdminError:
        error = "Id: alleen letters, cijfers, '.', '_' of '-' (max. 64), bijv. voordeur-1."
    if error is None and not 1 <= len(shown["name"]) <= 200:
        error = "Naam: 1 tot 200 tekens, bijv. Voordeur."
    if error is None:
        token = doors.register(engine, site_id, shown["id"], shown["name"], at)
        if token is None:
            error = f"Id: er is al een kiosk {shown['id']}; kies een ander."
    if token is None:
        return _page(request, engine, viewer, site_id, at, error=error, form=shown)
    return _page(request, engine, viewer, site_id, at, new_token=(shown["id"], token))


def _not_ours() -> HTTPException:
    """A page acts on its own site's doors only."""
    return HTTPException(status.HTTP_404_NOT_FOUND, "deze kiosk is niet van deze locatie")


@router.post("/sites/{site_id}/kiosks/{kiosk_id}/rotate-token", response_class=HTMLResponse)
def new_kiosk_token(
    request: Request,
    engine: EngineDep,
    viewer: Admin,
    _: CsrfDep,
    site_id: str,
    kiosk_id: str,
    now: ClockDep,
) -> HTMLResponse:
    """A new token for the kiosk, on this answer only; the old one is refused at once."""
    known_site(engine, site_id)
    token = doors.rotate_token(engine, site_id, kiosk_id)
    if token is None:
        raise _not_ours()
    return _page(request, engine, viewer, site_id, now(), new_token=(kiosk_id, token), rotated=True)


@router.post("/sites/{site_id}/kiosks/{kiosk_id}/revoke", response_model=None)
def retire_kiosk(
    request: Request,
    engine: EngineDep,
    viewer: Admin,
    _: CsrfDep,
    site_id: str,
    kiosk_id: str,
    now: ClockDep,
) -> Response:
    """Revoke the kiosk's token: its next request is refused."""
    known_site(engine, site_id)
    if not doors.retire(engine, site_id, kiosk_id, now()):
        raise _not_ours()
    return back(f"/sites/{site_id}/kiosks?saved=revoked")

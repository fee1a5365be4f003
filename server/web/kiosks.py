"""The kiosks of a site: how each door is doing, and (admin) registering one, giving it a
new token and revoking it."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from server.administration.operations import (
    AdminError,
    add_kiosk,
    check_id,
    revoke_kiosk,
    rotate_kiosk_token,
)
from server.db import writing
from server.deps import EngineDep
from server.kiosks.status import (
    READER_HEALTH,
    Alarm,
    Beat,
    ago,
    alarms,
    clock_difference,
    disk_text,
    oldest_waiting_at,
)
from server.schema import kiosk_heartbeats, kiosks
from server.web.access import Admin, CsrfDep, SiteViewerDep
from server.web.forms import FormDep, back, site_or_404, site_page, text

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


def _views(conn: Any, site_id: str, now: datetime, settings: Any) -> list[KioskView]:
    rows = conn.execute(
        select(kiosks.c.id, kiosks.c.name, kiosks.c.revoked_at, kiosk_heartbeats)
        .outerjoin(kiosk_heartbeats, kiosk_heartbeats.c.kiosk_id == kiosks.c.id)
        .where(kiosks.c.site_id == site_id)
        .order_by(kiosks.c.revoked_at.is_not(None), kiosks.c.name, kiosks.c.id)
    ).all()
    found = []
    for row in rows:
        beat = None
        if row.received_at is not None:
            beat = Beat(
                received_at=row.received_at,
                queue_depth=row.queue_depth,
                oldest_unsynced_at=row.oldest_unsynced_at,
                clock_offset_seconds=row.clock_offset_seconds,
                reader_health=row.reader_health,
                disk_free_bytes=row.disk_free_bytes,
                disk_total_bytes=row.disk_total_bytes,
                journal_trouble=row.journal_trouble,
            )
        waiting = oldest_waiting_at(beat) if beat else None
        found.append(
            KioskView(
                id=row.id,
                name=row.name,
                revoked_at=row.revoked_at,
                beat=row if beat else None,
                alarms=alarms(
                    beat,
                    now,
                    silent_after=timedelta(minutes=settings.kiosk_silent_minutes),
                    queue_after=timedelta(minutes=settings.kiosk_queue_minutes),
                    revoked=row.revoked_at is not None,
                ),
                seen=ago(beat.received_at, now) if beat else "nooit",
                waiting_since=ago(waiting, now) if waiting else None,
                disk=disk_text(beat) if beat else None,
            )
        )
    return found


def _page(
    request: Request,
    engine: Any,
    viewer: Any,
    site_id: str,
    *,
    error: str | None = None,
    new_token: tuple[str, str] | None = None,
    rotated: bool = False,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    settings = request.app.state.settings
    now = settings.now()
    with engine.connect() as conn:
        site = site_or_404(conn, site_id)
        views = _views(conn, site_id, now, settings)
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
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str
) -> HTMLResponse:
    return _page(request, engine, viewer, site_id)


@router.post("/sites/{site_id}/kiosks", response_class=HTMLResponse)
def register_kiosk(
    request: Request, engine: EngineDep, viewer: Admin, _: CsrfDep, form: FormDep, site_id: str
) -> HTMLResponse:
    """Register a kiosk; its token is on this answer and nowhere else, ever."""
    shown = {"id": text(form, "id"), "name": text(form, "name")}
    error = None
    token = None
    with writing(engine) as conn:
        site_or_404(conn, site_id)
        try:
            check_id(shown["id"], "kiosk id")
        except AdminError:
            error = "Id: alleen letters, cijfers, '.', '_' of '-' (max. 64), bijv. voordeur-1."
        if error is None and not 1 <= len(shown["name"]) <= 200:
            error = "Naam: 1 tot 200 tekens, bijv. Voordeur."
        if error is None:
            if conn.execute(select(kiosks.c.id).where(kiosks.c.id == shown["id"])).first():
                error = f"Id: er is al een kiosk {shown['id']}; kies een ander."
            else:
                token = add_kiosk(
                    conn, site_id, shown["id"], shown["name"], request.app.state.settings.now()
                )
    if token is None:
        return _page(request, engine, viewer, site_id, error=error, form=shown)
    return _page(request, engine, viewer, site_id, new_token=(shown["id"], token))


def _require_ours(conn: Any, site_id: str, kiosk_id: str) -> None:
    """404 unless the kiosk belongs to this site: a page acts on its own site's doors only."""
    site_or_404(conn, site_id)
    ours = conn.execute(
        select(kiosks.c.id).where(kiosks.c.id == kiosk_id, kiosks.c.site_id == site_id)
    ).first()
    if ours is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze kiosk is niet van deze locatie")


@router.post("/sites/{site_id}/kiosks/{kiosk_id}/rotate-token", response_class=HTMLResponse)
def new_kiosk_token(
    request: Request, engine: EngineDep, viewer: Admin, _: CsrfDep, site_id: str, kiosk_id: str
) -> HTMLResponse:
    """A new token for the kiosk, on this answer only; the old one is refused at once."""
    with writing(engine) as conn:
        _require_ours(conn, site_id, kiosk_id)
        token = rotate_kiosk_token(conn, kiosk_id)
    return _page(request, engine, viewer, site_id, new_token=(kiosk_id, token), rotated=True)


@router.post("/sites/{site_id}/kiosks/{kiosk_id}/revoke", response_model=None)
def retire_kiosk(
    request: Request, engine: EngineDep, viewer: Admin, _: CsrfDep, site_id: str, kiosk_id: str
) -> Response:
    """Revoke the kiosk's token: its next request is refused."""
    with writing(engine) as conn:
        _require_ours(conn, site_id, kiosk_id)
        with suppress(AdminError):  # revoked already: the same outcome
            revoke_kiosk(conn, kiosk_id, request.app.state.settings.now())
    return back(f"/sites/{site_id}/kiosks?saved=revoked")

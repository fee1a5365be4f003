"""The supervisor's floor pages: who is inside now, the evacuation list, and the day.

Every route is under a site and lets in an admin or that site's supervisor
(`SiteViewerDep`). "Now" and "Evacuation" refresh themselves: the page holds its list in
an element that `live.js` replaces every few seconds with the `/live` fragment, so the
query behind them (server.attendance.inside) reads only today's rows. A participant's day
and its corrections are server.web.corrections; the day's overview query is
server.attendance.today.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from server.administration.audit import saw
from server.administration.staff_sessions import Viewer
from server.attendance.inside import floor_now
from server.attendance.today import site_day, today_at
from server.deps import ClockDep, EngineDep
from server.web.access import SiteViewerDep
from server.web.days import parse_day, step
from server.web.forms import known_site, no_such_site
from server.web.pages import render

router = APIRouter(include_in_schema=False)

LIVE_EVERY_SECONDS = 3


def _floor_page(
    request: Request,
    engine: EngineDep,
    now: ClockDep,
    viewer: Viewer,
    site_id: str,
    page: str,
    template: str,
) -> HTMLResponse:
    """Everyone inside now as `template` shows them; the view is audited as `page`."""
    at = now()
    floor = floor_now(engine, site_id, at)
    if floor is None:
        raise no_such_site()
    saw(engine, viewer, page, [p.participant_id for p in floor.participants], at)
    tz = floor.site.timezone
    return render(
        request,
        template,
        viewer,
        site=floor.site.id,
        place=floor.site,
        floor=floor,
        tz=tz,
        made_at=floor.at.astimezone(ZoneInfo(tz)).strftime("%H:%M:%S"),
        every=LIVE_EVERY_SECONDS,
    )


@router.get("/sites/{site_id}/now", response_class=HTMLResponse)
def now_page(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep, now: ClockDep
) -> HTMLResponse:
    """Everyone checked in now, with what to look at, and the supervisors in."""
    return _floor_page(request, engine, now, viewer, site_id, "now", "floor/now.html")


@router.get("/sites/{site_id}/now/live", response_class=HTMLResponse)
def now_live(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep, now: ClockDep
) -> HTMLResponse:
    return _floor_page(request, engine, now, viewer, site_id, "now", "floor/now_live.html")


@router.get("/sites/{site_id}/evacuation", response_class=HTMLResponse)
def evacuation_page(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep, now: ClockDep
) -> HTMLResponse:
    """The roll call: everyone inside, large, printable, with the time it was made."""
    return _floor_page(request, engine, now, viewer, site_id, "evacuation", "floor/evacuation.html")


@router.get("/sites/{site_id}/evacuation/live", response_class=HTMLResponse)
def evacuation_live(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep, now: ClockDep
) -> HTMLResponse:
    return _floor_page(
        request, engine, now, viewer, site_id, "evacuation", "floor/evacuation_live.html"
    )


@router.get("/sites/{site_id}/today", response_class=HTMLResponse)
def today_page(
    request: Request,
    site_id: str,
    viewer: SiteViewerDep,
    engine: EngineDep,
    now: ClockDep,
    day: str | None = None,
) -> HTMLResponse:
    """The day at a glance: lunch, who came, late, missing, excused, and what needs fixing."""
    at = now()
    site = known_site(engine, site_id)
    chosen = site_day(site, at) if not day else parse_day(day)
    if chosen is None:
        return render(
            request,
            "error.html",
            viewer,
            status_code=status.HTTP_400_BAD_REQUEST,
            site=site_id,
            detail="Dat is geen geldige datum: kies een dag (JJJJ-MM-DD).",
        )
    late_after = request.app.state.settings.late_after_minutes
    report = today_at(engine, site_id, chosen, at, late_after)
    saw(engine, viewer, "today", report.participant_ids(), at)
    return render(
        request,
        "floor/today.html",
        viewer,
        site=site_id,
        place=site,
        report=report,
        tz=site.timezone,
        is_today=chosen == site_day(site, at),
        is_future=chosen > site_day(site, at),
        previous_day=step(chosen, -1),
        next_day=step(chosen, 1),
        moment=moment,
    )


def moment(at: datetime | None, tz: str) -> str:
    """'25-11-2026 09:00' in the site's time: for times that need not be of the day shown."""
    return at.astimezone(ZoneInfo(tz)).strftime("%d-%m-%Y %H:%M") if at else "–"

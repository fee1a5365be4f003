"""The supervisor's floor pages: who is inside now, the evacuation list, and the day.

Every route is under a site and lets in an admin or that site's supervisor
(`SiteViewerDep`). "Now" and "Evacuation" refresh themselves: the page holds its list in
an element that `live.js` replaces every few seconds with the `/live` fragment, so the
query behind them reads only today's rows. A participant's day and its corrections live
in server.web.corrections; the day's overview query in server.attendance.today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection, select

from server.administration.staff_sessions import Viewer
from server.attendance.presence import load_day, present_in
from server.attendance.sessions import BY_HAND, SESSION_KINDS, ReceivedTap, closing_time
from server.attendance.today import (
    Site,
    flags_of,
    name_in,
    roster_of,
    site_day,
    site_of,
    today,
)
from server.deps import EngineDep
from server.schema import staff
from server.sql import member_of
from server.web import corrections
from server.web.access import SiteViewerDep
from server.web.audit import saw
from server.web.corrections import parse_day, step
from server.web.pages import render
from sync.record import OPENS_SESSION

router = APIRouter(include_in_schema=False)
router.include_router(corrections.router)

LIVE_EVERY_SECONDS = 3


@dataclass(frozen=True)
class Inside:
    """A participant in the building now, and what the supervisor should know about it."""

    participant_id: str
    name: str
    since: datetime
    by_hand: bool  # a supervisor checked them in
    kinds_disagree: bool  # the door called the opening tap something else
    flags: tuple[str, ...]  # event_flags of their taps today (e.g. badge_held_by_other)
    corrected: bool  # a supervisor amended their day
    birthday: bool


@dataclass(frozen=True)
class SupervisorIn:
    staff_id: str
    name: str
    since: datetime


@dataclass(frozen=True)
class Floor:
    site: Site
    day: date
    at: datetime  # when this list was made
    participants: list[Inside]
    supervisors: list[SupervisorIn]

    @property
    def count(self) -> int:
        return len(self.participants)


def inside_now(conn: Connection, site: Site, now: datetime) -> Floor:
    """Everyone in the building now, with their details: server.attendance.presence.present_in, from
    the one read of the day's rows the details need too, as this list refreshes every few
    seconds."""
    day = site_day(site, now)
    taps = load_day(conn, site.id, day)
    counted = taps.counted()
    close_at = closing_time(day, site.closes_at, site.timezone)
    inside = present_in(taps, close_at, now, counted)
    present = inside.participants
    roster = roster_of(conn, site.id, present)
    theirs = {event_id: pid for event_id, *_, pid, _, _ in taps.rows if pid in present}
    flags: dict[str, set[str]] = {}
    for event_id, found in flags_of(conn, theirs).items():
        flags.setdefault(str(theirs[event_id]), set()).update(found)
    people = []
    for pid, since in present.items():
        opener = _opener(counted[pid], since)
        people.append(
            Inside(
                pid,
                name_in(roster, pid),
                since,
                opener in BY_HAND,
                opener is not None and opener not in OPENS_SESSION,
                tuple(sorted(flags.get(pid, ()))),
                bool(taps.fixes.get(pid)),
                roster.get(pid, {}).get("birthday") == day.strftime("%m-%d"),
            )
        )
    people.sort(key=lambda p: (p.name.casefold(), p.participant_id))
    return Floor(site, day, now, people, _supervisors_in(conn, inside.supervisors))


def _supervisors_in(conn: Connection, inside: dict[str, datetime]) -> list[SupervisorIn]:
    """The supervisors inside, with their names."""
    names = dict(
        conn.execute(
            select(staff.c.id, staff.c.display_name).where(
                member_of(conn, staff.c.id, list(inside))
            )
        ).all()
    )
    return sorted(
        (SupervisorIn(sid, names.get(sid, sid), at) for sid, at in inside.items()),
        key=lambda s: s.name.casefold(),
    )


def _opener(counted: list[ReceivedTap], since: datetime) -> str | None:
    """The kind of the tap that opened the session still open (the last at that time, as
    server.attendance.sessions.pair_sessions orders them)."""
    openers = sorted(
        (t.at, t.id, t.kind) for t in counted if t.kind in SESSION_KINDS and t.at == since
    )
    return openers[-1][2] if openers else None


# --- routes ---------------------------------------------------------------------------


def known_site(conn: Connection, site_id: str) -> Site:
    """The site, or 404: an admin may type any site id into the address bar."""
    site = site_of(conn, site_id)
    if site is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="deze locatie bestaat niet")
    return site


def _floor_page(
    request: Request, engine: EngineDep, viewer: Viewer, site_id: str, page: str, template: str
) -> HTMLResponse:
    """Everyone inside now as `template` shows them; the view is audited as `page`."""
    now = request.app.state.settings.now()
    with engine.connect() as conn:
        floor = inside_now(conn, known_site(conn, site_id), now)
    saw(engine, viewer, page, [p.participant_id for p in floor.participants], now)
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
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep
) -> HTMLResponse:
    """Everyone checked in now, with what to look at, and the supervisors in."""
    return _floor_page(request, engine, viewer, site_id, "now", "floor/now.html")


@router.get("/sites/{site_id}/now/live", response_class=HTMLResponse)
def now_live(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep
) -> HTMLResponse:
    return _floor_page(request, engine, viewer, site_id, "now", "floor/now_live.html")


@router.get("/sites/{site_id}/evacuation", response_class=HTMLResponse)
def evacuation_page(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep
) -> HTMLResponse:
    """The roll call: everyone inside, large, printable, with the time it was made."""
    return _floor_page(request, engine, viewer, site_id, "evacuation", "floor/evacuation.html")


@router.get("/sites/{site_id}/evacuation/live", response_class=HTMLResponse)
def evacuation_live(
    request: Request, site_id: str, viewer: SiteViewerDep, engine: EngineDep
) -> HTMLResponse:
    return _floor_page(request, engine, viewer, site_id, "evacuation", "floor/evacuation_live.html")


@router.get("/sites/{site_id}/today", response_class=HTMLResponse)
def today_page(
    request: Request,
    site_id: str,
    viewer: SiteViewerDep,
    engine: EngineDep,
    day: str | None = None,
) -> HTMLResponse:
    """The day at a glance: lunch, who came, late, missing, excused, and what needs fixing."""
    settings = request.app.state.settings
    now = settings.now()
    with engine.connect() as conn:
        site = known_site(conn, site_id)
        chosen = site_day(site, now) if not day else parse_day(day)
        if chosen is None:
            return render(
                request,
                "error.html",
                viewer,
                status_code=status.HTTP_400_BAD_REQUEST,
                site=site_id,
                detail="Dat is geen geldige datum: kies een dag (JJJJ-MM-DD).",
            )
        report = today(conn, site_id, chosen, now, settings.late_after_minutes)
    saw(engine, viewer, "today", report.participant_ids(), now)
    return render(
        request,
        "floor/today.html",
        viewer,
        site=site_id,
        place=site,
        report=report,
        tz=site.timezone,
        is_today=chosen == site_day(site, now),
        is_future=chosen > site_day(site, now),
        previous_day=step(chosen, -1),
        next_day=step(chosen, 1),
        moment=moment,
    )


def moment(at: datetime | None, tz: str) -> str:
    """'25-11-2026 09:00' in the site's time: for times that need not be of the day shown."""
    return at.astimezone(ZoneInfo(tz)).strftime("%d-%m-%Y %H:%M") if at else "–"

"""The page of a participant's day: the taps as the doors sent them, the supervisors'
corrections beside what they correct, the sessions derived from both, the day's absence
reason, what the participant said at the door about the day, and the forms that correct the
day, excuse it, or confirm, change or reject what the participant said.

The day is read by server.attendance.day_sheet, amended by server.attendance.amendments and
its statements reviewed by server.attendance.reviews; this page reads and checks the forms,
and answers.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.administration.audit import saw
from server.administration.staff_sessions import Viewer
from server.attendance.amendments import (
    ABSENCE_REASONS,
    Asked,
    Refused,
    correct,
    excuse,
    withdraw_excuse,
)
from server.attendance.day_sheet import day_sheet
from server.attendance.reviews import REVIEWS, NotReviewed, Review, review
from server.attendance.sessions import CORRECTION_ACTIONS
from server.attendance.today import Site, find_site, site_day
from server.deps import ClockDep, EngineDep
from server.web.access import CsrfDep, SiteViewerDep
from server.web.days import parse_day, step
from server.web.forms import back, page
from sync.own_say import REASONS

router = APIRouter(include_in_schema=False)

DAY_PATH = "/sites/{site_id}/participants/{participant_id}/days/{day}"
MAX_REASON = 500

NOT_THEIR_TAP = "Deze registratie hoort niet bij deze deelnemer op deze dag."
NO_TIME = "Geef een geldige tijd, bijvoorbeeld 16:30."
WAS_PRESENT = (
    "Op deze dag was de deelnemer aanwezig: afmelden kan niet. Klopt een "
    "registratie niet, corrigeer die dan eerst."
)


def parse_clock(text: str) -> time | None:
    """'8:05', '08:05' or '08.05' as a time of day, or None."""
    found = re.fullmatch(r"([0-9]{1,2})[:.]([0-9]{2})", text.strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        return None
    return time(int(found[1]), int(found[2]))


def _where(engine: EngineDep, site_id: str, day_text: str) -> tuple[Site, date]:
    """The site and day of the path; 404 for a site or day that is not there."""
    day = parse_day(day_text)
    site = find_site(engine, site_id) if day is not None else None
    if site is None or day is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="deze dag bestaat niet")
    return site, day


def _not_here() -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, detail="deze deelnemer hoort niet bij deze locatie"
    )


def _page(
    request: Request,
    engine: EngineDep,
    viewer: Viewer,
    site_id: str,
    participant_id: str,
    day_text: str,
    now: ClockDep,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    at = now()
    site, day = _where(engine, site_id, day_text)
    shown = day_sheet(engine, site, participant_id, day, at)
    if shown is None:
        raise _not_here()
    saw(engine, viewer, "day", [participant_id], at)
    return page(
        request,
        "floor/day.html",
        viewer,
        error=error,
        site=site_id,
        place=site,
        shown=shown,
        tz=site.timezone,
        is_today=day == site_day(site, at),
        previous_day=step(day, -1),
        next_day=step(day, 1),
        form=form or {},
        absence_reasons=ABSENCE_REASONS,
        said_reasons=list(REASONS),
    )


@router.get(DAY_PATH, response_class=HTMLResponse)
def day_page(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    engine: EngineDep,
    now: ClockDep,
) -> HTMLResponse:
    """The taps, the corrections beside them, the sessions, and the forms to fix the day."""
    return _page(request, engine, viewer, site_id, participant_id, day, now)


def _back(site_id: str, participant_id: str, day: date, anchor: str) -> RedirectResponse:
    return back(f"/sites/{site_id}/participants/{participant_id}/days/{day.isoformat()}#{anchor}")


Text = Annotated[str, Form(max_length=5000)]


def _asked(form: dict[str, str]) -> tuple[str | None, Asked | None]:
    """The correction the form asks for, or why not (in Dutch, for the page); whether the
    tap is theirs is server.attendance.amendments's to say."""
    action, reason = form["action"], form["reason"].strip()
    if action not in CORRECTION_ACTIONS:
        return "Kies wat je wilt corrigeren.", None
    if not reason:
        return "Geef een reden voor de correctie: die blijft bij de correctie bewaard.", None
    if len(reason) > MAX_REASON:
        return f"De reden is te lang: hoogstens {MAX_REASON} tekens.", None
    at = parse_clock(form["at"]) if action != "void" else None
    event_id = form["event_id"] if action in ("move", "void") else None
    return None, Asked(action, event_id, at, reason)


@router.post(DAY_PATH + "/corrections", response_model=None)
def add_correction(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    _checked: CsrfDep,
    engine: EngineDep,
    now: ClockDep,
    action: Text = "",
    event_id: Text = "",
    at: Text = "",
    reason: Text = "",
) -> Response:
    """Add a check-in or check-out, move a tap or void it; each with a reason."""
    form = {"action": action, "event_id": event_id, "at": at, "reason": reason}
    site, when = _where(engine, site_id, day)
    problem, asked = _asked(form)
    if asked is not None:
        refused = correct(
            engine,
            site,
            participant_id,
            when,
            asked,
            staff_id=viewer.staff_id,
            actor=viewer.actor,
            now=now(),
        )
        if refused is Refused.STRANGER:
            raise _not_here()
        if refused is Refused.NOT_THEIR_TAP:
            problem = NOT_THEIR_TAP
        elif refused is Refused.NO_TIME:
            problem = NO_TIME
    if problem is not None:
        return _page(request, engine, viewer, site_id, participant_id, day, now, problem, form)
    return _back(site_id, participant_id, when, "sessies")


@router.post(DAY_PATH + "/absence", response_model=None)
def set_absence(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    _checked: CsrfDep,
    engine: EngineDep,
    now: ClockDep,
    reason: Text = "",
    note: Text = "",
) -> Response:
    """Excuse the participant for the day with a reason code; replaces an earlier one."""
    problem = None
    if reason not in ABSENCE_REASONS:
        problem = "Kies een reden: ziek, afspraak, inburgeringsles of anders."
    elif len(note.strip()) > MAX_REASON:
        problem = f"De toelichting is te lang: hoogstens {MAX_REASON} tekens."
    site, when = _where(engine, site_id, day)
    if problem is None:
        refused = excuse(
            engine,
            site,
            participant_id,
            when,
            reason,
            note.strip(),
            staff_id=viewer.staff_id,
            actor=viewer.actor,
            now=now(),
        )
        if refused is Refused.STRANGER:
            raise _not_here()
        if refused is Refused.PRESENT:
            problem = WAS_PRESENT
    if problem is not None:
        form = {"absence_reason": reason, "note": note}
        return _page(request, engine, viewer, site_id, participant_id, day, now, problem, form)
    return _back(site_id, participant_id, when, "afwezig")


@router.post(DAY_PATH + "/absence/delete", response_model=None)
def remove_absence(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    _checked: CsrfDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Take the day's absence reason away (e.g. entered for the wrong day)."""
    site, when = _where(engine, site_id, day)
    refused = withdraw_excuse(engine, site, participant_id, when, actor=viewer.actor, now=now())
    if refused is Refused.STRANGER:
        raise _not_here()
    return _back(site_id, participant_id, when, "afwezig")


NOT_THEIR_STATEMENT = "Deze melding hoort niet bij deze deelnemer."
NO_SAID_REASON = (
    "Kies een reden: gemeente/IND, dokter of ziek, kinderen/school, vervoer of iets anders."
)
_NOT_REVIEWED = {
    NotReviewed.NOT_THEIRS: NOT_THEIR_STATEMENT,
    NotReviewed.NO_REASON: NO_SAID_REASON,
    NotReviewed.NO_TIME: NO_TIME,
}


@router.post(DAY_PATH + "/statements/{event_id}", response_model=None)
def review_statement(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    event_id: str,
    viewer: SiteViewerDep,
    _checked: CsrfDep,
    engine: EngineDep,
    now: ClockDep,
    verdict: Text = "",
    reason: Text = "",
    left_at: Text = "",
) -> Response:
    """Confirm, change or reject what the participant said at the door (a reason for
    leaving early, an announced absence, yesterday's time of leaving)."""
    form = {"statement": event_id, "verdict": verdict, "said_reason": reason, "left_at": left_at}
    site, when = _where(engine, site_id, day)
    problem = None
    if verdict not in REVIEWS:
        problem = "Kies: klopt, veranderen of afwijzen."
    else:
        at = parse_clock(left_at) if left_at.strip() else None
        if left_at.strip() and at is None:
            problem = NO_TIME
        else:
            asked = Review(verdict, reason or None, at)
            refused = review(
                engine,
                site,
                participant_id,
                event_id,
                asked,
                staff_id=viewer.staff_id,
                actor=viewer.actor,
                now=now(),
            )
            if refused is Refused.STRANGER:
                raise _not_here()
            if isinstance(refused, NotReviewed):
                problem = _NOT_REVIEWED[refused]
    if problem is not None:
        return _page(request, engine, viewer, site_id, participant_id, day, now, problem, form)
    return _back(site_id, participant_id, when, "gezegd")

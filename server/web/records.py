"""A site's participants: the list (with the unknown badges seen at the door) and the
form to add or change one, for the supervisor of the site (and the admin). Giving and
revoking badges is in `server.web.badges`; the queries are server.attendance.participants.

Every route is under `/sites/{site_id}` behind `SiteViewerDep`; the site always comes
from the path, never from a form, and every participant, badge or coach a form names is
looked up again within that site, so a forged field reaches nothing of another site.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from server.administration.audit import saw
from server.administration.operations import AdminError, check_id
from server.attendance.participants import (
    active_coaches,
    change_participant,
    first_coach,
    id_taken,
    participant_file,
    participant_of,
    site_participants,
    store_participant,
)
from server.attendance.today import Site
from server.deps import ClockDep, EngineDep
from server.web.access import CsrfDep, SiteViewerDep
from server.web.forms import (
    FormDep,
    back,
    known_site,
    read_participant,
    short_date,
    shown_of,
    site_page,
    site_today,
)
from server.wording import MONTHS

router = APIRouter(include_in_schema=False)

# The languages the kiosk speaks (kiosk/locale; Dari reads the Persian texts), with their
# Dutch names; tests/server/web/test_records.py keeps this list in step with the kiosk.
KIOSK_LANGUAGES = {
    "nl": "Nederlands",
    "en": "Engels",
    "ar": "Arabisch",
    "ti": "Tigrinya",
    "fa": "Perzisch (Farsi)",
    "prs": "Dari",
    "so": "Somalisch",
    "uk": "Oekraïens",
    "tr": "Turks",
}
UNKNOWN_BADGE_DAYS = 14  # unknown badges this recent are offered for enrolment
WORKDAYS = (1, 2, 3, 4, 5)


def _not_ours() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "deze deelnemer is niet van deze locatie")


def participant_or_404(engine: EngineDep, site_id: str, participant_id: str) -> Any:
    """The participant, if they belong to this site: another site's is not found here."""
    row = participant_of(engine, site_id, participant_id)
    if row is None:
        raise _not_ours()
    return row


def stored_form(engine: EngineDep, row: Any) -> dict[str, Any]:
    """A stored participant as the form shows them, with their first coach."""
    return shown_of(row, first_coach(engine, row.id))


# --- the list and the unknown badges ---------------------------------------------------


def participants_page(
    request: Request,
    engine: EngineDep,
    viewer: Any,
    site_id: str,
    now: datetime,
    error: str | None = None,
) -> HTMLResponse:
    site = known_site(engine, site_id)
    shown = site_participants(engine, site_id, now - timedelta(days=UNKNOWN_BADGE_DAYS), now)
    saw(engine, viewer, "participants", [p.id for p in shown.people], now)
    return site_page(
        request,
        "records/participants.html",
        viewer,
        site,
        error=error,
        people=shown.people,
        coaches=shown.coaches,
        held=shown.held,
        unknown=shown.unknown,
        languages=KIOSK_LANGUAGES,
        short_date=short_date,
        today=site_today(site, now).isoformat(),
        unknown_days=UNKNOWN_BADGE_DAYS,
    )


@router.get("/sites/{site_id}/participants", response_class=HTMLResponse)
def participant_list(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str, now: ClockDep
) -> HTMLResponse:
    return participants_page(request, engine, viewer, site_id, now())


# --- one participant -----------------------------------------------------------------


def participant_page(
    request: Request,
    engine: EngineDep,
    viewer: Any,
    site: Site,
    shown: dict[str, Any],
    now: datetime,
    *,
    participant: Any = None,
    errors: list[str] | None = None,
    badge_error: str | None = None,
) -> HTMLResponse:
    file = participant_file(engine, participant.id if participant is not None else None)
    languages = dict(KIOSK_LANGUAGES)
    if shown.get("language") and shown["language"] not in languages:
        languages[shown["language"]] = shown["language"]
    return site_page(
        request,
        "records/participant.html",
        viewer,
        site,
        status_code=400 if errors or badge_error else 200,
        participant=participant,
        values=shown,
        errors=errors or [],
        badge_error=badge_error,
        coaches=file.coach_choices,
        coaches_now=file.coaches_now,
        history=file.badges,
        languages=languages,
        workdays=sorted(set(WORKDAYS) | set(shown.get("weekdays", ()))),
        months=MONTHS,
        today=site_today(site, now).isoformat(),
    )


@router.get("/sites/{site_id}/participants/new", response_class=HTMLResponse)
def new_participant_form(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str, now: ClockDep
) -> HTMLResponse:
    site = known_site(engine, site_id)
    shown = {"language": "nl", "active": True, "word_check": True, "weekdays": set()}
    return participant_page(request, engine, viewer, site, shown, now())


@router.post("/sites/{site_id}/participants/new", response_model=None)
def add_participant(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
    now: ClockDep,
) -> Response:
    at = now()
    site = known_site(engine, site_id)
    filled = read_participant(form, active_coaches(engine))
    pid = filled.shown["id"]
    taken = f"Id: {pid} bestaat al; kies een ander of laat leeg."
    if pid:
        try:
            check_id(pid, "id")
        except AdminError:
            filled.errors.append("Id: alleen letters, cijfers, '.', '_' of '-' (max. 64).")
        else:
            if id_taken(engine, pid):
                filled.errors.append(taken)
    if not filled.errors:
        coach = filled.shown["coach"]
        added = store_participant(
            engine, site_id, pid, filled.row, coach, actor=viewer.actor, now=at
        )
        if added is not None:
            return back(f"/sites/{site_id}/participants/{added}/edit?saved=new")
        filled.errors.append(taken)  # taken since it was checked
    return participant_page(request, engine, viewer, site, filled.shown, at, errors=filled.errors)


@router.get("/sites/{site_id}/participants/{participant_id}/edit", response_class=HTMLResponse)
def edit_participant_form(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    site_id: str,
    participant_id: str,
    now: ClockDep,
) -> HTMLResponse:
    at = now()
    site = known_site(engine, site_id)
    row = participant_or_404(engine, site_id, participant_id)
    shown = stored_form(engine, row)
    page = participant_page(request, engine, viewer, site, shown, at, participant=row)
    saw(engine, viewer, "participant_edit", [participant_id], at)
    return page


@router.post("/sites/{site_id}/participants/{participant_id}/edit", response_model=None)
def save_participant(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
    participant_id: str,
    now: ClockDep,
) -> Response:
    at = now()
    site = known_site(engine, site_id)
    row = participant_or_404(engine, site_id, participant_id)
    filled = read_participant(form, active_coaches(engine))
    filled.shown["id"] = row.id
    if filled.errors:
        return participant_page(
            request, engine, viewer, site, filled.shown, at, participant=row, errors=filled.errors
        )
    stored = change_participant(
        engine,
        site_id,
        row.id,
        filled.row,
        filled.shown["coach"],
        filled.shown["coach_was"],
        actor=viewer.actor,
        now=at,
    )
    if not stored:  # gone since it was read
        raise _not_ours()
    return back(f"/sites/{site_id}/participants/{participant_id}/edit?saved=1")

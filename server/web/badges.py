"""Badges of a site's participants: giving one, revoking one, and enrolling a badge that
was tapped at the door while nobody held it (the unknown-badge list). The changes are
server.kiosks.badge_register.

Every route is under `/sites/{site_id}` behind `SiteViewerDep`; the participant a form
names is looked up again within that site, and a badge held elsewhere names nobody of
another site. A refusal shows the page the form came from again, with the reason.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from server.administration.operations import AdminError, normalise_uid
from server.deps import ClockDep, EngineDep
from server.kiosks.badge_register import HeldElsewhere, hand_out, take_back
from server.web.access import CsrfDep, SiteViewerDep
from server.web.forms import FormDep, back, known_site, text
from server.web.records import (
    participant_or_404,
    participant_page,
    participants_page,
    stored_form,
)

router = APIRouter(include_in_schema=False)

BAD_UID = "Een badgenummer is 8 tot 20 tekens 0-9 en A-F, bijvoorbeeld 04A1B2C3."


def _give(
    engine: EngineDep, actor: str, site_id: str, pid: str, uid: str, how: str, now: datetime
) -> str | None:
    """Assign the badge; a Dutch reason when it cannot be given."""
    try:
        uid = normalise_uid(uid)
    except AdminError:
        return BAD_UID
    refused = hand_out(engine, site_id, pid, uid, how=how, actor=actor, now=now)
    if isinstance(refused, HeldElsewhere):
        who = refused.holder or "iemand van een andere locatie"  # no names of another site
        return f"Deze badge is al van {who}: trek hem daar eerst in."
    if refused is not None:
        return "Deze badge kan niet worden gegeven."
    return None


@router.post("/sites/{site_id}/badges/enrol", response_model=None)
def enrol_unknown(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
    now: ClockDep,
) -> Response:
    """Give a badge seen at the door, unknown, to a participant of this site."""
    at = now()
    pid = text(form, "participant_id")
    if not pid:
        return participants_page(request, engine, viewer, site_id, at, "Kies eerst een deelnemer.")
    known_site(engine, site_id)
    participant_or_404(engine, site_id, pid)
    problem = _give(engine, viewer.actor, site_id, pid, text(form, "uid"), "enrolled", at)
    if problem:
        return participants_page(request, engine, viewer, site_id, at, problem)
    return back(f"/sites/{site_id}/participants?saved=badge")


@router.post("/sites/{site_id}/participants/{participant_id}/badges", response_model=None)
def give_badge(
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
    problem = _give(engine, viewer.actor, site_id, row.id, text(form, "uid"), "assigned", at)
    if problem:
        shown = stored_form(engine, row)
        return participant_page(
            request, engine, viewer, site, shown, at, participant=row, badge_error=problem
        )
    return back(f"/sites/{site_id}/participants/{participant_id}/edit?saved=badge")


@router.post(
    "/sites/{site_id}/participants/{participant_id}/badges/{uid}/revoke", response_model=None
)
def take_badge(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    site_id: str,
    participant_id: str,
    uid: str,
    now: ClockDep,
) -> Response:
    """Revoke the participant's badge: the door says "see a supervisor" when it is tapped."""
    known_site(engine, site_id)
    row = participant_or_404(engine, site_id, participant_id)
    if not take_back(engine, row.id, uid, actor=viewer.actor, now=now()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze badge is niet van deze deelnemer")
    return back(f"/sites/{site_id}/participants/{participant_id}/edit?saved=revoked")

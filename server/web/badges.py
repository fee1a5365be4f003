"""Badges of a site's participants: giving one, revoking one, and enrolling a badge that
was tapped at the door while nobody held it (the unknown-badge list).

Every route is under `/sites/{site_id}` behind `SiteViewerDep`; the participant a form
names is looked up again within that site, and a badge held elsewhere names nobody of
another site. A refusal shows the page the form came from again, with the reason.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from sqlalchemy import Connection, select

from server.administration.operations import (
    AdminError,
    BadgeHeldError,
    assign_badge,
    normalise_uid,
    revoke_badge,
)
from server.db import writing
from server.deps import EngineDep
from server.schema import badges, participants, staff
from server.web.access import CsrfDep, SiteViewerDep
from server.web.audit import changed
from server.web.forms import FormDep, back, site_or_404, text
from server.web.records import (
    participant_or_404,
    participant_page,
    participants_page,
    stored_form,
)

router = APIRouter(include_in_schema=False)

BAD_UID = "Een badgenummer is 8 tot 20 tekens 0-9 en A-F, bijvoorbeeld 04A1B2C3."


def _give_badge(conn: Connection, site_id: str, pid: str, uid: str, now: datetime) -> str | None:
    """Assign the badge; a Dutch reason when it cannot be given."""
    try:
        uid = normalise_uid(uid)
    except AdminError:
        return BAD_UID
    try:
        assign_badge(conn, uid, "participant", pid, now)
    except BadgeHeldError as held:
        holder = None
        if held.holder_kind == "participant":
            holder = conn.execute(
                select(participants.c.display_name).where(
                    participants.c.id == held.holder_id, participants.c.site_id == site_id
                )
            ).scalar()
        else:
            holder = conn.execute(
                select(staff.c.display_name).where(
                    staff.c.id == held.holder_id, staff.c.site_id == site_id
                )
            ).scalar()
        who = holder or "iemand van een andere locatie"  # no names of another site
        return f"Deze badge is al van {who}: trek hem daar eerst in."
    except AdminError:
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
) -> Response:
    """Give a badge seen at the door, unknown, to a participant of this site."""
    now = request.app.state.settings.now()
    pid = text(form, "participant_id")
    if not pid:
        return participants_page(request, engine, viewer, site_id, "Kies eerst een deelnemer.")
    with writing(engine) as conn:
        site_or_404(conn, site_id)
        participant_or_404(conn, site_id, pid)
        problem = _give_badge(conn, site_id, pid, text(form, "uid"), now)
        if problem is None:
            changed(conn, viewer, "badge", pid, {"badge": "enrolled"}, now)
    if problem:
        return participants_page(request, engine, viewer, site_id, problem)
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
) -> Response:
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        row = participant_or_404(conn, site_id, participant_id)
        problem = _give_badge(conn, site_id, row.id, text(form, "uid"), now)
        if problem:
            shown = stored_form(conn, row)
            return participant_page(
                request, conn, viewer, site, shown, participant=row, badge_error=problem
            )
        changed(conn, viewer, "badge", row.id, {"badge": "assigned"}, now)
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
) -> Response:
    """Revoke the participant's badge: the door says "see a supervisor" when it is tapped."""
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site_or_404(conn, site_id)
        row = participant_or_404(conn, site_id, participant_id)
        theirs = conn.execute(
            select(badges.c.uid).where(
                badges.c.uid == uid,
                badges.c.holder_kind == "participant",
                badges.c.holder_id == row.id,
                badges.c.revoked_at.is_(None),
            )
        ).first()
        if theirs is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "deze badge is niet van deze deelnemer")
        revoke_badge(conn, uid, now)
        changed(conn, viewer, "badge", row.id, {"badge": "revoked"}, now)
    return back(f"/sites/{site_id}/participants/{participant_id}/edit?saved=revoked")

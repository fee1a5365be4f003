"""The admin's data-rights pages (promise 6 of docs/design.md): a participant's data exported as a
file or erased, and retention: what is older than the retention period is deleted, daily by
the timer or now by hand."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from server.administration.audit import retention_runs
from server.administration.rights import UnknownParticipant, erase_now, export_now, retention_now
from server.deps import ClockDep, EngineDep
from server.web.access import Admin, CsrfDep
from server.web.forms import FormDep, back, page, text
from server.web.pages import render
from server.wording import clock, dutch_date
from sync.clock import WORKSHOP_TZ

router = APIRouter(include_in_schema=False)

RETENTION_RUNS_SHOWN = 10


# --- a participant's rights: export and erasure ---------------------------------------------


@router.get("/admin/participants/{participant_id}/export")
def export(engine: EngineDep, clock: ClockDep, viewer: Admin, participant_id: str) -> Response:
    """Everything stored about the participant, as a JSON file; the export is audited."""
    try:
        data = export_now(engine, participant_id, viewer.actor, clock())
    except UnknownParticipant:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze deelnemer bestaat niet") from None
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return Response(
        body.encode("utf-8"),
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{participant_id}.json"'},
    )


@router.post("/admin/participants/{participant_id}/erase", response_model=None)
def erase(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep,
    form: FormDep, participant_id: str,
) -> Response:  # fmt: skip
    """Erase the participant; the doors drop them at their next snapshot."""
    if text(form, "confirm") != "yes":
        return render(
            request,
            "error.html",
            viewer,
            status_code=400,
            detail="Niet gewist: vink eerst aan dat je alle gegevens wilt wissen.",
        )
    try:
        site_id = erase_now(engine, participant_id, viewer.actor, clock())
    except UnknownParticipant:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze deelnemer bestaat niet") from None
    return back(f"/sites/{site_id}/participants?saved=erased")


# --- retention ---------------------------------------------------------------------------


@router.get("/admin/retention", response_class=HTMLResponse)
def retention_page(request: Request, engine: EngineDep, viewer: Admin) -> HTMLResponse:
    runs = retention_runs(engine, RETENTION_RUNS_SHOWN)
    return page(
        request,
        "admin/retention.html",
        viewer,
        days=request.app.state.settings.retention_days,
        runs=runs,
        when=lambda at: f"{dutch_date(at.astimezone(WORKSHOP_TZ).date())} {clock(at)}",
    )


@router.post("/admin/retention", response_model=None)
def run_retention(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep
) -> Response:
    """Delete what is older than the retention period now, as the daily timer would."""
    days = request.app.state.settings.retention_days
    retention_now(engine, clock(), days, viewer.actor)
    return back("/admin/retention?saved=1")

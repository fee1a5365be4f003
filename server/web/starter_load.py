"""The planning page's "Startset laden" button: the starter set's 120 words on the site's
next workdays from a start day, in one step (server.administration.starter_set). A day that
has a word keeps it; the page then says how many words were planned and how many days were
passed over, from the redirect's query (numbers only, read back as numbers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import RedirectResponse

from server.administration import plan, starter_set
from server.deps import ClockDep, EngineDep
from server.web.access import CsrfDep, SiteViewerDep
from server.web.forms import FormDep, back, site_today, text

router = APIRouter(include_in_schema=False)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def counts(query: Any) -> dict[str, int] | None:
    """The numbers the redirect after a load carries, for the page's notice; None when the
    query has none (or not numbers: nothing else is shown)."""
    try:
        return {name: int(query[name]) for name in ("placed", "skipped", "known")}
    except (KeyError, ValueError):
        return None


@router.post("/sites/{site_id}/planning/starter", response_model=None)
def load_starter(
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    now: ClockDep,
    site_id: str,
) -> RedirectResponse:
    at = now()
    site = plan.site(engine, site_id)
    if site is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    asked = text(form, "start")
    start = _day(asked) if asked else starter_set.next_workday(site_today(site, at))
    if start is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{asked!r} is geen datum (jjjj-mm-dd)")
    done = starter_set.load(engine, site_id, start, actor=viewer.actor, at=at)
    return back(
        f"/sites/{site_id}/planning?from={start.isoformat()}&saved=starter"
        f"&placed={done.placed}&skipped={done.days_skipped}&known={done.already_planned}"
    )

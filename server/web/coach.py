"""The coach's pages: their participants' figures, calendars and absence alerts, one
participant's whole program, and the secret feed links for their own tools.

A coach sees only the participants assigned to them: any other participant id answers
404 (not 403), so a coach cannot even learn which ids exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.administration.audit import saw
from server.administration.staff_sessions import Viewer
from server.attendance.calendar_picture import MONTHS, month_picture
from server.attendance.coaching import caseload, program, record_of
from server.attendance.history import WORKSHOP_TIMEZONE
from server.attendance.summary import ABSENT, ANNOUNCED, EXCUSED, Figures, Timeline, month_dates
from server.deps import ClockDep, EngineDep
from server.feeds import links as feed_links
from server.feeds.content import (
    KIND_LABELS,
    estimated_at,
    own_reason,
    reason_label,
    verdict,
)
from server.feeds.links import coach_links, make_link, renew_link, revoke_link
from server.settings import Settings
from server.web.access import Coach, CsrfDep
from server.web.forms import back, page
from server.web.pages import render
from server.wording import WEEKDAYS

router = APIRouter(include_in_schema=False)

PERIOD_DAYS = 28  # the home page's default: the last four weeks
MAX_PERIOD_DAYS = 366
PROGRAM_MONTHS = 24  # the participant page shows at most this many months
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ACTIONS = {
    "add_check_in": "inchecken toegevoegd",
    "add_check_out": "uitchecken toegevoegd",
    "move": "tijd veranderd",
    "void": "tik geschrapt",
}
FORMATS = (
    ("json", "JSON (voor een cliëntvolgsysteem)", "attendance.json"),
    ("csv", "CSV per dag (Excel)", "attendance.csv"),
    ("csv-summary", "CSV overzicht (Excel)", "attendance.csv?view=summary"),
    ("xlsx", "Excel-werkmap", "attendance.xlsx"),
    ("ics", "Agenda (Outlook, Google)", "attendance.ics"),
)


class BadInput(ValueError):
    """Input the coach must fix; the message is Dutch and shown on the page."""


def _today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(WORKSHOP_TIMEZONE)).date()


def _local_day(tz: str) -> Callable[[datetime], date]:
    """For templates: the date of a moment in the site's time (not the UTC date)."""
    zone = ZoneInfo(tz)
    return lambda moment: moment.astimezone(zone).date()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _late_after(request: Request) -> timedelta:
    return timedelta(minutes=_settings(request).late_after_minutes)


def _day(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"De {what} is geen datum: gebruik jjjj-mm-dd.") from None
    if not EARLIEST <= day <= LATEST:
        raise BadInput(f"De {what} moet tussen 2000 en 2100 liggen.")
    return day


def period_of(first: str, last: str, today: date) -> tuple[date, date]:
    """The period the coach picked, or the last four weeks up to today."""
    end = _day(last, "einddatum") or today
    start = _day(first, "begindatum") or end - timedelta(days=PERIOD_DAYS - 1)
    if start > end:
        raise BadInput("De begindatum ligt na de einddatum.")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise BadInput("Kies een periode van hoogstens een jaar.")
    return start, end


def month_of(value: str | None, today: date) -> tuple[int, int]:
    if not value:
        return today.year, today.month
    found = MONTH.match(value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise BadInput("Geef de maand als jjjj-mm.")
    year, month = int(found.group(1)), int(found.group(2))
    if not EARLIEST.year <= year <= LATEST.year:
        raise BadInput("De maand moet tussen 2000 en 2100 liggen.")
    return year, month


def month_name(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def _not_theirs() -> HTTPException:
    """Not this coach's participant: 404, so a coach cannot even learn which ids exist."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="deze deelnemer ken ik niet")


# --- the coach's participants ------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """One participant on the coach's home page."""

    participant_id: str
    name: str
    active: bool
    figures: Figures
    absence_run: int
    alert: bool


@router.get("/coach", response_class=HTMLResponse)
def coach_home(
    request: Request,
    engine: EngineDep,
    viewer: Coach,
    clock: ClockDep,
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> HTMLResponse:
    """Every participant of the coach: the figures of a period, this month's calendar and
    an alarm for anyone absent without notice too often in a row."""
    settings = _settings(request)
    now = clock()
    today = _today(now)
    error = None
    try:
        start, end = period_of(first, last, today)
    except BadInput as bad:
        error = str(bad)
        start, end = period_of("", "", today)
    theirs = caseload(engine, viewer.staff_id, start, end, now, late_after=_late_after(request))
    loaded = theirs.timelines
    people = [
        Overview(
            pid,
            timeline.plan.display_name,
            timeline.plan.active,
            timeline.figures(start, end),
            loaded.runs[pid],
            loaded.alert(pid, settings.absence_alert_after),
        )
        for pid, timeline in loaded.of.items()
    ]
    saw(engine, viewer, "coach", theirs.participant_ids, now)
    return page(
        request,
        "coach/home.html",
        viewer,
        error=error,
        people=people,
        start=start,
        end=end,
        picked_from=first if error else start.isoformat(),
        picked_to=last if error else end.isoformat(),
        month=f"{today:%Y-%m}",
        month_label=month_name(today.year, today.month),
    )


# --- one participant ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    label: str
    key: str  # YYYY-MM, for the calendar picture
    figures: Figures


def _program_months(timeline: Timeline, start: date, end: date) -> list[MonthRow]:
    rows = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        days = month_dates(year, month)
        first, last = max(days[0], start), min(days[-1], end)
        rows.append(
            MonthRow(month_name(year, month), f"{year}-{month:02d}", timeline.figures(first, last))
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


@router.get("/coach/participants/{participant_id}", response_class=HTMLResponse)
def coach_participant(
    request: Request,
    engine: EngineDep,
    viewer: Coach,
    clock: ClockDep,
    participant_id: Annotated[str, Path(max_length=64)],
) -> HTMLResponse:
    """One participant over their whole program: figures and calendar per month, the
    absences with their reasons, forgotten check-outs, what they said at the door
    themselves (categories only) and the supervisors' corrections."""
    settings = _settings(request)
    now = clock()
    shown = program(
        engine,
        viewer.staff_id,
        participant_id,
        _today(now),
        now,
        late_after=_late_after(request),
        at_most_months=PROGRAM_MONTHS,
    )
    if shown is None:
        raise _not_theirs()
    plan, start, end, loaded = shown.plan, shown.first, shown.last, shown.timelines
    timeline = loaded.of[participant_id]
    days = timeline.days(start, end)
    saw(engine, viewer, "coach/participant", [participant_id], now)
    return render(
        request,
        "coach/participant.html",
        viewer,
        plan=plan,
        weekdays_agreed=[WEEKDAYS[d - 1] for d in sorted(plan.agreed_weekdays)],
        months=_program_months(timeline, start, end),
        total=timeline.figures(start, end),
        words=shown.words,
        absences=[d for d in days if d.status in (EXCUSED, ABSENT, ANNOUNCED)][::-1],
        said=sorted(
            shown.upcoming + [s for d in days for s in d.said],
            key=lambda said: (said.day, said.said_at),
            reverse=True,
        ),
        forgotten=[d for d in days if d.forgotten_check_outs][::-1],
        corrections=loaded.notes.get(participant_id, [])[::-1],
        absence_run=loaded.runs[participant_id],
        alert=loaded.alert(participant_id, settings.absence_alert_after),
        tz=plan.site.timezone,
        actions=ACTIONS,
        reason_label=reason_label,
        kind_labels=KIND_LABELS,
        own_reason=own_reason,
        verdict=verdict,
        estimated_at=estimated_at,
        local_day=_local_day(plan.site.timezone),
    )


@router.get("/coach/participants/{participant_id}/calendar.svg")
def coach_calendar(
    request: Request,
    engine: EngineDep,
    viewer: Coach,
    clock: ClockDep,
    participant_id: Annotated[str, Path(max_length=64)],
    month: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The participant's month as a picture (see server.attendance.calendar_picture)."""
    now = clock()
    try:
        year, number = month_of(month, _today(now))
    except BadInput as bad:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(bad)) from None
    days = month_dates(year, number)
    record = record_of(engine, viewer.staff_id, participant_id, days[0], days[-1])
    if record is None:
        raise _not_theirs()
    timeline = Timeline(record, now, _late_after(request))
    picture = month_picture(
        timeline.month(year, number),
        f"Aanwezigheid van {record.plan.display_name}, {month_name(year, number)}",
    )
    saw(engine, viewer, "coach/calendar", [participant_id], now)
    return Response(picture, media_type="image/svg+xml")


# --- feed links --------------------------------------------------------------------------


TokenIdPath = Annotated[int, Path(ge=1, le=2**62)]


def _unknown_link() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="deze link ken ik niet")


def _links(request: Request, token: str) -> list[tuple[str, str]]:
    base = _settings(request).link_base(str(request.base_url))
    return [(label, f"{base}/feeds/{token}/{path}") for _, label, path in FORMATS]


def _feeds_page(
    request: Request,
    engine: EngineDep,
    viewer: Viewer,
    *,
    fresh: tuple[str, list[tuple[str, str]]] | None = None,
    error: str | None = None,
    label: str = "",
) -> HTMLResponse:
    links = coach_links(engine, viewer.staff_id)
    return page(
        request,
        "coach/feeds.html",
        viewer,
        error=error,
        links=links,
        fresh=fresh,
        label=label,
        local_day=_local_day(WORKSHOP_TIMEZONE),
    )


@router.get("/coach/feeds", response_class=HTMLResponse)
def coach_feeds(request: Request, engine: EngineDep, viewer: Coach) -> HTMLResponse:
    """The coach's feed links: when made, when last used, revoked or not."""
    return _feeds_page(request, engine, viewer)


@router.post("/coach/feeds", response_class=HTMLResponse)
def create_feed(
    request: Request,
    engine: EngineDep,
    viewer: Coach,
    _csrf: CsrfDep,
    clock: ClockDep,
    label: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    """A new link, shown this once: only its hash is kept."""
    try:
        cleaned = feed_links.clean_label(label)
    except feed_links.LabelError as bad:
        return _feeds_page(request, engine, viewer, error=str(bad), label=label)
    token = make_link(engine, viewer.staff_id, cleaned, actor=viewer.actor, now=clock())
    return _feeds_page(request, engine, viewer, fresh=(cleaned, _links(request, token)))


@router.post("/coach/feeds/{token_id}/revoke")
def revoke_feed(
    request: Request,
    engine: EngineDep,
    viewer: Coach,
    _csrf: CsrfDep,
    clock: ClockDep,
    token_id: TokenIdPath,
) -> RedirectResponse:
    """The link stops working at once."""
    if not revoke_link(engine, viewer.staff_id, token_id, actor=viewer.actor, now=clock()):
        raise _unknown_link()
    return back("/coach/feeds")


@router.post("/coach/feeds/{token_id}/renew", response_class=HTMLResponse)
def renew_feed(
    request: Request,
    engine: EngineDep,
    viewer: Coach,
    _csrf: CsrfDep,
    clock: ClockDep,
    token_id: TokenIdPath,
) -> HTMLResponse:
    """Revoke a link (say it was shared by mistake) and make a new one in its place."""
    renewed = renew_link(engine, viewer.staff_id, token_id, actor=viewer.actor, now=clock())
    if renewed is None:
        raise _unknown_link()
    token, label = renewed
    return _feeds_page(request, engine, viewer, fresh=(label, _links(request, token)))

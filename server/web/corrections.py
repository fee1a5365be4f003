"""A participant's day: the taps as the doors sent them, the supervisors' corrections
beside what they correct, the sessions derived from both, and the day's absence reason.

A correction never changes a tap: it is a row of its own (who, when, why), and attendance
is derived from taps and corrections together (server.attendance.sessions.corrected).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, delete, select

from server.administration.staff_sessions import Viewer
from server.attendance.presence import load_day
from server.attendance.sessions import (
    CORRECTION_ACTIONS,
    SESSION_KINDS,
    DayAttendance,
    closing_time,
    pair_sessions,
)
from server.attendance.today import Site, agreed_on, flags_of, site_day, site_of
from server.db import writing
from server.deps import EngineDep
from server.schema import (
    ABSENCE_REASONS,
    absences,
    corrections,
    kiosks,
    participants,
    staff,
)
from server.sql import member_of, upsert
from server.web.access import CsrfDep, SiteViewerDep
from server.web.audit import changed, saw
from server.web.forms import back, page, participant_at

router = APIRouter(include_in_schema=False)

DAY_PATH = "/sites/{site_id}/participants/{participant_id}/days/{day}"
MAX_REASON = 500
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # what a workshop day can be


def parse_day(text: str) -> date | None:
    """A day from 'YYYY-MM-DD', or None for anything else."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:  # e.g. 2026-02-30
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def step(day: date, days: int) -> date | None:
    """The day `days` away, or None past the days a workshop can have."""
    other = day + timedelta(days=days)
    return other if FIRST_DAY <= other <= LAST_DAY else None


def parse_clock(text: str) -> time | None:
    """'8:05', '08:05' or '08.05' as a time of day, or None."""
    found = re.fullmatch(r"([0-9]{1,2})[:.]([0-9]{2})", text.strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        return None
    return time(int(found[1]), int(found[2]))


@dataclass(frozen=True)
class Amendment:
    """A correction with its author and when it was made."""

    id: int
    action: str
    event_id: str | None
    at: datetime | None
    reason: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class DoorTap:
    """A tap as the door sent it, and what the corrections made of it."""

    id: str
    kind: str
    at: datetime
    door: str
    flags: tuple[str, ...]
    amendments: list[Amendment]
    counted_at: datetime | None  # the time attendance uses; None: voided

    @property
    def voided(self) -> bool:
        return self.counted_at is None

    @property
    def fixable(self) -> bool:
        return self.kind in SESSION_KINDS and not self.voided


@dataclass(frozen=True)
class Absence:
    reason: str
    note: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class ParticipantDay:
    site: Site
    participant_id: str
    name: str
    day: date
    taps: list[DoorTap]
    added: list[Amendment]  # taps the door never saw
    attendance: DayAttendance
    absence: Absence | None
    agreed: bool  # one of their agreed weekdays

    @property
    def present(self) -> bool:
        """They were in on this day (a session, or in now): no absence to excuse."""
        return bool(self.attendance.sessions or self.attendance.open_since)


def participant_day(
    conn: Connection, site: Site, participant_id: str, day: date, now: datetime
) -> ParticipantDay | None:
    """The participant's day at `site`, or None when they are not this site's."""
    person = conn.execute(
        select(participants.c.display_name, participants.c.agreed_weekdays).where(
            participants.c.id == participant_id, participants.c.site_id == site.id
        )
    ).first()
    if person is None:
        return None
    taps = load_day(conn, site.id, day)
    raw = taps.raw_of(participant_id)
    counted = taps.of_participant(participant_id)
    fixes = taps.fixes.get(participant_id, [])
    made = {
        row.id: row
        for row in conn.execute(
            select(corrections.c.id, corrections.c.created_at, staff.c.display_name)
            .join(staff, staff.c.id == corrections.c.staff_id)
            .where(member_of(conn, corrections.c.id, [f.id for f in fixes]))
        )
    }
    amendments = sorted(
        (
            Amendment(
                f.id,
                f.action,
                f.event_id,
                f.at,
                f.reason,
                made[f.id].display_name,
                made[f.id].created_at,
            )
            for f in fixes
            if f.id in made
        ),
        key=lambda a: a.id,
    )
    doors = {
        kiosk_id: name
        for kiosk_id, name in conn.execute(
            select(kiosks.c.id, kiosks.c.name).where(kiosks.c.site_id == site.id)
        )
    }
    flags = flags_of(conn, (t.id for t in raw))
    counted_at = {t.id: t.at for t in counted}
    door_taps = [
        DoorTap(
            t.id,
            t.kind,
            t.at,
            doors.get(t.kiosk_id, t.kiosk_id),
            tuple(sorted(flags.get(t.id, ()))),
            [a for a in amendments if a.event_id == t.id],
            counted_at.get(t.id),
        )
        for t in sorted(raw, key=lambda t: (t.at, t.id))
    ]
    close_at = closing_time(day, site.closes_at, site.timezone)
    return ParticipantDay(
        site=site,
        participant_id=participant_id,
        name=person.display_name,
        day=day,
        taps=door_taps,
        added=[a for a in amendments if a.event_id is None],
        attendance=pair_sessions(counted, day, close_at, now),
        absence=_absence(conn, participant_id, day),
        agreed=agreed_on(person.agreed_weekdays, day),
    )


def _absence(conn: Connection, participant_id: str, day: date) -> Absence | None:
    row = conn.execute(
        select(absences.c.reason, absences.c.note, absences.c.created_at, staff.c.display_name)
        .join(staff, staff.c.id == absences.c.staff_id)
        .where(absences.c.participant_id == participant_id, absences.c.day == day)
    ).first()
    if row is None:
        return None
    return Absence(row.reason, row.note, row.display_name, row.created_at)


# --- routes ---------------------------------------------------------------------------


def _where(conn: Connection, site_id: str, day_text: str) -> tuple[Site, date]:
    """The site and day of the path; 404 for a site, participant or day that is not there."""
    site = site_of(conn, site_id)
    day = parse_day(day_text)
    if site is None or day is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="deze dag bestaat niet")
    return site, day


def _not_here() -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, detail="deze deelnemer hoort niet bij deze locatie"
    )


def _their_day(
    conn: Connection, site_id: str, participant_id: str, day_text: str
) -> tuple[Site, date]:
    """As `_where`, for a participant of that site: 404 for anyone else."""
    site, day = _where(conn, site_id, day_text)
    if participant_at(conn, site.id, participant_id) is None:
        raise _not_here()
    return site, day


def _page(
    request: Request,
    engine: EngineDep,
    viewer: Viewer,
    site_id: str,
    participant_id: str,
    day_text: str,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    now = request.app.state.settings.now()
    with engine.connect() as conn:
        site, day = _where(conn, site_id, day_text)
        shown = participant_day(conn, site, participant_id, day, now)
    if shown is None:
        raise _not_here()
    saw(engine, viewer, "day", [participant_id], now)
    return page(
        request,
        "floor/day.html",
        viewer,
        error=error,
        site=site_id,
        place=site,
        shown=shown,
        tz=site.timezone,
        is_today=day == site_day(site, now),
        previous_day=step(day, -1),
        next_day=step(day, 1),
        form=form or {},
        absence_reasons=ABSENCE_REASONS,
    )


@router.get(DAY_PATH, response_class=HTMLResponse)
def day_page(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    engine: EngineDep,
) -> HTMLResponse:
    """The taps, the corrections beside them, the sessions, and the forms to fix the day."""
    return _page(request, engine, viewer, site_id, participant_id, day)


def _back(site_id: str, participant_id: str, day: date, anchor: str) -> RedirectResponse:
    return back(f"/sites/{site_id}/participants/{participant_id}/days/{day.isoformat()}#{anchor}")


Text = Annotated[str, Form(max_length=5000)]


@router.post(DAY_PATH + "/corrections", response_model=None)
def add_correction(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    _checked: CsrfDep,
    engine: EngineDep,
    action: Text = "",
    event_id: Text = "",
    at: Text = "",
    reason: Text = "",
) -> Response:
    """Add a check-in or check-out, move a tap or void it; each with a reason."""
    now = request.app.state.settings.now()
    form = {"action": action, "event_id": event_id, "at": at, "reason": reason}
    with writing(engine) as conn:
        site, when = _their_day(conn, site_id, participant_id, day)
        problem, fix = _correction(conn, site, participant_id, when, form)
        if fix is not None:
            new_id = conn.execute(
                corrections.insert()
                .values(
                    **fix,
                    participant_id=participant_id,
                    site_id=site.id,
                    staff_id=viewer.staff_id,
                    created_at=now,
                )
                .returning(corrections.c.id)
            ).scalar_one()
            detail = {"day": when.isoformat(), "action": fix["action"], "event_id": fix["event_id"]}
            changed(conn, viewer, "correction", participant_id, {**detail, "id": new_id}, now)
    if problem is not None:
        return _page(request, engine, viewer, site_id, participant_id, day, problem, form)
    return _back(site_id, participant_id, when, "sessies")


def _correction(
    conn: Connection, site: Site, participant_id: str, day: date, form: dict[str, str]
) -> tuple[str | None, dict[str, Any] | None]:
    """The correction the form asks for, or why not (in Dutch, for the page)."""
    action, reason = form["action"], form["reason"].strip()
    if action not in CORRECTION_ACTIONS:
        return "Kies wat je wilt corrigeren.", None
    if not reason:
        return "Geef een reden voor de correctie: die blijft bij de correctie bewaard.", None
    if len(reason) > MAX_REASON:
        return f"De reden is te lang: hoogstens {MAX_REASON} tekens.", None
    event_id: str | None = None
    if action in ("move", "void"):
        theirs = {t.id: t.kind for t in load_day(conn, site.id, day).raw_of(participant_id)}
        event_id = form["event_id"]
        if theirs.get(event_id) not in SESSION_KINDS:
            return "Deze registratie hoort niet bij deze deelnemer op deze dag.", None
    effective_at: datetime | None = None
    if action != "void":
        moment = parse_clock(form["at"])
        if moment is None:
            return "Geef een geldige tijd, bijvoorbeeld 16:30.", None
        effective_at = datetime.combine(day, moment, tzinfo=ZoneInfo(site.timezone))
    return None, {
        "action": action,
        "event_id": event_id,
        "effective_at": effective_at,
        "reason": reason,
    }


@router.post(DAY_PATH + "/absence", response_model=None)
def set_absence(
    request: Request,
    site_id: str,
    participant_id: str,
    day: str,
    viewer: SiteViewerDep,
    _checked: CsrfDep,
    engine: EngineDep,
    reason: Text = "",
    note: Text = "",
) -> Response:
    """Excuse the participant for the day with a reason code; replaces an earlier one."""
    now = request.app.state.settings.now()
    problem = None
    if reason not in ABSENCE_REASONS:
        problem = "Kies een reden: ziek, afspraak, inburgeringsles of anders."
    elif len(note.strip()) > MAX_REASON:
        problem = f"De toelichting is te lang: hoogstens {MAX_REASON} tekens."
    with writing(engine) as conn:
        site, when = _their_day(conn, site_id, participant_id, day)
        shown = participant_day(conn, site, participant_id, when, now) if not problem else None
        if shown is not None and shown.present:
            problem = (
                "Op deze dag was de deelnemer aanwezig: afmelden kan niet. Klopt een "
                "registratie niet, corrigeer die dan eerst."
            )
        if problem is None:
            row = {
                "participant_id": participant_id,
                "day": when,
                "site_id": site.id,
                "reason": reason,
                "note": note.strip(),
                "staff_id": viewer.staff_id,
                "created_at": now,
            }
            upsert(conn, absences, ["participant_id", "day"], row)
            changed(
                conn,
                viewer,
                "absence",
                participant_id,
                {"day": when.isoformat(), "reason": reason},
                now,
            )
    if problem is not None:
        form = {"absence_reason": reason, "note": note}
        return _page(request, engine, viewer, site_id, participant_id, day, problem, form)
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
) -> Response:
    """Take the day's absence reason away (e.g. entered for the wrong day)."""
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        _site, when = _their_day(conn, site_id, participant_id, day)
        gone = conn.execute(
            delete(absences).where(
                absences.c.participant_id == participant_id, absences.c.day == when
            )
        ).rowcount
        if gone:
            changed(conn, viewer, "absence_removed", participant_id, {"day": when.isoformat()}, now)
    return _back(site_id, participant_id, when, "afwezig")

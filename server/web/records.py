"""Participants and their badges, for the supervisor of a site (and the admin).

Every route is under `/sites/{site_id}` behind `SiteViewerDep`; the site always comes
from the path, never from a form, and every participant, badge or coach a form names is
looked up again within that site, so a forged field reaches nothing of another site.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, delete, select, update
from starlette.datastructures import FormData

from server.admin import (
    AdminError,
    BadgeHeldError,
    assign_badge,
    check_id,
    normalise_uid,
    revoke_badge,
)
from server.db import writing
from server.deps import EngineDep
from server.presence import unknown_badges_of
from server.schema import badges, coach_participants, participants, sites, staff
from server.web.access import CsrfDep, SiteViewerDep
from server.web.audit import changed, saw
from server.web.pages import MONTHS, WEEKDAYS, render
from sync.roster import parse_birthday

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
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")  # "ar", "prs", "fa-af"
BAD_UID = "Een badgenummer is 8 tot 20 tekens 0-9 en A-F, bijvoorbeeld 04A1B2C3."


# --- shared by the site pages (planning, kiosks) -------------------------------------


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]  # read once; the CSRF check read it already


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def site_or_404(conn: Connection, site_id: str) -> Any:
    site = conn.execute(select(sites).where(sites.c.id == site_id)).first()
    if site is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    return site


def site_today(site: Any, now: datetime) -> date:
    return now.astimezone(ZoneInfo(site.timezone)).date()


def moment(at: datetime | None, tz: str) -> str:
    """'di 24-11 10:02' in the site's time."""
    if at is None:
        return "–"
    local = at.astimezone(ZoneInfo(tz))
    return f"{WEEKDAYS[local.weekday()][:2]} {local.day}-{local.month} {local:%H:%M}"


def short_date(day: date | None) -> str:
    """'1 okt 2026'; '…' for an open end."""
    if day is None:
        return "…"
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


# --- reading the participant form ------------------------------------------------------


@dataclass
class Filled:
    """The participant form as sent (to show again) and, when valid, the row to store."""

    shown: dict[str, Any]
    errors: list[str]
    row: dict[str, Any]


def _date(form: FormData, name: str, label: str, errors: list[str]) -> date | None:
    value = text(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label}: geen geldige datum (jjjj-mm-dd).")
        return None


def _birthday(day: str, month: str, errors: list[str]) -> str | None:
    """Day and month only, and only if the participant wishes: both empty is none."""
    if not day and not month:
        return None
    if not day or not month:
        errors.append("Verjaardag: kies dag én maand, of laat beide leeg.")
        return None
    try:
        m, d = parse_birthday(f"{int(month):02d}-{int(day):02d}")
    except ValueError:
        errors.append("Verjaardag: deze dag bestaat niet.")
        return None
    return f"{m:02d}-{d:02d}"


def read_participant(form: FormData, coaches: dict[str, str]) -> Filled:
    """The participant form, checked: Dutch messages for every mistake at once."""
    errors: list[str] = []
    shown: dict[str, Any] = {
        name: text(form, name)
        for name in (
            "id", "display_name", "language", "program_start", "program_end", "coach",
            "coach_was", "team", "birthday_day", "birthday_month",
        )
    }  # fmt: skip
    shown["active"] = form.get("active") is not None
    days = set()
    for value in form.getlist("weekdays"):
        if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 7:
            days.add(int(value))
    shown["weekdays"] = days
    name = shown["display_name"]
    if not name:
        errors.append("Naam: vul een naam in.")
    elif len(name) > 200:
        errors.append("Naam: hoogstens 200 tekens.")
    language = (text(form, "language_other") or shown["language"]).lower() or "nl"
    shown["language"] = language
    if not LANGUAGE_CODE.match(language):
        errors.append("Taal: een taalcode zoals ar, ti of fa.")
    start = _date(form, "program_start", "Begin programma", errors)
    end = _date(form, "program_end", "Einde programma", errors)
    if start and end and end <= start:
        errors.append("Einde programma: moet na het begin liggen.")
    if shown["coach"] and shown["coach"] not in coaches and shown["coach"] != shown["coach_was"]:
        errors.append("Coach: kies een coach uit de lijst.")
    if len(shown["team"]) > 64:
        errors.append("Team: hoogstens 64 tekens.")
    birthday = _birthday(shown["birthday_day"], shown["birthday_month"], errors)
    row = {
        "display_name": name,
        "language": language,
        "program_start": start,
        "program_end": end,
        "agreed_weekdays": ",".join(str(d) for d in sorted(days)),
        "birthday": birthday,
        "team": shown["team"] or None,
        "active": shown["active"],
    }
    return Filled(shown, errors, row)


def shown_of(row: Any, coach: str | None) -> dict[str, Any]:
    """A stored participant as the form shows it."""
    month, day = row.birthday.split("-") if row.birthday else ("", "")
    return {
        "id": row.id,
        "display_name": row.display_name,
        "language": row.language,
        "program_start": row.program_start.isoformat() if row.program_start else "",
        "program_end": row.program_end.isoformat() if row.program_end else "",
        "weekdays": {int(d) for d in row.agreed_weekdays.split(",") if d},
        "coach": coach or "",
        "coach_was": coach or "",
        "team": row.team or "",
        "birthday_day": str(int(day)) if day else "",
        "birthday_month": str(int(month)) if month else "",
        "active": row.active,
    }


# --- queries ---------------------------------------------------------------------------


def coach_names(conn: Connection) -> dict[str, str]:
    """Active coach accounts, id → display name, by name."""
    rows = conn.execute(
        select(staff.c.id, staff.c.display_name)
        .where(staff.c.role == "coach", staff.c.active.is_(True))
        .order_by(staff.c.display_name)
    )
    return {r.id: r.display_name for r in rows}


def coaches_of(conn: Connection, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each participant's coaches as (id, name), by name."""
    rows = conn.execute(
        select(coach_participants.c.participant_id, staff.c.id, staff.c.display_name)
        .join(staff, staff.c.id == coach_participants.c.coach_id)
        .where(coach_participants.c.participant_id.in_(ids))
        .order_by(staff.c.display_name)
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for pid, coach_id, coach_name in rows:
        found.setdefault(pid, []).append((coach_id, coach_name))
    return found


def participant_or_404(conn: Connection, site_id: str, participant_id: str) -> Any:
    """The participant, if they belong to this site: another site's is not found here."""
    row = conn.execute(
        select(participants).where(
            participants.c.id == participant_id, participants.c.site_id == site_id
        )
    ).first()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze deelnemer is niet van deze locatie")
    return row


def _current_badges(conn: Connection, site_id: str) -> dict[str, list[str]]:
    rows = conn.execute(
        select(badges.c.holder_id, badges.c.uid)
        .where(
            badges.c.site_id == site_id,
            badges.c.holder_kind == "participant",
            badges.c.revoked_at.is_(None),
        )
        .order_by(badges.c.uid)
    )
    found: dict[str, list[str]] = {}
    for holder, uid in rows:
        found.setdefault(holder, []).append(uid)
    return found


def _save_coach(conn: Connection, pid: str, coach: str, coach_was: str) -> None:
    """The form changes one coach link: a participant's other coaches stay as they are."""
    if coach == coach_was:
        return
    if coach_was:
        conn.execute(
            delete(coach_participants).where(
                coach_participants.c.participant_id == pid,
                coach_participants.c.coach_id == coach_was,
            )
        )
    if coach:
        linked = conn.execute(
            select(coach_participants.c.coach_id).where(
                coach_participants.c.participant_id == pid,
                coach_participants.c.coach_id == coach,
            )
        ).first()
        if linked is None:
            conn.execute(coach_participants.insert().values(coach_id=coach, participant_id=pid))


def _new_id(conn: Connection) -> str:
    while True:
        candidate = "p-" + secrets.token_hex(3)
        if conn.execute(select(participants.c.id).where(participants.c.id == candidate)).first():
            continue
        return candidate


# --- the list and the unknown badges ---------------------------------------------------


def _list_page(
    request: Request,
    engine: Any,
    viewer: Any,
    site_id: str,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = request.app.state.settings.now()
    with engine.connect() as conn:
        site = site_or_404(conn, site_id)
        people = conn.execute(
            select(participants)
            .where(participants.c.site_id == site_id)
            .order_by(participants.c.active.desc(), participants.c.display_name)
        ).all()
        ids = [p.id for p in people]
        coaches = coaches_of(conn, ids)
        held = _current_badges(conn, site_id)
        seen = unknown_badges_of(conn, site_id, now - timedelta(days=UNKNOWN_BADGE_DAYS), now)
        given = set(
            conn.execute(
                select(badges.c.uid).where(
                    badges.c.uid.in_([b.uid for b in seen]), badges.c.revoked_at.is_(None)
                )
            ).scalars()
        )
    saw(engine, viewer, "participants", ids, now)
    unknown = [b for b in seen if b.uid not in given]  # enrolled since: no longer unknown
    return render(
        request,
        "records/participants.html",
        viewer,
        status_code=status_code,
        site=site_id,
        site_row=site,
        people=people,
        coaches=coaches,
        held=held,
        unknown=unknown,
        moment=lambda at: moment(at, site.timezone),
        languages=KIOSK_LANGUAGES,
        short_date=short_date,
        today=site_today(site, now).isoformat(),
        error=error,
        saved=request.query_params.get("saved"),
        unknown_days=UNKNOWN_BADGE_DAYS,
    )


@router.get("/sites/{site_id}/participants", response_class=HTMLResponse)
def participant_list(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str
) -> HTMLResponse:
    return _list_page(request, engine, viewer, site_id)


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
        return _list_page(request, engine, viewer, site_id, "Kies eerst een deelnemer.", 400)
    with writing(engine) as conn:
        site_or_404(conn, site_id)
        participant_or_404(conn, site_id, pid)
        problem = _give_badge(conn, site_id, pid, text(form, "uid"), now)
        if problem is None:
            changed(conn, viewer, "badge", pid, {"badge": "enrolled"}, now)
    if problem:
        return _list_page(request, engine, viewer, site_id, problem, 400)
    return back(f"/sites/{site_id}/participants?saved=badge")


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


# --- one participant -----------------------------------------------------------------


def _form_page(
    request: Request,
    conn: Connection,
    viewer: Any,
    site: Any,
    shown: dict[str, Any],
    *,
    participant: Any = None,
    errors: list[str] | None = None,
    badge_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    history: list[Any] = []
    coaches_now: list[tuple[str, str]] = []
    if participant is not None:
        history = list(
            conn.execute(
                select(badges)
                .where(badges.c.holder_kind == "participant", badges.c.holder_id == participant.id)
                .order_by(badges.c.revoked_at.is_not(None), badges.c.assigned_at.desc())
            )
        )
        coaches_now = coaches_of(conn, [participant.id]).get(participant.id, [])
    languages = dict(KIOSK_LANGUAGES)
    if shown.get("language") and shown["language"] not in languages:
        languages[shown["language"]] = shown["language"]
    return render(
        request,
        "records/participant.html",
        viewer,
        status_code=status_code,
        site=site.id,
        site_row=site,
        participant=participant,
        values=shown,
        errors=errors or [],
        badge_error=badge_error,
        coaches={**coach_names(conn), **dict(coaches_now)},  # a disabled coach stays linked
        coaches_now=coaches_now,
        history=history,
        languages=languages,
        workdays=sorted(set(WORKDAYS) | set(shown.get("weekdays", ()))),
        moment=lambda at: moment(at, site.timezone),
        saved=request.query_params.get("saved"),
        today=site_today(site, request.app.state.settings.now()).isoformat(),
    )


@router.get("/sites/{site_id}/participants/new", response_class=HTMLResponse)
def new_participant_form(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str
) -> HTMLResponse:
    with engine.connect() as conn:
        site = site_or_404(conn, site_id)
        shown = {"language": "nl", "active": True, "weekdays": set()}
        return _form_page(request, conn, viewer, site, shown)


@router.post("/sites/{site_id}/participants/new", response_model=None)
def add_participant(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
) -> Response:
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        filled = read_participant(form, coach_names(conn))
        pid = filled.shown["id"]
        if pid:
            try:
                check_id(pid, "id")
            except AdminError:
                filled.errors.append("Id: alleen letters, cijfers, '.', '_' of '-' (max. 64).")
            else:
                taken = select(participants.c.id).where(participants.c.id == pid)
                if conn.execute(taken).first():
                    filled.errors.append(f"Id: {pid} bestaat al; kies een ander of laat leeg.")
        if filled.errors:
            return _form_page(
                request, conn, viewer, site, filled.shown, errors=filled.errors, status_code=400
            )
        pid = pid or _new_id(conn)
        conn.execute(participants.insert().values(id=pid, site_id=site_id, **filled.row))
        _save_coach(conn, pid, filled.shown["coach"], "")
        changed(conn, viewer, "participant", pid, {"participant": "created"}, now)
    return back(f"/sites/{site_id}/participants/{pid}/edit?saved=new")


@router.get("/sites/{site_id}/participants/{participant_id}/edit", response_class=HTMLResponse)
def edit_participant_form(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str, participant_id: str
) -> HTMLResponse:
    with engine.connect() as conn:
        site = site_or_404(conn, site_id)
        row = participant_or_404(conn, site_id, participant_id)
        first = coaches_of(conn, [row.id]).get(row.id, [])
        shown = shown_of(row, first[0][0] if first else None)
        page = _form_page(request, conn, viewer, site, shown, participant=row)
    saw(engine, viewer, "participant_edit", [participant_id], request.app.state.settings.now())
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
) -> Response:
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        row = participant_or_404(conn, site_id, participant_id)
        filled = read_participant(form, coach_names(conn))
        filled.shown["id"] = row.id
        if filled.errors:
            return _form_page(
                request,
                conn,
                viewer,
                site,
                filled.shown,
                participant=row,
                errors=filled.errors,
                status_code=400,
            )
        fields = sorted(k for k, v in filled.row.items() if getattr(row, k) != v)
        conn.execute(update(participants).where(participants.c.id == row.id).values(**filled.row))
        coach_was = filled.shown["coach_was"]
        if coach_was and coach_was not in {
            c for c, _ in coaches_of(conn, [row.id]).get(row.id, [])
        }:
            coach_was = ""  # a stale form: that link is gone already
        _save_coach(conn, row.id, filled.shown["coach"], coach_was)
        if filled.shown["coach"] != coach_was:
            fields.append("coach")
        changed(conn, viewer, "participant", row.id, {"fields": fields}, now)
    return back(f"/sites/{site_id}/participants/{participant_id}/edit?saved=1")


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
            first = coaches_of(conn, [row.id]).get(row.id, [])
            shown = shown_of(row, first[0][0] if first else None)
            return _form_page(
                request, conn, viewer, site, shown, participant=row, badge_error=problem,
                status_code=400,
            )  # fmt: skip
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

"""A site's participants: the list (with the unknown badges seen at the door) and the
form to add or change one, for the supervisor of the site (and the admin). Giving and
revoking badges is in `server.web.badges`.

Every route is under `/sites/{site_id}` behind `SiteViewerDep`; the site always comes
from the path, never from a form, and every participant, badge or coach a form names is
looked up again within that site, so a forged field reaches nothing of another site.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection, delete, select, update

from server.administration.operations import AdminError, check_id
from server.attendance.presence import unknown_badges_of
from server.db import writing
from server.deps import EngineDep
from server.schema import badges, coach_participants, participants, staff
from server.web.access import CsrfDep, SiteViewerDep
from server.web.audit import changed, saw
from server.web.forms import (
    FormDep,
    back,
    participant_at,
    read_participant,
    short_date,
    shown_of,
    site_or_404,
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
    row = participant_at(conn, site_id, participant_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze deelnemer is niet van deze locatie")
    return row


def stored_form(conn: Connection, row: Any) -> dict[str, Any]:
    """A stored participant as the form shows them, with their first coach."""
    first = coaches_of(conn, [row.id]).get(row.id, [])
    return shown_of(row, first[0][0] if first else None)


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


def participants_page(
    request: Request,
    engine: Any,
    viewer: Any,
    site_id: str,
    error: str | None = None,
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
    return site_page(
        request,
        "records/participants.html",
        viewer,
        site,
        error=error,
        people=people,
        coaches=coaches,
        held=held,
        unknown=unknown,
        languages=KIOSK_LANGUAGES,
        short_date=short_date,
        today=site_today(site, now).isoformat(),
        unknown_days=UNKNOWN_BADGE_DAYS,
    )


@router.get("/sites/{site_id}/participants", response_class=HTMLResponse)
def participant_list(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str
) -> HTMLResponse:
    return participants_page(request, engine, viewer, site_id)


# --- one participant -----------------------------------------------------------------


def participant_page(
    request: Request,
    conn: Connection,
    viewer: Any,
    site: Any,
    shown: dict[str, Any],
    *,
    participant: Any = None,
    errors: list[str] | None = None,
    badge_error: str | None = None,
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
        coaches={**coach_names(conn), **dict(coaches_now)},  # a disabled coach stays linked
        coaches_now=coaches_now,
        history=history,
        languages=languages,
        workdays=sorted(set(WORKDAYS) | set(shown.get("weekdays", ()))),
        months=MONTHS,
        today=site_today(site, request.app.state.settings.now()).isoformat(),
    )


@router.get("/sites/{site_id}/participants/new", response_class=HTMLResponse)
def new_participant_form(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str
) -> HTMLResponse:
    with engine.connect() as conn:
        site = site_or_404(conn, site_id)
        shown = {"language": "nl", "active": True, "weekdays": set()}
        return participant_page(request, conn, viewer, site, shown)


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
            return participant_page(request, conn, viewer, site, filled.shown, errors=filled.errors)
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
        shown = stored_form(conn, row)
        page = participant_page(request, conn, viewer, site, shown, participant=row)
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
            return participant_page(
                request, conn, viewer, site, filled.shown, participant=row, errors=filled.errors
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

"""The admin's pages for sites and staff accounts (a coach's participants among them).
A participant's export and erasure, and retention, are in `server.web.rights_pages`."""

from __future__ import annotations

import re
import secrets
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection, delete, func, select, update

from server.administration.operations import AdminError, add_site, add_staff
from server.attendance.presence import presence_now
from server.db import writing
from server.deps import EngineDep
from server.schema import coach_participants, kiosks, participants, sites, staff
from server.web.access import Admin, CsrfDep
from server.web.audit import changed
from server.web.forms import FormDep, back, page, site_or_404, text
from server.web.logins import end_all_sessions
from server.web.passwords import WeakPassword, check_strength, hash_password

router = APIRouter(include_in_schema=False)

ROLE_NAMES = {"admin": "beheerder", "supervisor": "werkbegeleider", "coach": "coach"}
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")


# --- sites -------------------------------------------------------------------------------


def _sites_page(
    request: Request,
    engine: Any,
    viewer: Any,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    now = request.app.state.settings.now()
    with engine.connect() as conn:
        rows = conn.execute(select(sites).order_by(sites.c.name)).all()
        people = dict(
            conn.execute(
                select(participants.c.site_id, func.count())
                .where(participants.c.active.is_(True))
                .group_by(participants.c.site_id)
            ).all()
        )
        doors = dict(
            conn.execute(
                select(kiosks.c.site_id, func.count())
                .where(kiosks.c.revoked_at.is_(None))
                .group_by(kiosks.c.site_id)
            ).all()
        )
        present = {row.id: len(presence_now(conn, row.id, now).participants) for row in rows}
    return page(
        request,
        "admin/sites.html",
        viewer,
        error=error,
        sites=rows,
        people=people,
        doors=doors,
        present=present,
        form=form or {"opens_at": "08:30", "closes_at": "17:00", "timezone": "Europe/Amsterdam"},
    )


@router.get("/sites", response_class=HTMLResponse)
def site_list(request: Request, engine: EngineDep, viewer: Admin) -> HTMLResponse:
    return _sites_page(request, engine, viewer)


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


@router.post("/sites", response_model=None)
def new_site(
    request: Request, engine: EngineDep, viewer: Admin, _: CsrfDep, form: FormDep
) -> Response:
    shown = {k: text(form, k) for k in ("id", "name", "opens_at", "closes_at", "timezone")}
    shown["speak_greeting"] = "1" if text(form, "speak_greeting") else ""
    opens, closes = _time(shown["opens_at"]), _time(shown["closes_at"])
    error = None
    if not 1 <= len(shown["name"]) <= 200:
        error = "Naam: 1 tot 200 tekens."
    elif opens is None or closes is None:
        error = "Open en dicht: een tijd als 08:30."
    else:
        try:
            ZoneInfo(shown["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            error = "Tijdzone: een naam als Europe/Amsterdam."
    if error is None:
        assert opens is not None and closes is not None
        with writing(engine) as conn:
            try:
                add_site(
                    conn,
                    shown["id"],
                    shown["name"],
                    opens,
                    closes,
                    shown["timezone"],
                    speak_greeting=bool(shown["speak_greeting"]),
                )
            except AdminError as refused:
                error = _dutch_site_error(str(refused), shown["id"])
    if error is not None:
        return _sites_page(request, engine, viewer, error=error, form=shown)
    return back("/sites?saved=1")


@router.post("/sites/{site_id}/greeting", response_model=None)
def site_greeting(
    site_id: str, engine: EngineDep, viewer: Admin, _: CsrfDep, form: FormDep
) -> Response:
    """Whether the site's doors say the greeting aloud; the doors learn it with their next
    snapshot."""
    with writing(engine) as conn:
        site_or_404(conn, site_id)
        conn.execute(
            update(sites)
            .where(sites.c.id == site_id)
            .values(speak_greeting=bool(text(form, "speak_greeting")))
        )
    return back("/sites?saved=greeting")


def _dutch_site_error(message: str, site_id: str) -> str:
    if "already exists" in message:
        return f"Id: er is al een locatie {site_id}."
    if "closing time" in message:
        return "Dicht moet na open liggen."
    return "Id: alleen letters, cijfers, '.', '_' of '-' (max. 64), bijv. noord."


# --- staff accounts ----------------------------------------------------------------------


def _site_names(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(sites.c.id, sites.c.name).order_by(sites.c.name)).all())


def _users_page(
    request: Request,
    engine: Any,
    viewer: Any,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with engine.connect() as conn:
        accounts = conn.execute(
            select(staff).order_by(staff.c.active.desc(), staff.c.role, staff.c.display_name)
        ).all()
        counts = dict(
            conn.execute(
                select(coach_participants.c.coach_id, func.count()).group_by(
                    coach_participants.c.coach_id
                )
            ).all()
        )
        site_names = _site_names(conn)
    return page(
        request,
        "admin/users.html",
        viewer,
        error=error,
        accounts=accounts,
        counts=counts,
        site_names=site_names,
        roles=ROLE_NAMES,
        form=form or {"role": "supervisor"},
    )


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(request: Request, engine: EngineDep, viewer: Admin) -> HTMLResponse:
    return _users_page(request, engine, viewer)


def _staff_id(conn: Connection, role: str, username: str) -> str:
    """'s-marieke' for a supervisor called marieke, unless taken or not a valid id."""
    base = f"{role[0]}-{re.sub(r'[^A-Za-z0-9._-]', '-', username)}"[:64]
    candidate = base
    while conn.execute(select(staff.c.id).where(staff.c.id == candidate)).first():
        candidate = f"{base[:57]}-{secrets.token_hex(3)}"
    return candidate


def _role_and_site(shown: dict[str, str], known_sites: dict[str, str]) -> str | None:
    if shown["role"] not in ROLE_NAMES:
        return "Rol: kies beheerder, werkbegeleider of coach."
    if shown["role"] == "supervisor" and shown["site_id"] not in known_sites:
        return "Locatie: een werkbegeleider hoort bij een locatie."
    return None


@router.post("/admin/users", response_model=None)
def new_user(
    request: Request, engine: EngineDep, viewer: Admin, _: CsrfDep, form: FormDep
) -> Response:
    """A new account with an initial password the admin hands over."""
    now = request.app.state.settings.now()
    shown = {k: text(form, k) for k in ("username", "display_name", "role", "site_id")}
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    error = None
    if not USERNAME.match(shown["username"]):
        error = "Gebruikersnaam: 2 tot 64 letters of cijfers (ook . _ @ -), zonder spaties."
    elif not 1 <= len(shown["display_name"]) <= 200:
        error = "Naam: 1 tot 200 tekens."
    else:
        try:
            check_strength(password, username=shown["username"])
        except WeakPassword as weak:
            error = f"Wachtwoord: {weak}."
    digest = hash_password(password) if error is None else None  # slow: outside the lock
    if error is None:
        with writing(engine) as conn:
            error = _role_and_site(shown, _site_names(conn))
            taken = conn.execute(
                select(staff.c.id).where(func.lower(staff.c.username) == shown["username"].lower())
            ).first()
            if error is None and taken:
                error = f"Gebruikersnaam: {shown['username']} bestaat al."
            if error is None:
                role = shown["role"]
                site_id = shown["site_id"] if role == "supervisor" else None
                staff_id = _staff_id(conn, role, shown["username"])
                add_staff(
                    conn, staff_id, shown["username"], role, shown["display_name"], site_id, now
                )
                conn.execute(
                    update(staff).where(staff.c.id == staff_id).values(password_hash=digest)
                )
                changed(
                    conn, viewer, "staff", None, {"staff_id": staff_id, "staff": "created"}, now
                )
    if error is not None:
        return _users_page(request, engine, viewer, error=error, form=shown)
    return back("/admin/users?saved=created")


def _account_or_404(conn: Connection, staff_id: str) -> Any:
    row = conn.execute(select(staff).where(staff.c.id == staff_id)).first()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dit account bestaat niet")
    return row


def _user_page(
    request: Request,
    conn: Connection,
    viewer: Any,
    account: Any,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    assigned = set(
        conn.execute(
            select(coach_participants.c.participant_id).where(
                coach_participants.c.coach_id == account.id
            )
        ).scalars()
    )
    everyone = conn.execute(
        select(participants.c.id, participants.c.display_name, participants.c.site_id,
               participants.c.active)
        .order_by(participants.c.site_id, participants.c.display_name)
    ).all()  # fmt: skip
    by_site: dict[str, list[Any]] = {}
    for person in everyone:
        if person.active or person.id in assigned:
            by_site.setdefault(person.site_id, []).append(person)
    shown = form or {
        "display_name": account.display_name,
        "role": account.role,
        "site_id": account.site_id or "",
        "email": account.email or "",
        "active": account.active,
        "participants": assigned,
    }
    return page(
        request,
        "admin/user.html",
        viewer,
        error=error,
        account=account,
        values=shown,
        by_site=by_site,
        site_names=_site_names(conn),
        roles=ROLE_NAMES,
    )


@router.get("/admin/users/{staff_id}", response_class=HTMLResponse)
def user_form(request: Request, engine: EngineDep, viewer: Admin, staff_id: str) -> HTMLResponse:
    with engine.connect() as conn:
        return _user_page(request, conn, viewer, _account_or_404(conn, staff_id))


def _read_account(
    form: Any, account: Any, viewer: Any, known_sites: dict[str, str]
) -> tuple[dict[str, Any], str | None]:
    shown: dict[str, Any] = {k: text(form, k) for k in ("display_name", "role", "site_id", "email")}
    shown["active"] = form.get("active") is not None
    shown["participants"] = {v for v in form.getlist("participants") if isinstance(v, str)}
    if not 1 <= len(shown["display_name"]) <= 200:
        return shown, "Naam: 1 tot 200 tekens."
    error = _role_and_site(shown, known_sites)
    if error:
        return shown, error
    if shown["email"] and (len(shown["email"]) > 200 or "@" not in shown["email"]):
        return shown, "E-mail: een adres als naam@gemeente.nl, of leeg."
    if account.id == viewer.staff_id and (not shown["active"] or shown["role"] != "admin"):
        return shown, "Je kunt je eigen account niet uitzetten of je beheerrol afgeven."
    return shown, None


@router.post("/admin/users/{staff_id}", response_model=None)
def save_user(
    request: Request, engine: EngineDep, viewer: Admin, _: CsrfDep, form: FormDep, staff_id: str
) -> Response:
    now = request.app.state.settings.now()
    password = form.get("new_password")
    password = password.strip() if isinstance(password, str) else ""
    with engine.connect() as conn:
        account = _account_or_404(conn, staff_id)
    error = None
    digest = None
    if password:
        try:
            check_strength(password, username=account.username)
        except WeakPassword as weak:
            error = f"Nieuw wachtwoord: {weak}."
        else:
            digest = hash_password(password)  # slow: before the write lock
    with writing(engine) as conn:
        account = _account_or_404(conn, staff_id)
        shown, problem = _read_account(form, account, viewer, _site_names(conn))
        error = error or problem
        if error is not None:
            return _user_page(request, conn, viewer, account, form=shown, error=error)
        role = shown["role"]
        values = {
            "display_name": shown["display_name"],
            "role": role,
            "site_id": shown["site_id"] if role == "supervisor" else None,
            "email": shown["email"] or None,
            "active": shown["active"],
        }
        fields = sorted(k for k, v in values.items() if getattr(account, k) != v)
        if digest is not None:
            values["password_hash"] = digest
            fields.append("password")
        conn.execute(update(staff).where(staff.c.id == staff_id).values(**values))
        if digest is not None or (account.active and not shown["active"]):
            end_all_sessions(conn, staff_id)  # a disabled or reset account is out at once
        if role == "coach" and form.get("participants_shown"):
            _save_caseload(conn, viewer, staff_id, shown["participants"], now)
        changed(conn, viewer, "staff", None, {"staff_id": staff_id, "fields": fields}, now)
    return back(f"/admin/users/{staff_id}?saved=1")


def _save_caseload(
    conn: Connection, viewer: Any, coach_id: str, wanted: set[str], now: Any
) -> None:
    """The coach's participants become exactly `wanted` (ids that exist)."""
    wanted = set(
        conn.execute(select(participants.c.id).where(participants.c.id.in_(wanted))).scalars()
    )
    current = set(
        conn.execute(
            select(coach_participants.c.participant_id).where(
                coach_participants.c.coach_id == coach_id
            )
        ).scalars()
    )
    for pid in sorted(current - wanted):
        conn.execute(
            delete(coach_participants).where(
                coach_participants.c.coach_id == coach_id,
                coach_participants.c.participant_id == pid,
            )
        )
        changed(conn, viewer, "coach", pid, {"coach_id": coach_id, "link": "removed"}, now)
    for pid in sorted(wanted - current):
        conn.execute(coach_participants.insert().values(coach_id=coach_id, participant_id=pid))
        changed(conn, viewer, "coach", pid, {"coach_id": coach_id, "link": "added"}, now)

"""The admin's pages for sites and staff accounts (a coach's participants among them).
A participant's export and erasure, and retention, are in `server.web.rights_pages`."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from server.administration import site_alerts, sites, staff
from server.administration.operations import AdminError
from server.administration.passwords import WeakPassword, check_strength, hash_password
from server.deps import ClockDep, EngineDep
from server.web.access import Admin, CsrfDep
from server.web.forms import FormDep, back, page, text

router = APIRouter(include_in_schema=False)

ROLE_NAMES = {
    "admin": "beheerder",
    "supervisor": "werkbegeleider",
    "coach": "coach",
    "translator": "vertaler",
}
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")


# --- sites -------------------------------------------------------------------------------


def _sites_page(
    request: Request,
    engine: Any,
    viewer: Any,
    now: datetime,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    alert_form: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    overview = sites.overview(engine, now)
    alerts = {
        site_id: {
            "recipients": "\n".join(kept.recipients),
            "webhook_url": kept.webhook_url or "",
            "has_secret": "1" if kept.has_secret else "",
        }
        for site_id, kept in site_alerts.alerts_of(engine).items()
    }
    if alert_form is not None:  # refused: shown again as typed, the error beside it
        alerts[alert_form[0]] = {**alerts.get(alert_form[0], {}), **alert_form[1]}
    return page(
        request,
        "admin/sites.html",
        viewer,
        error=error,
        sites=overview.sites,
        people=overview.people,
        doors=overview.doors,
        present=overview.present,
        form=form or {"opens_at": "08:30", "closes_at": "17:00", "timezone": "Europe/Amsterdam"},
        alerts=alerts,
        alert_error_site=alert_form[0] if alert_form else None,
    )


@router.get("/sites", response_class=HTMLResponse)
def site_list(request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin) -> HTMLResponse:
    return _sites_page(request, engine, viewer, clock())


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


@router.post("/sites", response_model=None)
def new_site(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep,
    form: FormDep,
) -> Response:  # fmt: skip
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
        try:
            sites.new_site(
                engine,
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
        return _sites_page(request, engine, viewer, clock(), error=error, form=shown)
    return back("/sites?saved=1")


@router.post("/sites/{site_id}/greeting", response_model=None)
def site_greeting(
    site_id: str, engine: EngineDep, viewer: Admin, _: CsrfDep, form: FormDep
) -> Response:
    """Whether the site's doors say the greeting aloud; the doors learn it with their next
    snapshot."""
    if not sites.say_greeting(engine, site_id, bool(text(form, "speak_greeting"))):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    return back("/sites?saved=greeting")


@router.post("/sites/{site_id}/word-check", response_model=None)
def site_word_check(
    site_id: str, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep, form: FormDep
) -> Response:
    """Whether the site's doors ask a participant a word of the day back at check-out; the
    doors learn it with their next snapshot."""
    on = bool(text(form, "word_check"))
    if not sites.set_word_check(engine, site_id, on, actor=viewer.actor, now=clock()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    return back("/sites?saved=greeting")


OWN_SAY_MINUTES = (
    "Reden vragen: een heel aantal minuten voor sluitingstijd, van 0 tot "
    f"{sites.MAX_LEAVE_REASON_MINUTES}, of leeg om het nooit te vragen."
)
OWN_SAY_HOURS = "Geschatte uren: kies 'na bevestiging' of 'meteen'."


def own_say_of(form: Any) -> tuple[sites.OwnSaySettings | None, str | None]:
    """The own-say settings the site card's form asks for, or why not (in Dutch)."""
    minutes_text = text(form, "leave_reason_minutes")
    minutes: int | None = None
    if minutes_text:
        if not re.fullmatch(r"[0-9]{1,4}", minutes_text):
            return None, OWN_SAY_MINUTES
        minutes = int(minutes_text)
    asked = sites.OwnSaySettings(
        my_week=bool(text(form, "my_week")),
        leave_reason_minutes=minutes,
        estimated_hours=text(form, "estimated_hours"),
    )
    if asked.estimated_hours not in sites.ESTIMATED_HOURS:
        return None, OWN_SAY_HOURS
    if asked.problem() is not None:
        return None, OWN_SAY_MINUTES
    return asked, None


@router.post("/sites/{site_id}/own-say", response_model=None)
def site_own_say(
    request: Request, site_id: str, engine: EngineDep, clock: ClockDep, viewer: Admin,
    _: CsrfDep, form: FormDep,
) -> Response:  # fmt: skip
    """What participants may tell the site's doors themselves: my week on or off, when to
    ask a reason for leaving early, and when estimated hours count."""
    asked, error = own_say_of(form)
    if asked is None:
        return _sites_page(request, engine, viewer, clock(), error=error)
    if not sites.set_own_say(engine, site_id, asked):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    return back("/sites?saved=greeting")


@router.post("/sites/{site_id}/alerts", response_model=None)
def site_alert_settings(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep,
    form: FormDep, site_id: str,
) -> Response:  # fmt: skip
    """Whom the site's kiosk alerts reach: e-mail addresses and an optional webhook; an
    empty secret keeps the one stored (it is never shown again)."""
    recipients = text(form, "recipients")
    url, secret = text(form, "webhook_url"), text(form, "webhook_secret")
    try:
        found = site_alerts.save(engine, site_id, recipients, url, secret)
    except site_alerts.AlertSettingsError as refused:
        shown = {"recipients": recipients, "webhook_url": url}
        return _sites_page(
            request, engine, viewer, clock(), error=str(refused), alert_form=(site_id, shown)
        )
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    return back("/sites?saved=alerts")


def _dutch_site_error(message: str, site_id: str) -> str:
    if "already exists" in message:
        return f"Id: er is al een locatie {site_id}."
    if "closing time" in message:
        return "Dicht moet na open liggen."
    return "Id: alleen letters, cijfers, '.', '_' of '-' (max. 64), bijv. noord."


# --- staff accounts ----------------------------------------------------------------------


def _users_page(
    request: Request,
    engine: Any,
    viewer: Any,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    listed = staff.accounts(engine)
    return page(
        request,
        "admin/users.html",
        viewer,
        error=error,
        accounts=listed.rows,
        counts=listed.caseloads,
        site_names=sites.site_names(engine),
        roles=ROLE_NAMES,
        form=form or {"role": "supervisor"},
    )


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(request: Request, engine: EngineDep, viewer: Admin) -> HTMLResponse:
    return _users_page(request, engine, viewer)


def _role_and_site(shown: dict[str, str], known_sites: dict[str, str]) -> str | None:
    if shown["role"] not in ROLE_NAMES:
        return "Rol: kies beheerder, werkbegeleider of coach."
    if shown["role"] == "supervisor" and shown["site_id"] not in known_sites:
        return "Locatie: een werkbegeleider hoort bij een locatie."
    return None


@router.post("/admin/users", response_model=None)
def new_user(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep,
    form: FormDep,
) -> Response:  # fmt: skip
    """A new account with an initial password the admin hands over."""
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
    if error is None:
        error = _role_and_site(shown, sites.site_names(engine))
    if error is None:
        role = shown["role"]
        site_id = shown["site_id"] if role == "supervisor" else None
        digest = hash_password(password)  # slow: before the write lock
        try:
            staff.new_account(
                engine, viewer, shown["username"], shown["display_name"], role, site_id, digest,
                clock(),
            )  # fmt: skip
        except staff.UsernameTaken:
            error = f"Gebruikersnaam: {shown['username']} bestaat al."
    if error is not None:
        return _users_page(request, engine, viewer, error=error, form=shown)
    return back("/admin/users?saved=created")


def _account_or_404(engine: Any, staff_id: str) -> Any:
    row = staff.account(engine, staff_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dit account bestaat niet")
    return row


def _user_page(
    request: Request,
    engine: Any,
    viewer: Any,
    account: Any,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    caseload = staff.caseload(engine, account.id)
    shown = form or {
        "display_name": account.display_name,
        "role": account.role,
        "site_id": account.site_id or "",
        "email": account.email or "",
        "active": account.active,
        "participants": caseload.assigned,
    }
    return page(
        request,
        "admin/user.html",
        viewer,
        error=error,
        account=account,
        values=shown,
        by_site=caseload.by_site,
        site_names=sites.site_names(engine),
        roles=ROLE_NAMES,
    )


@router.get("/admin/users/{staff_id}", response_class=HTMLResponse)
def user_form(request: Request, engine: EngineDep, viewer: Admin, staff_id: str) -> HTMLResponse:
    return _user_page(request, engine, viewer, _account_or_404(engine, staff_id))


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
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Admin, _: CsrfDep,
    form: FormDep, staff_id: str,
) -> Response:  # fmt: skip
    password = form.get("new_password")
    password = password.strip() if isinstance(password, str) else ""
    account = _account_or_404(engine, staff_id)
    error = None
    digest = None
    if password:
        try:
            check_strength(password, username=account.username)
        except WeakPassword as weak:
            error = f"Nieuw wachtwoord: {weak}."
        else:
            digest = hash_password(password)  # slow: before the write lock
    shown, problem = _read_account(form, account, viewer, sites.site_names(engine))
    error = error or problem
    if error is not None:
        return _user_page(request, engine, viewer, account, form=shown, error=error)
    role = shown["role"]
    values = {
        "display_name": shown["display_name"],
        "role": role,
        "site_id": shown["site_id"] if role == "supervisor" else None,
        "email": shown["email"] or None,
        "active": shown["active"],
    }
    # A coach's participants only when the page listed them: not for an account made coach
    # in this very form, whose list was not on the page.
    caseload = shown["participants"] if role == "coach" and form.get("participants_shown") else None
    staff.save_account(engine, viewer, staff_id, values, digest, caseload, clock())
    return back(f"/admin/users/{staff_id}?saved=1")

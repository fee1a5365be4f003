"""The sign-in pages: logging in and out, one's own password, and the front door of the
staff pages (`/`). The logins themselves are server/administration/staff_sessions.py."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.administration import staff
from server.administration.login_limits import normal_username
from server.administration.passwords import WeakPassword, check_strength, hash_password
from server.administration.staff_sessions import LoginRefused, TooManyAttempts, log_in, log_out
from server.deps import ClockDep, EngineDep
from server.metrics.tallies import login_failed
from server.web.access import COOKIE, CsrfDep, ViewerDep, refuse_foreign_origin
from server.web.devices import DEVICE_COOKIE, LASTS, device_key, known_device, remember_device
from server.web.pages import render

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "__Host-prikklok-login"  # the login form's own CSRF token, before a session


def _safe_next(next_url: str | None) -> str:
    """Only a path on this server: a login link must not send anyone elsewhere."""
    if next_url and next_url.startswith("/") and not next_url.startswith(("//", "/\\")):
        return next_url
    return "/"


def _cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="lax"
    )


def _login_form(
    request: Request, next_url: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        next_url=next_url,
        login_csrf=token,
        error=error,
    )
    _cookie(response, LOGIN_COOKIE, token, max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_form(request, _safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    refuse_foreign_origin(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return _login_form(
            request, _safe_next(next), "Het formulier was verlopen: probeer opnieuw.", 403
        )
    now = clock()
    # The client's address as uvicorn gives it: the proxy's X-Forwarded-For only when
    # the proxy is named in PRIKKLOK_SERVER_TRUSTED_PROXIES (server/app.py).
    address = request.client.host if request.client else "unknown"
    # The device cookie is the browser's (server/web/devices.py): the login only hears whether
    # this browser is one the name logged in on before, by that entry's own mark.
    name = normal_username(username)
    key = device_key(engine, now)
    device_cookie = request.cookies.get(DEVICE_COOKIE)
    device = known_device(key, device_cookie, name, now)
    try:
        login = log_in(engine, request.app.state.settings, username, password, address, now, device)
    except TooManyAttempts as refused:
        login_failed("waiting")
        minutes = -(-refused.retry_after // 60)
        wait = "een minuut" if minutes == 1 else f"{minutes} minuten"
        refusal = _login_form(
            request,
            _safe_next(next),
            f"Te veel mislukte pogingen met deze naam. Probeer het over {wait} opnieuw.",
            status.HTTP_429_TOO_MANY_REQUESTS,
        )
        refusal.headers["Retry-After"] = str(refused.retry_after)
        return refusal
    except LoginRefused:
        login_failed("refused")
        return _login_form(
            request, _safe_next(next), "Onbekende gebruikersnaam of verkeerd wachtwoord.", 401
        )
    response = RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    _cookie(response, COOKIE, login.token)  # a session cookie: gone when the browser closes
    # Kept across logouts: this browser is not locked out by others' failed guesses.
    kept = remember_device(key, device_cookie, name, now)
    _cookie(response, DEVICE_COOKIE, kept, max_age=int(LASTS.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout(engine: EngineDep, viewer: CsrfDep) -> RedirectResponse:
    log_out(engine, viewer.session_id)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: ViewerDep) -> Response:
    """Each role's first page: the supervisor's site, the coach's participants, the
    translator's languages, the admin's sites."""
    if viewer.role == "supervisor" and viewer.site_id:
        return RedirectResponse(f"/sites/{viewer.site_id}/now", status_code=303)
    if viewer.role == "coach":
        return RedirectResponse("/coach", status_code=303)
    if viewer.role == "translator":
        return RedirectResponse("/translations", status_code=303)
    return RedirectResponse("/sites", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, viewer: ViewerDep) -> HTMLResponse:
    return render(request, "password.html", viewer)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    viewer: CsrfDep,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    again: Annotated[str, Form(max_length=1000)],
) -> Response:
    """A new password for yourself; every other login of yours ends."""
    error = None
    if not staff.password_matches(engine, viewer.staff_id, current):
        error = "Je huidige wachtwoord klopt niet."
    elif new != again:
        error = "De twee nieuwe wachtwoorden zijn niet gelijk."
    else:
        try:
            check_strength(new, username=viewer.username)
        except WeakPassword as weak:
            error = f"Niet veranderd: {weak}."
    if error:
        return render(request, "password.html", viewer, status_code=400, error=error)
    staff.change_own_password(engine, viewer, hash_password(new), clock())
    return render(request, "password.html", viewer, done=True)

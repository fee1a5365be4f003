"""Rendering staff pages: one Jinja2 environment (autoescaped), the layout's context, the
security headers every answer carries, and how a missing login or a refusal is shown."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from server.administration.staff_sessions import Viewer
from server.web.access import LoginRequired, login_url
from server.wording import WEEKDAYS, clock, dutch_date, hours

# No inline script or style: what a participant's name could smuggle in cannot run.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    # blob: the planning page plays a word's recording back before it is saved.
    "media-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("server.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dutch_date=dutch_date, clock=clock, hours=hours)
    env.globals.update(weekdays=WEEKDAYS)
    return env


def render(
    request: Request, template: str, viewer: Viewer | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the layout; `site` in the context (a site id) fills the site's menu."""
    page = environment().get_template(template)
    if viewer is not None and viewer.role == "supervisor":
        context.setdefault("site", viewer.site_id)  # their site's menu on every page
    html = page.render(request=request, viewer=viewer, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")  # personal data stays off disks
        return response


def wants_html(request: Request) -> bool:
    """A browser asking for a page (anything else gets JSON)."""
    return "text/html" in request.headers.get("accept", "")


async def on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if request.method == "GET" and wants_html(request):
        return RedirectResponse(login_url(exc.next_url), status_code=303)
    return JSONResponse({"detail": "login required"}, status_code=401)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Refusals and missing pages as a page for browsers, as JSON for everything else."""
    assert isinstance(exc, StarletteHTTPException)
    if wants_html(request) and exc.status_code in (403, 404, 429):
        viewer = getattr(request.state, "viewer", None)
        response: Response = render(
            request, "error.html", viewer, status_code=exc.status_code, detail=exc.detail
        )
    else:
        response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    """The staff side's middleware, error pages and static files on `app`."""
    from importlib import resources

    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    static = resources.files("server.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

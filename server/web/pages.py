"""Rendering staff pages: one Jinja2 environment (autoescaped), the layout's context, the
security headers every answer carries, and how a missing login or a refusal is shown."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
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


class SecurityHeaders:
    """The security headers on every answer, unless the route set its own.

    Plain ASGI rather than BaseHTTPMiddleware: that one runs each request's app in a task
    of its own and streams the answer back through a queue, which cost about as much CPU
    as a kiosk's whole heartbeat is allowed (docs/benchmarks.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # personal data stays off disks; static files may be cached
        private = not scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers.append(name, value)
                if private and "cache-control" not in headers:
                    headers.append("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


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

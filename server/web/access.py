"""Who may do what: the request dependencies every staff page and feed route goes through.

Roles: an **admin** sees every site and manages users, kiosks, sites and retention; a
**supervisor** sees and changes their own site; a **coach** reads only the participants
assigned to them; a **translator** checks and fixes the door's translations, and sees
nothing else. A route states its roles with `require(...)`; routes under a site add
`SiteViewerDep`, and routes about one participant check `may_see_participant`. A login is
the session its cookie names (server/administration/staff_sessions.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request, status

# may_see_participant: the check a participant's page makes, beside the role checks here
from server.administration.staff import may_see_participant as may_see_participant
from server.administration.staff_sessions import Viewer, viewer_of
from server.deps import ClockDep, EngineDep

ROLES = ("admin", "supervisor", "coach", "translator")
COOKIE = "__Host-prikklok"  # Secure, Path=/ and no Domain: the browser enforces all three


class LoginRequired(Exception):
    """No live login: pages redirect to the login form, anything else answers 401."""

    def __init__(self, next_url: str) -> None:
        super().__init__("login required")
        self.next_url = next_url


def get_viewer(request: Request, engine: EngineDep, clock: ClockDep) -> Viewer:
    token = request.cookies.get(COOKIE)
    viewer = None
    if token:
        viewer = viewer_of(engine, request.app.state.settings, token, clock())
    if viewer is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    request.state.viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def forbidden(detail: str = "dit mag je niet zien") -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=detail)


def require(*roles: str) -> Callable[[Viewer], Viewer]:
    """A dependency: the viewer, when their role is one of `roles`; 403 otherwise."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def check(viewer: ViewerDep) -> Viewer:
        if viewer.role not in roles:
            raise forbidden()
        return viewer

    check.roles = roles  # type: ignore[attr-defined]  # read by the route-matrix test
    return check


Admin = Annotated[Viewer, Depends(require("admin"))]
Staff = Annotated[Viewer, Depends(require("admin", "supervisor"))]  # runs a site
Coach = Annotated[Viewer, Depends(require("coach"))]
Translators = Annotated[Viewer, Depends(require("admin", "translator"))]
Anyone = Annotated[Viewer, Depends(require(*ROLES))]


def site_viewer(site_id: str, viewer: Staff) -> Viewer:
    """An admin, or the supervisor of `site_id` (the path parameter); 403 for other sites."""
    if not viewer.sees_site(site_id):
        raise forbidden("dit is niet jouw locatie")
    return viewer


SiteViewerDep = Annotated[Viewer, Depends(site_viewer)]


async def check_csrf(request: Request, viewer: ViewerDep) -> Viewer:
    """Every state-changing request carries this login's CSRF token (a form field `csrf` or
    the header X-CSRF-Token) and, when the browser says where it comes from, our origin."""
    refuse_foreign_origin(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, viewer.csrf):
        raise forbidden("het formulier is verlopen of komt niet van deze site: probeer opnieuw")
    return viewer


def refuse_foreign_origin(request: Request) -> None:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise forbidden("verzoek van een andere site geweigerd")


CsrfDep = Annotated[Viewer, Depends(check_csrf)]  # add beside the role dependency on POSTs


def login_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='')}"

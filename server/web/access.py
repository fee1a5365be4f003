"""Who may do what: the request dependencies every staff page and feed route goes through.

Roles: an **admin** sees every site and manages users, kiosks, sites and retention; a
**supervisor** sees and changes their own site; a **coach** reads only the participants
assigned to them. A route states its roles with `require(...)`; routes under a site add
`SiteViewerDep`, and routes about one participant check `may_see_participant`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import select

from server.deps import get_engine
from server.schema import coach_participants, participants
from server.web.logins import COOKIE, Viewer, viewer_of

ROLES = ("admin", "supervisor", "coach")


class LoginRequired(Exception):
    """No live login: pages redirect to the login form, anything else answers 401."""

    def __init__(self, next_url: str) -> None:
        super().__init__("login required")
        self.next_url = next_url


def get_viewer(request: Request) -> Viewer:
    token = request.cookies.get(COOKIE)
    viewer = None
    if token:
        settings = request.app.state.settings
        viewer = viewer_of(get_engine(request), settings, token, settings.now())
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
Anyone = Annotated[Viewer, Depends(require(*ROLES))]


def site_viewer(site_id: str, viewer: Staff) -> Viewer:
    """An admin, or the supervisor of `site_id` (the path parameter); 403 for other sites."""
    if not viewer.sees_site(site_id):
        raise forbidden("dit is niet jouw locatie")
    return viewer


SiteViewerDep = Annotated[Viewer, Depends(site_viewer)]


def may_see_participant(conn: Any, viewer: Viewer, participant_id: str) -> bool:
    """Admins see everyone; supervisors their site's participants; coaches their own."""
    if viewer.role == "admin":
        return (
            conn.execute(
                select(participants.c.id).where(participants.c.id == participant_id)
            ).first()
            is not None
        )
    if viewer.role == "supervisor":
        return (
            conn.execute(
                select(participants.c.id).where(
                    participants.c.id == participant_id, participants.c.site_id == viewer.site_id
                )
            ).first()
            is not None
        )
    return (
        conn.execute(
            select(coach_participants.c.participant_id).where(
                coach_participants.c.coach_id == viewer.staff_id,
                coach_participants.c.participant_id == participant_id,
            )
        ).first()
        is not None
    )


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

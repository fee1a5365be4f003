"""The site a staff page's address names, or 404: an admin may type any site id into the
address bar, and a page acts on the site of its path only."""

from __future__ import annotations

from fastapi import HTTPException, status

from server.attendance.today import Site, find_site
from server.deps import EngineDep


def no_such_site() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="deze locatie bestaat niet")


def known_site(engine: EngineDep, site_id: str) -> Site:
    """The site, or 404."""
    site = find_site(engine, site_id)
    if site is None:
        raise no_such_site()
    return site

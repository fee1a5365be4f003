"""Every router of the staff side, in one list: the app includes them all, and the
role-by-route test walks them all."""

from __future__ import annotations

from fastapi import APIRouter

from server.web import (
    attendance_feeds,
    badges,
    coach,
    corrections,
    floor,
    kiosks,
    planning,
    records,
    rights_pages,
    sign_in,
    site_versions,
    starter_load,
    translation_pages,
    users,
)

ROUTERS: list[APIRouter] = [
    sign_in.router,
    floor.router,
    corrections.router,
    records.router,
    badges.router,
    planning.router,
    starter_load.router,
    kiosks.router,
    users.router,
    site_versions.router,
    rights_pages.router,
    coach.router,
    attendance_feeds.router,
    translation_pages.router,
]

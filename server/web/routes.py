"""Every router of the staff side, in one list: the app includes them all, and the
role-by-route test walks them all."""

from __future__ import annotations

from fastapi import APIRouter

from server.web import coach, feeds, floor, kiosks, login, planning, records, users

ROUTERS: list[APIRouter] = [
    login.router,
    floor.router,
    records.router,
    planning.router,
    kiosks.router,
    users.router,
    coach.router,
    feeds.router,
]

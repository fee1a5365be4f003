"""The workshop's sites as the admin's pages show them: their names, the overview of them
all, a new site and whether its doors speak the greeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Engine, func, select, update

from server.administration.operations import add_site
from server.attendance.presence import presence_now
from server.db import writing
from server.schema import kiosks, participants, sites


def site_names(engine: Engine) -> dict[str, str]:
    """Every site's name by its id, in the order of the names."""
    with engine.connect() as conn:
        rows = conn.execute(select(sites.c.id, sites.c.name).order_by(sites.c.name)).all()
    return {row.id: row.name for row in rows}


@dataclass(frozen=True)
class SiteOverview:
    """Every site, and for each how many participants are active, doors have a live
    token, and people are in now."""

    sites: list[Any]
    people: dict[str, int]
    doors: dict[str, int]
    present: dict[str, int]


def overview(engine: Engine, now: datetime) -> SiteOverview:
    with engine.connect() as conn:
        rows = conn.execute(select(sites).order_by(sites.c.name)).all()
        people = conn.execute(
            select(participants.c.site_id, func.count())
            .where(participants.c.active.is_(True))
            .group_by(participants.c.site_id)
        ).all()
        doors = conn.execute(
            select(kiosks.c.site_id, func.count())
            .where(kiosks.c.revoked_at.is_(None))
            .group_by(kiosks.c.site_id)
        ).all()
        present = {row.id: len(presence_now(conn, row.id, now).participants) for row in rows}
    return SiteOverview(
        list(rows),
        {str(site_id): int(n) for site_id, n in people},
        {str(site_id): int(n) for site_id, n in doors},
        present,
    )


def new_site(
    engine: Engine,
    site_id: str,
    name: str,
    opens_at: time,
    closes_at: time,
    timezone: str,
    *,
    speak_greeting: bool = False,
) -> None:
    """A new site, in a transaction of its own; AdminError says why not."""
    with writing(engine) as conn:
        add_site(conn, site_id, name, opens_at, closes_at, timezone, speak_greeting=speak_greeting)


def say_greeting(engine: Engine, site_id: str, on: bool) -> bool:
    """Whether the site's doors say the greeting aloud; False when there is no such site."""
    with writing(engine) as conn:
        done = conn.execute(update(sites).where(sites.c.id == site_id).values(speak_greeting=on))
    return done.rowcount == 1

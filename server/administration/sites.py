"""The workshop's sites as the admin's pages show them: their names, the overview of them
all, a new site, whether its doors speak the greeting, and what participants may tell its
doors themselves (sync.own_say), and whether its doors ask a word back (sync.recall)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Engine, func, select, update

from server.administration.operations import add_site
from server.administration.rights import record_audit
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


def set_word_check(engine: Engine, site_id: str, on: bool, *, actor: str, now: datetime) -> bool:
    """Whether the site's doors ask a word back at check-out (issue 16, docs/learning.md);
    False when there is no such site. Logged: it decides whether answers are collected.
    Switched off, the doors get no plans; the answers already given stay until retention
    or erasure removes them."""
    with writing(engine) as conn:
        done = conn.execute(update(sites).where(sites.c.id == site_id).values(word_check=on))
        if done.rowcount == 1:
            record_audit(conn, now, actor, "site", None, {"site_id": site_id, "word_check": on})
    return done.rowcount == 1


ESTIMATED_HOURS = ("confirmed", "at_once")  # when a participant's estimated check-out counts
MAX_LEAVE_REASON_MINUTES = 24 * 60  # as sync.protocol.SiteSettings allows


@dataclass(frozen=True)
class OwnSaySettings:
    """A site's settings for what participants tell the door: whether a participant sees
    their week after their tap, how long before closing a check-out asks "Waarom ga je
    eerder weg?" (None: never), and when an estimated check-out's hours count."""

    my_week: bool = True
    leave_reason_minutes: int | None = 60
    estimated_hours: str = "confirmed"

    def problem(self) -> str | None:
        """What is wrong with these values (the database has no CHECK on them), or None."""
        minutes = self.leave_reason_minutes
        if minutes is not None and not 0 <= minutes <= MAX_LEAVE_REASON_MINUTES:
            return f"leave_reason_minutes must be 0..{MAX_LEAVE_REASON_MINUTES} or None"
        if self.estimated_hours not in ESTIMATED_HOURS:
            return f"estimated_hours must be one of {ESTIMATED_HOURS}"
        return None


def set_own_say(engine: Engine, site_id: str, settings: OwnSaySettings) -> bool:
    """Store the site's own-say settings; False when there is no such site. The doors learn
    them with their next snapshot."""
    problem = settings.problem()
    if problem is not None:
        raise ValueError(problem)
    with writing(engine) as conn:
        done = conn.execute(
            update(sites)
            .where(sites.c.id == site_id)
            .values(
                my_week=settings.my_week,
                leave_reason_minutes=settings.leave_reason_minutes,
                estimated_hours=settings.estimated_hours,
            )
        )
    return done.rowcount == 1

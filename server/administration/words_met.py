"""Which words of the day a group has met: counts for the planning page, never names.

A participant has met a word when they were present on a day it was the word of the day:
a tap that opens a session (a check-in, a forgotten check-out's new check-in, a supervisor's
check-in by hand at the door) at any door of the site, on that workshop day — the day the
door showed that word. A tap a supervisor voided does not count; a check-in added afterwards
on the day page does not either (the door never showed that person the word).

A group is the site's active participants, or those of one team (`participants.team`).
One query counts every listed word; the days it reads are only the listed words' days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, distinct, func, select

from server.schema import corrections, events, participants, words
from sync.record import OPENS_SESSION

LISTED = 120  # the newest past words shown: as many as the starter set holds


@dataclass(frozen=True)
class MetWord:
    day: date
    word: str
    article: str | None
    met: int  # how many of the group were present that day


@dataclass(frozen=True)
class WordsMet:
    team: str | None  # None: every active participant of the site
    size: int  # how many the group has now
    words: list[MetWord]  # the site's words up to today, newest first


def words_met(engine: Engine, site_id: str, today: date, team: str | None) -> WordsMet:
    """The site's last `LISTED` words up to `today` and how many of the group met each."""
    group = [participants.c.site_id == site_id, participants.c.active.is_(True)]
    if team is not None:
        group.append(participants.c.team == team)
    listed = (
        select(words.c.day, words.c.word, words.c.article)
        .where(words.c.site_id == site_id, words.c.day <= today)
        .order_by(words.c.day.desc())
        .limit(LISTED)
        .cte("listed")
    )
    voided = (
        select(corrections.c.id)
        .where(corrections.c.event_id == events.c.id, corrections.c.action == "void")
        .exists()
    )
    # Counted per day first (at most LISTED rows), then put beside the listed words.
    met = (
        select(events.c.workshop_day, func.count(distinct(events.c.participant_id)).label("met"))
        .join(participants, participants.c.id == events.c.participant_id)
        .where(
            events.c.site_id == site_id,
            events.c.kind.in_(sorted(OPENS_SESSION)),
            events.c.workshop_day.in_(select(listed.c.day)),
            ~voided,
            *group,
        )
        .group_by(events.c.workshop_day)
        .cte("met")
        # Counted once: without it PostgreSQL may count again for every listed word when
        # its statistics are behind (seen: 3 s instead of 70 ms after a bulk import).
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    counted = (
        select(listed.c.day, listed.c.word, listed.c.article, func.coalesce(met.c.met, 0))
        .select_from(listed.outerjoin(met, met.c.workshop_day == listed.c.day))
        .order_by(listed.c.day.desc())
    )
    with engine.connect() as conn:
        found = [MetWord(day, word, art, int(met)) for day, word, art, met in conn.execute(counted)]
        size = conn.execute(
            select(func.count()).select_from(participants).where(*group)
        ).scalar_one()
    return WordsMet(team, int(size), found)

"""When people of a site usually leave: the time buttons of "Hoe laat ging je gisteren weg?"
(sync.own_say), sent in the snapshot (SiteSettings.usual_leaving_times).

The snapshot is pulled by every door every few seconds (its ETag decides whether anything is
sent), so this is one aggregate query over the site's check-outs of the last weeks, grouped
by quarter hour in the database: a few dozen rows back, however many taps there were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Integer, cast, func, select

from server.schema import events

LOOKBACK = timedelta(days=28)
QUARTER = 15 * 60  # seconds
MIN_CHECK_OUTS = 10  # fewer than this says nothing about a site's habits
MIN_TIMES = 4  # the question offers four or five times; fewer: the door reckons its own
MAX_TIMES = 5


def _quarter(conn: Connection) -> Any:
    """The nearest quarter hour of a check-out's honest time, as seconds since 1970 / 900."""
    at = func.coalesce(events.c.corrected_wall_at, events.c.wall_at)
    if conn.dialect.name == "sqlite":  # naive UTC text (server.schema.UtcDateTime)
        seconds = cast(func.strftime("%s", at), Integer)
        return (seconds + QUARTER // 2) // QUARTER  # `/` would be true division: a group a second
    return func.floor((func.extract("epoch", at) + QUARTER // 2) / QUARTER)


def usual_leaving_times(conn: Connection, site_id: str, timezone: str, now: datetime) -> list[time]:
    """The site's four or five most usual times of leaving over the last LOOKBACK (site time,
    on the quarter hour, earliest first); empty when there were too few check-outs."""
    quarter = _quarter(conn).label("quarter")
    rows = conn.execute(
        select(quarter, func.count().label("n"))
        .where(
            events.c.site_id == site_id,
            events.c.kind == "check_out",
            events.c.wall_at >= now - LOOKBACK,
            events.c.wall_at <= now,
        )
        .group_by(quarter)
    ).all()
    return typical_times(((int(row.quarter), int(row.n)) for row in rows), timezone)


def typical_times(quarters: Iterable[tuple[int, int]], timezone: str) -> list[time]:
    """From (quarter hour since 1970, how many check-outs) to the most usual times of day
    in site time: the same clock time on different days (and either side of a change of
    daylight saving) counts together."""
    zone = ZoneInfo(timezone)
    by_clock: Counter[time] = Counter()
    for quarter, count in quarters:
        moment = datetime.fromtimestamp(quarter * QUARTER, tz=UTC).astimezone(zone)
        by_clock[moment.time().replace(second=0, microsecond=0)] += count
    if sum(by_clock.values()) < MIN_CHECK_OUTS:
        return []
    usual = sorted(by_clock.items(), key=lambda item: (-item[1], item[0]))[:MAX_TIMES]
    if len(usual) < MIN_TIMES:
        return []
    return sorted(clock for clock, _ in usual)

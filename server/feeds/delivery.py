"""A feed handed out behind its secret link: whose link a token is, and the feed it
opens, with the stamp and the audit lines every access leaves before anything goes out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from server.administration.rights import record_audits
from server.attendance.history import coach_participant_ids
from server.db import writing
from server.feeds.content import Feed, feed_content
from server.feeds.links import FeedHolder, holder_of, used


def link_holder(engine: Engine, token: str) -> FeedHolder | None:
    """Whose live link this is; None for an unknown or revoked token or a disabled coach."""
    with engine.connect() as conn:
        return holder_of(conn, token)


def deliver(
    engine: Engine,
    holder: FeedHolder,
    first: date,
    last: date,
    participant_id: str | None,
    *,
    kind: str,
    now: datetime,
    late_after: timedelta,
    alert_after: int,
) -> Feed | None:
    """The coach's participants (or the one asked for) from `first` to `last`; None when
    the one asked for is not the coach's. The link's use is stamped and audited first."""
    with engine.connect() as conn:
        ids = coach_participant_ids(conn, holder.coach_id)
        if participant_id is not None:
            if participant_id not in ids:
                return None
            ids = [participant_id]
        feed = feed_content(
            conn,
            ids,
            first,
            last,
            now,
            late_after=late_after,
            alert_after=alert_after,
            title=f"Aanwezigheid – {holder.label or holder.coach_name}",
        )
    with writing(engine) as conn:
        used(conn, holder.token_id, now)
        # One line per participant and request: what a participant's data request must show.
        record_audits(
            conn,
            now,
            f"coach:{holder.coach_id}",
            "feed",
            [person.plan.participant_id for person in feed.participants],
            {"format": kind, "feed": holder.token_id},
        )
    return feed

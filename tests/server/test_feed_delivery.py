"""server.feeds.delivery: a feed behind its secret link — whose it is, what it holds, and
the stamp and audit lines each access leaves (and none when it is refused)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from server.feeds.delivery import deliver, link_holder
from server.feeds.links import FeedHolder, make_link
from server.schema import audit_log, feed_tokens
from tests.server.conftest import NOW, Staff
from tests.server.web.test_coach import MON, WED, add_tap, local

SERVED: dict[str, Any] = {"now": NOW, "late_after": timedelta(minutes=5), "alert_after": 3}


def carlas_link(engine: Engine) -> FeedHolder:
    token = make_link(engine, "c-carla", "", actor="coach:c-carla", now=NOW - timedelta(days=1))
    holder = link_holder(engine, token)
    assert holder is not None
    return holder


def feed_lines(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.participant_id, audit_log.c.detail).where(
                audit_log.c.action == "feed"
            )
        )
        return [tuple(row) for row in rows]


def last_used(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(feed_tokens.c.last_used_at)).scalar_one()


def test_feed_delivery_knows_no_made_up_token(staff_world: Staff, engine: Engine) -> None:
    assert link_holder(engine, "not-a-real-token") is None


def test_feed_delivery_holds_the_coachs_participants_and_is_stamped_and_audited(
    staff_world: Staff, engine: Engine
) -> None:
    add_tap(engine, "p-amal", "check_in", local(MON, "08:30"))
    holder = carlas_link(engine)
    feed = deliver(engine, holder, MON, WED, None, kind="csv", **SERVED)
    assert feed is not None
    assert [p.plan.participant_id for p in feed.participants] == ["p-amal", "p-dawit"]
    assert feed.title == "Aanwezigheid – Carla"
    assert last_used(engine) == NOW
    assert feed_lines(engine) == [
        ("p-amal", {"format": "csv", "feed": holder.token_id}),
        ("p-dawit", {"format": "csv", "feed": holder.token_id}),
    ]


def test_feed_delivery_of_one_participant_refuses_someone_elses(
    staff_world: Staff, engine: Engine
) -> None:
    holder = carlas_link(engine)
    assert deliver(engine, holder, MON, WED, "p-olena", kind="json", **SERVED) is None
    assert last_used(engine) is None and feed_lines(engine) == []
    feed = deliver(engine, holder, MON, WED, "p-dawit", kind="json", **SERVED)
    assert feed is not None and [p.plan.participant_id for p in feed.participants] == ["p-dawit"]
    assert feed_lines(engine) == [("p-dawit", {"format": "json", "feed": holder.token_id})]

"""server.feeds.links: a coach makes, revokes and renews their feed links; each change is
audited, a revoked link stops at once, and another coach's link cannot be touched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from server.feeds.delivery import link_holder
from server.feeds.links import coach_links, make_link, renew_link, revoke_link
from server.schema import audit_log
from tests.server.conftest import NOW, Staff

CARLA: dict[str, Any] = {"actor": "coach:c-carla", "now": NOW}


def audit(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail))
        return [tuple(row) for row in rows]


def test_feed_links_made_link_opens_the_coachs_feed_and_is_listed(
    staff_world: Staff, engine: Engine
) -> None:
    token = make_link(engine, "c-carla", "Agenda", **CARLA)
    holder = link_holder(engine, token)
    assert holder is not None and (holder.coach_id, holder.label) == ("c-carla", "Agenda")
    [link] = coach_links(engine, "c-carla")
    assert (link.id, link.label, link.revoked_at) == (holder.token_id, "Agenda", None)
    assert coach_links(engine, "c-koen") == []
    assert audit(engine) == [("coach:c-carla", "feed_link", {"made": link.id})]


def test_feed_links_revoked_link_stops_and_another_coach_cannot_revoke_it(
    staff_world: Staff, engine: Engine
) -> None:
    token = make_link(engine, "c-carla", "", **CARLA)
    [link] = coach_links(engine, "c-carla")
    assert not revoke_link(engine, "c-koen", link.id, actor="coach:c-koen", now=NOW)
    assert link_holder(engine, token) is not None
    assert revoke_link(engine, "c-carla", link.id, **CARLA)
    assert link_holder(engine, token) is None
    assert coach_links(engine, "c-carla")[0].revoked_at == NOW
    assert [detail for *_, detail in audit(engine)] == [{"made": link.id}, {"revoked": link.id}]


def test_feed_links_renewed_link_replaces_the_old_one_with_its_label(
    staff_world: Staff, engine: Engine
) -> None:
    old = make_link(engine, "c-carla", "Cliëntvolgsysteem", **CARLA)
    [link] = coach_links(engine, "c-carla")
    assert renew_link(engine, "c-koen", link.id, actor="coach:c-koen", now=NOW) is None
    renewed = renew_link(engine, "c-carla", link.id, **CARLA)
    assert renewed is not None
    new, label = renewed
    assert label == "Cliëntvolgsysteem"
    assert link_holder(engine, old) is None
    holder = link_holder(engine, new)
    assert holder is not None and holder.label == "Cliëntvolgsysteem"
    assert audit(engine)[-1] == (
        "coach:c-carla",
        "feed_link",
        {"revoked": link.id, "made": holder.token_id},
    )

"""server.kiosks.badge_register: a supervisor hands a badge out or takes it back; a badge someone
else holds stays theirs, and the page learns whose only within its own site."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from server.kiosks.badge_register import HeldElsewhere, NotGiven, hand_out, take_back
from server.schema import audit_log, badges
from tests.server.conftest import NOW, World

WHO: dict[str, Any] = {"actor": "supervisor:s-marieke", "now": NOW}


def holders(engine: Engine) -> dict[str, str]:
    """Current badge → holder."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(badges.c.uid, badges.c.holder_id).where(badges.c.revoked_at.is_(None))
        )
        return {uid: holder for uid, holder in rows}


def audit(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.participant_id, audit_log.c.detail))
        return [tuple(row) for row in rows]


def test_badges_handed_out_replaces_the_participants_old_badge(
    world: World, engine: Engine
) -> None:
    assert hand_out(engine, "north", "p-dawit", "04CAFE01", how="assigned", **WHO) is None
    assert holders(engine)["04CAFE01"] == "p-dawit"
    assert "04D4E5F6" not in holders(engine)  # his old one is revoked
    assert audit(engine) == [("p-dawit", {"badge": "assigned"})]


def test_badges_handed_out_names_a_holder_of_the_same_site_only(
    world: World, engine: Engine
) -> None:
    amals = hand_out(engine, "north", "p-dawit", "04A1B2C3", how="assigned", **WHO)
    mariekes = hand_out(engine, "north", "p-dawit", "0499AA11", how="assigned", **WHO)
    olenas = hand_out(engine, "north", "p-dawit", "04778899", how="enrolled", **WHO)
    assert (amals, mariekes, olenas) == (
        HeldElsewhere("Amal"),
        HeldElsewhere("Marieke"),
        HeldElsewhere(None),  # south's participant: no name of another site
    )
    assert holders(engine)["04778899"] == "p-olena"
    assert audit(engine) == []


def test_badges_handed_out_to_nobody_is_not_given(world: World, engine: Engine) -> None:
    refused = hand_out(engine, "north", "p-gone", "04CAFE01", how="assigned", **WHO)
    assert isinstance(refused, NotGiven)
    assert "04CAFE01" not in holders(engine)


def test_badges_taken_back_only_from_their_holder(world: World, engine: Engine) -> None:
    assert not take_back(engine, "p-dawit", "04A1B2C3", **WHO)  # Amal's
    assert take_back(engine, "p-amal", "04A1B2C3", **WHO)
    assert not take_back(engine, "p-amal", "04A1B2C3", **WHO)  # not hers any more
    assert "04A1B2C3" not in holders(engine)
    assert audit(engine) == [("p-amal", {"badge": "revoked"})]

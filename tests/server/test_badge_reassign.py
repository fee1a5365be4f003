"""A badge someone holds is never taken from them by giving it to another: it is revoked
first, then given again, and the history keeps who held it when."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from server.cli import server
from server.schema import badges
from tests.server.conftest import World

DOC = (Path(__file__).parents[2] / "docs" / "server.md").read_text(encoding="utf-8")
AMALS = "04A1B2C3"


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(server, [*args, "--database-url", url])


def history(engine: Engine, uid: str) -> list[tuple[str, bool]]:
    """Who held the badge, oldest first, and whether they still do."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(badges.c.holder_id, badges.c.revoked_at)
            .where(badges.c.uid == uid)
            .order_by(badges.c.assigned_at, badges.c.id)
        ).all()
    return [(holder, revoked_at is None) for holder, revoked_at in rows]


def test_a_held_badge_is_given_again_only_after_a_revoke(
    database_url: str, world: World, engine: Engine
) -> None:
    taken = invoke(database_url, "assign-badge", AMALS, "--participant", "p-dawit")
    assert taken.exit_code == 1
    assert "this badge is held by someone else: revoke it first" in taken.output
    assert history(engine, AMALS) == [("p-amal", True)]
    assert invoke(database_url, "revoke-badge", AMALS).exit_code == 0
    assert invoke(database_url, "assign-badge", AMALS, "--participant", "p-dawit").exit_code == 0
    assert history(engine, AMALS) == [("p-amal", False), ("p-dawit", True)]
    assert history(engine, "04D4E5F6") == [("p-dawit", False)]  # Dawit's own badge went


def test_docs_say_a_held_badge_is_revoked_before_it_is_given_again() -> None:
    row = next(line for line in DOC.splitlines() if "`prikklok server assign-badge" in line)
    assert "revoke it first" in row and "`prikklok server revoke-badge UID`" in row

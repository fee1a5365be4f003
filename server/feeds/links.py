"""A coach's feed links as their page keeps them: the list, and making, revoking and
renewing one, each change in one transaction with its audit line.

The tokens themselves (256 random bits, only their hash kept) are server.feeds.tokens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from server.administration.rights import record_audit
from server.db import writing
from server.feeds import tokens
from server.feeds.tokens import FeedLink

AUDITED_AS = "feed_link"  # about no participant: the link opens the coach's whole list


def coach_links(engine: Engine, coach_id: str) -> list[FeedLink]:
    """The coach's links, live ones first, newest first."""
    with engine.connect() as conn:
        return tokens.links_of(conn, coach_id)


def make_link(engine: Engine, coach_id: str, label: str, *, actor: str, now: datetime) -> str:
    """A new link for the coach; its token, which is never seen again."""
    with writing(engine) as conn:
        token_id, token = tokens.create(conn, coach_id, label, now)
        record_audit(conn, now, actor, AUDITED_AS, None, {"made": token_id})
    return token


def revoke_link(engine: Engine, coach_id: str, token_id: int, *, actor: str, now: datetime) -> bool:
    """Revoke one of the coach's own links at once; False when they have no such link."""
    with writing(engine) as conn:
        if tokens.revoke(conn, coach_id, token_id, now) is None:
            return False
        record_audit(conn, now, actor, AUDITED_AS, None, {"revoked": token_id})
    return True


def renew_link(
    engine: Engine, coach_id: str, token_id: int, *, actor: str, now: datetime
) -> tuple[str, str] | None:
    """Revoke a link and make a new one with its label: the new token and the label;
    None when the coach has no such link."""
    with writing(engine) as conn:
        renewed = tokens.renew(conn, coach_id, token_id, now)
        if renewed is None:
            return None
        new_id, token, label = renewed
        record_audit(conn, now, actor, AUDITED_AS, None, {"revoked": token_id, "made": new_id})
    return token, label

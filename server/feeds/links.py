"""A coach's secret feed links: 256 random bits shown once; only their sha256 is kept.

A link opens the feed without a login (a calendar app cannot log in), so it can be
revoked at any time, and renewing one revokes the old link in the same transaction. The
coach's page makes, revokes and renews them through the `*_link` functions at the end, each
in one transaction with its audit line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, update

from server.administration.rights import record_audit
from server.db import writing
from server.kiosks.kiosk_tokens import new_token, token_hash
from server.schema import feed_tokens, staff

LABEL_MAX = 200


class LabelError(ValueError):
    """A label the coach must change; the message is Dutch and one line."""


@dataclass(frozen=True)
class FeedLink:
    id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class FeedHolder:
    """Whose feed a token opens."""

    token_id: int
    coach_id: str
    coach_name: str
    label: str


def clean_label(label: str) -> str:
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in label).split())
    if len(cleaned) > LABEL_MAX:
        raise LabelError(f"De naam is te lang: hoogstens {LABEL_MAX} tekens.")
    return cleaned


def create(conn: Connection, coach_id: str, label: str, now: datetime) -> tuple[int, str]:
    """A new link for `coach_id`; returns its id and the token, which is never seen again."""
    token = new_token()
    result = conn.execute(
        feed_tokens.insert().values(
            coach_id=coach_id,
            token_hash=token_hash(token),
            label=clean_label(label),
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0]), token


def links_of(conn: Connection, coach_id: str) -> list[FeedLink]:
    """The coach's links, live ones first, newest first."""
    rows = conn.execute(
        select(feed_tokens)
        .where(feed_tokens.c.coach_id == coach_id)
        .order_by(feed_tokens.c.revoked_at.is_not(None), feed_tokens.c.id.desc())
    )
    return [FeedLink(r.id, r.label, r.created_at, r.revoked_at, r.last_used_at) for r in rows]


def revoke(conn: Connection, coach_id: str, token_id: int, now: datetime) -> FeedLink | None:
    """Revoke one of the coach's own links; None when they have no such link."""
    row = conn.execute(
        select(feed_tokens).where(feed_tokens.c.id == token_id, feed_tokens.c.coach_id == coach_id)
    ).first()
    if row is None:
        return None
    if row.revoked_at is None:
        conn.execute(update(feed_tokens).where(feed_tokens.c.id == token_id).values(revoked_at=now))
    return FeedLink(row.id, row.label, row.created_at, row.revoked_at or now, row.last_used_at)


def renew(
    conn: Connection, coach_id: str, token_id: int, now: datetime
) -> tuple[int, str, str] | None:
    """Revoke a link and make a new one with the same label: its id, token and label;
    None when the coach has no such link."""
    old = revoke(conn, coach_id, token_id, now)
    if old is None:
        return None
    new_id, token = create(conn, coach_id, old.label, now)
    return new_id, token, old.label


def holder_of(conn: Connection, token: str) -> FeedHolder | None:
    """Whose live link this is; None for an unknown or revoked token or a disabled coach."""
    row = conn.execute(
        select(
            feed_tokens.c.id,
            feed_tokens.c.label,
            staff.c.id.label("coach_id"),
            staff.c.display_name,
        )
        .join(staff, staff.c.id == feed_tokens.c.coach_id)
        .where(
            feed_tokens.c.token_hash == token_hash(token),
            feed_tokens.c.revoked_at.is_(None),
            staff.c.role == "coach",
            staff.c.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    return FeedHolder(row.id, row.coach_id, row.display_name, row.label)


def used(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(update(feed_tokens).where(feed_tokens.c.id == token_id).values(last_used_at=now))


AUDITED_AS = "feed_link"  # about no participant: the link opens the coach's whole list


def coach_links(engine: Engine, coach_id: str) -> list[FeedLink]:
    """The coach's links, live ones first, newest first."""
    with engine.connect() as conn:
        return links_of(conn, coach_id)


def make_link(engine: Engine, coach_id: str, label: str, *, actor: str, now: datetime) -> str:
    """A new link for the coach; its token, which is never seen again."""
    with writing(engine) as conn:
        token_id, token = create(conn, coach_id, label, now)
        record_audit(conn, now, actor, AUDITED_AS, None, {"made": token_id})
    return token


def revoke_link(engine: Engine, coach_id: str, token_id: int, *, actor: str, now: datetime) -> bool:
    """Revoke one of the coach's own links at once; False when they have no such link."""
    with writing(engine) as conn:
        if revoke(conn, coach_id, token_id, now) is None:
            return False
        record_audit(conn, now, actor, AUDITED_AS, None, {"revoked": token_id})
    return True


def renew_link(
    engine: Engine, coach_id: str, token_id: int, *, actor: str, now: datetime
) -> tuple[str, str] | None:
    """Revoke a link and make a new one with its label: the new token and the label;
    None when the coach has no such link."""
    with writing(engine) as conn:
        renewed = renew(conn, coach_id, token_id, now)
        if renewed is None:
            return None
        new_id, token, label = renewed
        record_audit(conn, now, actor, AUDITED_AS, None, {"revoked": token_id, "made": new_id})
    return token, label

"""The participant's data rights (promise 6 of docs/design.md): retention, export and erasure.

Every run writes one `audit_log` row. An erasure leaves the log saying only that a
participant was erased: the older rows about them lose their participant id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Table, delete, or_, select, update

from server.administration.operations import AdminError
from server.attendance.presence import honest_at
from server.attendance.sessions import SESSION_KINDS, ReceivedTap, closing_time, pair_sessions
from server.attendance.statements import statements_of
from server.db import writing
from server.learning.answers import count_cards, note_answers
from server.schema import (
    absences,
    audit_log,
    badges,
    boot_anchors,
    coach_participants,
    corrections,
    event_flags,
    events,
    kiosk_boots,
    participants,
    rejected_records,
    sites,
    staff,
    statement_reviews,
    tasks,
    word_cards,
)
from sync.own_say import KINDS as OWN_SAY_KINDS
from sync.recall import WORD_RECALL

CLI_ACTOR = "admin (cli)"
ERASED = "(erased participant)"  # what a flag about another tap says instead of their id


class UnknownParticipant(AdminError):
    def __init__(self, participant_id: str) -> None:
        super().__init__(f"no participant {participant_id!r}")


def record_audit(
    conn: Connection,
    at: datetime,
    actor: str,
    action: str,
    participant_id: str | None,
    detail: Mapping[str, Any],
) -> None:
    record_audits(conn, at, actor, action, [participant_id], detail)


def record_audits(
    conn: Connection,
    at: datetime,
    actor: str,
    action: str,
    participant_ids: Iterable[str | None],
    detail: Mapping[str, Any],
) -> None:
    """The same line about each of several participants (None: about no one), in one
    statement."""
    rows = [
        {"logged_at": at, "actor": actor, "action": action, "participant_id": pid,
         "detail": dict(detail)}
        for pid in participant_ids
    ]  # fmt: skip
    if rows:
        conn.execute(audit_log.insert(), rows)


def _deleted(conn: Connection, table: Table, *where: Any) -> int:
    return int(conn.execute(delete(table).where(*where)).rowcount)


# --- retention -------------------------------------------------------------------------


def apply_retention(
    conn: Connection, now: datetime, days: int, actor: str = CLI_ACTOR
) -> dict[str, int]:
    """Delete taps and what derives from them older than `days` days; counts per table.

    A tap's age is when the server received it: a kiosk's clock may be years off, but a
    tap always happened before it arrived, so nothing goes before its time. What a
    participant said at the door is a record like a tap and goes with it, a supervisor's
    verdict on it too. Participants, badges, plans, the kiosks' latest heartbeats and the
    audit log itself are kept.
    """
    if days < 1:
        raise AdminError("the retention period is at least 1 day")
    before = now - timedelta(days=days)
    old_events = select(events.c.id).where(events.c.received_at < before)
    # The word cards rest on the answers: those of deleted answers are rebuilt from the
    # answers kept, or deleted with the last of them (server.learning.answers).
    old_answers = {
        (row.participant_id, str(row.detail.get("word")))
        for row in conn.execute(
            select(events.c.participant_id, events.c.detail).where(
                events.c.received_at < before,
                events.c.kind == WORD_RECALL,
                events.c.participant_id.is_not(None),
            )
        )
    }
    counts = {
        "event_flags": _deleted(
            conn,
            event_flags,
            or_(event_flags.c.created_at < before, event_flags.c.event_id.in_(old_events)),
        ),
        "corrections": _deleted(
            conn,
            corrections,
            or_(corrections.c.created_at < before, corrections.c.event_id.in_(old_events)),
        ),
        "statement_reviews": _deleted(
            conn, statement_reviews, statement_reviews.c.event_id.in_(old_events)
        ),
        "events": _deleted(conn, events, events.c.received_at < before),
        "rejected_records": _deleted(
            conn, rejected_records, rejected_records.c.received_at < before
        ),
        "kiosk_boots": _deleted(conn, kiosk_boots, kiosk_boots.c.last_heartbeat_at < before),
        "boot_anchors": _deleted(conn, boot_anchors, boot_anchors.c.reckoned_at < before),
        "absences": _deleted(conn, absences, absences.c.created_at < before),
    }
    kept_cards = count_cards(conn)
    note_answers(conn, old_answers, now)
    counts["word_cards"] = kept_cards - count_cards(conn)
    detail = {"days": days, "before": before.isoformat(), "deleted": counts}
    record_audit(conn, now, actor, "retention", None, detail)
    return counts


# --- export ----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """`value` with dates and times as ISO text, for JSON."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [plain(dict(row._mapping)) for row in conn.execute(query)]


def _require(conn: Connection, participant_id: str) -> Any:
    row = conn.execute(select(participants).where(participants.c.id == participant_id)).first()
    if row is None:
        raise UnknownParticipant(participant_id)
    return row


def _names(participant_id: str) -> Any:
    """rejected_records rows whose record names the participant."""
    return rejected_records.c.record["participant_id"].as_string() == participant_id


def _their_badges(participant_id: str) -> Any:
    return (badges.c.holder_kind == "participant") & (badges.c.holder_id == participant_id)


def _their_events(participant_id: str) -> Any:
    return select(events.c.id).where(events.c.participant_id == participant_id)


def _sessions(
    conn: Connection, site_id: str, taps: Iterable[ReceivedTap], now: datetime | None
) -> list[dict[str, Any]]:
    """The participant's sessions per workshop day, paired as attendance pairs them."""
    site = conn.execute(select(sites).where(sites.c.id == site_id)).one()
    zone = ZoneInfo(site.timezone)
    by_day: dict[date, list[ReceivedTap]] = {}
    for tap in taps:
        by_day.setdefault(tap.at.astimezone(zone).date(), []).append(tap)
    days = []
    for day, day_taps in sorted(by_day.items()):
        close_at = closing_time(day, site.closes_at, site.timezone)
        attendance = pair_sessions(day_taps, day, close_at, now)
        days.append(
            {
                "day": day.isoformat(),
                "sessions": [
                    {
                        "start_at": s.start_at.isoformat(),
                        "end_at": s.end_at.isoformat(),
                        "auto_closed": s.auto_closed,
                        "by_hand": s.opened_by_hand or s.closed_by_hand,
                        "counted_hours": round(s.counted_seconds / 3600, 2),
                    }
                    for s in attendance.sessions
                ],
                "open_since": plain(attendance.open_since),
            }
        )
    return days


def _statements(conn: Connection, participant_id: str) -> list[dict[str, Any]]:
    """What they said at the door themselves (sync.own_say), whatever day it was about,
    with a supervisor's verdict."""
    # Every day a door can name: a Pi without a clock thinks it is 1970 at the earliest.
    every_day = (date(1970, 1, 1), date(9999, 1, 1))
    return [
        plain(
            {
                "id": said.event_id,
                "kind": said.kind,
                "day": said.day,
                "said_at": said.said_at,
                "reason": said.said_reason,
                "left_at": said.said_left_at,
                "verdict": said.verdict,
                "reason_now": said.reason,
                "left_at_now": said.left_at,
                "reviewed_by": said.reviewed_by,
                "reviewed_at": said.reviewed_at,
            }
        )
        for said in statements_of(conn, [participant_id], *every_day)
    ]


def export_participant(
    conn: Connection, participant_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the server holds about one participant, JSON-ready (dates as ISO text)."""
    person = _require(conn, participant_id)
    theirs = _their_events(participant_id)
    their_events = conn.execute(
        select(events)
        .where(events.c.participant_id == participant_id)
        .order_by(events.c.wall_at, events.c.id)
    ).all()
    taps: list[dict[str, Any]] = []
    lunch: list[dict[str, Any]] = []
    word_answers: list[dict[str, Any]] = []
    session_taps: list[ReceivedTap] = []
    for row in their_events:
        at = honest_at(row.wall_at, row.corrected_wall_at)
        item = {
            "id": row.id,
            "kind": row.kind,
            "at": at.isoformat(),
            "wall_at": row.wall_at.isoformat(),
            "workshop_day": row.workshop_day.isoformat(),
            "kiosk_id": row.kiosk_id,
            "badge_uid": row.badge_uid,
            "supervisor_id": row.supervisor_id,
            "detail": plain(row.detail),
            "received_at": row.received_at.isoformat(),
        }
        if row.kind in OWN_SAY_KINDS:
            continue  # under "statements", with a supervisor's verdict
        if row.kind == WORD_RECALL:
            word_answers.append(item)  # the recall checks at check-out (docs/learning.md)
            continue
        (lunch if row.kind == "lunch" else taps).append(item)
        if row.kind in SESSION_KINDS:
            session_taps.append(ReceivedTap(row.id, row.kind, at, row.kiosk_id))
    coaches = select(staff.c.id, staff.c.display_name).join(
        coach_participants, coach_participants.c.coach_id == staff.c.id
    )
    return {
        "participant": plain(dict(person._mapping)),
        "badges": _rows(conn, select(badges).where(_their_badges(participant_id))),
        "taps": taps,
        "sessions": _sessions(conn, person.site_id, session_taps, now),
        "lunch_answers": lunch,
        "statements": _statements(conn, participant_id),
        "word_answers": word_answers,
        "word_cards": _rows(
            conn,
            select(word_cards)
            .where(word_cards.c.participant_id == participant_id)
            .order_by(word_cards.c.word),
        ),
        "corrections": _rows(
            conn, select(corrections).where(corrections.c.participant_id == participant_id)
        ),
        "event_flags": _rows(conn, select(event_flags).where(event_flags.c.event_id.in_(theirs))),
        "rejected_records": _rows(conn, select(rejected_records).where(_names(participant_id))),
        "tasks": _rows(conn, select(tasks).where(tasks.c.participant_id == participant_id)),
        "absences": _rows(
            conn, select(absences).where(absences.c.participant_id == participant_id)
        ),
        "coaches": _rows(
            conn, coaches.where(coach_participants.c.participant_id == participant_id)
        ),
        "audit_log": _rows(
            conn,
            select(audit_log)
            .where(audit_log.c.participant_id == participant_id)
            .order_by(audit_log.c.id),
        ),
    }


def audited_export(
    conn: Connection, participant_id: str, actor: str, now: datetime
) -> dict[str, Any]:
    """The export, stamped with its time, and the audit line saying who made it (in the
    caller's transaction: an export that cannot be delivered is not logged)."""
    data = {"exported_at": now.isoformat(), **export_participant(conn, participant_id, now)}
    record_audit(conn, now, actor, "export", participant_id, {"format": "json"})
    return data


# --- erasure ---------------------------------------------------------------------------


def _redact(text: str, participant_id: str) -> str:
    """`text` with the participant's id, as a whole id, replaced (not 'p-amal' in 'p-amala')."""
    pattern = rf"(?<![A-Za-z0-9._-]){re.escape(participant_id)}(?![A-Za-z0-9._-])"
    return re.sub(pattern, ERASED, text)


def _redact_flags(conn: Connection, participant_id: str) -> int:
    """Flags on other people's taps that name the participant (e.g. 'p-amal holds it')."""
    mentions = conn.execute(
        select(event_flags.c.id, event_flags.c.detail).where(
            event_flags.c.detail.contains(participant_id, autoescape=True)
        )
    ).all()
    changed = 0
    for flag_id, detail in mentions:
        redacted = _redact(detail, participant_id)
        if redacted != detail:
            conn.execute(
                update(event_flags).where(event_flags.c.id == flag_id).values(detail=redacted)
            )
            changed += 1
    return changed


def erase_participant(
    conn: Connection, participant_id: str, actor: str, now: datetime
) -> dict[str, int]:
    """Delete every row about the participant; the audit log keeps only that it happened.

    The door snapshot is built from the participants table, so the next snapshot (and so
    every kiosk of the site) no longer carries them.
    """
    _require(conn, participant_id)
    theirs = _their_events(participant_id)
    counts = {
        "event_flags": _deleted(conn, event_flags, event_flags.c.event_id.in_(theirs)),
        "event_flags_redacted": _redact_flags(conn, participant_id),
        "corrections": _deleted(
            conn,
            corrections,
            or_(corrections.c.participant_id == participant_id, corrections.c.event_id.in_(theirs)),
        ),
        "statement_reviews": _deleted(
            conn,
            statement_reviews,
            or_(
                statement_reviews.c.participant_id == participant_id,
                statement_reviews.c.event_id.in_(theirs),
            ),
        ),
        "events": _deleted(conn, events, events.c.participant_id == participant_id),
        "rejected_records": _deleted(conn, rejected_records, _names(participant_id)),
        "tasks": _deleted(conn, tasks, tasks.c.participant_id == participant_id),
        "absences": _deleted(conn, absences, absences.c.participant_id == participant_id),
        "word_cards": _deleted(conn, word_cards, word_cards.c.participant_id == participant_id),
        "coach_participants": _deleted(
            conn, coach_participants, coach_participants.c.participant_id == participant_id
        ),
        "badges": _deleted(conn, badges, _their_badges(participant_id)),
        "participants": _deleted(conn, participants, participants.c.id == participant_id),
    }
    conn.execute(
        update(audit_log)
        .where(audit_log.c.participant_id == participant_id)
        .values(participant_id=None)
    )
    record_audit(conn, now, actor, "erase", None, {"erased": "a participant", "counts": counts})
    return counts


# --- from the admin's pages: each in a transaction of its own ----------------------------


def export_now(engine: Engine, participant_id: str, actor: str, now: datetime) -> dict[str, Any]:
    with writing(engine) as conn:
        return audited_export(conn, participant_id, actor, now)


def erase_now(engine: Engine, participant_id: str, actor: str, now: datetime) -> str:
    """Erase the participant; the site they belonged to (the page goes back to its list)."""
    with writing(engine) as conn:
        site_id = str(_require(conn, participant_id).site_id)
        erase_participant(conn, participant_id, actor, now)
    return site_id


def retention_now(engine: Engine, now: datetime, days: int, actor: str) -> dict[str, int]:
    with writing(engine) as conn:
        return apply_retention(conn, now, days, actor=actor)

"""The door's snapshot: what one site's kiosks need, nothing more (promise 6, docs/design.md)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, or_, select

from server.administration.translations import door_fixes
from server.administration.upgrades import wanted_upgrade
from server.kiosks.leaving_times import usual_leaving_times
from server.learning.plans import recall_for
from server.schema import badges, participants, sites, staff, tasks, words
from sync.protocol import (
    SiteSettings,
    Snapshot,
    SnapshotBadge,
    SnapshotParticipant,
    SnapshotSupervisor,
    SnapshotTask,
    SnapshotWord,
)

DAYS_AHEAD = 7  # offline for a week, the door still has the plan
REVOKED_KEPT = timedelta(days=30)  # a recently revoked badge gets "see a supervisor"


def site_day(conn: Connection, site_id: str, now: datetime) -> date:
    tz = conn.execute(select(sites.c.timezone).where(sites.c.id == site_id)).scalar_one()
    return now.astimezone(ZoneInfo(tz)).date()


def weekdays(stored: str) -> list[int]:
    """The agreed ISO weekdays as stored ("1,3,5") as a list."""
    return [int(day) for day in stored.split(",") if day]


def build_snapshot(
    conn: Connection, site_id: str, now: datetime, *, recall: bool = True
) -> Snapshot:
    """The snapshot of `site_id` for today (site time) and the next DAYS_AHEAD days;
    `recall` False: without the recall plans (for a door that does not understand them)."""
    site = conn.execute(select(sites).where(sites.c.id == site_id)).one()
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    last = today + timedelta(days=DAYS_AHEAD)
    # Whole days at the site, so the snapshot changes with the day and not the hour: its
    # ETag counts days (server.kiosks.door_version).
    kept_from = datetime.combine(today - REVOKED_KEPT, time(0), ZoneInfo(site.timezone))
    people = [
        SnapshotParticipant(
            id=row.id,
            display_name=row.display_name,
            language=row.language,
            program_start=row.program_start,
            program_end=row.program_end,
            active=row.active,
            birthday=row.birthday,
            agreed_weekdays=weekdays(row.agreed_weekdays),
        )
        for row in conn.execute(
            select(participants)
            .where(participants.c.site_id == site_id, participants.c.active.is_(True))
            .order_by(participants.c.id)
        )
    ]
    supervisors = [
        SnapshotSupervisor(id=row.id, display_name=row.display_name)
        for row in conn.execute(
            select(staff.c.id, staff.c.display_name)
            .where(
                staff.c.site_id == site_id,
                staff.c.role == "supervisor",
                staff.c.active.is_(True),  # a disabled account loses its badge too
            )
            .order_by(staff.c.id)
        )
    ]
    holders = {("participant", p.id) for p in people} | {("supervisor", s.id) for s in supervisors}
    current = [
        row
        for row in conn.execute(
            select(badges)
            .where(
                badges.c.site_id == site_id,
                or_(badges.c.revoked_at.is_(None), badges.c.revoked_at >= kept_from),
            )
            .order_by(badges.c.uid, badges.c.assigned_at)
        )
        if (row.holder_kind, row.holder_id) in holders
    ]
    live = {row.uid for row in current if row.revoked_at is None}
    door_badges = {
        row.uid: SnapshotBadge(
            uid=row.uid,
            holder=row.holder_kind,
            holder_id=row.holder_id,
            active=row.revoked_at is None,
        )
        for row in current
        if row.revoked_at is None or row.uid not in live
    }
    day_range = and_(tasks.c.day >= today, tasks.c.day <= last)
    plan = [
        SnapshotTask(
            day=row.day,
            text=row.text,
            participant_id=row.participant_id,
            team=row.team,
            pictogram=row.pictogram,
            photo=row.photo,
        )
        for row in conn.execute(
            select(tasks)
            .where(tasks.c.site_id == site_id, day_range)
            .order_by(tasks.c.day, tasks.c.id)
        )
    ]
    vocabulary = [
        SnapshotWord.of(row)
        for row in conn.execute(
            select(words)
            .where(words.c.site_id == site_id, words.c.day >= today, words.c.day <= last)
            .order_by(words.c.day)
        )
    ]
    # The recall check (issue 16): each participant's plan and the words it names.
    plans, recall_words = (
        recall_for(conn, site_id, today, site.timezone, vocabulary)
        if recall and site.word_check
        else ([], [])
    )
    return Snapshot(
        site=SiteSettings(
            id=site.id,
            name=site.name,
            opens_at=site.opens_at,
            closes_at=site.closes_at,
            timezone=site.timezone,
            speak_greeting=site.speak_greeting,
            my_week=site.my_week,
            leave_reason_minutes=site.leave_reason_minutes,
            usual_leaving_times=usual_leaving_times(conn, site_id, site.timezone, now),
            upgrade=wanted_upgrade(site),  # upgrades: server.administration.upgrades
            word_check=site.word_check,
        ),
        participants=people,
        supervisors=supervisors,
        badges=sorted(door_badges.values(), key=lambda b: b.uid),
        tasks=plan,
        words=vocabulary,
        phrase_fixes=door_fixes(conn),
        recall=plans,
        recall_words=recall_words,
    )


def canonical_json(snapshot: Snapshot, *, understood: frozenset[str] | None = None) -> bytes:
    """The snapshot's bytes, the same for the same data; without the optional fields a
    kiosk did not say it understands (protocol.PICTOGRAMS, PHOTOS, VOICES, PHRASE_FIXES).
    None: all."""
    data = (
        snapshot.model_dump(mode="json") if understood is None else snapshot.for_kiosk(understood)
    )
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(body: bytes) -> str:
    """A strong ETag: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags

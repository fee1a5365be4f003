"""The query layer for coaches: a range of days for a set of participants, in a constant
number of queries (not one per participant or day), handed to server.attendance.summary as Records.

A coach's six-month feed for thirty participants reads a few thousand taps out of
millions: the events are found through their participant_id index, and only the kinds
that open or close a session are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, select

from server.attendance.presence import honest_at, honest_within
from server.attendance.sessions import (
    SESSION_KINDS,
    Correction,
    Estimate,
    ReceivedTap,
    day_bounds,
)
from server.attendance.statements import Statement, estimates_in, statements_of
from server.attendance.summary import (
    ALERT_LOOKBACK,
    Absence,
    Agreement,
    AttendanceRecord,
    SiteHours,
    Timeline,
)
from server.attendance.summary import alert as alert_of
from server.kiosks.snapshot import weekdays
from server.schema import (
    absences,
    audit_log,
    coach_participants,
    corrections,
    events,
    participants,
    sites,
    staff,
)

# The audit lines server.attendance.amendments writes when a day's excuse is given or taken away:
# each one is a change a calendar must see, and the lines are never deleted.
EXCUSE_CHANGES = ("absence", "absence_removed")
WORKSHOP_TIMEZONE = "Europe/Amsterdam"  # for the loading range only; days are judged in site time


@dataclass(frozen=True)
class CorrectionNote:
    """A correction as the coach reads it: what, when, by whom and why."""

    id: int
    participant_id: str
    action: str
    at: datetime | None
    reason: str
    staff_name: str
    created_at: datetime
    event_id: str | None


@dataclass(frozen=True)
class History:
    records: dict[str, AttendanceRecord]  # by participant id, in the order asked
    notes: dict[str, list[CorrectionNote]]  # by participant id, oldest first


@dataclass(frozen=True)
class Timelines:
    """Judged days of several participants, and their absence runs as of now."""

    of: dict[str, Timeline]  # by participant id, in the order asked
    runs: dict[str, int]  # consecutive unexcused absences up to now
    notes: dict[str, list[CorrectionNote]]

    def alert(self, participant_id: str, after: int) -> bool:
        timeline = self.of[participant_id]
        return alert_of(timeline.plan, timeline.today, self.runs[participant_id], after)


def load_timelines(
    conn: Connection,
    participant_ids: Sequence[str],
    first: date,
    last: date,
    now: datetime,
    *,
    late_after: timedelta,
) -> Timelines:
    """Judged days from `first` to `last`, and the absence runs up to now.

    The runs need the last weeks up to today: when the period is near them the range
    is stretched to cover both (one load); a period long ago gets a second, small load.
    """
    today = now.astimezone(ZoneInfo(WORKSHOP_TIMEZONE)).date()
    recent = today - ALERT_LOOKBACK
    upto = today + timedelta(days=1)  # a site east of Amsterdam may be a day ahead
    stretch = last >= recent - ALERT_LOOKBACK
    # Never past tomorrow: later days are all 'future' and a far `last` would cost a lot.
    lo, hi = (min(first, recent), upto) if stretch else (first, last)
    loaded = load_history(conn, participant_ids, lo, hi)
    timelines = {pid: Timeline(record, now, late_after) for pid, record in loaded.records.items()}
    if stretch:
        runs = {pid: t.absence_run() for pid, t in timelines.items()}
    else:
        window = load_history(conn, list(timelines), recent, upto)
        runs = {
            pid: Timeline(record, now, late_after).absence_run()
            for pid, record in window.records.items()
        }
    return Timelines(timelines, runs, loaded.notes)


def coach_participant_ids(conn: Connection, coach_id: str) -> list[str]:
    """The participants assigned to a coach, by name."""
    rows = conn.execute(
        select(participants.c.id)
        .join(coach_participants, coach_participants.c.participant_id == participants.c.id)
        .where(coach_participants.c.coach_id == coach_id)
        .order_by(participants.c.display_name, participants.c.id)
    )
    return [row.id for row in rows]


def plans_of(conn: Connection, participant_ids: Sequence[str]) -> dict[str, Agreement]:
    """The participants' agreements and their sites' hours, in the order asked."""
    rows = conn.execute(
        select(
            participants.c.id,
            participants.c.display_name,
            participants.c.program_start,
            participants.c.program_end,
            participants.c.agreed_weekdays,
            participants.c.active,
            sites.c.opens_at,
            sites.c.closes_at,
            sites.c.timezone,
        )
        .join(sites, sites.c.id == participants.c.site_id)
        .where(participants.c.id.in_(list(participant_ids)))
    )
    found = {
        row.id: Agreement(
            row.id,
            row.display_name,
            SiteHours(row.opens_at, row.closes_at, row.timezone),
            row.program_start,
            row.program_end,
            frozenset(weekdays(row.agreed_weekdays or "")),
            bool(row.active),
        )
        for row in rows
    }
    return {pid: found[pid] for pid in participant_ids if pid in found}


def load_history(
    conn: Connection, participant_ids: Sequence[str], first: date, last: date
) -> History:
    """Everything from `first` to `last` (site days, inclusive) of these participants."""
    plans = plans_of(conn, participant_ids)
    ids = list(plans)
    if not ids:
        return History({}, {})
    bounds = {
        pid: (day_bounds(first, plan.site.timezone)[0], day_bounds(last, plan.site.timezone)[1])
        for pid, plan in plans.items()
    }
    start = min(lo for lo, _ in bounds.values())
    end = max(hi for _, hi in bounds.values())

    taps: dict[str, list[ReceivedTap]] = {pid: [] for pid in ids}
    # Plain tuples: thousands of rows, and a Row's attribute lookup is the slow part.
    for event_id, kind, pid, kiosk, wall_at, fixed_at in conn.execute(_taps_query(ids, start, end)):
        at = honest_at(wall_at, fixed_at)
        lo, hi = bounds[pid]
        if lo <= at < hi:
            taps[pid].append(ReceivedTap(event_id, kind, at, kiosk))

    fixes, notes = _corrections(conn, ids, bounds, taps)
    excused: dict[str, dict[date, Absence]] = {pid: {} for pid in ids}
    for row in conn.execute(
        select(absences).where(
            absences.c.participant_id.in_(ids), absences.c.day >= first, absences.c.day <= last
        )
    ):
        excused[row.participant_id][row.day] = Absence(
            row.day, row.reason, row.note or "", row.created_at
        )
    excuse_changes = _excuse_changes(conn, ids, first, last)
    said: dict[str, list[Statement]] = {pid: [] for pid in ids}
    for statement in statements_of(conn, ids, first, last):
        said[statement.participant_id].append(statement)
    estimates: dict[str, dict[date, Estimate]] = {pid: {} for pid in ids}
    everything_said = [statement for each in said.values() for statement in each]
    for (pid, day), estimate in estimates_in(everything_said).items():
        estimates[pid][day] = estimate
    records = {
        pid: AttendanceRecord(
            plans[pid],
            first,
            last,
            taps[pid],
            fixes[pid],
            excused[pid],
            {note.id: note.created_at for note in notes[pid]},
            excuse_changes[pid],
            estimates[pid],
            said[pid],
        )
        for pid in ids
    }
    return History(records, notes)


_TAP_COLUMNS = (
    events.c.id,
    events.c.kind,
    events.c.participant_id,
    events.c.kiosk_id,
    events.c.wall_at,
    events.c.corrected_wall_at,
)


def _taps_query(ids: list[str], start: datetime, end: datetime) -> Select[Any]:
    # Sent or corrected time in the window (the honest time is one of them); the precise
    # per-site bounds are applied in Python.
    return select(*_TAP_COLUMNS).where(
        events.c.participant_id.in_(ids),
        events.c.kind.in_(sorted(SESSION_KINDS)),
        honest_within(start, end),
    )


def _excuse_changes(
    conn: Connection, ids: list[str], first: date, last: date
) -> dict[str, dict[date, list[datetime]]]:
    """When each day's excuse was given, replaced or taken away, from the audit log."""
    found: dict[str, dict[date, list[datetime]]] = {pid: {} for pid in ids}
    for pid, detail, logged_at in conn.execute(
        select(audit_log.c.participant_id, audit_log.c.detail, audit_log.c.logged_at).where(
            audit_log.c.participant_id.in_(ids), audit_log.c.action.in_(EXCUSE_CHANGES)
        )
    ):
        try:
            day = date.fromisoformat(str(detail.get("day")))
        except ValueError:
            continue
        if first <= day <= last:
            found[pid].setdefault(day, []).append(logged_at)
    return found


def _corrections(
    conn: Connection,
    ids: list[str],
    bounds: dict[str, tuple[datetime, datetime]],
    taps: dict[str, list[ReceivedTap]],
) -> tuple[dict[str, list[Correction]], dict[str, list[CorrectionNote]]]:
    """The corrections of the loaded taps, or adding or moving a tap into the range.

    All of these participants' corrections are read in one go (a few per participant per
    month) and sorted out here: far cheaper than sending thousands of tap ids to the
    database. A tap moved in from outside the range is read afterwards, in one query.
    """
    loaded = {tap.id for found in taps.values() for tap in found}
    fixes: dict[str, list[Correction]] = {pid: [] for pid in ids}
    notes: dict[str, list[CorrectionNote]] = {pid: [] for pid in ids}
    moved_in: set[str] = set()
    rows = conn.execute(
        select(corrections, staff.c.display_name.label("staff_name"))
        .join(staff, staff.c.id == corrections.c.staff_id)
        .where(corrections.c.participant_id.in_(ids))
        .order_by(corrections.c.id)
    )
    for row in rows:
        lo, hi = bounds[row.participant_id]
        lands_here = row.effective_at is not None and lo <= row.effective_at < hi
        if row.event_id is None and not lands_here:
            continue
        if row.event_id is not None and row.event_id not in loaded:
            if not (lands_here and row.action == "move"):
                continue
            moved_in.add(row.event_id)
        fixes[row.participant_id].append(
            Correction(row.id, row.action, row.event_id, row.effective_at, row.reason, row.staff_id)
        )
        notes[row.participant_id].append(
            CorrectionNote(
                row.id,
                row.participant_id,
                row.action,
                row.effective_at,
                row.reason,
                row.staff_name,
                row.created_at,
                row.event_id,
            )
        )
    if moved_in:
        for row in conn.execute(_moved_query(sorted(moved_in))):
            if row.participant_id in taps:
                at = honest_at(row.wall_at, row.corrected_wall_at)
                taps[row.participant_id].append(ReceivedTap(row.id, row.kind, at, row.kiosk_id))
    return fixes, notes


def _moved_query(event_ids: list[str]) -> Select[Any]:
    return select(*_TAP_COLUMNS).where(
        events.c.id.in_(event_ids), events.c.kind.in_(sorted(SESSION_KINDS))
    )

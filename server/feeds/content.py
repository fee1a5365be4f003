"""What a feed holds, whatever its format: per participant the figures over the period,
the days worth a row, and the absence alert — all from server.attendance.history and
server.attendance.summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from server.attendance.history import load_timelines
from server.attendance.summary import Agreement, Day, Figures


@dataclass(frozen=True)
class FeedParticipant:
    plan: Agreement
    figures: Figures
    days: list[Day]  # the listed days of the period, oldest first
    absence_run: int
    alert: bool


@dataclass(frozen=True)
class Feed:
    first: date
    last: date
    generated_at: datetime
    alert_after: int
    title: str
    participants: list[FeedParticipant]


def feed_content(
    conn: Connection,
    participant_ids: list[str],
    first: date,
    last: date,
    now: datetime,
    *,
    late_after: timedelta,
    alert_after: int,
    title: str,
) -> Feed:
    """The feed of these participants from `first` to `last` (inclusive)."""
    loaded = load_timelines(conn, participant_ids, first, last, now, late_after=late_after)
    found = []
    for pid, timeline in loaded.of.items():
        days = timeline.days(first, last)
        found.append(
            FeedParticipant(
                timeline.plan,
                timeline.figures(first, last),
                [d for d in days if d.listed],
                loaded.runs[pid],
                loaded.alert(pid, alert_after),
            )
        )
    return Feed(first, last, now, alert_after, title, found)


# How a coach reads the codes, in Dutch (pages, spreadsheets, calendars, mails).
STATUS_LABELS = {
    "present": "aanwezig",
    "excused": "afgemeld",
    "absent": "afwezig",
    "pending": "nog niet binnen",
    "not_agreed": "geen werkdag",
    "future": "",
}
REASON_LABELS = {
    "sick": "ziek",
    "appointment": "afspraak",
    "integration_class": "inburgeringsles",
    "other": "andere reden",
}


def reason_label(day: Day) -> str:
    """Why they were away: the reason of an excused day, 'niet afgemeld' for an absent one."""
    if day.status == "absent":
        return "niet afgemeld"
    if day.status == "excused" and day.absence is not None:
        return REASON_LABELS.get(day.absence.reason, day.absence.reason)
    return ""

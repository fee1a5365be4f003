"""What a feed holds, whatever its format: per participant the figures over the period,
the days worth a row, and the absence alert — all from server.attendance.history and
server.attendance.summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from server.attendance.history import load_timelines
from server.attendance.statements import Statement
from server.attendance.summary import Agreement, Day, Figures
from server.learning.progress import WordProgress, progresses_of
from server.wording import clock


@dataclass(frozen=True)
class FeedParticipant:
    plan: Agreement
    figures: Figures
    days: list[Day]  # the listed days of the period, oldest first
    absence_run: int
    alert: bool
    # The words of the day met and the recall checks (issue 16), as of when the feed is made.
    words: WordProgress


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
    words = progresses_of(conn, list(loaded.of), now)
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
                words[pid],
            )
        )
    return Feed(first, last, now, alert_after, title, found)


# How a coach reads the codes, in Dutch (pages, spreadsheets, calendars, mails).
STATUS_LABELS = {
    "present": "aanwezig",
    "excused": "afgemeld",
    "absent": "afwezig",
    "announced": "zelf afgemeld",
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


# The categories a participant picks at the door (sync.own_say.REASONS), as the door's
# buttons say them. Never more than the category: "dokter" touches health (docs/privacy.md).
OWN_REASON_LABELS = {
    "office": "afspraak gemeente/IND",
    "doctor": "dokter of ziek",
    "children": "kinderen/school",
    "transport": "vervoer",
    "other": "iets anders",
}
# A supervisor's verdict on what the participant said (server.attendance.statements).
VERDICT_LABELS = {
    "pending": "nog niet bekeken",
    "confirmed": "bevestigd",
    "changed": "aangepast",
    "rejected": "afgewezen",
}
KIND_LABELS = {
    "leave_reason": "eerder weg",
    "absence_announced": "komt niet",
    "checkout_estimate": "uitchecktijd geschat",
}


def reason_label(day: Day) -> str:
    """Why they were away: the reason of an excused day, the category of an announced one,
    'niet afgemeld' for an absent one."""
    if day.status == "absent":
        return "niet afgemeld"
    if day.status == "excused" and day.absence is not None:
        return REASON_LABELS.get(day.absence.reason, day.absence.reason)
    if day.status == "announced" and day.announcement is not None:
        return own_reason(day.announcement)
    return ""


def own_reason(statement: Statement | None) -> str:
    """The category that counts now (the supervisor's where they changed it), in Dutch."""
    if statement is None or statement.reason is None:
        return ""
    return OWN_REASON_LABELS.get(statement.reason, statement.reason)


def verdict(statement: Statement | None) -> str:
    """Whether a supervisor confirmed it, in Dutch; '' when nothing was said."""
    return VERDICT_LABELS[statement.verdict] if statement is not None else ""


def estimated_at(statement: Statement | None, tz: str) -> str:
    """An estimated check-out: '16:30' (site time), 'weet ik niet', or '' without one."""
    if statement is None:
        return ""
    return clock(statement.left_at, tz) if statement.left_at else "weet ik niet"


def own_say_columns(day: Day, tz: str) -> list[str]:
    """The columns a flat feed (CSV, spreadsheet) adds at the end of a day's row: the reason
    for leaving early, the announced absence and the estimated check-out, each with whether
    a supervisor confirmed it. See OWN_SAY_HEADER."""
    leave, announced, estimate = day.leave_reason, day.announcement, day.estimate
    return [
        own_reason(leave),
        verdict(leave),
        own_reason(announced),
        verdict(announced),
        estimated_at(estimate, tz),
        verdict(estimate),
    ]


OWN_SAY_HEADER = [
    "Reden eerder weg",
    "Reden eerder weg bevestigd",
    "Zelf afgemeld, reden",
    "Zelf afgemeld bevestigd",
    "Uitchecktijd geschat",
    "Uitchecktijd geschat bevestigd",
]

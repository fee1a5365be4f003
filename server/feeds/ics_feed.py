"""The calendar feed for Outlook and Google Calendar: attended sessions as events in UTC,
absences on agreed days as all-day events. What the participant said at the door
(sync.own_say) is in the events too, by category only, with a supervisor's verdict: a
reason for leaving early and an estimated check-out in the day's last session, an
announced absence as an all-day event of its own kind.

UIDs are stable, so a calendar that polls the feed updates an event in place: a session
is named after the tap that opened it (a door's record id, or the correction that added
it), an absence after the participant and the day. When a supervisor corrects a day or
gives or takes away its excuse, its SEQUENCE goes up and LAST-MODIFIED says when. SEQUENCE
is the day's count of changes (corrections plus audited excuse changes), which only grows:
RFC 5545 says it never decreases, and a calendar ignores an update with a lower one.

Written by hand (RFC 5545: escaped text, lines folded at 75 octets, CRLF) rather than
through the icalendar package: a coach's six-month feed has thousands of events, and the
package took over half a second for them. The tests read it back with that package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from server.attendance.summary import Day
from server.feeds.content import (
    REASON_LABELS,
    Feed,
    FeedParticipant,
    estimated_at,
    own_reason,
    verdict,
)

DOMAIN = "prikklok"


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line, folded so no physical line passes 75 octets (never inside a
    UTF-8 character); continuation lines start with a space."""
    if len(line.encode("utf-8")) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not parts else 74  # the leading space of a continuation counts
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(
    feed: Feed,
    day: Day,
    uid: str,
    summary: str,
    start: str,
    end: str,
    sequence: int,
    description: str = "",
) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape(uid)}",
        f"DTSTAMP:{utc(feed.generated_at)}",
        start,
        end,
        f"SUMMARY:{escape(summary)}",
        f"SEQUENCE:{sequence}",
        "TRANSP:TRANSPARENT",  # the coach is not busy because someone came in
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if day.changed_at is not None:
        lines.append(f"LAST-MODIFIED:{utc(day.changed_at)}")
    lines.append("END:VEVENT")
    return lines


def _own_say_notes(day: Day, tz: str) -> list[str]:
    """The day's reason for leaving early and estimated check-out, as sentences."""
    notes = []
    if day.leave_reason is not None:
        said = day.leave_reason
        notes.append(f"Eerder weg: {own_reason(said)} ({verdict(said)}).")
    if day.estimate is not None:
        said = day.estimate
        notes.append(
            f"Uitchecktijd geschat door de deelnemer: {estimated_at(said, tz)} ({verdict(said)})."
        )
    return notes


def _sessions(feed: Feed, person: FeedParticipant, day: Day) -> list[str]:
    lines = []
    last = len(day.attendance.sessions) - 1
    for number, session in enumerate(day.attendance.sessions):
        summary = f"{person.plan.display_name} aanwezig"
        notes = []
        if day.late and number == 0:
            notes.append("Te laat binnen.")
        if session.auto_closed:
            summary += " (uitchecken vergeten)"
            notes.append("Niet uitgecheckt: de prikklok sloot de dag bij sluitingstijd.")
        if number == last:
            if day.estimate is not None:
                summary += " (uitchecktijd geschat)"
            notes += _own_say_notes(day, person.plan.site.timezone)
        lines += _event(
            feed,
            day,
            f"sessie-{session.opened_by}@{DOMAIN}",
            summary,
            f"DTSTART:{utc(session.start_at)}",
            f"DTEND:{utc(session.end_at)}",
            day.version,
            " ".join(notes),
        )
    return lines


def _all_day(day: date) -> tuple[str, str]:
    following = day + timedelta(days=1)
    return f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{following:%Y%m%d}"


def _absence(feed: Feed, person: FeedParticipant, day: Day) -> list[str]:
    name = person.plan.display_name
    announced = day.announcement
    description = ""
    if day.status == "excused" and day.absence is not None:
        summary = f"{name}: Afwezig ({REASON_LABELS.get(day.absence.reason, day.absence.reason)})"
    elif day.status == "announced" and announced is not None:
        summary = f"{name}: Afwezig, zelf afgemeld ({own_reason(announced)})"
        description = f"Zelf afgemeld bij de deur: {verdict(announced)}."
    else:
        summary = f"{name}: Afwezig, niet afgemeld"
        if announced is not None:  # a supervisor rejected it: unexcused again
            description = f"Zelf afgemeld ({own_reason(announced)}): {verdict(announced)}."
    start, end = _all_day(day.day)
    # One UID per participant and day, whatever the absence's kind: a calendar updates it.
    uid = f"afwezig-{person.plan.participant_id}-{day.day:%Y%m%d}@{DOMAIN}"
    return _event(feed, day, uid, summary, start, end, day.version, description)


def attendance_ics(feed: Feed) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//prikklok//aanwezigheid//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(feed.title)}",
        "X-WR-TIMEZONE:Europe/Amsterdam",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for person in feed.participants:
        for day in person.days:
            if day.status == "present":
                lines += _sessions(feed, person, day)
            elif day.status in ("excused", "absent", "announced"):
                lines += _absence(feed, person, day)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines).encode("utf-8")

"""The coaches' weekly digest: one plain-text mail in Dutch per coach with an e-mail
address, summing up last week (Monday to Sunday) per participant, with the absence alerts
first. The mail links to the coach's pages, never to a feed: a feed link is a key, and a
mail is easily forwarded.

Run by `prikklok server send-digests` (from cron or a systemd timer, say Monday morning).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from server.administration.mail import plain_mail, send_mails
from server.administration.rights import record_audits
from server.attendance.history import (
    WORKSHOP_TIMEZONE,
    Timelines,
    coach_participant_ids,
    load_timelines,
)
from server.attendance.summary import Timeline
from server.db import writing
from server.feeds.content import KIND_LABELS, estimated_at, own_reason, verdict
from server.schema import staff
from server.settings import Settings
from server.wording import dutch_date, hours

log = logging.getLogger(__name__)
ACTOR = "system (digest)"


@dataclass(frozen=True)
class Digest:
    coach_id: str
    address: str
    message: EmailMessage
    participant_ids: list[str]


def last_week(now: datetime) -> tuple[date, date]:
    """Monday to Sunday of the week before the one `now` falls in (workshop time)."""
    today = now.astimezone(ZoneInfo(WORKSHOP_TIMEZONE)).date()
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def digest_text(
    coach_name: str, loaded: Timelines, first: date, last: date, alert_after: int, link: str
) -> str:
    """The mail's body."""
    lines = [
        f"Hallo {coach_name},",
        "",
        f"Dit is het weekoverzicht van de prikklok van {dutch_date(first)} "
        f"tot en met {dutch_date(last)}.",
        "",
    ]
    alerts = [pid for pid in loaded.of if loaded.alert(pid, alert_after)]
    if alerts:
        lines.append("Let op:")
        for pid in alerts:
            name = loaded.of[pid].plan.display_name
            lines.append(
                f"- {name}: {loaded.runs[pid]} keer achter elkaar afwezig zonder afmelding."
            )
        lines.append("")
    for timeline in loaded.of.values():
        figures = timeline.figures(first, last)
        lines.append(timeline.plan.display_name)
        if figures.agreed_days == 0 and figures.days_present == 0:
            lines.append("  Geen afgesproken dagen deze week.")
        else:
            lines.append(
                f"  Aanwezig: {figures.days_present} van {figures.agreed_days} afgesproken "
                f"dagen, {hours(figures.counted_seconds)} uur"
            )
            lines.append(f"  Te laat: {figures.late_arrivals}")
            lines.append(f"  Afgemeld: {figures.absences_excused}")
            lines.append(f"  Afwezig zonder afmelding: {figures.absences_unexcused}")
            lines.append(f"  Uitchecken vergeten: {figures.forgotten_check_outs}")
            if figures.absences_announced:
                lines.append(f"  Zelf afgemeld bij de deur: {figures.absences_announced}")
        lines += own_say_lines(timeline, first, last)
        lines.append("")
    lines += [
        f"Alles bekijken: {link}",
        "",
        "-- ",
        "Deze mail komt van de prikklok. Wil je hem niet meer krijgen? Vraag de beheerder",
        "je e-mailadres uit je account te halen.",
    ]
    return "\n".join(lines) + "\n"


def own_say_lines(timeline: Timeline, first: date, last: date) -> list[str]:
    """What the participant said at the door about the week's days, category only, and
    whether a supervisor confirmed it: '  - dinsdag 17 november 2026: eerder weg (vervoer),
    bevestigd'."""
    tz = timeline.plan.site.timezone
    lines = []
    for day in timeline.days(first, last):
        for said in day.said:
            what = own_reason(said) or estimated_at(said, tz)
            lines.append(
                f"  - {dutch_date(day.day)}: {KIND_LABELS[said.kind]} ({what}), {verdict(said)}"
            )
    if lines:
        lines.insert(0, "  Zelf gezegd bij de deur:")
    return lines


def compose(engine: Engine, settings: Settings, now: datetime) -> list[Digest]:
    """The mails to send: one per active coach with an address and participants."""
    first, last = last_week(now)
    late_after = timedelta(minutes=settings.late_after_minutes)
    link = f"{settings.link_base()}/coach"
    found = []
    with engine.connect() as conn:
        coaches = conn.execute(
            select(staff.c.id, staff.c.display_name, staff.c.email)
            .where(staff.c.role == "coach", staff.c.active.is_(True), staff.c.email.is_not(None))
            .order_by(staff.c.id)
        ).all()
        for coach in coaches:
            address = (coach.email or "").strip()
            ids = coach_participant_ids(conn, coach.id)
            if not address or not ids:
                continue
            loaded = load_timelines(conn, ids, first, last, now, late_after=late_after)
            message = plain_mail(
                settings,
                [address],
                f"Prikklok: weekoverzicht {dutch_date(first)} – {dutch_date(last)}",
                digest_text(
                    coach.display_name, loaded, first, last, settings.absence_alert_after, link
                ),
                now,
            )
            found.append(Digest(coach.id, address, message, list(loaded.of)))
    return found


def send_digests(engine: Engine, settings: Settings, now: datetime) -> int:
    """Send last week's digest to every coach with an e-mail address; returns how many
    mails the SMTP server took. Without settings.smtp_host nothing is sent. A refused
    address is logged (by coach id) and skipped; an unreachable server raises OSError."""
    if not settings.smtp_host:
        log.info("no SMTP host set: no digests sent")
        return 0
    digests = compose(engine, settings, now)
    if not digests:
        return 0

    def taken(index: int) -> None:
        digest = digests[index]
        with writing(engine) as conn:
            record_audits(
                conn, now, ACTOR, "digest", digest.participant_ids, {"coach": digest.coach_id}
            )

    sent = send_mails(
        settings,
        [digest.message for digest in digests],
        taken,
        label=lambda index: f"digest for coach {digests[index].coach_id}",
    )
    log.info("sent %d digests", sent)
    return sent

"""The alert round (`prikklok server alerts`, every minute from a systemd timer): for each
site, the kiosks' alarms now against the open incidents; a new alarm opens an incident,
a gone one resolves it; then whatever is due is mailed (one mail per site and round) and
posted to the site's webhook. Never on the request path of a push or a heartbeat.

Quiet hours: outside a site's opening hours only urgent incidents are told; the others wait
for the site to open, and are never told if they end first. docs/admin/alerts.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from server.administration.mail import plain_mail, send_mails
from server.administration.site_alerts import recipients_of
from server.db import writing
from server.kiosks import webhook
from server.kiosks.doors import kiosks_of
from server.kiosks.incidents import (
    Notice,
    OpenIncident,
    compare,
    dropped,
    due,
    in_opening_hours,
    mail_body,
    mail_subject,
    webhook_body,
)
from server.kiosks.status import Alarm
from server.schema import (
    incident_notices,
    incidents,
    site_alerts,
    sites,
)
from server.settings import Settings

log = logging.getLogger(__name__)
GIVE_UP_AFTER = timedelta(days=1)  # a notice not delivered by then is dropped


@dataclass
class RoundReport:
    opened: int = 0
    resolved: int = 0
    mails: int = 0
    webhooks: int = 0
    failures: list[str] = field(default_factory=list)  # by site id, never an address


def site_alarms(
    engine: Engine, settings: Settings, site_id: str, now: datetime
) -> dict[str, list[Alarm]]:
    """Each kiosk's alarms now, as the kiosks page derives them."""
    return {
        kiosk.id: kiosk.alarms(
            now,
            silent_minutes=settings.kiosk_silent_minutes,
            queue_minutes=settings.kiosk_queue_minutes,
        )
        for kiosk in kiosks_of(engine, site_id, now)
    }


def _channels(settings: Settings, alert_row: Any) -> list[str]:
    """The ways the site is told now: mail when it has recipients (and the server an SMTP
    host), its webhook when it has one."""
    found = []
    if alert_row is not None and settings.smtp_host and recipients_of(alert_row.recipients):
        found.append("mail")
    if alert_row is not None and alert_row.webhook_url:
        found.append("webhook")
    return found


def _note_changes(
    conn: Connection, settings: Settings, site: Any, current: dict[str, list[Alarm]], now: datetime
) -> tuple[int, int]:
    rows = conn.execute(
        select(incidents.c.id, incidents.c.kiosk_id, incidents.c.kind).where(
            incidents.c.site_id == site.id, incidents.c.resolved_at.is_(None)
        )
    ).all()
    changes = compare(current, [OpenIncident(r.id, r.kiosk_id, r.kind) for r in rows])
    channels = _channels(settings, site)
    for kiosk_id, alarm in changes.opened:
        incident_id = conn.execute(
            insert(incidents)
            .values(
                site_id=site.id,
                kiosk_id=kiosk_id,
                kind=alarm.kind,
                urgent=alarm.urgent,
                message=alarm.message,
                opened_at=now,
            )
            .returning(incidents.c.id)
        ).scalar_one()
        for channel in channels:
            conn.execute(
                insert(incident_notices).values(
                    incident_id=incident_id, event="opened", channel=channel, created_at=now
                )
            )
    for incident in changes.resolved:
        conn.execute(update(incidents).where(incidents.c.id == incident.id).values(resolved_at=now))
        told = conn.execute(
            select(incident_notices.c.channel, incident_notices.c.sent_at).where(
                incident_notices.c.incident_id == incident.id,
                incident_notices.c.event == "opened",
            )
        ).all()
        for channel, sent_at in told:
            if sent_at is None:  # never told that it began: then not that it ended either
                conn.execute(
                    update(incident_notices)
                    .where(
                        incident_notices.c.incident_id == incident.id,
                        incident_notices.c.channel == channel,
                        incident_notices.c.sent_at.is_(None),
                    )
                    .values(dropped_at=now)
                )
            else:
                conn.execute(
                    insert(incident_notices).values(
                        incident_id=incident.id, event="resolved", channel=channel, created_at=now
                    )
                )
    return len(changes.opened), len(changes.resolved)


def _pending(conn: Connection) -> list[Any]:
    return list(
        conn.execute(
            select(
                incident_notices.c.id,
                incident_notices.c.event,
                incident_notices.c.channel,
                incident_notices.c.created_at,
                incidents.c.id.label("incident_id"),
                incidents.c.site_id,
                incidents.c.kiosk_id,
                incidents.c.kind,
                incidents.c.urgent,
                incidents.c.message,
                incidents.c.opened_at,
                incidents.c.resolved_at,
            )
            .join(incidents, incidents.c.id == incident_notices.c.incident_id)
            .where(incident_notices.c.sent_at.is_(None), incident_notices.c.dropped_at.is_(None))
            .order_by(incidents.c.site_id, incident_notices.c.id)
        ).all()
    )


def _mark(engine: Engine, ids: list[int], **values: Any) -> None:
    if not ids:
        return
    with writing(engine) as conn:
        conn.execute(
            update(incident_notices).where(incident_notices.c.id.in_(ids)).values(**values)
        )


def _failed(engine: Engine, ids: list[int], why: str) -> None:
    with writing(engine) as conn:
        conn.execute(
            update(incident_notices)
            .where(incident_notices.c.id.in_(ids))
            .values(tries=incident_notices.c.tries + 1, last_error=why[:200])
        )


@dataclass
class Due:
    """What this round tells: one mail per site (with its notices), webhook calls per site,
    and the notices dropped (too old, no longer wanted, or about an incident never told)."""

    mails: list[tuple[str, list[int]]] = field(default_factory=list)  # (site id, notice ids)
    messages: list[EmailMessage] = field(default_factory=list)
    hooks: dict[str, list[Notice]] = field(default_factory=dict)
    stale: list[int] = field(default_factory=list)
    unwanted: list[int] = field(default_factory=list)


def _sort_out(
    pending: list[Any], by_site: dict[str, Any], told: set[tuple[int, str]],
    settings: Settings, now: datetime,
) -> Due:  # fmt: skip
    found = Due()
    for site_id in dict.fromkeys(row.site_id for row in pending):
        site = by_site[site_id]
        open_hours = in_opening_hours(site.opens_at, site.closes_at, site.timezone, now)
        channels = _channels(settings, site)
        mail_notices: list[Notice] = []
        for row in (r for r in pending if r.site_id == site_id):
            notice = Notice(
                row.id, row.event, row.incident_id, site.id, site.name, row.kiosk_id,
                row.kind, row.urgent, row.message, row.opened_at, row.resolved_at,
            )  # fmt: skip
            if now - row.created_at > GIVE_UP_AFTER:
                found.stale.append(row.id)
            elif row.channel not in channels or dropped(
                notice, (row.incident_id, row.channel) in told
            ):
                found.unwanted.append(row.id)
            elif not due(notice, open_hours):
                continue  # quiet hours: waits for the site to open
            elif row.channel == "mail":
                mail_notices.append(notice)
            else:
                found.hooks.setdefault(site_id, []).append(notice)
        if mail_notices:
            link = f"{settings.link_base()}/sites/{site.id}/kiosks"
            body = mail_body(site.name, mail_notices, link, site.timezone)
            subject = mail_subject(site.name, mail_notices)
            to = recipients_of(site.recipients)
            found.messages.append(plain_mail(settings, to, subject, body, now))
            found.mails.append((site_id, [n.id for n in mail_notices]))
    return found


def _send_mail(engine: Engine, settings: Settings, due: Due, now: datetime) -> int:
    """One connection for every site's mail; what was not taken waits for the next round."""
    sent: set[int] = set()

    def taken(index: int) -> None:
        _mark(engine, due.mails[index][1], sent_at=now)
        sent.add(index)

    try:
        send_mails(
            settings, due.messages, taken, label=lambda index: f"alerts for {due.mails[index][0]}"
        )
    except OSError as unreachable:
        log.warning("SMTP server unreachable: alerts wait for the next round: %s", unreachable)
    for index, (_, ids) in enumerate(due.mails):
        if index not in sent:
            _failed(engine, ids, "mail not taken")
    return len(sent)


def _call_hooks(
    engine: Engine, by_site: dict[str, Any], due: Due, now: datetime, report: RoundReport,
    post: webhook.Post, sleep: Callable[[float], None],
) -> None:  # fmt: skip
    for site_id, notices in due.hooks.items():
        site = by_site[site_id]
        for at, notice in enumerate(notices):
            why = webhook.deliver(
                site.webhook_url, site.webhook_secret or "", webhook_body(notice), post=post,
                sleep=sleep,
            )  # fmt: skip
            if why is None:
                _mark(engine, [notice.id], sent_at=now)
                report.webhooks += 1
                continue
            log.warning("webhook of site %s failed: %s; tried again next round", site_id, why)
            report.failures.append(site_id)
            _failed(engine, [n.id for n in notices[at:]], why)
            break  # the rest of this site's notices wait with it


def run_round(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    post: webhook.Post = webhook.http_post,
    sleep: Callable[[float], None] = time.sleep,
) -> RoundReport:
    """One round: note what changed, then tell what is due. Mail goes first, so a slow or
    dead webhook never holds it up; what could not be delivered waits for the next round."""
    report = RoundReport()
    with engine.connect() as conn:
        site_rows = conn.execute(
            select(
                sites.c.id,
                sites.c.name,
                sites.c.opens_at,
                sites.c.closes_at,
                sites.c.timezone,
                site_alerts.c.recipients,
                site_alerts.c.webhook_url,
                site_alerts.c.webhook_secret,
            )
            .outerjoin(site_alerts, site_alerts.c.site_id == sites.c.id)
            .order_by(sites.c.id)
        ).all()
    current = {site.id: site_alarms(engine, settings, site.id, now) for site in site_rows}
    with writing(engine) as conn:
        for site in site_rows:
            opened, resolved = _note_changes(conn, settings, site, current[site.id], now)
            report.opened += opened
            report.resolved += resolved
        pending = _pending(conn)
    by_site = {site.id: site for site in site_rows}
    due = _sort_out(
        pending, by_site, _told_channels(engine, [row.incident_id for row in pending]),
        settings, now,
    )  # fmt: skip
    _mark(engine, due.stale + due.unwanted, dropped_at=now)
    if due.stale:
        log.warning("%d alert notice(s) not delivered within a day: dropped", len(due.stale))
    report.mails = _send_mail(engine, settings, due, now)
    if report.mails < len(due.mails):
        report.failures.append("smtp")
    _call_hooks(engine, by_site, due, now, report, post, sleep)
    return report


def _told_channels(engine: Engine, incident_ids: list[int]) -> set[tuple[int, str]]:
    """(incident, channel) whose opening was told: only then is its end."""
    if not incident_ids:
        return set()
    with engine.connect() as conn:
        rows = conn.execute(
            select(incident_notices.c.incident_id, incident_notices.c.channel).where(
                incident_notices.c.incident_id.in_(set(incident_ids)),
                incident_notices.c.event == "opened",
                incident_notices.c.sent_at.is_not(None),
            )
        ).all()
    return {(int(i), str(c)) for i, c in rows}

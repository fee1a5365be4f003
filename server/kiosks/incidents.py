"""Incidents: a kiosk's alarm from the alert round that first sees it to the one that sees it
gone, and when each is told to a person (pure: no database, no network).

One alarm derivation serves the kiosks page and the alerts: server.kiosks.status.alarms.
A kiosk that never sent a heartbeat raises no incident (it is not installed yet: the page
shows it), nor does a retired one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from server.kiosks.status import Alarm

NOT_ALERTED = frozenset({"never"})
KIND_TITLES = {
    "silent": "geen contact",
    "queue": "prikken wachten",
    "reader": "badgelezer",
    "journal": "journaal",
    "disk": "schijf bijna vol",
    "clock": "klok loopt verkeerd",
    "set_aside": "prikken apart gezet",
}
SIGNATURE_HEADER = "X-Prikklok-Signature"  # "sha256=" + hex HMAC-SHA256 of the body


@dataclass(frozen=True)
class OpenIncident:
    id: int
    kiosk_id: str
    kind: str


@dataclass(frozen=True)
class Changes:
    opened: list[tuple[str, Alarm]]  # (kiosk id, alarm) first seen this round
    resolved: list[OpenIncident]  # no longer seen


def compare(current: dict[str, list[Alarm]], open_now: list[OpenIncident]) -> Changes:
    """What changed since the last round: an alarm without an open incident opens one, an
    open incident whose alarm is gone ends; the same alarm still there changes nothing."""
    seen = {(kiosk_id, alarm.kind) for kiosk_id, found in current.items() for alarm in found}
    known = {(incident.kiosk_id, incident.kind) for incident in open_now}
    opened = [
        (kiosk_id, alarm)
        for kiosk_id, found in sorted(current.items())
        for alarm in found
        if alarm.kind not in NOT_ALERTED and (kiosk_id, alarm.kind) not in known
    ]
    resolved = [i for i in open_now if (i.kiosk_id, i.kind) not in seen]
    return Changes(opened, resolved)


def in_opening_hours(opens_at: time, closes_at: time, timezone: str, now: datetime) -> bool:
    """Whether the site is open at `now`, by its own clock (every day of the week: the
    server knows no closed days)."""
    local = now.astimezone(ZoneInfo(timezone)).time()
    return opens_at <= local < closes_at


@dataclass(frozen=True)
class Notice:
    """One thing to tell: an incident opened or resolved, as a mail line or a webhook body."""

    id: int
    event: str  # opened, resolved
    incident_id: int
    site_id: str
    site_name: str
    kiosk_id: str
    kind: str
    urgent: bool
    message: str
    opened_at: datetime
    resolved_at: datetime | None


def due(notice: Notice, open_hours: bool) -> bool:
    """Sent now, or held until the site opens: urgent ones go out at any hour, and the end
    of an incident goes when its start could."""
    return open_hours or notice.urgent


def dropped(notice: Notice, told: bool) -> bool:
    """An opened-notice whose incident ended before it could be told is never told, and
    then neither is its end (`told`: whether its opening went out on this channel)."""
    if notice.event == "opened":
        return notice.resolved_at is not None
    return not told


def mail_subject(site_name: str, notices: list[Notice]) -> str:
    if len(notices) == 1:
        [notice] = notices
        title = KIND_TITLES.get(notice.kind, notice.kind)
        state = "opgelost" if notice.event == "resolved" else ("DRINGEND" if notice.urgent else "")
        tail = f" ({state})" if state else ""
        return f"Prikklok {site_name}: kiosk {notice.kiosk_id}: {title}{tail}"
    return f"Prikklok {site_name}: {len(notices)} meldingen over kiosks"


def mail_body(site_name: str, notices: list[Notice], link: str, timezone: str) -> str:
    """The mail's text: kiosk ids and the site's name, never a participant's name or badge."""
    zone = ZoneInfo(timezone)
    lines = [f"Meldingen van de prikklok voor {site_name}:", ""]
    for notice in notices:
        title = KIND_TITLES.get(notice.kind, notice.kind)
        since = notice.opened_at.astimezone(zone).strftime("%d-%m %H:%M")
        if notice.event == "opened":
            urgent = " (dringend)" if notice.urgent else ""
            lines.append(f"- Kiosk {notice.kiosk_id}: {title}{urgent}, sinds {since}.")
            lines.append(f"  {notice.message}")
        else:
            assert notice.resolved_at is not None
            until = notice.resolved_at.astimezone(zone).strftime("%d-%m %H:%M")
            lines.append(f"- Opgelost: kiosk {notice.kiosk_id}: {title} ({since} tot {until}).")
    lines += [
        "",
        f"Bekijk de kiosks: {link}",
        "",
        "-- ",
        "Deze mail komt van de prikklok. Een melding komt één keer, en nog eens als het",
        "opgelost is. Buiten de openingstijden alleen wat dringend is.",
    ]
    return "\n".join(lines) + "\n"


def webhook_body(notice: Notice) -> bytes:
    """The JSON a webhook receives (docs/admin/alerts.md describes every field)."""
    data: dict[str, Any] = {
        "event": f"incident.{notice.event}",
        "incident": notice.incident_id,
        "site": {"id": notice.site_id, "name": notice.site_name},
        "kiosk": notice.kiosk_id,
        "kind": notice.kind,
        "urgent": notice.urgent,
        "message": notice.message,
        "opened_at": notice.opened_at.isoformat(),
        "resolved_at": notice.resolved_at.isoformat() if notice.resolved_at else None,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    """The value of SIGNATURE_HEADER: the receiver computes the same and compares."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()

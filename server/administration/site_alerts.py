"""Whom a site's kiosk alerts reach: e-mail addresses, and an optional webhook with the
secret its calls are signed with. The admin sets them on the sites page; the alert round
(server.kiosks.alert_round) reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine, select

from server.db import writing
from server.schema import site_alerts, sites
from server.sql import upsert

# Plain addresses only (no display names): enough to catch a typo, not RFC 5322.
ADDRESS = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_RECIPIENTS = 20
MIN_SECRET = 16


class AlertSettingsError(ValueError):
    """Why the form's values cannot be kept, in Dutch for the admin."""


@dataclass(frozen=True)
class SiteAlerts:
    recipients: list[str]
    webhook_url: str | None
    has_secret: bool


def recipients_of(text: str | None) -> list[str]:
    """The stored addresses (one a line), or what an admin typed (lines, commas or ';')."""
    return [part.strip() for part in re.split(r"[\s,;]+", text or "") if part.strip()]


def check(recipients: str, url: str, secret: str, had_secret: bool) -> tuple[list[str], str | None]:
    """The addresses and webhook URL to keep; AlertSettingsError says what is wrong."""
    addresses = recipients_of(recipients)
    wrong = [a for a in addresses if not ADDRESS.match(a) or len(a) > 254]
    if wrong:
        raise AlertSettingsError(
            f"E-mailadres klopt niet: {wrong[0]}. Eén adres per regel, bijv. beheer@werkplaats.nl."
        )
    if len(addresses) > MAX_RECIPIENTS:
        raise AlertSettingsError(f"Hoogstens {MAX_RECIPIENTS} e-mailadressen per locatie.")
    if len(set(a.lower() for a in addresses)) != len(addresses):
        raise AlertSettingsError("Een e-mailadres staat er twee keer in.")
    url = url.strip()
    if not url:
        return addresses, None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
        raise AlertSettingsError(
            "Webhook: een adres dat begint met https://, bijv. https://chat.example/hook."
        )
    if not secret and not had_secret:
        raise AlertSettingsError(
            f"Webhook: geef ook een geheim (minstens {MIN_SECRET} tekens) om de berichten "
            "mee te ondertekenen."
        )
    if secret and len(secret) < MIN_SECRET:
        raise AlertSettingsError(f"Webhook-geheim: minstens {MIN_SECRET} tekens.")
    return addresses, url


def alerts_of(engine: Engine) -> dict[str, SiteAlerts]:
    """Every site's alert settings by site id (sites without any are left out)."""
    with engine.connect() as conn:
        rows = conn.execute(select(site_alerts)).all()
    return {
        row.site_id: SiteAlerts(
            recipients_of(row.recipients), row.webhook_url, bool(row.webhook_secret)
        )
        for row in rows
    }


def save(engine: Engine, site_id: str, recipients: str, url: str, secret: str) -> bool:
    """Check and keep the site's alert settings; False when there is no such site. An empty
    secret keeps the one stored; no webhook URL forgets the secret too."""
    with writing(engine) as conn:
        if conn.execute(select(sites.c.id).where(sites.c.id == site_id)).first() is None:
            return False
        stored = conn.execute(
            select(site_alerts.c.webhook_secret).where(site_alerts.c.site_id == site_id)
        ).scalar_one_or_none()
        addresses, kept_url = check(recipients, url, secret, bool(stored))
        upsert(
            conn,
            site_alerts,
            ["site_id"],
            {
                "site_id": site_id,
                "recipients": "\n".join(addresses),
                "webhook_url": kept_url,
                "webhook_secret": (secret or stored) if kept_url else None,
            },
        )
    return True

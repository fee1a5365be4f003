"""The alert round's pure rules: what opens and ends an incident, opening hours in the
site's own time, what quiet hours hold back, and the webhook's signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, time

import pytest

from server.kiosks.incidents import (
    Notice,
    OpenIncident,
    compare,
    dropped,
    due,
    in_opening_hours,
    mail_subject,
    signature,
    webhook_body,
)
from server.kiosks.status import Alarm

SILENT = Alarm("silent", "Geen contact sinds 20 min geleden: controleer stroom en netwerk.")
DISK = Alarm("disk", "De schijf van de kiosk is bijna vol.")
OPENED_AT = datetime(2026, 11, 25, 9, 20, tzinfo=UTC)


def notice(event: str = "opened", *, urgent: bool = False, resolved: bool = False) -> Notice:
    return Notice(
        1, event, 7, "north", "North", "north-1", "disk" if urgent else "silent", urgent,
        "…", OPENED_AT, OPENED_AT if resolved else None,
    )  # fmt: skip


def test_incidents_a_new_alarm_opens_one_a_known_one_changes_nothing() -> None:
    known = [OpenIncident(3, "north-1", "silent")]
    changes = compare({"north-1": [SILENT, DISK], "north-2": []}, known)
    assert changes.opened == [("north-1", DISK)] and changes.resolved == []


def test_incidents_a_gone_alarm_ends_its_incident() -> None:
    known = [OpenIncident(3, "north-1", "silent"), OpenIncident(4, "north-1", "disk")]
    changes = compare({"north-1": [DISK]}, known)
    assert changes.opened == [] and changes.resolved == [known[0]]


def test_incidents_a_kiosk_never_heard_from_opens_none() -> None:
    never = Alarm("never", "Deze kiosk heeft nog nooit iets laten horen.")
    assert compare({"north-2": [never]}, []).opened == []


@pytest.mark.parametrize(
    ("utc", "open_"),
    [((7, 29), False), ((7, 30), True), ((15, 59), True), ((16, 0), False), ((22, 0), False)],
)  # 08:30–17:00 in Amsterdam is 07:30–16:00 UTC in November
def test_incidents_opening_hours_in_the_sites_own_time(utc: tuple[int, int], open_: bool) -> None:
    now = datetime(2026, 11, 25, *utc, tzinfo=UTC)
    assert in_opening_hours(time(8, 30), time(17, 0), "Europe/Amsterdam", now) is open_


def test_incidents_quiet_hours_hold_back_all_but_urgent() -> None:
    assert due(notice(), open_hours=True) and not due(notice(), open_hours=False)
    assert due(notice(urgent=True), open_hours=False)


def test_incidents_never_told_then_its_end_is_not_told_either() -> None:
    assert dropped(notice(resolved=True), told=False)
    assert not dropped(notice(), told=False)
    assert dropped(notice("resolved", resolved=True), told=False)
    assert not dropped(notice("resolved", resolved=True), told=True)


def test_incidents_subject_says_urgent_and_resolved() -> None:
    assert mail_subject("North", [notice(urgent=True)]).endswith("schijf bijna vol (DRINGEND)")
    assert mail_subject("North", [notice("resolved", resolved=True)]).endswith("(opgelost)")
    assert mail_subject("North", [notice(), notice(urgent=True)]) == (
        "Prikklok North: 2 meldingen over kiosks"
    )


def test_incidents_webhook_body_and_signature() -> None:
    body = webhook_body(notice())
    data = json.loads(body)
    assert data["event"] == "incident.opened" and data["incident"] == 7
    assert data["opened_at"] == "2026-11-25T09:20:00+00:00" and data["resolved_at"] is None
    expected = hmac.new(b"geheim-geheim-geheim", body, hashlib.sha256).hexdigest()
    assert signature(body, "geheim-geheim-geheim") == f"sha256={expected}"

"""A supervisor confirms a participant's estimated check-out, in a real browser on a real
server: the door pushes yesterday's check-in and, this morning, "Hoe laat ging je gisteren
weg?" answered with 16:30; the day page shows the estimate as pending, its hours not counted;
after "Klopt" the page shows it confirmed and the hours count; a changed time replaces it.
The page with its statements passes axe. The coach's iCalendar and CSV feeds then carry the
estimate with the supervisor's verdict."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from tests.server.web.axe import check, keep, severe
from tests.server.web.browser import SITE, ZONE, Served, log_in, shot


@pytest.fixture
def page(chromium: Any) -> Any:
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def forgot_yesterday(served: Served) -> str:
    """Amal came yesterday at 09:00 and forgot to check out; at her first tap today the
    door asked when she left. Returns yesterday as the day page names it."""
    today = datetime.now(ZONE).date()
    yesterday = today - timedelta(days=1)
    came = datetime.combine(yesterday, time(9, 0), tzinfo=ZONE).astimezone(UTC)
    served.push("check_in", "p-amal", came)
    asked_at = max(datetime.now(UTC) - timedelta(minutes=1),
                   datetime.combine(today, time(0, 1), tzinfo=ZONE).astimezone(UTC))  # fmt: skip
    served.push(
        "checkout_estimate",
        "p-amal",
        asked_at,
        day=yesterday.isoformat(),
        left_at="16:30",
        stale_record_id="x",
    )
    return yesterday.isoformat()


# The page is the same HTML on either database; the review's storage is tested on both in
# tests/server/test_own_say_days.py.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_supervisor_confirms_an_estimated_check_out(served: Served, page: Any) -> None:
    day = forgot_yesterday(served)
    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/participants/p-amal/days/{day}")
    said = page.locator("#gezegd li.statement")
    assert said.count() == 1
    assert "Vergeten uit te checken, zelf geschat" in said.inner_text()
    assert "weg om 16:30" in said.inner_text()
    assert "wacht op controle" in said.inner_text()
    session = page.locator("#sessies tr.session")
    assert "09:00 – 16:30" in session.inner_text()
    assert "telt pas na bevestiging" in session.inner_text()
    assert "Totaal: 0,0 uur" in page.locator("#sessies .total").inner_text()
    found = check(page, f"day page with an estimate ({day})")
    keep(found, "axe-own-say-day.json")
    assert severe(found) == []

    said.get_by_role("button", name="Klopt").click()
    page.wait_for_load_state("networkidle")
    said = page.locator("#gezegd li.statement")
    assert "bevestigd" in said.inner_text() and "wacht op controle" not in said.inner_text()
    assert "Bevestigd door Marieke" in said.inner_text()
    assert "telt pas na bevestiging" not in page.locator("#sessies").inner_text()
    assert "Totaal: 7,5 uur" in page.locator("#sessies .total").inner_text()
    shot(page, "own-say-confirmed")

    said.locator("input[name=left_at]").fill("15:00")
    said.get_by_role("button", name="Veranderen").click()
    page.wait_for_load_state("networkidle")
    said = page.locator("#gezegd li.statement")
    assert "Veranderd in weg om 15:00 door Marieke" in " ".join(said.inner_text().split())
    assert "09:00 – 15:00" in page.locator("#sessies tr.session").inner_text()
    assert "Totaal: 6,0 uur" in page.locator("#sessies .total").inner_text()
    found = check(page, f"day page with a changed estimate ({day})")
    assert severe(found) == []

    # Carla, Amal's coach, reads it in her own tools through her secret feed links.
    log_in(page, served, "carla")
    page.click("header.top >> text=Feeds")
    page.fill("input[name=label]", "Outlook")
    page.click("text=Nieuwe link maken")
    page.wait_for_load_state("networkidle")
    fields = page.locator("input[readonly]")
    links = [fields.nth(n).input_value() for n in range(fields.count())]
    ics = next(link for link in links if link.endswith(".ics"))
    calendar = " ".join(httpx.get(ics, timeout=10).text.replace("\r\n ", "").split())
    assert "Amal aanwezig (uitchecktijd geschat)" in calendar
    assert "Uitchecktijd geschat door de deelnemer: 15:00 (aangepast)" in calendar
    sheet = next(link for link in links if link.endswith("attendance.csv"))
    text = httpx.get(sheet, timeout=10).text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # Excel's Dutch separator
    header = rows[0]
    dutch_day = datetime.fromisoformat(day).strftime("%d-%m-%Y")
    amal = next(row for row in rows[1:] if row[:3] == ["p-amal", "Amal", dutch_day])
    assert amal[header.index("Uitchecktijd geschat")] == "15:00"
    assert amal[header.index("Uitchecktijd geschat bevestigd")] == "aangepast"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_vandaag_lists_what_participants_said_and_the_admin_sets_the_site(
    served: Served, page: Any
) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(ZONE).date()
    earlier = max(now - timedelta(minutes=5),
                  datetime.combine(today, time(0, 1), tzinfo=ZONE).astimezone(UTC))  # fmt: skip
    announced_at = datetime.combine(today - timedelta(days=1), time(9), tzinfo=ZONE)
    served.push("absence_announced", "p-amal", announced_at.astimezone(UTC),
                day=today.isoformat(), reason="children")  # fmt: skip
    served.push("check_in", "p-dawit", earlier)
    served.push("leave_reason", "p-dawit", earlier, reason="transport", check_out_record_id="x")
    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/today")
    announced = page.locator("#announced").inner_text()
    assert "Amal" in announced and "kinderen/school" in announced
    assert "wacht op controle" in announced
    reasons = page.locator("#reasons").inner_text()
    assert "Dawit" in reasons and "vervoer" in reasons
    shot(page, "own-say-vandaag")

    log_in(page, served, "anna")
    page.goto(f"{served.url}/sites")
    form = page.locator("form.own-say").first
    form.locator("input[name=my_week]").uncheck()
    form.locator("input[name=leave_reason_minutes]").fill("45")
    form.locator("select[name=estimated_hours]").select_option("at_once")
    form.get_by_role("button", name="Zelf melden opslaan").click()
    page.wait_for_load_state("networkidle")
    assert "Opgeslagen" in page.locator("main").inner_text()
    form = page.locator("form.own-say").first
    assert not form.locator("input[name=my_week]").is_checked()
    assert form.locator("input[name=leave_reason_minutes]").input_value() == "45"
    assert form.locator("select[name=estimated_hours]").input_value() == "at_once"
    shot(page, "own-say-site-settings")

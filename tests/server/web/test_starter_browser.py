"""The starter set in Debian's Chromium against a real server, on SQLite and PostgreSQL: one
button on the planning page plans 120 words from a start day (the next workday unless
chosen), a day that has a word keeps it, pressing again plans nothing twice; after a tap at
the door on a word's day, the page counts who has met it — a number, no name. axe finds no
serious problem on the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update

from server.db import writing
from server.schema import participants
from tests.server.web.axe import check, severe
from tests.server.web.browser import SITE, ZONE, Served, log_in, shot


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    # axe goes in as a script of its own, which the pages' Content-Security-Policy refuses.
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def _today() -> date:
    return datetime.now(UTC).astimezone(ZONE).date()


def _next_workday(day: date) -> date:
    day += timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def test_the_starter_set_in_one_step(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/planning")
    start_field = page.locator("form[action$='/planning/starter'] input[name=start]")
    assert start_field.input_value() == _next_workday(_today()).isoformat()
    monday = _today() + timedelta(days=7 - _today().weekday())
    tuesday = monday + timedelta(days=1)
    # A word already planned on the Tuesday: the load must leave it be.
    page.click("#woord summary")
    form = page.locator("#woord form")
    form.locator("input[name=day]").fill(tuesday.isoformat())
    form.locator("input[name=word]").fill("Sinterklaas")
    form.locator("button.primary").click()
    page.wait_for_load_state("networkidle")

    start_field.fill(monday.isoformat())
    page.get_by_role("button", name="Startset laden").click()
    page.wait_for_load_state("networkidle")
    notice = page.locator("p.notice[role=status]")
    expect(notice).to_have_text(
        "Startset: 120 woorden gepland. 1 dag had al een woord en is overgeslagen."
    )
    days = page.locator(".plan section.day")
    expect(days.nth(0).locator(".word .heading")).to_have_text("de pas")
    expect(days.nth(1).locator(".word .heading")).to_have_text("Sinterklaas")
    expect(days.nth(2).locator(".word .heading")).to_have_text("de pauze")
    expect(days.nth(0).locator(".word img.pictogram")).to_have_attribute(
        "src", "/pictograms/pas.png"
    )
    expect(days.nth(0).locator(".word dd[lang=ti]")).to_have_text("ናይ ምእታው ካርድ")
    assert days.nth(5).locator(".word .heading").count() == 0  # Saturday
    shot(page, "60-planning-starter-loaded")
    assert severe(check(page, f"/sites/{SITE}/planning after the starter set")) == []

    start_field.fill(monday.isoformat())
    page.get_by_role("button", name="Startset laden").click()
    page.wait_for_load_state("networkidle")
    expect(notice).to_have_text(
        "Startset: 0 woorden gepland. 120 woorden stonden al in de planning."
    )


def test_the_page_counts_who_met_the_word(served: Served, page: Any, engine: Engine) -> None:
    from playwright.sync_api import expect

    today = _today()
    with writing(engine) as conn:
        conn.execute(update(participants).where(participants.c.id == "p-amal").values(team="hout"))
    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/planning")
    page.click("#woord summary")
    form = page.locator("#woord form")
    form.locator("input[name=day]").fill(today.isoformat())
    form.locator("select[name=article]").select_option("de")
    form.locator("input[name=word]").fill("hamer")
    form.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("section[aria-labelledby=met-title] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("0 van 3")
    served.push("check_in", "p-amal")
    served.push("check_in", "p-dawit")
    page.reload()
    expect(rows.nth(0).locator("td")).to_have_text(
        [f"{_dutch(today)}", "de hamer", "2 van 3"], ignore_case=True
    )
    table = page.locator("section[aria-labelledby=met-title]").inner_text()
    assert "Amal" not in table and "Dawit" not in table
    page.locator("section[aria-labelledby=met-title] select[name=groep]").select_option("hout")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state("networkidle")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("1 van 1")
    shot(page, "61-planning-words-met")
    assert severe(check(page, f"/sites/{SITE}/planning with words met")) == []


def _dutch(day: date) -> str:
    from server.wording import dutch_date

    return dutch_date(day)

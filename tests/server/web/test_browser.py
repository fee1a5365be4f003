"""The staff pages in a real browser against a real server, on SQLite and PostgreSQL: what a
supervisor does on a morning, and what a coach and an admin see. Screenshots of each page go
to artifacts/web/ (and the printed evacuation list as a PDF)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from server.db import writing
from tests.server.web.browser import ARTIFACTS, SITE, ZONE, Served, log_in, shot

WAIT = 10_000  # ms: the live lists refresh every 3 s


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.problems = []  # console errors, e.g. a Content-Security-Policy violation
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def test_a_supervisors_morning(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(ZONE).date(), datetime.min.time(), tzinfo=ZONE)
    came_in = max(now - timedelta(minutes=10), midnight + timedelta(minutes=1))

    log_in(page, served, "marieke")
    assert page.url.endswith(f"/sites/{SITE}/now")
    live = page.locator("[data-live]")
    expect(live).not_to_contain_text("Amal")
    served.push("check_in", "p-amal", came_in)
    served.push("check_in", "p-x", came_in)
    # No reload: the live list picks the taps up by itself.
    expect(live).to_contain_text("Amal", timeout=WAIT)
    expect(live).to_contain_text(came_in.astimezone(ZONE).strftime("%H:%M"))
    expect(live).to_contain_text("<script>alert(1)</script>Xander")  # shown as text
    shot(page, "01-present-now")

    page.click("header.top >> text=Evacuatie")
    roll = page.locator("#roll-call")
    expect(roll).to_contain_text("Amal")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, during a fire drill
    shot(page, "02-evacuation-phone")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("button[data-print]").is_visible()
    assert roll.is_visible()
    page.pdf(path=str(ARTIFACTS / "03-evacuation-printed.pdf"))
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Amal forgot to check out: Marieke adds the check-out by hand, with a reason.
    page.goto(f"{served.url}/sites/{SITE}/now")
    page.click("table.present >> text=Amal")
    left = now.astimezone(ZONE).strftime("%H:%M")
    form = page.locator("#corrigeren form")
    form.locator("select[name=action]").select_option("add_check_out")
    form.locator("input[name=at]").fill(left)
    form.locator("input[name=reason]").fill("Vergeten uit te checken, zei ze bij de bus")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    body = page.locator("main")
    expect(body).to_contain_text("Vergeten uit te checken, zei ze bij de bus")
    expect(body).to_contain_text("Marieke")
    expect(body).to_contain_text(came_in.astimezone(ZONE).strftime("%H:%M"))  # the tap stays
    shot(page, "04-day-corrected")
    page.goto(f"{served.url}/sites/{SITE}/now")
    expect(page.locator("[data-live]")).not_to_contain_text("Amal")
    expect(page.locator("[data-live]")).to_contain_text("Xander")

    # Tomorrow's word, and the door gets it with its next snapshot.
    tomorrow = (now.astimezone(ZONE) + timedelta(days=1)).date()
    page.click("header.top >> text=Planning")
    page.click("text=Woord van de dag plannen")
    word = page.locator("form[action$='/planning/words']")
    word.locator("input[name=day]").fill(tomorrow.isoformat())
    word.locator("select[name=article]").select_option("de")
    word.locator("input[name=word]").fill("sneeuw")
    word.locator("input[name=sentence]").fill("Er ligt sneeuw op het dak.")
    word.locator("input[name=theme]").fill("Winter")
    word.locator("input[name=tr_ar]").fill("ثلج")
    word.get_by_role("button", name="Woord opslaan").click()  # not the picker's "Zoek"
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("sneeuw")
    shot(page, "05-planning")
    snapshot = httpx.get(
        f"{served.url}/api/v1/snapshot",
        headers={"Authorization": f"Bearer {served.token}"},
        timeout=10,
    ).json()
    planned = {w["day"]: w for w in snapshot["words"]}
    assert planned[tomorrow.isoformat()]["word"] == "sneeuw"
    assert planned[tomorrow.isoformat()]["translations"]["ar"] == "ثلج"

    for path, name in (
        ("today", "06-today"),
        ("participants", "07-participants"),
        ("kiosks", "08-kiosks"),
    ):
        page.goto(f"{served.url}/sites/{SITE}/{path}")
        shot(page, name)
    assert page.problems == []


def test_an_evacuation_list_that_cannot_refresh_says_since_when(served: Served, page: Any) -> None:
    """The database away (503) or the network gone: the list on the screen is no longer the
    truth, and a supervisor holding it in a fire drill must see that at once."""
    from playwright.sync_api import expect

    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/evacuation")
    roll = page.locator("#roll-call")
    notice = page.locator(".stale-notice")

    def database_away(route: Any) -> None:
        route.fulfill(status=503, headers={"Retry-After": "10"}, content_type="text/html",
                      body="weg")  # fmt: skip

    page.route("**/evacuation/live", database_away)
    expect(notice).to_be_visible(timeout=WAIT)
    expect(notice).to_have_attribute("role", "alert")
    expect(notice).to_contain_text("Niet bijgewerkt")
    # Since when, in the site's time like the rest of the page (this browser runs in UTC).
    made = datetime.strptime(roll.locator(".made-at time").inner_text(), "%H:%M:%S")
    said = {(made + timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}
    assert any(f"van {at}." in notice.inner_text() for at in said), notice.inner_text()
    expect(roll).to_have_class(re.compile(r"\bstale\b"))
    expect(roll).not_to_contain_text("weg")  # the last list stays, greyed, not the error
    shot(page, "09-evacuation-stale")
    page.unroute("**/evacuation/live")
    expect(notice).to_have_count(0, timeout=WAIT)
    expect(roll).not_to_have_class(re.compile(r"\bstale\b"))


def test_a_coach_looks_rather_than_reads(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(ZONE).date(), datetime.min.time(), tzinfo=ZONE)
    served.push("check_in", "p-amal", max(now - timedelta(minutes=5), midnight))
    log_in(page, served, "carla")
    assert page.url.endswith("/coach")
    main = page.locator("main")
    expect(main).to_contain_text("Amal")
    expect(main).to_contain_text("Dawit")
    expect(main).not_to_contain_text("Xander")  # not hers
    pictures = page.locator("img.calendar")
    expect(pictures).to_have_count(2)
    for n in range(2):  # each calendar picture really loaded and drew something
        width = pictures.nth(n).evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 100
    shot(page, "10-coach")

    page.click("header.top >> text=Feeds")
    page.fill("input[name=label]", "Outlook")
    page.click("text=Nieuwe link maken")
    page.wait_for_load_state("networkidle")
    fields = page.locator("input[readonly]")
    links = [fields.nth(n).input_value() for n in range(fields.count())]
    shot(page, "11-coach-feeds")
    ics = next(link for link in links if link.endswith(".ics"))
    assert ics.startswith(served.url)  # the server's own address, not a made-up one
    calendar = httpx.get(ics, timeout=10)
    assert calendar.status_code == 200 and "BEGIN:VCALENDAR" in calendar.text
    assert calendar.headers["referrer-policy"] == "no-referrer"
    assert page.problems == []


def test_an_admin_keeps_the_accounts(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    log_in(page, served, "anna")
    assert page.url.endswith("/sites")
    expect(page.locator("main")).to_contain_text("De Werkplaats")
    card = page.locator("section.site", has_text="De Werkplaats")
    card.get_by_label("Kiosk spreekt de begroeting uit").check()  # the doors say "Goedemorgen"
    greeting = card.locator("form", has_text="Kiosk spreekt de begroeting uit")
    greeting.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("main")).to_contain_text("Opgeslagen")
    expect(card.get_by_label("Kiosk spreekt de begroeting uit")).to_be_checked()
    shot(page, "20-admin-sites")
    page.click("header.top >> text=Gebruikers")
    expect(page.locator("main")).to_contain_text("Carla")
    shot(page, "21-admin-users")
    page.goto(f"{served.url}/admin/retention")
    shot(page, "22-admin-retention")
    assert page.problems == []


LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft"[:60]


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A phone's screen: 390 × 844 CSS pixels, as on the floor and at the assembly point."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_staff_pages_fit_a_phone(served: Served, phone: Any, engine: Engine) -> None:
    from playwright.sync_api import expect

    from server.administration.importer import import_participants

    with writing(engine) as conn:  # a name with no place to break
        import_participants(conn, f"id,display_name\np-long,{LONG_NAME}\n", SITE, datetime.now(UTC))
    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(ZONE).date(), datetime.min.time(), tzinfo=ZONE)
    came_in = max(now - timedelta(minutes=5), midnight + timedelta(minutes=1))
    served.push("check_in", "p-long", came_in)
    served.push("check_in", "p-amal", came_in)

    log_in(phone, served, "marieke")
    header = phone.locator("header.top").bounding_box()
    shot(phone, "30-phone-now")
    assert header["height"] <= 0.15 * 844, f"the menu takes {header['height']:.0f} px"
    assert fits_the_screen(phone)

    phone.click("header.top >> text=Evacuatie")
    expect(phone.locator("#roll-call")).to_contain_text(LONG_NAME[:20])
    shot(phone, "31-phone-evacuation-long-name")
    assert fits_the_screen(phone), "a long name widens the evacuation list"

    phone.goto(
        f"{served.url}/sites/{SITE}/participants/p-amal/days/{came_in.astimezone(ZONE).date()}"
    )
    shot(phone, "32-phone-day-present")
    expect(phone.locator("#afwezig")).to_contain_text("Aanwezig op deze dag")
    expect(phone.locator("main")).not_to_contain_text("Afmelden voor deze dag")

    phone.click("header.top >> text=Kiosks")  # the last item can still be reached
    assert phone.url.endswith(f"/sites/{SITE}/kiosks")
    assert phone.problems == []

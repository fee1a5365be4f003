"""Every staff page passes axe-core with no serious or critical violation, as the role that
uses it, with something on it to show; and a new page cannot slip past: the pages visited
here are compared with the routers' GET routes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from server.web.routes import ROUTERS
from tests.server.web.axe import OPEN_EVERYTHING, check, keep, severe
from tests.server.web.browser import SITE, ZONE, Served, log_in


@dataclass(frozen=True)
class Visit:
    """One page as one role sees it: `route` as the router spells it, filled from the world."""

    route: str
    who: str | None  # username, or None: not logged in


SUPERVISOR, ADMIN, COACH = "marieke", "anna", "carla"
VISITS = [
    Visit("/login", None),
    Visit("/", None),  # sends you to the login
    Visit("/account/password", SUPERVISOR),
    Visit("/sites/{site_id}/now", SUPERVISOR),
    Visit("/sites/{site_id}/evacuation", SUPERVISOR),
    Visit("/sites/{site_id}/today", SUPERVISOR),
    Visit("/sites/{site_id}/participants/{participant_id}/days/{day}", SUPERVISOR),
    Visit("/sites/{site_id}/participants", SUPERVISOR),
    Visit("/sites/{site_id}/participants/new", SUPERVISOR),
    Visit("/sites/{site_id}/participants/{participant_id}/edit", SUPERVISOR),
    Visit("/sites/{site_id}/planning", SUPERVISOR),
    Visit("/sites/{site_id}/kiosks", SUPERVISOR),
    Visit("/", SUPERVISOR),
    Visit("/sites", ADMIN),
    Visit("/admin/users", ADMIN),
    Visit("/admin/users/{staff_id}", ADMIN),
    Visit("/admin/retention", ADMIN),
    Visit("/sites/{site_id}/participants/{participant_id}/edit", ADMIN),  # export, erasure
    Visit("/sites/{site_id}/kiosks", ADMIN),  # registering a door
    Visit("/coach", COACH),
    Visit("/coach/participants/{participant_id}", COACH),
    Visit("/coach/feeds", COACH),
    Visit("/translations", ADMIN),
    Visit("/translations/{language}", ADMIN),  # Arabic: previewed right to left
]

PHONE = [
    Visit("/sites/{site_id}/now", SUPERVISOR),
    Visit("/sites/{site_id}/evacuation", SUPERVISOR),
    Visit("/sites/{site_id}/today", SUPERVISOR),
    Visit("/sites/{site_id}/participants/{participant_id}/days/{day}", SUPERVISOR),
    Visit("/sites/{site_id}/participants", SUPERVISOR),
    Visit("/coach", COACH),
]

# Parts of a page that the page's script fetches and puts in: checked inside that page.
FRAGMENTS = {
    "/sites/{site_id}/now/live": "/sites/{site_id}/now",
    "/sites/{site_id}/evacuation/live": "/sites/{site_id}/evacuation",
}
# GET routes that answer something other than a page.
NOT_PAGES = {
    "/sites/{site_id}/planning/pictograms": "JSON for the picker's script",
    "/pictograms/{name}.png": "a picture",
    "/sites/{site_id}/planning/photos/{sha256}": "a photo of a word or task",
    "/sites/{site_id}/planning/voices/{sha256}": "a recording of a word",
    "/admin/participants/{participant_id}/export": "a JSON download",
    "/translations/{language}/export.po": "a .po download for Poedit or Weblate",
    "/coach/participants/{participant_id}/calendar.svg": "a picture, with its own title",
    "/feeds/{token}/attendance.json": "a feed",
    "/feeds/{token}/attendance.csv": "a feed",
    "/feeds/{token}/attendance.xlsx": "a feed",
    "/feeds/{token}/attendance.ics": "a feed",
}


def get_routes() -> list[APIRoute]:
    return [
        route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    ]


def test_every_page_route_is_visited() -> None:
    routes = {route.path for route in get_routes()}
    visited = {visit.route for visit in VISITS}
    accounted = visited | set(FRAGMENTS) | set(NOT_PAGES)
    assert routes - accounted == set(), "GET routes the axe test does not visit: add a Visit"
    assert accounted - routes == set(), "the axe test names routes that no longer exist"
    assert set(FRAGMENTS.values()) <= visited


def test_what_is_not_visited_is_not_a_page() -> None:
    html = {route.path for route in get_routes() if route.response_class is HTMLResponse}
    assert html & set(NOT_PAGES) == set()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    # axe goes in as a script of its own, which the pages' Content-Security-Policy refuses.
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def push_unknown_badge(served: Served, at: datetime) -> None:
    """A badge nobody holds, tapped at the door: the participants page offers to enrol it."""
    served.seq += 1
    record = {
        "id": f"00000000-0000-4000-8000-{served.seq:012d}", "seq": served.seq,
        "kind": "unknown_badge", "participant_id": None, "badge_uid": "04A1B2C3",
        "wall_at": at.isoformat(), "workshop_day": at.astimezone(ZONE).date().isoformat(),
        "clock_synced": True, "boot_id": "boot-browser", "monotonic": 1.0, "detail": {},
    }  # fmt: skip
    answer = httpx.post(
        f"{served.url}/api/v1/records",
        json={"records": [record]},
        headers={"Authorization": f"Bearer {served.token}"},
        timeout=10,
    )
    assert answer.json()["results"][0]["status"] == "accepted", answer.text


def furnish(served: Served, page: Any) -> str:
    """Something on every page: people in, an announced absence, a correction, a task and a
    word; returns the day."""
    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(ZONE).date(), datetime.min.time(), tzinfo=ZONE)
    came_in = max(now - timedelta(minutes=10), midnight + timedelta(minutes=1))
    day = came_in.astimezone(ZONE).date().isoformat()
    served.push("check_in", "p-amal", came_in)
    served.push("check_in", "p-dawit", came_in)
    # What Amal said at the door: the day page shows it with its review forms, Vandaag lists it
    served.push("leave_reason", "p-amal", came_in, reason="doctor", check_out_record_id="x")
    # What a participant says at the door (issue 15): the coach's table of it has a row.
    ahead = (came_in.astimezone(ZONE).date() + timedelta(days=1)).isoformat()
    served.push("absence_announced", "p-amal", came_in, day=ahead, reason="doctor")
    push_unknown_badge(served, came_in)
    # A word recalled at the door (issue 16): the coach's page shows the word figures.
    served.push("word_recall", "p-amal", came_in, word="sneeuw", answer="right", response_ms=1500)
    log_in(page, served, SUPERVISOR)
    page.goto(f"{served.url}/sites/{SITE}/participants/p-amal/days/{day}")
    form = page.locator("#corrigeren form")
    form.locator("select[name=action]").select_option("add_check_out")
    form.locator("input[name=at]").fill(now.astimezone(ZONE).strftime("%H:%M"))
    form.locator("input[name=reason]").fill("Vergeten uit te checken")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{served.url}/sites/{SITE}/planning")
    page.evaluate(OPEN_EVERYTHING)
    task = page.locator("form[action$='/planning/tasks']")
    task.locator("input[name=day]").fill(day)
    task.locator("input[name=text]").fill("Koffie zetten")
    task.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    page.evaluate(OPEN_EVERYTHING)
    word = page.locator("form[action$='/planning/words']")
    word.locator("input[name=day]").fill(day)
    word.locator("input[name=word]").fill("sneeuw")
    word.locator("input[name=sentence]").fill("Er ligt sneeuw op het dak.")
    word.locator("input[name=theme]").fill("Winter")
    word.locator("input[name=tr_ar]").fill("ثلج")
    word.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    return day


def walk(
    page: Any, served: Served, visits: list[Visit], fill: dict[str, str], how: str
) -> list[dict[str, Any]]:
    """axe's findings on each page of `visits`, logged in as each asks."""
    found: list[dict[str, Any]] = []
    who: str | None = "nobody yet"
    for visit in visits:
        if visit.who != who:
            log_in(page, served, visit.who)
            who = visit.who
        where = visit.route.format(**fill)
        page.goto(served.url + where)
        page.wait_for_load_state("networkidle")
        assert page.locator("main").count() == 1, f"{where}: no page"
        found += check(page, f"{where} ({visit.who or 'not logged in'}{how})")
    return found


# The pages are the same HTML on either database: SQLite alone keeps the walk short.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_axe_on_every_page(served: Served, browser_page: Any) -> None:
    page = browser_page
    day = furnish(served, page)
    fill = {
        "site_id": SITE, "participant_id": "p-amal", "day": day, "staff_id": "s-marieke",
        "language": "ar",
    }  # fmt: skip
    found = walk(page, served, VISITS, fill, "")

    # Pages that come after something: a form sent back with its errors, the evacuation
    # list greyed when it cannot refresh, pictograms found, a wrong password, a made feed
    # link, a door registered (its token shown once), a page that is not there.
    log_in(page, served, SUPERVISOR)
    page.goto(f"{served.url}/sites/{SITE}/participants/new")
    form = page.locator("form.participant-form")
    form.evaluate("f => { f.noValidate = true; }")  # the server's own checks answer
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("div.error[role=alert]").count() == 1
    found += check(page, f"/sites/{SITE}/participants/new with errors")
    page.route("**/evacuation/live", lambda route: route.fulfill(status=503, body="weg"))
    page.goto(f"{served.url}/sites/{SITE}/evacuation")
    page.locator(".stale-notice").wait_for(timeout=10_000)
    found += check(page, f"/sites/{SITE}/evacuation that cannot refresh")
    page.unroute("**/evacuation/live")
    page.goto(f"{served.url}/sites/{SITE}/planning")
    page.evaluate(OPEN_EVERYTHING)
    page.locator("#taak input[name=zoek]").fill("fiets")
    page.locator("#taak .choice.found").first.wait_for()
    found += check(page, f"/sites/{SITE}/planning with pictograms found")
    log_in(page, served, None)
    page.goto(f"{served.url}/login")
    page.fill("input[name=username]", SUPERVISOR)
    page.fill("input[name=password]", "niet het wachtwoord")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    found += check(page, "/login after a wrong password")
    log_in(page, served, COACH)
    page.goto(f"{served.url}/coach/feeds")
    page.fill("input[name=label]", "Outlook")
    page.click("text=Nieuwe link maken")
    page.wait_for_load_state("networkidle")
    found += check(page, "/coach/feeds with a new link")
    log_in(page, served, ADMIN)
    page.goto(f"{served.url}/sites/{SITE}/kiosks")
    page.evaluate(OPEN_EVERYTHING)
    register = page.locator(f"form[action='/sites/{SITE}/kiosks']")
    register.locator("input[name=id]").fill("achterdeur")
    register.locator("input[name=name]").fill("Achterdeur")
    register.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    found += check(page, f"/sites/{SITE}/kiosks with a new door's token")
    page.goto(f"{served.url}/sites/nergens/now")
    found += check(page, "/sites/nergens/now (error page)")

    # On a phone: the menu scrolls sideways, the tables stack.
    page.set_viewport_size({"width": 390, "height": 844})
    found += walk(page, served, PHONE, fill, ", on a phone")

    keep(found, "axe.json")
    problems = severe(found)
    assert not problems, "serious or critical for axe:\n" + "\n".join(problems)

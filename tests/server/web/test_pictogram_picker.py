"""The planning page's pictogram picker in a real browser against a real server: a
supervisor finds the bike by typing "fiets", picks it, saves, and sees it in the plan —
with the page's script, and without it ("Zoek" brings the page back with the matches)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.server.web.browser import SITE, Served, log_in, shot


def open_page(chromium: Any, *, script: bool) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", java_script_enabled=script
    )
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    yield from open_page(chromium, script=True)


@pytest.fixture
def page_without_script(chromium: Any) -> Iterator[Any]:
    yield from open_page(chromium, script=False)


def plan_a_task(page: Any, served: Served) -> Any:
    """Logged in as the supervisor, the task form open with a task typed in."""
    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/planning")
    page.click("#taak summary")
    form = page.locator("#taak form")
    form.locator("input[name=text]").fill("Fietsen repareren in de werkplaats")
    return form


def drawn(image: Any) -> bool:
    """The picture arrived and the browser drew it (not a broken-image box)."""
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_pick_a_pictogram_by_typing_dutch(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    form = plan_a_task(page, served)
    form.locator("input[name=zoek]").press_sequentially("fiets", delay=30)
    bike = form.locator("label.choice:has(input[value=fiets])")
    expect(bike).to_be_visible()
    expect(form.locator("label.choice:has(input[value=bezem])")).to_have_count(0)
    shot(page, "40-planning-pictogram-picker")
    bike.click()
    assert form.locator("input[value=fiets]").is_checked()
    form.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    planned = page.locator(".plan li.with-pictogram", has_text="Fietsen repareren")
    expect(planned).to_have_count(1)
    picture = planned.locator("img.pictogram[alt=fiets]")
    expect(picture).to_be_visible()
    assert drawn(picture)
    shot(page, "41-planning-task-with-pictogram")
    assert page.problems == []


def test_pick_a_pictogram_without_script(served: Served, page_without_script: Any) -> None:
    page = page_without_script
    form = plan_a_task(page, served)
    form.locator("input[name=zoek]").fill("fiets")
    form.locator("button[value=zoek]").click()
    form = page.locator("#taak form")  # the page came back, with what was typed
    assert form.locator("input[name=text]").input_value() == "Fietsen repareren in de werkplaats"
    form.locator("label.choice:has(input[value=fiets])").click()
    form.locator("button.primary").click()
    picture = page.locator(".plan li.with-pictogram img.pictogram[alt=fiets]")
    assert picture.count() == 1 and picture.is_visible() and drawn(picture)

"""The staff pages with a keyboard only: log in, then add a forgotten check-out on a
participant's day, with Tab, typing and Enter — and wherever the focus goes it shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.server.conftest import STAFF_PASSWORD
from tests.server.web.browser import SITE, ZONE, Served, shot

MOST_TABS = 60  # a page needing more presses than this to reach its form is a fault too

FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return { what: e.tagName.toLowerCase() + (e.name ? `[name=${e.name}]` : '')
                 + ` "${(e.innerText || '').trim().slice(0, 30)}"`,
           style: s.outlineStyle, width: parseFloat(s.outlineWidth),
           name: e.name || '', holds: e.matches(':focus') };
}"""


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    yield context.new_page()
    context.close()


def focused(page: Any) -> dict[str, Any]:
    """What has the focus, and whether its outline shows (2 px at least, not Chromium's
    thin default ring, which a light background all but hides)."""
    found: dict[str, Any] = page.evaluate(FOCUSED)
    found["shows"] = found["style"] not in ("none", "") and found["width"] >= 2
    return found


def tab_to(page: Any, selector: str) -> list[str]:
    """Press Tab until `selector` has the focus; returns the stops where the focus did not show."""
    hidden = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        # From a time field's minutes Tab goes to its clock button, inside the field: not
        # the field itself has the focus then, and Chromium rings the button on its own.
        if not now["shows"] and now["holds"]:
            hidden.append(now["what"])
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return hidden
    raise AssertionError(f"{selector} not reached in {MOST_TABS} presses of Tab")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_logging_in_and_correcting_a_day_with_the_keyboard(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(ZONE).date(), datetime.min.time(), tzinfo=ZONE)
    came_in = max(now - timedelta(minutes=10), midnight + timedelta(minutes=1))
    served.push("check_in", "p-amal", came_in)

    page.goto(f"{served.url}/login")
    # The form takes the keyboard by itself. Chromium applies autofocus at a rendering step
    # that can come just after the load event on a busy machine, so wait for it (≤ 5 s).
    expect(page.locator("input[name=username]")).to_be_focused()
    page.keyboard.type("marieke")
    assert tab_to(page, "input[name=password]") == []
    page.keyboard.type(STAFF_PASSWORD)
    assert tab_to(page, "button[type=submit]") == []
    shot(page, "40-keyboard-login-button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sites/{SITE}/now")
    expect(page.locator("[data-live]")).to_contain_text("Amal")

    day = came_in.astimezone(ZONE).date().isoformat()
    page.goto(f"{served.url}/sites/{SITE}/participants/p-amal/days/{day}")
    left = max(now, came_in + timedelta(minutes=1)).astimezone(ZONE)
    assert tab_to(page, "#corrigeren select[name=action]") == []
    assert page.locator("#corrigeren select[name=action]").input_value() == "add_check_out"
    assert tab_to(page, "#corrigeren input[name=at]") == []
    # The time field's segments follow Chromium's locale, 24 h or 12 h with AM/PM (seen
    # both on this machine): reached by Tab as above, its value is then set as typed text
    # would leave it, whatever the segments.
    page.locator("#corrigeren input[name=at]").fill(left.strftime("%H:%M"))
    assert tab_to(page, "#corrigeren input[name=reason]") == []
    page.keyboard.type("Vergeten uit te checken")
    shot(page, "41-keyboard-correction")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    added = page.locator("li.tap.added")
    expect(added).to_contain_text(left.strftime("%H:%M"))
    expect(added).to_contain_text("Vergeten uit te checken")
    expect(added).to_contain_text("Marieke")

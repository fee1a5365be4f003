"""The word's recorder in Debian's Chromium against a real server: "Opnemen" records from
the microphone (Chromium's test device: a beeping tone), "Stop" ends it, the recording
plays on the page before it is saved, and "Woord opslaan" stores it evened out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.server.web.browser import CHROMIUM, SITE, Served, log_in, shot


@pytest.fixture(scope="module")
def microphone_browser(chromium: Any) -> Iterator[Any]:
    """A second Chromium, from the same Playwright, with a fake microphone that needs no
    one to allow it."""
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    yield browser
    browser.close()


def test_record_the_word_hear_it_and_save_it(served: Served, microphone_browser: Any) -> None:
    from playwright.sync_api import expect

    context = microphone_browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", permissions=["microphone"]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/planning")
    page.click("#woord summary")
    form = page.locator("#woord form")
    form.locator("input[name=word]").fill("hamer")
    form.locator("input[name=sentence]").fill("Mag ik de hamer even?")
    form.locator("[data-record]").click()
    page.wait_for_timeout(2000)  # two seconds of the test device's beeps
    form.locator("[data-stop]").click()
    preview = form.locator("[data-preview]")
    expect(preview).to_be_visible()
    expect(form.locator("[data-record]")).to_be_enabled()
    chosen = form.locator("input[name=voice_file]").evaluate("f => f.files.length")
    assert chosen == 1  # the recording waits in the form, to be sent with it
    shot(page, "43-planning-word-recorded")
    form.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    saved = page.locator(".plan .word audio")
    expect(saved).to_have_count(1)
    src = saved.get_attribute("src")
    name = src.rsplit("/", 1)[1]
    kiosk = {"Authorization": f"Bearer {served.token}"}
    door = httpx.get(f"{served.url}/api/v1/media/{name}", headers=kiosk, timeout=10)
    assert door.status_code == 200 and door.content.startswith(b"RIFF")
    assert problems == []
    context.close()

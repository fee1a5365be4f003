"""The planning page's photo in a real browser against a real server: a supervisor adds a
photo from the phone (with its place in it) to a task through the file input, sees it in
the plan, and the door is offered it by hash without the place; a file that is no photo is
refused in Dutch, with the task typed still there."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.server.photos import phone_photo
from tests.server.web.browser import Served, shot
from tests.server.web.test_pictogram_picker import drawn, open_page, plan_a_task


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    yield from open_page(chromium, script=True)


def test_add_a_photo_to_a_task_through_the_file_input(served: Served, page: Any) -> None:
    from playwright.sync_api import expect

    form = plan_a_task(page, served)
    upload = {"name": "fiets.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}
    form.locator("input[name=photo_camera]").set_input_files(upload)
    form.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    planned = page.locator(".plan li.with-pictogram", has_text="Fietsen repareren")
    expect(planned).to_have_count(1)
    photo = planned.locator("img.photo")
    expect(photo).to_be_visible()
    assert drawn(photo)
    shot(page, "42-planning-task-with-photo")
    name = photo.get_attribute("src").rsplit("/", 1)[1]
    kiosk = {"Authorization": f"Bearer {served.token}"}
    door = httpx.get(f"{served.url}/api/v1/media/{name}", headers=kiosk, timeout=10)
    assert door.status_code == 200 and hashlib.sha256(door.content).hexdigest() == name
    assert not Image.open(io.BytesIO(door.content)).getexif()  # no place, no camera
    assert page.problems == []


def test_a_file_that_is_no_photo_is_refused_in_dutch(served: Served, page: Any) -> None:
    form = plan_a_task(page, served)
    bill = {"name": "factuur.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 bill"}
    form.locator("input[name=photo_file]").set_input_files(bill)
    form.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    assert "Dit bestand is geen foto" in page.locator("body").inner_text()
    form = page.locator("#taak form")
    assert form.locator("input[name=text]").input_value() == "Fietsen repareren in de werkplaats"
    assert page.locator(".plan li", has_text="Fietsen repareren").count() == 0

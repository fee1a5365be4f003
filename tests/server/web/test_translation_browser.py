"""The Vertalingen page in Chromium against `prikklok server run`: a translator fixes the
Arabic welcome, previewed right to left; a dropped placeholder is refused on the page; the
fix is in the door's next snapshot. Screenshots in artifacts/web/translations_*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, update

from server.administration import operations as admin
from server.administration.catalogues import phrases
from server.db import writing
from server.schema import staff
from sync.protocol import PHRASE_FIXES, UNDERSTANDS_HEADER
from tests.server.web.browser import Served, log_in, shot

WELCOME = "Welcome, {name}!"
FIX = "مرحباً {name}، أهلاً بك!"

# Every phrase the door can show in Arabic: the page counts the checked ones of these.
AR_PHRASES = len(phrases("ar"))


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def test_a_translator_fixes_the_arabic_welcome(
    served: Served, page: Any, engine: Engine, staff_password_hash: str
) -> None:
    with writing(engine) as conn:
        admin.add_staff(conn, "t-tess", "tess", "translator", "Tesfay", None,
                        datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip
        conn.execute(update(staff).where(staff.c.id == "t-tess")
                     .values(password_hash=staff_password_hash))  # fmt: skip
    log_in(page, served, "tess")
    page.wait_for_url(f"{served.url}/translations")
    assert page.locator("tr[data-language=ar] .checked-count").inner_text() == f"0 van {AR_PHRASES}"
    shot(page, "translations_overview")
    page.click("text=Arabisch")
    welcome = page.locator(f'section[data-msgid="{WELCOME}"]')
    door_text = welcome.locator(".door-text")
    assert door_text.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert welcome.locator("textarea").evaluate("e => getComputedStyle(e).direction") == "rtl"
    welcome.locator("textarea").fill("مرحباً، أهلاً بك!")  # the name left out
    welcome.locator("button[type=submit]").click()
    assert "De vertaling mist {name}" in page.locator("[role=alert]").inner_text()
    welcome = page.locator(f'section[data-msgid="{WELCOME}"]')
    welcome.locator("textarea").fill(FIX)
    welcome.locator("input[name=back_translation]").fill("Hello {name}, welcome to you!")
    welcome.locator("input[name=checked]").check()
    welcome.locator("button[type=submit]").click()
    assert "Opgeslagen" in page.locator("[role=status]").first.inner_text()
    welcome = page.locator(f'section[data-msgid="{WELCOME}"]')
    assert welcome.locator(".door-text").inner_text() == FIX
    assert "gecontroleerd door Tesfay" in welcome.locator(".checked").inner_text()
    welcome.scroll_into_view_if_needed()
    shot(page, "translations_ar")
    headers = {"Authorization": f"Bearer {served.token}", UNDERSTANDS_HEADER: PHRASE_FIXES}
    snapshot = httpx.get(f"{served.url}/api/v1/snapshot", headers=headers, timeout=10).json()
    assert snapshot["phrase_fixes"] == {"ar": {WELCOME: FIX}}

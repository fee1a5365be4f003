"""The Kiosks page with a door's warnings and errors, in Chromium: the lines open under the
door, newest first, and the page still passes axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sync.protocol import LOG_LINES, UNDERSTANDS_HEADER
from tests.server.web.axe import check, severe
from tests.server.web.browser import SITE, Served, log_in, shot


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def heartbeat(served: Served, lines: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    beat = {
        "queue_depth": 0, "last_seq": 0, "reader_health": "degraded", "app_version": "1.4.0",
        "boot_id": "boot-browser", "monotonic": 500.0, "wall_at": now.isoformat(),
        "clock_synced": True, "log_lines": lines,
    }  # fmt: skip
    answer = httpx.post(
        f"{served.url}/api/v1/heartbeat",
        json=beat,
        headers={"Authorization": f"Bearer {served.token}", UNDERSTANDS_HEADER: LOG_LINES},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["takes_log_lines"], answer.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_kiosks_page_shows_a_doors_last_warnings(served: Served, browser_page: Any) -> None:
    at = datetime.now(UTC) - timedelta(minutes=5)
    heartbeat(
        served,
        [
            {"at": at.isoformat(), "level": "WARNING", "logger": "hardware.mfrc522_reader",
             "message": "the reader did not answer; reinitialising (3rd time)"},
            {"at": (at + timedelta(minutes=1)).isoformat(), "level": "ERROR",
             "logger": "kiosk.door", "message": "tap of badge 04••••C3 not saved: disk I/O error"},
        ],
    )  # fmt: skip
    page = browser_page
    log_in(page, served, "marieke")
    page.goto(f"{served.url}/sites/{SITE}/kiosks")
    summary = page.locator("details.log-lines summary")
    assert summary.inner_text() == "Laatste waarschuwingen en fouten (2)"
    summary.click()
    items = page.locator("ol.log-lines li").all_inner_texts()
    assert "ERROR kiosk.door: tap of badge 04••••C3 not saved" in items[0]  # newest first
    assert "WARNING hardware.mfrc522_reader: the reader did not answer" in items[1]
    shot(page, "kiosks-log-lines")
    assert severe(check(page, "/sites/{site_id}/kiosks (log lines)")) == []

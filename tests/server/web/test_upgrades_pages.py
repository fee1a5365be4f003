"""Upgrades without a visit in Chromium: the admin picks a site's kiosk version from the
wheelhouse on the Sites page, and the Kiosks page shows what the kiosk said about it; both
pages still pass axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.administration import wheelhouse
from sync.protocol import UNDERSTANDS_HEADER, UPGRADE
from tests.server.web.axe import check, severe
from tests.server.web.browser import SITE, Served, log_in, shot
from tests.upgrades.releases import release_wheel


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def with_releases(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Served:
    """The served app, started with a wheelhouse of two releases."""
    house = tmp_path / "wheelhouse"
    for version in ("1.4.0", "1.5.0"):
        wheelhouse.add(house, version, [release_wheel(tmp_path / version, version)])
    monkeypatch.setenv("PRIKKLOK_SERVER_WHEELHOUSE", str(house))
    served: Served = request.getfixturevalue("served")
    return served


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_admin_names_a_version_and_sees_how_it_went(
    database_url: str, with_releases: Served, browser_page: Any
) -> None:
    page = browser_page
    log_in(page, with_releases, "anna")
    page.goto(f"{with_releases.url}/sites")
    choice = page.get_by_label("Versie voor de kiosks")
    assert choice.locator("option").all_inner_texts() == [
        "geen keuze: de kiosks houden hun versie",
        "1.4.0",
        "1.5.0",
    ]
    choice.select_option("1.5.0")
    page.locator("form.site-version button").click()
    assert "De kiosks installeren die versie" in page.locator("p.notice").inner_text()
    assert page.get_by_label("Versie voor de kiosks").input_value() == "1.5.0"
    shot(page, "sites-kiosk-version")
    assert severe(check(page, "/sites (kiosk version)")) == []

    beat = {
        "queue_depth": 0, "last_seq": 0, "reader_health": "ok", "app_version": "1.4.0",
        "boot_id": "boot-browser", "monotonic": 500.0,
        "wall_at": datetime.now(UTC).isoformat(), "clock_synced": True,
        "upgrade": {"version": "1.5.0", "state": "failed",
                    "reason": "pip install: No matching distribution found for spidev==3.6"},
    }  # fmt: skip
    answer = httpx.post(
        f"{with_releases.url}/api/v1/heartbeat",
        json=beat,
        headers={"Authorization": f"Bearer {with_releases.token}", UNDERSTANDS_HEADER: UPGRADE},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    page.goto(f"{with_releases.url}/sites/{SITE}/kiosks")
    said = page.locator("dd.upgrade").inner_text()
    assert said == "1.5.0 niet geïnstalleerd 1.4.0 draait door"
    why = page.locator("dd.upgrade-reason").inner_text()
    assert why == "pip install: No matching distribution found for spidev==3.6"
    shot(page, "kiosks-upgrade-failed")
    assert severe(check(page, "/sites/{site_id}/kiosks (upgrade)")) == []

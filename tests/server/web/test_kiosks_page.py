"""The kiosks page: each door's state from its heartbeats, a clear alarm when it is silent,
its queue keeps growing or its reader fails; the admin registers and revokes kiosks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.server.conftest import HeldClock, Staff, World, log_in
from tests.server.test_heartbeat import beat

HTML = {"accept": "text/html"}
PAGE = "/sites/north/kiosks"


def send(client: TestClient, token: str, **fields: Any) -> None:
    answer = client.post(
        "/api/v1/heartbeat", json=beat(**fields), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text


def card(page: str, kiosk_id: str) -> str:
    """The part of the page about one kiosk."""
    for part in page.split('<section class="card kiosk')[1:]:
        if f"({kiosk_id})" in part:
            return part.split("</section>")[0]
    raise AssertionError(f"no card for {kiosk_id}")


def alarms(page: str, kiosk_id: str) -> list[str]:
    return re.findall(r'<p class="alarm" role="alert" data-alarm="(\w+)"', card(page, kiosk_id))


def kiosk_page(client: TestClient) -> str:
    answer = client.get(PAGE, headers=HTML)
    assert answer.status_code == 200
    return answer.text


def test_kiosks_page_healthy_kiosk_has_no_alarm(browser_client, staff_world, world: World):
    send(
        browser_client,
        world.north_token,
        app_version="1.4.2",
        queue_depth=2,
        oldest_unsynced_at="2026-11-25T08:57:00+00:00",  # 08:57:30 by the server
    )
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    north = card(page, "north-1")
    assert alarms(page, "north-1") == []
    for shown in ("Front door", "zojuist", "1.4.2", "in orde", "gelijkgezet", "loopt 30 s achter"):
        assert shown in north, shown
    assert "Wachtende prikken</dt><dd>2, oudste van 2 min geleden" in north


def test_kiosks_page_never_heard_from(browser_client, staff_world) -> None:
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-2") == ["never"]
    assert "nooit" in card(page, "north-2")
    assert "Back door" in page and "(south-1)" not in page


def test_kiosks_page_silent_kiosk(browser_client, staff_world, world, clock: HeldClock):
    send(browser_client, world.north_token)
    clock.now += timedelta(minutes=20)
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == ["silent"]
    assert "Geen contact sinds 20 min geleden" in card(page, "north-1")


def test_kiosks_page_queue_keeps_growing(browser_client, staff_world, world) -> None:
    send(
        browser_client,
        world.north_token,
        queue_depth=37,
        oldest_unsynced_at="2026-11-25T08:15:00+00:00",
    )
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == ["queue"]
    assert "37 prik(ken) nog niet bij de server" in card(page, "north-1")


def test_kiosks_page_reader_error(browser_client, staff_world, world) -> None:
    send(browser_client, world.north_token, reader_health="absent")
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == ["reader"]
    assert "badgelezer werkt niet goed (niet gevonden)" in card(page, "north-1")


def test_kiosks_page_alarm_summary_on_top(browser_client, staff_world, world) -> None:
    send(browser_client, world.north_token)
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert "1 van de 2 kiosk(s) vragen aandacht" in page  # north-2 never sent a heartbeat


def test_kiosks_page_revoked_kiosk_is_shown_without_alarm(browser_client, staff_world) -> None:
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert "ingetrokken" in card(page, "north-old") and alarms(page, "north-old") == []


def test_kiosks_page_supervisor_sees_only_own_site(browser_client, staff_world, world) -> None:
    csrf = log_in(browser_client, "marieke")
    assert browser_client.get("/sites/south/kiosks", headers=HTML).status_code == 403
    assert "Kiosk toevoegen" not in kiosk_page(browser_client)  # the admin's
    added = {"id": "north-3", "name": "Side door", "csrf": csrf}
    assert browser_client.post(PAGE, data=added).status_code == 403
    revoke = browser_client.post(f"{PAGE}/north-1/revoke", data={"csrf": csrf})
    assert revoke.status_code == 403
    assert browser_client.get("/api/v1/snapshot", headers=world.auth()).status_code == 200


def test_kiosks_page_coach_cannot_see_kiosks(browser_client, staff_world: Staff) -> None:
    log_in(browser_client, "carla")
    assert browser_client.get(PAGE, headers=HTML).status_code == 403


def test_kiosks_page_admin_adds_a_kiosk_and_sees_its_token_once(browser_client, staff_world):
    csrf = log_in(browser_client, "anna")
    answer = browser_client.post(
        PAGE, data={"id": "north-3", "name": "Side door", "csrf": csrf}, headers=HTML
    )
    assert answer.status_code == 200
    token = re.search(r'<p class="token" id="kiosk-token">([^<]+)</p>', answer.text)
    assert token is not None and "enige keer" in answer.text
    auth = {"Authorization": f"Bearer {token.group(1)}"}
    assert browser_client.get("/api/v1/snapshot", headers=auth).status_code == 200
    again = kiosk_page(browser_client)
    assert "Side door" in again and token.group(1) not in again


def test_kiosks_page_bad_or_taken_kiosk_id(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    for data, message in (
        ({"id": "north-1", "name": "Again"}, "al een kiosk north-1"),
        ({"id": "side door", "name": "Side"}, "alleen letters"),
        ({"id": "north-9", "name": ""}, "Naam"),
    ):
        answer = browser_client.post(PAGE, data={**data, "csrf": csrf}, headers=HTML)
        assert answer.status_code == 400 and message in answer.text
        assert 'id="kiosk-token"' not in answer.text


def test_kiosks_page_admin_revokes_a_kiosk(browser_client, staff_world, world) -> None:
    csrf = log_in(browser_client, "anna")
    answer = browser_client.post(f"{PAGE}/north-1/revoke", data={"csrf": csrf}, headers=HTML)
    assert answer.status_code == 200 and "ingetrokken" in card(answer.text, "north-1")
    assert browser_client.get("/api/v1/snapshot", headers=world.auth()).status_code == 401


def test_kiosks_page_admin_gives_a_kiosk_a_new_token(browser_client, staff_world, world) -> None:
    csrf = log_in(browser_client, "anna")
    assert 'action="/sites/north/kiosks/north-1/rotate-token"' in kiosk_page(browser_client)
    answer = browser_client.post(f"{PAGE}/north-1/rotate-token", data={"csrf": csrf})
    assert answer.status_code == 200 and "enige keer" in answer.text
    token = re.search(r'<p class="token" id="kiosk-token">([^<]+)</p>', answer.text)
    assert token is not None and "nieuwe sleutel" in answer.text
    assert browser_client.get("/api/v1/snapshot", headers=world.auth()).status_code == 401
    assert (
        browser_client.get("/api/v1/snapshot", headers=world.auth(token.group(1))).status_code
        == 200
    )
    assert token.group(1) not in kiosk_page(browser_client)  # shown once
    other = browser_client.post(f"{PAGE}/south-1/rotate-token", data={"csrf": csrf})
    assert other.status_code == 404  # another site's kiosk, through this site's page


def test_kiosks_page_revoke_checks_the_site(browser_client, staff_world, world) -> None:
    csrf = log_in(browser_client, "anna")
    answer = browser_client.post(f"{PAGE}/south-1/revoke", data={"csrf": csrf})
    assert answer.status_code == 404
    south = {"Authorization": f"Bearer {world.south_token}"}
    assert browser_client.get("/api/v1/snapshot", headers=south).status_code == 200


def test_kiosks_page_kiosk_name_is_escaped(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    data = {"id": "north-x", "name": "<script>x()</script>", "csrf": csrf}
    page = browser_client.post(PAGE, data=data, headers=HTML).text
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page


def test_kiosks_page_disk_nearly_full(browser_client, staff_world, world) -> None:
    send(browser_client, world.north_token, disk_free_bytes=40 * 2**20,
         disk_total_bytes=16 * 2**30)  # fmt: skip
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == ["disk"]
    north = card(page, "north-1")
    assert "schijf van de kiosk is bijna vol: nog 40 MB vrij (0 %)" in north
    assert '<dt>Schijf</dt><dd><span class="flag bad">40 MB vrij (0 %)</span>' in north


def test_kiosks_page_journal_cannot_be_written(browser_client, staff_world, world) -> None:
    send(browser_client, world.north_token, journal_trouble="disk_full",
         disk_free_bytes=0, disk_total_bytes=16 * 2**30)  # fmt: skip
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == ["journal", "disk"]
    assert "De kiosk kan geen prikken bewaren: de schijf is vol." in card(page, "north-1")


def test_kiosks_page_roomy_disk_is_shown_without_alarm(browser_client, staff_world, world):
    send(browser_client, world.north_token, disk_free_bytes=6 * 2**30,
         disk_total_bytes=16 * 2**30)  # fmt: skip
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == []
    assert "<dt>Schijf</dt><dd>6.0 GB vrij (38 %)</dd>" in card(page, "north-1")


def test_kiosks_page_shows_records_set_aside_and_a_clock_off(
    browser_client, staff_world, world
) -> None:
    from tests.server.conftest import wire

    refused = wire(1, participant_id="p-olena", badge_uid="04778899")  # another site's
    headers = {"Authorization": f"Bearer {world.north_token}"}
    browser_client.post("/api/v1/records", json={"records": [refused]}, headers=headers)
    send(browser_client, world.north_token, last_seq=1, wall_at="2026-11-25T08:55:00+00:00")
    log_in(browser_client, "marieke")
    page = kiosk_page(browser_client)
    assert alarms(page, "north-1") == ["clock", "set_aside"]  # five minutes behind
    assert "1 prik(ken) van deze kiosk apart gezet" in card(page, "north-1")

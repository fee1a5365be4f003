"""The admin's pages: sites, staff accounts, a participant's export and erasure, retention."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.schema import audit_log, coach_participants, events, participants, sites, staff
from tests.server.conftest import STAFF_PASSWORD, HeldClock, Staff, World, log_in, wire

HTML = {"accept": "text/html"}
NEW_PASSWORD = "rode-tractor-in-de-sneeuw"


def post(client: TestClient, url: str, csrf: str, data: dict[str, Any] | None = None, **kw: Any):
    return client.post(url, data={**(data or {}), "csrf": csrf}, headers=HTML, **kw)


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar())


def can_log_in(app: FastAPI, username: str, password: str) -> bool:
    with TestClient(app, base_url="https://testserver") as other:
        page = other.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        data = {"username": username, "password": password, "csrf": token}
        return other.post("/login", data=data, follow_redirects=False).status_code == 303


def account(**fields: Any) -> dict[str, Any]:
    data = {"display_name": "Marieke", "role": "supervisor", "site_id": "north", "email": ""}
    data["active"] = "1"
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# --- who may ---------------------------------------------------------------------------


def test_users_admin_pages_are_for_admins_only(browser_client, staff_world: Staff) -> None:
    csrf = log_in(browser_client, "marieke")
    for url in (
        "/sites",
        "/admin/users",
        "/admin/users/s-marieke",
        "/admin/retention",
        "/admin/participants/p-amal/export",
    ):
        assert browser_client.get(url, headers=HTML).status_code == 403, url
    for url in (
        "/sites",
        "/admin/users",
        "/admin/users/s-marieke",
        "/admin/retention",
        "/admin/participants/p-amal/erase",
    ):
        assert post(browser_client, url, csrf, {"confirm": "yes"}).status_code == 403, url


def test_users_coach_cannot_reach_admin_pages(browser_client, staff_world) -> None:
    log_in(browser_client, "carla")
    assert browser_client.get("/admin/users", headers=HTML).status_code == 403


# --- sites -----------------------------------------------------------------------------


def test_users_sites_page_lists_sites_with_counts(browser_client, staff_world, world: World):
    browser_client.post(
        "/api/v1/records", json={"records": [wire(1)]}, headers=world.auth()
    )  # Amal is in
    log_in(browser_client, "anna")
    page = browser_client.get("/sites", headers=HTML)
    assert page.status_code == 200
    north = page.text.split("North")[1].split("</section>")[0]
    assert '<span class="count">1</span> nu aanwezig · 2 deelnemers · 2 kiosk(s)' in north
    assert "South" in page.text and "/sites/south/kiosks" in page.text


def test_users_admin_adds_a_site(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    data = {
        "id": "east",
        "name": "Oost",
        "opens_at": "08:00",
        "closes_at": "16:30",
        "timezone": "Europe/Amsterdam",
    }
    answer = post(browser_client, "/sites", csrf, data)
    assert answer.status_code == 200 and "Oost" in answer.text and "08:00–16:30" in answer.text
    assert browser_client.get("/sites/east/kiosks", headers=HTML).status_code == 200


def test_users_bad_site_is_refused(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    good = {
        "id": "east",
        "name": "Oost",
        "opens_at": "08:00",
        "closes_at": "16:30",
        "timezone": "Europe/Amsterdam",
    }
    for change, message in (
        ({"closes_at": "07:00"}, "Dicht moet na open"),
        ({"opens_at": "acht uur"}, "een tijd als 08:30"),
        ({"timezone": "Mars/Olympus"}, "Tijdzone"),
        ({"id": "north"}, "al een locatie north"),
        ({"id": "o o s t"}, "alleen letters"),
    ):
        answer = post(browser_client, "/sites", csrf, {**good, **change})
        assert answer.status_code == 400 and message in answer.text, change
    assert count(engine, sites) == 2


# --- staff accounts ----------------------------------------------------------------------


def test_users_list_shows_accounts_and_caseloads(browser_client, staff_world) -> None:
    log_in(browser_client, "anna")
    page = browser_client.get("/admin/users", headers=HTML)
    carla = page.text.split("<td>Carla</td>")[1].split("</tr>")[0]
    assert "coach" in carla and "<td>2</td>" in carla
    marieke = page.text.split("<td>Marieke</td>")[1].split("</tr>")[0]
    assert "werkbegeleider" in marieke and "North" in marieke


def test_users_admin_creates_a_user_who_can_log_in(app, browser_client, staff_world, engine):
    csrf = log_in(browser_client, "anna")
    data = {
        "username": "fatima",
        "display_name": "Fatima",
        "role": "supervisor",
        "site_id": "south",
        "password": NEW_PASSWORD,
    }
    answer = post(browser_client, "/admin/users", csrf, data)
    assert answer.status_code == 200 and "Fatima" in answer.text
    assert can_log_in(app, "fatima", NEW_PASSWORD)
    with engine.connect() as conn:
        row = conn.execute(select(staff).where(staff.c.username == "fatima")).one()
    assert (row.role, row.site_id) == ("supervisor", "south")
    assert row.password_hash.startswith("$argon2id$") and NEW_PASSWORD not in row.password_hash


def test_users_weak_password_is_refused(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    before = count(engine, staff)
    for password, message in (
        ("password123", "te makkelijk"),
        ("kort", "minstens 10"),
        ("fatima-fatima-2026", "te makkelijk"),  # holds the username
    ):
        data = {
            "username": "fatima",
            "display_name": "Fatima",
            "role": "coach",
            "password": password,
        }
        answer = post(browser_client, "/admin/users", csrf, data)
        assert answer.status_code == 400 and message in answer.text, password
    assert count(engine, staff) == before


def test_users_bad_accounts_are_refused(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    before = count(engine, staff)
    good = {
        "username": "fatima",
        "display_name": "Fatima",
        "role": "coach",
        "password": NEW_PASSWORD,
    }
    for change, message in (
        ({"username": "MARIEKE"}, "bestaat al"),
        ({"username": "fa tima"}, "zonder spaties"),
        ({"role": "supervisor", "site_id": ""}, "hoort bij een locatie"),
        ({"role": "root"}, "Rol"),
        ({"display_name": ""}, "Naam"),
    ):
        answer = post(browser_client, "/admin/users", csrf, {**good, **change})
        assert answer.status_code == 400 and message in answer.text, change
    assert count(engine, staff) == before


def test_users_edit_shows_what_was_saved(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    data = account(display_name="Marieke de V.", email="marieke@example.nl", site_id="south")
    answer = post(browser_client, "/admin/users/s-marieke", csrf, data)
    assert answer.status_code == 200 and "Opgeslagen" in answer.text
    assert 'value="Marieke de V."' in answer.text and 'value="marieke@example.nl"' in answer.text
    with engine.connect() as conn:
        assert (
            conn.execute(select(staff.c.site_id).where(staff.c.id == "s-marieke")).scalar()
            == "south"
        )


def test_users_disabled_account_is_logged_out_at_once(app, browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    with TestClient(app, base_url="https://testserver") as marieke:
        log_in(marieke, "marieke")
        assert marieke.get("/sites/north/participants", headers=HTML).status_code == 200
        post(browser_client, "/admin/users/s-marieke", csrf, account(active=None))
        assert marieke.get("/sites/north/participants").status_code == 401
    assert not can_log_in(app, "marieke", STAFF_PASSWORD)


def test_users_password_reset_ends_logins(app, browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    with TestClient(app, base_url="https://testserver") as marieke:
        log_in(marieke, "marieke")
        weak = post(browser_client, "/admin/users/s-marieke", csrf, account(new_password="kort"))
        assert weak.status_code == 400 and "minstens 10" in weak.text
        assert marieke.get("/sites/north/participants").status_code == 200
        post(browser_client, "/admin/users/s-marieke", csrf, account(new_password=NEW_PASSWORD))
        assert marieke.get("/sites/north/participants").status_code == 401
    assert can_log_in(app, "marieke", NEW_PASSWORD)
    assert not can_log_in(app, "marieke", STAFF_PASSWORD)


def test_users_admin_cannot_lock_themselves_out(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    for change in ({"active": None}, {"role": "coach"}):
        data = account(**{"display_name": "Anna", "role": "admin", "site_id": "", **change})
        answer = post(browser_client, "/admin/users/a-anna", csrf, data)
        assert answer.status_code == 400 and "eigen account" in answer.text
    assert browser_client.get("/admin/users", headers=HTML).status_code == 200


def test_users_coach_caseload_as_checkboxes(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    page = browser_client.get("/admin/users/c-carla", headers=HTML)
    assert 'value="p-amal" checked' in page.text and 'value="p-olena">' in page.text
    data = account(
        display_name="Carla",
        role="coach",
        site_id="",
        participants_shown="1",
        participants=["p-dawit", "p-olena", "p-nobody"],
    )
    post(browser_client, "/admin/users/c-carla", csrf, data)
    with engine.connect() as conn:
        theirs = set(
            conn.execute(
                select(coach_participants.c.participant_id).where(
                    coach_participants.c.coach_id == "c-carla"
                )
            ).scalars()
        )
        logged = conn.execute(
            select(audit_log.c.participant_id, audit_log.c.detail).where(
                audit_log.c.action == "coach"
            )
        ).all()
    assert theirs == {"p-dawit", "p-olena"}
    assert {(pid, d["link"]) for pid, d in logged} == {("p-amal", "removed"), ("p-olena", "added")}


def test_users_staff_names_are_escaped(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "anna")
    data = {
        "username": "evil",
        "display_name": "<script>x()</script>",
        "role": "coach",
        "password": NEW_PASSWORD,
    }
    page = post(browser_client, "/admin/users", csrf, data).text
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page


# --- export and erasure ------------------------------------------------------------------


def test_users_export_downloads_the_participants_taps(browser_client, staff_world, world, engine):
    browser_client.post(
        "/api/v1/records",
        json={"records": [wire(1), wire(2, kind="check_out", wall_at="2026-11-25T15:00:00Z")]},
        headers=world.auth(),
    )
    log_in(browser_client, "anna")
    answer = browser_client.get("/admin/participants/p-amal/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["content-disposition"] == 'attachment; filename="p-amal.json"'
    data = json.loads(answer.content.decode("utf-8"))
    assert data["participant"]["display_name"] == "Amal"
    assert [t["kind"] for t in data["taps"]] == ["check_in", "check_out"]
    assert data["sessions"][0]["sessions"][0]["counted_hours"] == 7.0
    assert (
        count(
            engine,
            audit_log,
            audit_log.c.action == "export",
            audit_log.c.participant_id == "p-amal",
            audit_log.c.actor == "admin:a-anna",
        )
        == 1
    )


def test_users_export_of_nobody_is_not_found(browser_client, staff_world) -> None:
    log_in(browser_client, "anna")
    assert browser_client.get("/admin/participants/p-nobody/export").status_code == 404


def test_users_erase_needs_the_confirmation(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "anna")
    answer = post(browser_client, "/admin/participants/p-amal/erase", csrf)
    assert answer.status_code == 400 and "Niet gewist" in answer.text
    assert count(engine, participants, participants.c.id == "p-amal") == 1


def test_users_erase_removes_the_participant_everywhere(
    browser_client, staff_world, world, engine
) -> None:
    browser_client.post("/api/v1/records", json={"records": [wire(1)]}, headers=world.auth())
    csrf = log_in(browser_client, "anna")
    answer = post(browser_client, "/admin/participants/p-amal/erase", csrf, {"confirm": "yes"})
    assert answer.status_code == 200 and "gewist" in answer.text
    assert "Amal" not in answer.text and "Dawit" in answer.text  # back on North's list
    assert count(engine, participants, participants.c.id == "p-amal") == 0
    assert count(engine, events, events.c.participant_id == "p-amal") == 0
    snapshot = browser_client.get("/api/v1/snapshot", headers=world.auth()).json()
    assert "p-amal" not in {p["id"] for p in snapshot["participants"]}
    assert count(engine, audit_log, audit_log.c.action == "erase") == 1


# --- retention ---------------------------------------------------------------------------


def test_users_retention_page_and_run(
    browser_client, staff_world, world, engine, clock: HeldClock
) -> None:
    browser_client.post("/api/v1/records", json={"records": [wire(1)]}, headers=world.auth())
    clock.now += timedelta(days=400)  # past the default 365 days
    csrf = log_in(browser_client, "anna")
    page = browser_client.get("/admin/retention", headers=HTML)
    assert "365 dagen" in page.text and "Nog niet gedraaid" in page.text
    answer = post(browser_client, "/admin/retention", csrf)
    assert answer.status_code == 200 and "Nog niet gedraaid" not in answer.text
    assert "admin:a-anna" in answer.text and "events: 1" in answer.text
    assert count(engine, events) == 0


# --- whom a site's kiosk alerts reach ----------------------------------------------------


def test_users_admin_sets_a_sites_alert_recipients_and_webhook(
    browser_client, staff_world, engine
) -> None:
    from server.administration.site_alerts import alerts_of

    csrf = log_in(browser_client, "anna")
    data = {
        "recipients": "beheer@werkplaats.example\nteam@werkplaats.example",
        "webhook_url": "https://chat.werkplaats.example/hook",
        "webhook_secret": "een-lang-geheim-voor-de-hook",
    }
    answer = post(browser_client, "/sites/north/alerts", csrf, data)
    assert answer.status_code == 200 and "Opgeslagen. De volgende meldingen" in answer.text
    north = answer.text.split("North")[1].split("</section>")[0]
    assert "team@werkplaats.example</textarea>" in north and "2 ontvanger(s)" in north
    assert "een-lang-geheim" not in answer.text  # the secret is never shown again
    assert "ingesteld; leeg laten om te houden" in north
    kept = alerts_of(engine)["north"]
    assert kept.recipients == ["beheer@werkplaats.example", "team@werkplaats.example"]
    assert kept.has_secret
    # Saved again without a secret: the stored one stays.
    answer = post(browser_client, "/sites/north/alerts", csrf, {**data, "webhook_secret": ""})
    assert answer.status_code == 200 and alerts_of(engine)["north"].has_secret
    # Refused: shown again as typed, and still saying a secret is kept.
    answer = post(browser_client, "/sites/north/alerts", csrf, {**data, "recipients": "beheer@"})
    north = answer.text.split("North")[1].split("</section>")[0]
    assert answer.status_code == 400 and ">beheer@</textarea>" in north
    assert "ingesteld; leeg laten om te houden" in north
    assert alerts_of(engine)["north"].recipients == kept.recipients


def test_users_bad_alert_settings_are_refused_in_dutch(browser_client, staff_world, engine):
    from server.administration.site_alerts import alerts_of

    csrf = log_in(browser_client, "anna")
    good = {
        "recipients": "beheer@werkplaats.example",
        "webhook_url": "",
        "webhook_secret": "",
    }
    for change, message in (
        ({"recipients": "beheer@werkplaats"}, "E-mailadres klopt niet: beheer@werkplaats"),
        ({"recipients": "a@b.nl\nA@b.nl"}, "twee keer"),
        ({"webhook_url": "ftp://chat.example/hook"}, "begint met https://"),
        ({"webhook_url": "https://chat.example/hook"}, "geef ook een geheim"),
        ({"webhook_url": "https://chat.example/hook", "webhook_secret": "kort"}, "minstens 16"),
    ):
        answer = post(browser_client, "/sites/north/alerts", csrf, {**good, **change})
        assert answer.status_code == 400 and message in answer.text, change
        north = answer.text.split("North")[1].split("</section>")[0]
        assert '<details class="no-print" open>' in north  # the form, as typed
    assert alerts_of(engine) == {}
    assert post(browser_client, "/sites/nowhere/alerts", csrf, good).status_code == 404

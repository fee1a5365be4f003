"""The supervisor's floor pages: present now, evacuation, today, a participant's day."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from server.schema import audit_log, corrections, events, participants
from tests.server.conftest import HeldClock, Staff, World, log_in, wire

NORTH = "/sites/north"
AMAL_DAY = f"{NORTH}/participants/p-amal/days/2026-11-25"
YESTERDAY = f"{NORTH}/participants/p-amal/days/2026-11-24"
DAWIT = {"participant_id": "p-dawit", "badge_uid": "04D4E5F6"}
HTML = {"accept": "text/html"}


def push(client: TestClient, world: World, *records: dict[str, Any]) -> list[str]:
    answer = client.post("/api/v1/records", json={"records": list(records)}, headers=world.auth())
    assert answer.status_code == 200, answer.text
    return [r["status"] for r in answer.json()["results"]]


def section(html: str, name: str) -> str:
    """The text of `<section id="name">`: what a reader sees under that heading."""
    found = re.search(rf'<section id="{name}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no section {name}"
    return found.group(1)


def test_floor_tap_shows_on_the_next_refresh_and_check_out_removes_it(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "marieke")
    page = browser_client.get(f"{NORTH}/now")
    assert 'data-live="/sites/north/now/live"' in page.text and 'data-every="3"' in page.text
    assert "Amal" not in browser_client.get(f"{NORTH}/now/live").text

    push(browser_client, world, wire(1, wall_at="2026-11-25T08:58:00Z"))
    live = browser_client.get(f"{NORTH}/now/live").text
    assert "Amal" in live and "09:58" in live  # Amsterdam time
    assert f'href="{AMAL_DAY}"' in live
    assert "<html" not in live  # just the fragment

    push(browser_client, world, wire(2, kind="check_out", wall_at="2026-11-25T08:59:00Z"))
    assert "Amal" not in browser_client.get(f"{NORTH}/now/live").text


def test_floor_now_shows_supervisors_and_hand_check_ins(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "marieke")
    push(
        browser_client,
        world,
        wire(1, kind="manual_check_in", participant_id="p-dawit", badge_uid=None,
             supervisor_id="s-marieke"),
        wire(2, kind="supervisor", participant_id=None, supervisor_id="s-marieke",
             badge_uid="0499AA11", wall_at="2026-11-25T07:15:00Z"),
    )  # fmt: skip
    page = browser_client.get(f"{NORTH}/now").text
    assert "Dawit" in page and "met de hand ingecheckt" in page
    assert "Begeleiders binnen (1)" in page and "Marieke" in page and "08:15" in page


def test_floor_now_flags_badge_trouble_and_birthdays(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(participants).where(participants.c.id == "p-dawit").values(birthday="11-25")
        )
    log_in(browser_client, "marieke")
    given = {"participant_id": "p-dawit", "supervisor_id": "s-marieke", "badge_uid": "04A1B2C3"}
    push(browser_client, world, wire(1, kind="badge_enrolled", **given), wire(2, **DAWIT))
    live = browser_client.get(f"{NORTH}/now/live").text
    assert "badge is van iemand anders" in live  # Amal holds that badge: not reassigned
    assert "jarig vandaag" in live


def test_floor_evacuation_lists_the_same_people(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "marieke")
    push(
        browser_client,
        world,
        wire(1, wall_at="2026-11-25T08:05:00Z"),
        wire(2, wall_at="2026-11-25T08:10:00Z", **DAWIT),
        wire(3, kind="check_out", wall_at="2026-11-25T08:30:00Z", **DAWIT),
        wire(4, kind="supervisor", participant_id=None, supervisor_id="s-marieke",
             badge_uid="0499AA11", wall_at="2026-11-25T07:15:00Z"),
    )  # fmt: skip
    now = browser_client.get(f"{NORTH}/now/live").text
    page = browser_client.get(f"{NORTH}/evacuation").text
    live = browser_client.get(f"{NORTH}/evacuation/live").text
    for shown in (now, page, live):
        assert "Amal" in shown and "Dawit" not in shown and "Marieke" in shown
    assert "binnen 09:05" in page
    assert "<button" in page and "data-print" in page
    assert 'data-live="/sites/north/evacuation/live"' in page
    assert "10:00:00" in live  # when the list was made
    assert '<span class="count">2</span> mensen binnen' in live


def test_floor_today_shows_late_lunch_unknown_badge_and_set_aside(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "marieke")
    statuses = push(
        browser_client,
        world,
        wire(1, wall_at="2026-11-25T07:33:00Z"),  # 08:33: within five minutes of opening
        wire(2, wall_at="2026-11-25T08:40:00Z", **DAWIT),  # 09:40: late
        wire(3, kind="lunch", detail={"eats": True}),
        wire(4, kind="lunch", detail={"eats": True}, **DAWIT),
        wire(5, kind="unknown_badge", participant_id=None, badge_uid="0A0B0C0D"),
        wire(6, participant_id="p-nobody"),  # the server sets this one aside
    )
    assert statuses[-1] == "rejected"
    page = browser_client.get(f"{NORTH}/today").text
    assert '<span class="count" id="lunch">2</span>' in page
    late = section(page, "late")
    assert "Dawit" in late and "09:40" in late and "70 min te laat" in late
    assert "Amal" not in late
    came = section(page, "came")
    assert "Amal" in came and "08:33" in came and "Dawit" in came
    unknown = section(page, "unknown-badges")
    assert "0A0B0C0D" in unknown and 'href="/sites/north/participants' in unknown
    aside = section(page, "set-aside")
    assert "Front door" in aside and "onbekende deelnemer" in aside and "10:00" in aside


def test_floor_absence_excuses_an_expected_participant(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:  # Dawit works on Mondays and Wednesdays
        conn.execute(
            update(participants).where(participants.c.id == "p-dawit").values(agreed_weekdays="1,3")
        )
    csrf = log_in(browser_client, "marieke")
    missing = section(browser_client.get(f"{NORTH}/today").text, "missing")
    dawit_day = f"{NORTH}/participants/p-dawit/days/2026-11-25"
    assert "Dawit" in missing and f"{dawit_day}#afwezig" in missing
    assert "Amal" not in missing  # no agreed weekdays: not expected

    answer = browser_client.post(
        f"{dawit_day}/absence",
        data={"csrf": csrf, "reason": "integration_class", "note": "les in de stad"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = browser_client.get(f"{NORTH}/today").text
    assert "Dawit" not in section(page, "missing")
    excused = section(page, "excused")
    assert "Dawit" in excused and "inburgeringsles" in excused and "les in de stad" in excused
    day = browser_client.get(dawit_day).text
    assert "inburgeringsles" in section(day, "afwezig") and "Marieke" in section(day, "afwezig")

    browser_client.post(f"{dawit_day}/absence/delete", data={"csrf": csrf})
    assert "Dawit" in section(browser_client.get(f"{NORTH}/today").text, "missing")


def test_floor_absence_needs_a_known_reason(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    csrf = log_in(browser_client, "marieke")
    answer = browser_client.post(
        f"{AMAL_DAY}/absence", data={"csrf": csrf, "reason": "holiday", "note": "mijn notitie"}
    )
    assert answer.status_code == 400
    assert "Kies een reden" in answer.text and "mijn notitie" in answer.text  # nothing lost


def test_floor_correction_adds_a_forgotten_check_out(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    push(browser_client, world, wire(1, wall_at="2026-11-24T08:00:00Z", workshop_day="2026-11-24"))
    before = browser_client.get(YESTERDAY).text
    assert "automatisch gesloten" in before and "Totaal: <strong>0,0 uur" in before

    forgot = {"action": "add_check_out", "at": "16:00", "reason": "vergat uit te checken"}
    answer = browser_client.post(
        f"{YESTERDAY}/corrections", data={"csrf": csrf, **forgot}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(YESTERDAY)
    after = browser_client.get(YESTERDAY).text
    taps = section(after, "registraties")
    assert "09:00" in taps  # the door's own tap, as it was sent
    assert "Vertrek toegevoegd" in taps and "Marieke" in taps and "vergat uit te checken" in taps
    assert "Totaal: <strong>7,0 uur" in after and "automatisch gesloten" not in after
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 1
        fix = conn.execute(select(corrections)).one()
    assert fix.staff_id == "s-marieke" and fix.effective_at.hour == 15  # 16:00 in Amsterdam


def test_floor_move_changes_the_hours(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    csrf = log_in(browser_client, "marieke")
    tap = wire(1, wall_at="2026-11-24T08:00:00Z", workshop_day="2026-11-24")
    push(browser_client, world, tap, wire(2, kind="check_out", wall_at="2026-11-24T12:00:00Z",
                                          workshop_day="2026-11-24"))  # fmt: skip
    assert "Totaal: <strong>4,0 uur" in browser_client.get(YESTERDAY).text
    browser_client.post(
        f"{YESTERDAY}/corrections",
        data={"csrf": csrf, "action": "move", "event_id": tap["id"], "at": "08:30",
              "reason": "was er al eerder"},
    )  # fmt: skip
    page = browser_client.get(YESTERDAY).text
    assert "Totaal: <strong>4,5 uur" in page
    assert "Tijd veranderd</strong> naar 08:30" in page and "telt als 08:30" in page


def test_floor_void_removes_a_session(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    csrf = log_in(browser_client, "marieke")
    day = {"workshop_day": "2026-11-24"}
    slip_out = wire(2, kind="check_out", wall_at="2026-11-24T08:01:00Z", **day)
    slip_in = wire(3, wall_at="2026-11-24T08:02:00Z", **day)
    push(
        browser_client,
        world,
        wire(1, wall_at="2026-11-24T08:00:00Z", **day),
        slip_out,
        slip_in,
        wire(4, kind="check_out", wall_at="2026-11-24T15:00:00Z", **day),
    )
    assert browser_client.get(YESTERDAY).text.count('class="session"') == 2
    for tap in (slip_out, slip_in):
        answer = browser_client.post(
            f"{YESTERDAY}/corrections",
            data={
                "csrf": csrf,
                "action": "void",
                "event_id": tap["id"],
                "reason": "dubbel geprikt",
            },
        )
        assert answer.status_code == 200  # followed the redirect back to the day
    page = browser_client.get(YESTERDAY).text
    assert page.count('class="session"') == 1 and "Totaal: <strong>7,0 uur" in page
    assert page.count("vervallen</span>") == 2 and page.count("dubbel geprikt") == 2


def test_floor_correction_needs_a_reason(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    for reason in ("", "   "):
        answer = browser_client.post(
            f"{AMAL_DAY}/corrections",
            data={"csrf": csrf, "action": "add_check_in", "at": "09:15", "reason": reason},
        )
        assert answer.status_code == 400
        assert "Geef een reden" in answer.text
        assert 'value="09:15"' in answer.text  # the time typed is still there
    for at in ("25:00", "²3:00", "8:5", "", "acht uur"):
        bad_time = browser_client.post(
            f"{AMAL_DAY}/corrections",
            data={"csrf": csrf, "action": "add_check_in", "at": at, "reason": "vergeten"},
        )
        assert bad_time.status_code == 400 and "geldige tijd" in bad_time.text, at
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(corrections)).scalar_one() == 0


def test_floor_correction_cannot_touch_another_participants_tap(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    csrf = log_in(browser_client, "marieke")
    theirs = wire(1, **DAWIT)
    push(browser_client, world, theirs)
    answer = browser_client.post(
        f"{AMAL_DAY}/corrections",
        data={"csrf": csrf, "action": "void", "event_id": theirs["id"], "reason": "weg ermee"},
    )
    assert answer.status_code == 400 and "hoort niet bij deze deelnemer" in answer.text


def test_floor_audit_log_gets_views_and_changes(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    push(browser_client, world, wire(1))
    browser_client.get(f"{NORTH}/now")
    browser_client.get(AMAL_DAY)
    browser_client.post(
        f"{AMAL_DAY}/corrections",
        data={"csrf": csrf, "action": "add_check_out", "at": "12:00", "reason": "naar huis"},
    )
    # A day she was not there: on a day with presence there is no absence to record.
    browser_client.post(f"{YESTERDAY}/absence", data={"csrf": csrf, "reason": "appointment"})
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.participant_id == "p-amal")).all()
    seen = {(r.action, r.detail.get("page")) for r in rows}
    assert {("view", "now"), ("view", "day"), ("correction", None), ("absence", None)} <= seen
    assert all(r.actor == "supervisor:s-marieke" for r in rows)
    assert not any("naar huis" in str(r.detail) for r in rows)  # the reason stays in corrections


def test_floor_names_are_shown_escaped(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(participants)
            .where(participants.c.id == "p-amal")
            .values(display_name="<script>alert(1)</script>")
        )
    log_in(browser_client, "marieke")
    push(browser_client, world, wire(1))
    for url in (f"{NORTH}/now", f"{NORTH}/now/live", f"{NORTH}/evacuation", f"{NORTH}/today",
                AMAL_DAY):  # fmt: skip
        text = browser_client.get(url).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url
        assert "<script>alert" not in text, url


def test_floor_pages_are_for_this_sites_supervisor_and_admins(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "sven")  # supervisor of south
    for url in (f"{NORTH}/now", f"{NORTH}/evacuation/live", f"{NORTH}/today", AMAL_DAY):
        assert browser_client.get(url).status_code == 403, url
    log_in(browser_client, "carla")  # a coach
    assert browser_client.get(AMAL_DAY).status_code == 403
    log_in(browser_client, "anna")  # the admin
    assert browser_client.get(AMAL_DAY).status_code == 200
    assert browser_client.get("/sites/nowhere/now").status_code == 404


def test_floor_other_sites_participant_is_not_found(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    csrf = log_in(browser_client, "marieke")
    olena = f"{NORTH}/participants/p-olena/days/2026-11-25"
    assert browser_client.get(olena).status_code == 404
    answer = browser_client.post(f"{olena}/absence", data={"csrf": csrf, "reason": "sick"})
    assert answer.status_code == 404
    for day in ("2026-13-01", "2026-W48-3", "1999-12-31", "morgen"):
        assert browser_client.get(f"{NORTH}/participants/p-amal/days/{day}").status_code == 404


def test_floor_forms_need_the_csrf_token(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    log_in(browser_client, "marieke")
    data = {"action": "add_check_in", "at": "09:00", "reason": "x", "csrf": "forged"}
    assert browser_client.post(f"{AMAL_DAY}/corrections", data=data).status_code == 403
    assert browser_client.post(f"{AMAL_DAY}/absence", data={"reason": "sick"}).status_code == 403


def test_floor_today_other_days_and_bad_days(
    browser_client: TestClient, staff_world: Staff, world: World, clock: HeldClock
) -> None:
    log_in(browser_client, "marieke")
    push(browser_client, world, wire(1, wall_at="2026-11-24T08:00:00Z", workshop_day="2026-11-24"))
    page = browser_client.get(f"{NORTH}/today?day=2026-11-24").text
    assert "dinsdag 24 november 2026" in page
    assert "Amal" in section(page, "forgotten")  # never checked out yesterday
    assert "Amal" not in section(browser_client.get(f"{NORTH}/today").text, "came")
    bad = browser_client.get(f"{NORTH}/today?day=gisteren", headers=HTML)
    assert bad.status_code == 400 and "geen geldige datum" in bad.text
    clock.now += timedelta(days=1)
    log_in(browser_client, "marieke")  # the login of yesterday has timed out
    assert "donderdag 26 november 2026" in browser_client.get(f"{NORTH}/today").text

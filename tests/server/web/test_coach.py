"""The coach's pages: their own participants only, figures, calendars, absence alerts,
and the feed links they make, revoke and renew."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from server.db import writing
from server.schema import absences, audit_log, corrections, events, participants
from tests.server.conftest import Staff, log_in

AMS = ZoneInfo("Europe/Amsterdam")
MON, WED = date(2026, 11, 16), date(2026, 11, 18)  # last week; today is Wednesday the 25th
_seq = itertools.count(10_000)


def local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=AMS).astimezone(UTC)


def add_tap(engine: Engine, participant_id: str, kind: str, moment: datetime) -> str:
    """A tap stored as if the north-1 door had sent it (faster than pushing months)."""
    event_id = str(uuid4())
    with writing(engine) as conn:
        conn.execute(
            events.insert().values(
                id=event_id,
                kiosk_id="north-1",
                site_id="north",
                seq=next(_seq),
                kind=kind,
                participant_id=participant_id,
                badge_uid=None,
                wall_at=moment,
                workshop_day=moment.astimezone(AMS).date(),
                clock_synced=True,
                boot_id="boot-test",
                monotonic=1.0,
                detail={},
                content_hash="0" * 64,
                received_at=moment,
            )
        )
    return event_id


def add_absence(engine: Engine, participant_id: str, day: date, reason: str, note: str) -> None:
    with writing(engine) as conn:
        conn.execute(
            absences.insert().values(
                participant_id=participant_id,
                site_id="north",
                day=day,
                reason=reason,
                note=note,
                staff_id="s-marieke",
                created_at=datetime(2026, 11, 23, 8, tzinfo=UTC),
            )
        )


def add_correction(
    engine: Engine,
    participant_id: str,
    action: str,
    moment: datetime | None,
    reason: str,
    event_id: str | None = None,
    made_at: datetime = datetime(2026, 11, 24, 9, tzinfo=UTC),
) -> None:
    with writing(engine) as conn:
        conn.execute(
            corrections.insert().values(
                event_id=event_id,
                participant_id=participant_id,
                site_id="north",
                action=action,
                effective_at=moment,
                reason=reason,
                staff_id="s-marieke",
                created_at=made_at,
            )
        )


def agree(engine: Engine, participant_id: str, weekdays: str = "1,3") -> None:
    with writing(engine) as conn:
        conn.execute(
            update(participants)
            .where(participants.c.id == participant_id)
            .values(agreed_weekdays=weekdays)
        )


@dataclass(frozen=True)
class Week:
    """Last week of Amal (Mondays and Wednesdays): Monday 08:30–16:30, Wednesday in late
    at 08:45 without checking out; sick on Monday the 23rd; in since 08:30 today. Dawit
    (same days) never came: an absence alert."""

    wednesday_in: str


def set_up_week(engine: Engine) -> Week:
    agree(engine, "p-amal")
    agree(engine, "p-dawit")
    add_tap(engine, "p-amal", "check_in", local(MON, "08:30"))
    add_tap(engine, "p-amal", "check_out", local(MON, "16:30"))
    wednesday_in = add_tap(engine, "p-amal", "check_in", local(WED, "08:45"))
    add_absence(engine, "p-amal", date(2026, 11, 23), "sick", "griep")
    add_tap(engine, "p-amal", "check_in", local(date(2026, 11, 25), "08:30"))
    return Week(wednesday_in)


@pytest.fixture
def week(engine: Engine, staff_world: Staff) -> Week:
    return set_up_week(engine)


def test_coach_home_lists_only_their_participants(browser_client: TestClient, week) -> None:
    log_in(browser_client, "carla")
    page = browser_client.get("/coach")
    assert page.status_code == 200
    assert "Amal" in page.text and "Dawit" in page.text
    assert "Olena" not in page.text
    log_in(browser_client, "koen")
    page = browser_client.get("/coach")
    assert "Olena" in page.text and "Amal" not in page.text


def test_coach_home_shows_the_alarm_for_absences_in_a_row(browser_client: TestClient, week) -> None:
    log_in(browser_client, "carla")
    page = browser_client.get("/coach").text
    alarms = re.findall(r'class="alarm">(.*?)</p>', page, re.S)
    assert any("Dawit" in a and "keer achter elkaar afwezig zonder afmelding" in a for a in alarms)
    assert not any("Amal" in a for a in alarms)


def test_coach_home_figures_of_a_picked_period(browser_client: TestClient, week) -> None:
    log_in(browser_client, "carla")
    page = browser_client.get("/coach", params={"from": "2026-11-16", "to": "2026-11-22"}).text
    [amal] = [card for card in page.split("<article")[1:] if ">Amal<" in card]
    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", amal))
    assert figures["Afgesproken dagen"] == "2"
    assert figures["Aanwezig"] == "2 dagen"
    assert figures["Uren"] == "8,0"  # Wednesday's forgotten check-out counts nothing
    assert figures["Te laat"] == "1"
    assert figures["Uitchecken vergeten"] == "1"
    assert "maandag 16 november 2026" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "16-11-2026"}, "geen datum"),
        ({"from": "2026-11-22", "to": "2026-11-16"}, "na de einddatum"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "hoogstens een jaar"),
    ],
)
def test_coach_home_bad_period_is_a_clear_400(
    browser_client: TestClient, week, params: dict[str, str], message: str
) -> None:
    log_in(browser_client, "carla")
    page = browser_client.get("/coach", params=params)
    assert page.status_code == 400
    assert message in page.text
    assert "Amal" in page.text  # the page still works, with the last four weeks


def test_coach_calendar_picture(browser_client: TestClient, week) -> None:
    log_in(browser_client, "carla")
    page = browser_client.get("/coach").text
    assert "/coach/participants/p-amal/calendar.svg?month=2026-11" in page
    picture = browser_client.get("/coach/participants/p-amal/calendar.svg?month=2026-11")
    assert picture.status_code == 200
    assert picture.headers["content-type"].startswith("image/svg+xml")
    assert "november 2026" in picture.text and "✓" in picture.text and "afgemeld" in picture.text
    assert (
        browser_client.get("/coach/participants/p-amal/calendar.svg?month=2026-13").status_code
        == 400
    )


@pytest.mark.parametrize(
    "url",
    [
        "/coach/participants/p-amal",
        "/coach/participants/p-amal/calendar.svg",
        "/coach/participants/p-amal/calendar.svg?month=2026-11",
        "/coach/participants/p-nobody",
    ],
)
def test_coach_cannot_see_another_coachs_participant(
    browser_client: TestClient, week, url: str
) -> None:
    log_in(browser_client, "koen")
    answer = browser_client.get(url, headers={"accept": "text/html"})
    assert answer.status_code == 404
    assert "Amal" not in answer.text


@pytest.mark.parametrize("username", ["anna", "marieke"])
def test_coach_pages_are_for_coaches(browser_client: TestClient, week, username: str) -> None:
    log_in(browser_client, username)
    for url in ("/coach", "/coach/participants/p-amal", "/coach/feeds"):
        assert browser_client.get(url).status_code == 403


def test_coach_participant_page_shows_the_program(
    browser_client: TestClient, week, engine: Engine
) -> None:
    add_correction(engine, "p-amal", "add_check_out", local(MON, "12:00"), "Fietste weg",
                   made_at=datetime(2026, 11, 24, 9, tzinfo=UTC))  # fmt: skip
    log_in(browser_client, "carla")
    page = browser_client.get("/coach/participants/p-amal").text
    assert "oktober 2026" in page and "november 2026" in page  # program began 1 October
    assert "afgemeld: ziek" in page and "griep" in page
    assert "niet afgemeld" in page  # the Mondays and Wednesdays of October
    assert "woensdag 18 november 2026" in page  # the forgotten check-out
    assert "Fietste weg" in page and "Marieke" in page and "uitchecken toegevoegd" in page
    assert "calendar.svg?month=2026-10" in page


def test_coach_participant_page_is_audited(
    browser_client: TestClient, week, engine: Engine
) -> None:
    log_in(browser_client, "carla")
    browser_client.get("/coach/participants/p-amal")
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(
                audit_log.c.action == "view", audit_log.c.participant_id == "p-amal"
            )
        ).all()
    assert ("coach:c-carla", {"page": "coach/participant"}) in [(r.actor, r.detail) for r in rows]


def test_coach_names_are_escaped(browser_client: TestClient, week, engine: Engine) -> None:
    with writing(engine) as conn:
        conn.execute(
            update(participants)
            .where(participants.c.id == "p-amal")
            .values(display_name="<script>alert(1)</script>")
        )
    log_in(browser_client, "carla")
    page = browser_client.get("/coach").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    picture = browser_client.get("/coach/participants/p-amal/calendar.svg").text
    assert "<script>" not in picture


# --- feed links --------------------------------------------------------------------------


def make_link(client: TestClient, csrf: str, label: str = "Outlook") -> dict[str, str]:
    """Make a feed link through the page; the links by format, as shown once."""
    page = client.post("/coach/feeds", data={"label": label, "csrf": csrf})
    assert page.status_code == 200, page.text
    urls = re.findall(r'value="(http[^"]+/feeds/[^"]+)"', page.text)
    return {url.rsplit("/", 1)[1].replace("&amp;", "&"): url.replace("&amp;", "&") for url in urls}


def feed_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_feed_link_is_shown_once(browser_client: TestClient, week) -> None:
    csrf = log_in(browser_client, "carla")
    links = make_link(browser_client, csrf)
    assert set(links) == {
        "attendance.json",
        "attendance.csv",
        "attendance.csv?view=summary",
        "attendance.xlsx",
        "attendance.ics",
    }
    # The address the browser used, when no public address is configured.
    assert all(url.startswith("https://testserver/feeds/") for url in links.values())
    token = links["attendance.json"].split("/")[-2]
    again = browser_client.get("/coach/feeds").text
    assert "Outlook" in again and token not in again
    assert browser_client.get(feed_path(links["attendance.json"])).status_code == 200


def test_feed_link_needs_the_form_token(browser_client: TestClient, week) -> None:
    log_in(browser_client, "carla")
    answer = browser_client.post("/coach/feeds", data={"label": "x", "csrf": "forged"})
    assert answer.status_code == 403


def test_feed_link_label_too_long_is_a_clear_400(browser_client: TestClient, week) -> None:
    csrf = log_in(browser_client, "carla")
    answer = browser_client.post("/coach/feeds", data={"label": "x" * 201, "csrf": csrf})
    assert answer.status_code == 400
    assert "te lang" in answer.text


def test_feed_link_revoke_and_renew(browser_client: TestClient, week) -> None:
    csrf = log_in(browser_client, "carla")
    first = feed_path(make_link(browser_client, csrf, "Agenda")["attendance.ics"])
    page = browser_client.get("/coach/feeds").text
    [link_id] = re.findall(r"/coach/feeds/(\d+)/renew", page)
    renewed = browser_client.post(f"/coach/feeds/{link_id}/renew", data={"csrf": csrf})
    assert "Agenda" in renewed.text
    found = re.search(r'value="(http[^"]+attendance\.ics)"', renewed.text)
    assert found is not None
    second = feed_path(found.group(1))
    assert browser_client.get(first).status_code == 404
    assert browser_client.get(second).status_code == 200
    [new_id] = re.findall(r"/coach/feeds/(\d+)/revoke", browser_client.get("/coach/feeds").text)
    browser_client.post(f"/coach/feeds/{new_id}/revoke", data={"csrf": csrf})
    assert browser_client.get(second).status_code == 404
    assert "ingetrokken" in browser_client.get("/coach/feeds").text


def test_feed_link_of_another_coach_cannot_be_touched(
    app, browser_client: TestClient, week
) -> None:
    csrf = log_in(browser_client, "carla")
    url = feed_path(make_link(browser_client, csrf, "Carla's agenda")["attendance.json"])
    [link_id] = re.findall(r"/coach/feeds/(\d+)/revoke", browser_client.get("/coach/feeds").text)
    with TestClient(app, base_url="https://testserver") as other:
        koen_csrf = log_in(other, "koen")
        for action in ("revoke", "renew"):
            answer = other.post(f"/coach/feeds/{link_id}/{action}", data={"csrf": koen_csrf})
            assert answer.status_code == 404
        assert "Je hebt nog geen links." in other.get("/coach/feeds").text
    assert browser_client.get(url).status_code == 200

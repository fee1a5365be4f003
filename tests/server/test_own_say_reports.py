"""What participants say at the door, as the coach reads it (issue 15, item 5): an
announced absence is not unexcused until a supervisor rejects it; the coach's pages, four
feeds and weekly digest carry the category and whether a supervisor confirmed it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine, update

from server.administration.digest import compose
from server.attendance.history import load_timelines
from server.db import writing
from server.schema import staff
from server.settings import Settings
from tests.server.conftest import NOW, Staff, World, log_in
from tests.server.door_says import AMS, announce, estimate, leave_reason, review, tap
from tests.server.web.test_coach import MON, WED, agree
from tests.server.web.test_feeds import as_json, get, token_of

TUE, MON2, TODAY = date(2026, 11, 17), date(2026, 11, 23), date(2026, 11, 25)
NEXT_MON = date(2026, 11, 30)
LATE = timedelta(minutes=5)
PERIOD = {"from": MON.isoformat(), "to": MON2.isoformat()}
# The day sheet's columns before issue 15: they stay as they were, in this order.
DAY_COLUMNS_BEFORE = [
    "Deelnemer", "Naam", "Datum", "Status", "Afgesproken", "Binnen", "Weg", "Uren",
    "Te laat", "Uitchecken vergeten", "Reden afwezig", "Correcties",
]  # fmt: skip
OWN_SAY_COLUMNS = [
    "Reden eerder weg",
    "Reden eerder weg bevestigd",
    "Zelf afgemeld, reden",
    "Zelf afgemeld bevestigd",
    "Uitchecktijd geschat",
    "Uitchecktijd geschat bevestigd",
]


def at(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=AMS)


@dataclass(frozen=True)
class Said:
    leave: str  # Amal left early on Monday the 16th: "vervoer"
    estimate: str  # Amal forgot to check out on the 18th; said on the 23rd: left at 16:00
    absence: str  # Dawit said on the 17th he would not come on the 18th: "dokter of ziek"
    ahead: str  # Amal said today she will not come next Monday: "kinderen/school"


@pytest.fixture
def said(client: TestClient, world: World, engine: Engine, staff_world: Staff) -> Said:
    """Amal and Dawit agreed Mondays and Wednesdays; Dawit never came."""
    agree(engine, "p-amal")
    agree(engine, "p-dawit")
    tap(client, world, "check_in", at(MON, "08:30"))
    out = tap(client, world, "check_out", at(MON, "14:00"))
    leave = leave_reason(client, world, at(MON, "14:01"), "transport", out, "p-amal")
    stale = tap(client, world, "check_in", at(WED, "08:45"))  # and never out
    tap(client, world, "check_in", at(MON2, "08:30"))
    guess = estimate(client, world, at(MON2, "08:31"), WED, "16:00", stale, "p-amal")
    tap(client, world, "check_out", at(MON2, "16:30"))
    tap(client, world, "check_in", at(TODAY, "08:30"))
    ahead = announce(client, world, at(TODAY, "08:31"), NEXT_MON, "children", "p-amal")
    absence = announce(client, world, at(TUE, "09:00"), WED, "doctor", "p-dawit")
    return Said(leave, guess, absence, ahead)


def dawit(engine: Engine) -> Any:
    with engine.connect() as conn:
        loaded = load_timelines(conn, ["p-dawit"], MON, TODAY, NOW, late_after=LATE)
    return loaded


def test_an_announced_absence_is_not_unexcused_until_a_supervisor_rejects_it(
    engine: Engine, said: Said
) -> None:
    for verdict in (None, "confirmed"):
        if verdict:
            review(engine, said.absence, verdict, "p-dawit")
        loaded = dawit(engine)
        days = {d.day: d.status for d in loaded.of["p-dawit"].days(MON, MON2)}
        assert (days[MON], days[WED], days[MON2]) == ("absent", "announced", "absent")
        figures = loaded.of["p-dawit"].figures(MON, MON2)
        assert (figures.agreed_days, figures.absences_unexcused) == (3, 2)
        assert figures.absences_announced == 1
        # The announced Wednesday ends the run: one absence in a row, not three.
        assert loaded.runs["p-dawit"] == 1 and not loaded.alert("p-dawit", 3)
    review(engine, said.absence, "rejected", "p-dawit")
    loaded = dawit(engine)
    assert loaded.of["p-dawit"].days(WED, WED)[0].status == "absent"
    assert loaded.of["p-dawit"].figures(MON, MON2).absences_unexcused == 3
    # Absent every agreed day since the program began on 1 October: the run goes on.
    assert loaded.runs["p-dawit"] == 15 and loaded.alert("p-dawit", 3)


def test_announced_today_is_announced_not_pending(
    client: TestClient, world: World, engine: Engine, staff_world: Staff
) -> None:
    agree(engine, "p-dawit", "1,3")
    announce(client, world, at(date(2026, 11, 24), "09:00"), TODAY, "office", "p-dawit")
    today = dawit(engine).of["p-dawit"].days(TODAY, TODAY)[0]
    assert today.status == "announced" and today.announcement is not None
    assert today.announcement.reason == "office" and today.announcement.pending


def test_feed_json_carries_the_category_and_the_verdict(
    client: TestClient, engine: Engine, said: Said
) -> None:
    review(engine, said.leave, "confirmed", "p-amal")
    feed = as_json(client, token_of(engine), **PERIOD)
    days = {(d["participant_id"], d["day"]): d for d in feed["days"]}
    [left] = days[("p-amal", MON.isoformat())]["own_say"]
    assert (left["kind"], left["reason"], left["verdict"]) == (
        "leave_reason",
        "transport",
        "confirmed",
    )
    [guess] = days[("p-amal", WED.isoformat())]["own_say"]
    assert (guess["kind"], guess["verdict"]) == ("checkout_estimate", "pending")
    assert datetime.fromisoformat(guess["left_at"]) == at(WED, "16:00")
    away = days[("p-dawit", WED.isoformat())]
    assert away["status"] == "announced"
    assert [(s["reason"], s["verdict"]) for s in away["own_say"]] == [("doctor", "pending")]
    assert days[("p-dawit", MON.isoformat())]["own_say"] == []
    summary = {p["participant_id"]: p for p in feed["participants"]}["p-dawit"]
    assert (summary["absences_unexcused"], summary["absences_announced"]) == (2, 1)
    # New fields at the end: the own say after the fields before it, the words (issue 16) after
    keys = list(summary)
    assert keys.index("absences_announced") == keys.index("words") - 1
    assert keys[-1] == "words"


def test_feed_csv_and_xlsx_add_their_columns_at_the_end(
    client: TestClient, engine: Engine, said: Said
) -> None:
    review(engine, said.absence, "changed", "p-dawit", reason="other")
    token = token_of(engine)
    text = get(client, token, "attendance.csv", **PERIOD).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == DAY_COLUMNS_BEFORE + OWN_SAY_COLUMNS
    by_key = {(r[0], r[2]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    monday = by_key[("p-amal", "16-11-2026")]
    assert (monday["Reden eerder weg"], monday["Reden eerder weg bevestigd"]) == (
        "vervoer",
        "nog niet bekeken",
    )
    wednesday = by_key[("p-amal", "18-11-2026")]
    assert wednesday["Uitchecktijd geschat"] == "16:00"
    assert wednesday["Uitchecktijd geschat bevestigd"] == "nog niet bekeken"
    away = by_key[("p-dawit", "18-11-2026")]
    assert (away["Status"], away["Reden afwezig"]) == ("zelf afgemeld", "iets anders")
    assert (away["Zelf afgemeld, reden"], away["Zelf afgemeld bevestigd"]) == (
        "iets anders",
        "aangepast",
    )
    summary = get(client, token, "attendance.csv", view="summary", **PERIOD).content
    lines = list(csv.DictReader(io.StringIO(summary.decode("utf-8-sig")), delimiter=";"))
    columns = list(lines[0])
    # The own say's column after the older ones, the words' columns (issue 16) after it.
    assert columns[columns.index("Zelf afgemeld") - 1] == "Signaal"
    assert columns[columns.index("Zelf afgemeld") + 1] == "Woorden ontmoet"
    assert {r["Deelnemer"]: r["Zelf afgemeld"] for r in lines} == {"p-amal": "0", "p-dawit": "1"}

    book = openpyxl.load_workbook(
        io.BytesIO(get(client, token, "attendance.xlsx", **PERIOD).content)
    )
    per_day = list(book["Per dag"].iter_rows(values_only=True))
    assert list(per_day[0]) == DAY_COLUMNS_BEFORE + OWN_SAY_COLUMNS
    cells = {(r[0], r[2].date()): dict(zip(per_day[0], r, strict=True)) for r in per_day[1:]}
    assert cells[("p-dawit", WED)]["Zelf afgemeld bevestigd"] == "aangepast"
    assert cells[("p-amal", MON)]["Reden eerder weg"] == "vervoer"


def events_of(ics: bytes) -> dict[str, Any]:
    return {
        str(item["UID"]): item
        for item in Calendar.from_ical(ics).walk("VEVENT")  # type: ignore[no-untyped-call]
    }


def test_feed_ics_shows_the_announcement_and_the_estimate_then_the_verdict(
    client: TestClient, engine: Engine, said: Said
) -> None:
    token = token_of(engine)
    before = events_of(get(client, token, "attendance.ics", **PERIOD).content)
    away = before["afwezig-p-dawit-20261118@prikklok"]
    assert str(away["SUMMARY"]) == "Dawit: Afwezig, zelf afgemeld (dokter of ziek)"
    assert "nog niet bekeken" in str(away["DESCRIPTION"])
    [wednesday] = [
        e for e in before.values() if isinstance(e["DTSTART"].dt, datetime)
        and e["DTSTART"].dt.astimezone(AMS).date() == WED
        and str(e["SUMMARY"]).startswith("Amal")
    ]  # fmt: skip
    assert "uitchecktijd geschat" in str(wednesday["SUMMARY"])
    assert "geschat door de deelnemer: 16:00 (nog niet bekeken)" in str(wednesday["DESCRIPTION"])

    review(engine, said.estimate, "confirmed", "p-amal", at=NOW + timedelta(minutes=5))
    review(engine, said.absence, "rejected", "p-dawit", at=NOW + timedelta(minutes=5))
    after = events_of(get(client, token, "attendance.ics", **PERIOD).content)
    again = after[str(wednesday["UID"])]
    assert "16:00 (bevestigd)" in str(again["DESCRIPTION"])
    assert int(again["SEQUENCE"]) > int(wednesday["SEQUENCE"])  # calendars update it
    rejected = after["afwezig-p-dawit-20261118@prikklok"]
    assert str(rejected["SUMMARY"]) == "Dawit: Afwezig, niet afgemeld"
    assert "afgewezen" in str(rejected["DESCRIPTION"])
    assert int(rejected["SEQUENCE"]) > int(away["SEQUENCE"])


def test_digest_carries_what_they_said_and_alerts_no_one_who_announced(
    engine: Engine, database_url: str, said: Said
) -> None:
    review(engine, said.leave, "confirmed", "p-amal")
    with writing(engine) as conn:
        conn.execute(update(staff).where(staff.c.id == "c-carla").values(email="c@example.org"))
    settings = Settings(database_url=database_url, public_url="https://prikklok.example")
    [mail] = compose(engine, settings, NOW)
    body = mail.message.get_content()
    amal = body[body.index("\nAmal\n") :].split("\n\n")[0]
    assert "  Zelf gezegd bij de deur:" in amal
    assert "  - maandag 16 november 2026: eerder weg (vervoer), bevestigd" in amal
    assert "  - woensdag 18 november 2026: uitchecktijd geschat (16:00), nog niet bekeken" in amal
    dawit_part = body[body.index("\nDawit\n") :].split("\n\n")[0]
    assert "Zelf afgemeld bij de deur: 1" in dawit_part
    assert "Afwezig zonder afmelding: 1" in dawit_part
    assert "- woensdag 18 november 2026: komt niet (dokter of ziek), nog niet bekeken" in dawit_part
    assert "- Dawit:" not in body  # one absence in a row is no alert

    review(engine, said.absence, "rejected", "p-dawit")
    [mail] = compose(engine, settings, NOW)
    assert "- Dawit: 15 keer achter elkaar afwezig" in mail.message.get_content()


def test_coach_pages_show_what_they_said(
    browser_client: TestClient, engine: Engine, said: Said
) -> None:
    review(engine, said.leave, "confirmed", "p-amal")
    log_in(browser_client, "carla")
    page = browser_client.get("/coach/participants/p-amal").text
    section = page[page.index("Zelf gezegd bij de deur") : page.index("Correcties door")]
    rows = [row.split("</td>")[:4] for row in section.split('<tr class="said')[1:]]
    cells = [[c.split(">", 1)[-1].strip() for c in row] for row in rows]
    # Newest day first: next Monday's announcement, the estimate, the reason for leaving.
    assert [c[1] for c in cells] == ["komt niet", "uitchecktijd geschat", "eerder weg"]
    assert "kinderen/school" in cells[0][2] and "nog niet bekeken" in cells[0][3]
    assert "16:00" in cells[1][2] and "geschat" in cells[1][2]
    assert "vervoer" in cells[2][2] and "bevestigd" in cells[2][3]

    page = browser_client.get("/coach/participants/p-dawit").text
    assert "zelf afgemeld: dokter of ziek" in page
    home = browser_client.get("/coach", params=PERIOD).text
    assert "Dawit</a>:" not in home  # no alarm: he said he would not come
    picture = browser_client.get(
        "/coach/participants/p-dawit/calendar.svg", params={"month": "2026-11"}
    ).text
    assert "18 november: zelf afgemeld" in picture


def test_coach_pages_never_show_another_coachs_statements(
    browser_client: TestClient, said: Said
) -> None:
    log_in(browser_client, "koen")
    assert browser_client.get("/coach/participants/p-dawit").status_code == 404
    assert "dokter" not in browser_client.get("/coach").text

"""The coach's feeds, read back by the tools that consume them: a JSON client, Python's
CSV reader (as Dutch Excel reads it), openpyxl and an iCalendar parser."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine, event, select, update

from server.attendance.history import load_history
from server.db import writing
from server.feeds import links
from server.schema import audit_log, feed_tokens, participants
from tests.server.conftest import NOW, HeldClock, Staff, World, log_in, wire
from tests.server.web.test_coach import (
    MON,
    WED,
    Week,
    add_correction,
    add_tap,
    agree,
    local,
    set_up_week,
)

LAST_WEEK = {"from": "2026-11-16", "to": "2026-11-22"}


@pytest.fixture
def week(engine: Engine, staff_world: Staff) -> Week:
    return set_up_week(engine)


def token_of(engine: Engine, coach_id: str = "c-carla", label: str = "") -> str:
    with writing(engine) as conn:
        _, token = links.create(conn, coach_id, label, NOW)
    return token


def get(client: TestClient, token: str, name: str, **params: str) -> Any:
    answer = client.get(f"/feeds/{token}/{name}", params=params)
    assert answer.status_code == 200, answer.text
    return answer


def as_json(client: TestClient, token: str, **params: str) -> dict[str, Any]:
    result: dict[str, Any] = get(client, token, "attendance.json", **params).json()
    return result


def summaries(feed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["display_name"]: p for p in feed["participants"]}


def test_feed_json_figures_of_last_week(client: TestClient, engine: Engine, week) -> None:
    feed = as_json(client, token_of(engine), **LAST_WEEK)
    amal, dawit = summaries(feed)["Amal"], summaries(feed)["Dawit"]
    assert (amal["agreed_days"], amal["days_present"], amal["hours"]) == (2, 2, 8.0)
    assert (amal["late_arrivals"], amal["forgotten_check_outs"]) == (1, 1)
    assert (dawit["days_present"], dawit["absences_unexcused"]) == (0, 2)
    assert dawit["absence_alert"] and dawit["consecutive_absences"] >= 3
    assert not amal["absence_alert"]
    days = {(d["participant_id"], d["day"]): d for d in feed["days"]}
    assert feed["total_days"] == len(days) == 4
    wednesday = days[("p-amal", WED.isoformat())]
    assert (wednesday["status"], wednesday["late"], wednesday["forgotten_check_outs"]) == (
        "present",
        True,
        1,
    )
    assert days[("p-dawit", MON.isoformat())]["status"] == "absent"


def test_feed_json_pages_add_up(client: TestClient, engine: Engine, week) -> None:
    token = token_of(engine)
    whole = as_json(client, token)
    assert whole["period_end"] == "2026-11-25" and whole["period_start"] == "2026-05-25"
    paged, offset = [], 0
    while offset is not None:
        page = as_json(client, token, limit="7", offset=str(offset))
        assert len(page["days"]) <= 7 and page["participants"] == whole["participants"]
        paged += page["days"]
        offset = page["next_offset"]
    assert paged == whole["days"] and len(paged) == whole["total_days"] > 7


def test_feed_csv_reads_back_as_the_json(client: TestClient, engine: Engine, week) -> None:
    token = token_of(engine)
    feed = as_json(client, token, **LAST_WEEK)
    answer = get(client, token, "attendance.csv", **LAST_WEEK)
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[:3] == ["Deelnemer", "Naam", "Datum"]
    by_key = {(r["Deelnemer"], r["Datum"]): r for r in body}
    assert len(body) == feed["total_days"]
    for day in feed["days"]:
        row = by_key[(day["participant_id"], date.fromisoformat(day["day"]).strftime("%d-%m-%Y"))]
        assert float(row["Uren"].replace(",", ".")) == day["hours"]
    assert by_key[("p-amal", "16-11-2026")]["Uren"] == "8,00"
    assert by_key[("p-amal", "16-11-2026")]["Binnen"] == "08:30"


def test_feed_csv_summary_reads_back_as_the_json(client: TestClient, engine: Engine, week) -> None:
    token = token_of(engine)
    feed = as_json(client, token, **LAST_WEEK)
    text = get(client, token, "attendance.csv", view="summary", **LAST_WEEK).content
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    for row, summary in zip(rows, feed["participants"], strict=True):
        assert row["Naam"] == summary["display_name"]
        assert float(row["Uren"].replace(",", ".")) == summary["hours"]
        assert int(row["Dagen aanwezig"]) == summary["days_present"]
        assert int(row["Afwezig, niet afgemeld"]) == summary["absences_unexcused"]
        assert row["Van"] == "16-11-2026"


def test_feed_xlsx_reads_back_as_the_json(client: TestClient, engine: Engine, week) -> None:
    token = token_of(engine)
    feed = as_json(client, token, **LAST_WEEK)
    answer = get(client, token, "attendance.xlsx", **LAST_WEEK)
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Overzicht", "Per dag"]
    overview = list(book["Overzicht"].iter_rows(values_only=True))
    header = overview[0]
    for values, summary in zip(overview[1:], feed["participants"], strict=True):
        row = dict(zip(header, values, strict=True))
        assert row["Uren"] == summary["hours"] and isinstance(row["Uren"], (int, float))
        assert row["Dagen aanwezig"] == summary["days_present"]
        assert isinstance(row["Dagen aanwezig"], int)
        assert row["Van"] == datetime(2026, 11, 16)  # a real date cell
    per_day = list(book["Per dag"].iter_rows(values_only=True))
    rows = [dict(zip(per_day[0], values, strict=True)) for values in per_day[1:]]
    assert [(r["Deelnemer"], r["Datum"].date(), r["Uren"]) for r in rows] == [
        (d["participant_id"], date.fromisoformat(d["day"]), d["hours"]) for d in feed["days"]
    ]
    assert book["Per dag"]["C2"].is_date and book["Per dag"]["C2"].number_format.startswith("dd")
    monday = next(r for r in rows if r["Deelnemer"] == "p-amal" and r["Datum"].date() == MON)
    assert (monday["Binnen"], monday["Weg"]) == (time(8, 30), time(16, 30))  # real times


def test_feed_spreadsheets_do_not_run_a_name_as_a_formula(
    client: TestClient, engine: Engine, week
) -> None:
    with writing(engine) as conn:
        conn.execute(
            update(participants)
            .where(participants.c.id == "p-amal")
            .values(display_name='=HYPERLINK("http://x")')
        )
    token = token_of(engine)
    text = get(client, token, "attendance.csv", view="summary").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    book = openpyxl.load_workbook(io.BytesIO(get(client, token, "attendance.xlsx").content))
    names = [cell for cell in book["Overzicht"]["B"] if str(cell.value).startswith("=")]
    assert names and all(cell.data_type == "s" for cell in names)


def ics_events(client: TestClient, token: str, **params: str) -> dict[str, Any]:
    answer = get(client, token, "attendance.ics", **params)
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    assert "Aanwezigheid" in str(calendar["X-WR-CALNAME"])
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_ics_sessions_and_absences(client: TestClient, engine: Engine, week) -> None:
    found = ics_events(client, token_of(engine), **{"from": "2026-11-16", "to": "2026-11-24"})
    summaries = sorted(str(e["SUMMARY"]) for e in found.values())
    assert "Amal aanwezig" in summaries
    assert "Amal aanwezig (uitchecken vergeten)" in summaries
    assert "Amal: Afwezig (ziek)" in summaries
    assert summaries.count("Dawit: Afwezig, niet afgemeld") == 3  # 16, 18 and 23 November
    monday = next(e for e in found.values() if str(e["SUMMARY"]) == "Amal aanwezig")
    assert monday.decoded("DTSTART") == local(MON, "08:30")
    assert monday.decoded("DTEND") == local(MON, "16:30")
    sick = next(e for e in found.values() if "ziek" in str(e["SUMMARY"]))
    assert sick.decoded("DTSTART") == date(2026, 11, 23)  # all day


def test_feed_ics_uids_are_stable_and_corrections_update_in_place(
    client: TestClient, engine: Engine, week: Week
) -> None:
    token = token_of(engine)
    before = ics_events(client, token)
    assert ics_events(client, token).keys() == before.keys()  # the same UIDs every time
    forgotten = next(e for e in before.values() if "vergeten" in str(e["SUMMARY"]))
    add_correction(engine, "p-amal", "add_check_out", local(WED, "12:00"), "vergeten")
    after = ics_events(client, token)
    fixed = after[str(forgotten["UID"])]
    assert str(fixed["SUMMARY"]) == "Amal aanwezig"
    assert fixed.decoded("DTEND") == local(WED, "12:00")
    assert int(fixed["SEQUENCE"]) > int(forgotten["SEQUENCE"])
    assert fixed.decoded("LAST-MODIFIED") == datetime(2026, 11, 24, 9, tzinfo=UTC)
    add_correction(engine, "p-amal", "move", local(WED, "08:30"), "bus te laat",
                   event_id=week.wednesday_in)  # fmt: skip
    moved = ics_events(client, token)[str(forgotten["UID"])]
    assert moved.decoded("DTSTART") == local(WED, "08:30")
    assert int(moved["SEQUENCE"]) > int(fixed["SEQUENCE"])


def test_feed_ics_sequence_only_grows_when_an_excuse_comes_and_goes(
    browser_client: TestClient, engine: Engine, week: Week, clock: HeldClock
) -> None:
    # RFC 5545: SEQUENCE never goes down, or a calendar keeps the stale "ziek".
    token, uid = token_of(engine), "afwezig-p-dawit-20261118@prikklok"
    dawit_day = "/sites/north/participants/p-dawit/days/2026-11-18"
    csrf = log_in(browser_client, "marieke")
    seen = [ics_events(browser_client, token, **LAST_WEEK)[uid]]
    for step, (path, form) in enumerate(
        [("/absence", {"reason": "sick"}), ("/absence/delete", {})]
    ):
        clock.now = NOW + timedelta(minutes=step + 1)
        answer = browser_client.post(dawit_day + path, data={"csrf": csrf, **form},
                                     follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303, answer.text
        seen.append(ics_events(browser_client, token, **LAST_WEEK)[uid])
    assert [str(e["SUMMARY"]) for e in seen] == [
        "Dawit: Afwezig, niet afgemeld", "Dawit: Afwezig (ziek)", "Dawit: Afwezig, niet afgemeld"
    ]  # fmt: skip
    first, excused, removed = (int(e["SEQUENCE"]) for e in seen)
    assert first == 0 and excused >= 1 and removed > excused
    assert seen[2].decoded("LAST-MODIFIED") == clock.now  # when the excuse was taken away


@pytest.mark.parametrize("name", ["attendance.json", "attendance.csv", "attendance.xlsx",
                                  "attendance.ics"])  # fmt: skip
def test_feed_headers_keep_the_link_private(
    client: TestClient, engine: Engine, week, name: str
) -> None:
    token = token_of(engine)
    for answer in (client.get(f"/feeds/{token}/{name}"), client.get(f"/feeds/nope/{name}")):
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
    assert client.get(f"/feeds/nope/{name}").status_code == 404


def test_feed_revoked_link_is_404_at_once(client: TestClient, engine: Engine, week) -> None:
    token = token_of(engine)
    get(client, token, "attendance.ics")
    with writing(engine) as conn:
        conn.execute(update(feed_tokens).values(revoked_at=NOW))
    for name in ("attendance.json", "attendance.csv", "attendance.xlsx", "attendance.ics"):
        answer = client.get(f"/feeds/{token}/{name}")
        assert answer.status_code == 404
        assert "Amal" not in answer.text


def test_feed_of_a_disabled_coach_is_404(client: TestClient, engine: Engine, week) -> None:
    from server.schema import staff

    token = token_of(engine)
    with writing(engine) as conn:
        conn.execute(update(staff).where(staff.c.id == "c-carla").values(active=False))
    assert client.get(f"/feeds/{token}/attendance.json").status_code == 404


def test_feed_has_only_the_coachs_own_participants(
    client: TestClient, engine: Engine, week
) -> None:
    koen = token_of(engine, "c-koen")
    feed = as_json(client, koen)
    assert [p["participant_id"] for p in feed["participants"]] == ["p-olena"]
    for name in ("attendance.csv", "attendance.ics"):
        assert "Amal" not in get(client, koen, name).text
    answer = client.get(f"/feeds/{koen}/attendance.json", params={"participant": "p-amal"})
    assert answer.status_code == 404
    carla = as_json(client, token_of(engine), participant="p-amal")
    assert [p["participant_id"] for p in carla["participants"]] == ["p-amal"]


def test_feed_access_is_stamped_and_audited(client: TestClient, engine: Engine, week) -> None:
    token = token_of(engine)
    get(client, token, "attendance.csv")
    with engine.connect() as conn:
        used = conn.execute(select(feed_tokens.c.last_used_at)).scalar_one()
        rows = conn.execute(
            select(audit_log.c.participant_id, audit_log.c.detail, audit_log.c.actor).where(
                audit_log.c.action == "feed"
            )
        ).all()
    assert used == NOW
    assert sorted(r.participant_id for r in rows) == ["p-amal", "p-dawit"]
    assert all(r.detail["format"] == "csv" and r.actor == "coach:c-carla" for r in rows)


def test_feed_shows_taps_pushed_by_a_door(
    client: TestClient, engine: Engine, world: World, staff_world: Staff
) -> None:
    agree(engine, "p-amal")
    monday = "2026-11-23"
    records = [
        wire(1, wall_at=f"{monday}T07:30:00+00:00", workshop_day=monday, monotonic=100.0),
        wire(2, kind="check_out", wall_at=f"{monday}T15:00:00+00:00", workshop_day=monday,
             monotonic=27100.0),
    ]  # fmt: skip
    pushed = client.post("/api/v1/records", json={"records": records}, headers=world.auth())
    assert [r["status"] for r in pushed.json()["results"]] == ["accepted", "accepted"]
    feed = as_json(client, token_of(engine), participant="p-amal", **{"from": monday})
    [day] = [d for d in feed["days"] if d["day"] == monday]
    assert (day["status"], day["hours"], day["late"]) == ("present", 7.5, False)


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-22", "to": "2026-11-16"},
        {"from": "2024-01-01", "to": "2026-01-01"},
        {"from": "1899-01-01", "to": "1899-02-01"},
        {"from": "not-a-date"},
        {"limit": "0"},
    ],
)
def test_feed_bad_query_is_a_clear_422(
    client: TestClient, engine: Engine, week, params: dict[str, str]
) -> None:
    answer = client.get(f"/feeds/{token_of(engine)}/attendance.json", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"]
    assert answer.headers["referrer-policy"] == "no-referrer"


def test_feed_json_is_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/feeds/{token}/attendance.json" in schema["paths"]
    assert "AttendanceFeed" in schema["components"]["schemas"]
    assert not any(path.endswith((".csv", ".ics", ".xlsx")) for path in schema["paths"])


def test_feed_history_takes_a_constant_number_of_queries(engine: Engine, world: World) -> None:
    for pid in ("p-amal", "p-dawit"):
        agree(engine, pid, "1,2,3,4,5")
        for day in range(2, 28):
            when = date(2026, 11, day)
            add_tap(engine, pid, "check_in", local(when, "08:30"))
            add_tap(engine, pid, "check_out", local(when, "16:00"))
        add_correction(engine, pid, "add_check_out", local(date(2026, 11, 3), "12:00"), "x")
    counts = []
    for ids in (["p-amal"], ["p-amal", "p-dawit"]):
        statements: list[str] = []

        def listener(*args: Any, seen: list[str] = statements) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        with engine.connect() as conn:
            history = load_history(conn, ids, date(2026, 10, 1), date(2026, 11, 30))
        event.remove(engine, "before_cursor_execute", listener)
        assert all(len(history.records[p].taps) == 52 for p in ids)
        counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    # participants and sites, taps, corrections, absences, excuse changes, and what they said
    # at the door (server.attendance.statements: reasons, announced absences, estimates)
    assert counts[0] == counts[1] <= 6


def test_feed_names_with_separators_and_long_scripts_read_back_whole(
    client: TestClient, engine: Engine, week
) -> None:
    name = 'Amal; "Al-Rashid", أمل عبد الرحمن الحسيني ' * 3  # past 75 octets, in two scripts
    with writing(engine) as conn:
        conn.execute(
            update(participants).where(participants.c.id == "p-amal").values(display_name=name)
        )
    token = token_of(engine, label="Agenda, werk; 2026")
    found = ics_events(client, token, **LAST_WEEK)
    assert f"{name} aanwezig" in [str(e["SUMMARY"]) for e in found.values()]
    text = get(client, token, "attendance.csv", view="summary").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert name in [row["Naam"] for row in rows]
    book = openpyxl.load_workbook(io.BytesIO(get(client, token, "attendance.xlsx").content))
    assert name in [cell.value for cell in book["Overzicht"]["B"]]

"""Participants and badges on the staff pages: list, add, edit, give and revoke badges,
enrol an unknown badge, and one site's supervisor kept out of another site."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from kiosk.decide import DoorRules, Outcome, Tap, decide
from kiosk.site_presence import Presence
from server.schema import audit_log, badges, coach_participants, participants, staff
from server.web.records import KIOSK_LANGUAGES
from sync.clock import Instant
from sync.protocol import Snapshot
from sync.roster import DoorData
from tests.server.conftest import Staff, World, log_in, wire

HTML = {"accept": "text/html"}
NEW = "/sites/north/participants/new"


def form(**fields: Any) -> dict[str, Any]:
    """A filled participant form; fields override."""
    data: dict[str, Any] = {
        "display_name": "Yonas",
        "language": "ti",
        "program_start": "2026-12-01",
        "program_end": "2027-05-31",
        "weekdays": ["1", "3"],
        "coach": "",
        "team": "hout",
        "birthday_day": "",
        "birthday_month": "",
        "active": "1",
        "word_check": "1",
    }
    data.update(fields)
    return data


def post(client: TestClient, url: str, csrf: str, data: dict[str, Any] | None = None, **kw: Any):
    return client.post(url, data={**(data or {}), "csrf": csrf}, headers=HTML, **kw)


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar())


def snapshot(client: TestClient, world: World) -> Snapshot:
    answer = client.get("/api/v1/snapshot", headers=world.auth())
    assert answer.status_code == 200, answer.text
    return Snapshot.model_validate(answer.json())


def test_records_list_shows_the_sites_participants(browser_client, staff_world: Staff) -> None:
    log_in(browser_client, "marieke")
    page = browser_client.get("/sites/north/participants", headers=HTML)
    assert page.status_code == 200
    for shown in ("Amal", "Dawit", "04A1B2C3", "04D4E5F6", "Arabisch", "Carla"):
        assert shown in page.text
    assert "Olena" not in page.text
    assert "/sites/north/participants/p-amal/days/2026-11-25" in page.text
    assert "/admin/participants/p-amal/export" not in page.text  # for admins only


def test_records_list_shows_weekdays_in_dutch(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, NEW, csrf, form(weekdays=["2", "4"]))
    page = browser_client.get("/sites/north/participants", headers=HTML)
    assert "dinsdag, donderdag" in page.text


def test_records_admin_gets_export_and_erase_links(browser_client, staff_world) -> None:
    log_in(browser_client, "anna")
    page = browser_client.get("/sites/south/participants", headers=HTML)
    assert "Olena" in page.text and "/admin/participants/p-olena/export" in page.text
    edit = browser_client.get("/sites/south/participants/p-olena/edit", headers=HTML)
    assert 'action="/admin/participants/p-olena/erase"' in edit.text and "data-confirm" in edit.text


def test_records_add_participant_reaches_the_door(
    browser_client, staff_world, world: World, engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    data = form(coach="c-carla", birthday_day="21", birthday_month="3", id="p-yonas")
    answer = post(browser_client, NEW, csrf, data, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sites/north/participants/p-yonas/edit")
    page = browser_client.get(answer.headers["location"], headers=HTML)
    assert "Yonas" in page.text and "toegevoegd" in page.text
    door = DoorData.from_dict(snapshot(browser_client, world).door_data_dict())
    yonas = door.participants["p-yonas"]
    assert (yonas.birthday, yonas.agreed_weekdays, yonas.language) == ((3, 21), {1, 3}, "ti")
    assert count(engine, coach_participants, coach_participants.c.participant_id == "p-yonas")


def test_records_new_participant_gets_an_id_when_none_given(browser_client, staff_world, engine):
    csrf = log_in(browser_client, "marieke")
    answer = post(browser_client, NEW, csrf, form(), follow_redirects=False)
    new_id = answer.headers["location"].split("/")[4]
    assert new_id.startswith("p-")
    with engine.connect() as conn:
        row = conn.execute(select(participants).where(participants.c.id == new_id)).one()
    assert (row.site_id, row.display_name, row.team, row.birthday) == (
        "north",
        "Yonas",
        "hout",
        None,
    )


def test_records_other_language_as_free_text(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, NEW, csrf, form(id="p-ps", language_other="ps"))
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(participants.c.language).where(participants.c.id == "p-ps")
            ).scalar()
            == "ps"
        )


def test_records_form_languages_are_the_kiosks() -> None:
    locales = {p.name for p in (Path(__file__).parents[3] / "kiosk" / "locale").iterdir()}
    assert locales <= set(KIOSK_LANGUAGES)
    assert set(KIOSK_LANGUAGES) - locales == {"prs"}  # Dari: the kiosk reads it as Persian


def test_records_bad_form_shows_every_mistake_and_saves_nothing(
    browser_client, staff_world, engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    before = count(engine, participants)
    bad = form(
        display_name="",
        program_start="2027-05-31",
        program_end="2026-12-01",
        birthday_day="31",
        birthday_month="2",
        coach="c-nobody",
    )
    answer = post(browser_client, NEW, csrf, bad)
    assert answer.status_code == 400
    for message in ("Naam: vul een naam in", "na het begin", "deze dag bestaat niet", "Coach"):
        assert message in answer.text
    assert 'value="hout"' in answer.text  # what was typed is kept
    assert count(engine, participants) == before


def test_records_birthday_needs_day_and_month(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    answer = post(browser_client, NEW, csrf, form(birthday_day="12"))
    assert answer.status_code == 400 and "dag én maand" in answer.text


def test_records_taken_id_is_refused(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    answer = post(browser_client, NEW, csrf, form(id="p-olena"))
    assert answer.status_code == 400 and "bestaat al" in answer.text


def test_records_edit_saves_and_shows(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    url = "/sites/north/participants/p-amal/edit"
    page = browser_client.get(url, headers=HTML)
    assert 'value="Amal"' in page.text and "04A1B2C3" in page.text
    data = form(display_name="Amal H.", language="ar", coach="c-koen", coach_was="c-carla")
    answer = post(browser_client, url, csrf, data)
    assert answer.status_code == 200 and "Opgeslagen" in answer.text
    assert 'value="Amal H."' in answer.text
    with engine.connect() as conn:
        coaches = set(
            conn.execute(
                select(coach_participants.c.coach_id).where(
                    coach_participants.c.participant_id == "p-amal"
                )
            ).scalars()
        )
        detail = conn.execute(
            select(audit_log.c.detail).where(
                audit_log.c.action == "participant", audit_log.c.participant_id == "p-amal"
            )
        ).scalar_one()
    assert coaches == {"c-koen"}
    assert "display_name" in detail["fields"] and "Amal" not in str(detail)  # no names


def test_records_edit_can_make_inactive(browser_client, staff_world, world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    data = form(display_name="Dawit", language="ti")
    del data["active"]
    post(browser_client, "/sites/north/participants/p-dawit/edit", csrf, data)
    assert "p-dawit" not in {p.id for p in snapshot(browser_client, world).participants}
    page = browser_client.get("/sites/north/participants", headers=HTML)
    assert "niet actief" in page.text


def test_records_other_site_cannot_be_read_or_changed(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    for url in ("/sites/south/participants", "/sites/south/participants/p-olena/edit"):
        assert browser_client.get(url, headers=HTML).status_code == 403
    # Olena through Marieke's own site: not found there.
    assert browser_client.get("/sites/north/participants/p-olena/edit").status_code == 404
    forged = form(display_name="Hacked", site_id="north")
    for url in ("/sites/north/participants/p-olena/edit", "/sites/south/participants/p-olena/edit"):
        assert post(browser_client, url, csrf, forged).status_code in (403, 404)
    assert post(browser_client, "/sites/south/participants/new", csrf, form()).status_code == 403
    with engine.connect() as conn:
        name = conn.execute(
            select(participants.c.display_name).where(participants.c.id == "p-olena")
        ).scalar()
    assert name == "Olena"


def test_records_forged_site_field_is_ignored(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, NEW, csrf, form(id="p-forged", site_id="south", site="south"))
    with engine.connect() as conn:
        site = conn.execute(
            select(participants.c.site_id).where(participants.c.id == "p-forged")
        ).scalar()
    assert site == "north"


def test_records_coach_cannot_open_the_list(browser_client, staff_world) -> None:
    log_in(browser_client, "carla")
    assert browser_client.get("/sites/north/participants").status_code == 403


def test_records_give_badge_replaces_the_old_one(browser_client, staff_world, world, engine):
    csrf = log_in(browser_client, "marieke")
    url = "/sites/north/participants/p-amal/badges"
    page = post(browser_client, url, csrf, {"uid": "04:aa:bb:cc"})
    assert page.status_code == 200 and "04AABBCC" in page.text
    door = {b.uid: b for b in snapshot(browser_client, world).badges}
    assert door["04AABBCC"].holder_id == "p-amal" and door["04AABBCC"].active
    assert not door["04A1B2C3"].active  # the old one now says "see a supervisor"


def test_records_badge_held_by_someone_else(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    url = "/sites/north/participants/p-dawit/badges"
    same_site = post(browser_client, url, csrf, {"uid": "04A1B2C3"})
    assert same_site.status_code == 400 and "al van Amal" in same_site.text
    other_site = post(browser_client, url, csrf, {"uid": "04778899"})
    assert other_site.status_code == 400 and "andere locatie" in other_site.text
    assert "Olena" not in other_site.text
    bad = post(browser_client, url, csrf, {"uid": "not-a-badge"})
    assert bad.status_code == 400 and "04A1B2C3" in bad.text and "badgenummer" in bad.text


def test_records_revoke_badge(browser_client, staff_world, world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    url = "/sites/north/participants/p-amal/badges/04A1B2C3/revoke"
    assert "ingetrokken" in post(browser_client, url, csrf).text
    assert count(engine, badges, badges.c.uid == "04A1B2C3", badges.c.revoked_at.is_(None)) == 0
    door = {b.uid: b for b in snapshot(browser_client, world).badges}
    assert not door["04A1B2C3"].active


def test_records_cannot_revoke_another_sites_badge(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    for url in (
        "/sites/north/participants/p-amal/badges/04778899/revoke",  # Olena's, via Amal
        "/sites/north/participants/p-olena/badges/04778899/revoke",
        "/sites/south/participants/p-olena/badges/04778899/revoke",
    ):
        assert post(browser_client, url, csrf).status_code in (403, 404)
    assert count(engine, badges, badges.c.uid == "04778899", badges.c.revoked_at.is_(None)) == 1


def _unknown_tap(client: TestClient, world: World, uid: str, seq: int, at: str) -> None:
    record = wire(seq, kind="unknown_badge", participant_id=None, badge_uid=uid, wall_at=at)
    answer = client.post("/api/v1/records", json={"records": [record]}, headers=world.auth())
    assert answer.json()["results"][0]["status"] == "accepted", answer.text


def test_records_enrol_unknown_badge_then_it_checks_in(
    browser_client, staff_world, world: World, engine
) -> None:
    _unknown_tap(browser_client, world, "04BEEF01", 1, "2026-11-24T08:10:00+00:00")
    _unknown_tap(browser_client, world, "04BEEF01", 2, "2026-11-25T08:05:00+00:00")
    csrf = log_in(browser_client, "marieke")
    page = browser_client.get("/sites/north/participants", headers=HTML)
    assert "Onbekende badges" in page.text and "04BEEF01" in page.text
    enrol = {"uid": "04BEEF01", "participant_id": "p-dawit"}
    answer = post(browser_client, "/sites/north/badges/enrol", csrf, enrol)
    assert answer.status_code == 200 and "De badge is gegeven" in answer.text
    assert "Onbekende badges" not in answer.text  # enrolled: no longer unknown
    # The door's next snapshot knows the badge: a tap of it is Dawit checking in ...
    door = DoorData.from_dict(snapshot(browser_client, world).door_data_dict())
    at = Instant(datetime(2026, 11, 25, 9, 1, tzinfo=UTC), 200.0, "boot-1", True)
    decision = decide(Tap("04BEEF01", at), door, Presence(), DoorRules())
    assert decision.outcome is Outcome.CHECK_IN and decision.participant is not None
    assert decision.participant.id == "p-dawit"
    # ... which the server takes, and counts as Dawit in.
    record = wire(
        3, participant_id="p-dawit", badge_uid="04BEEF01", wall_at="2026-11-25T09:01:00+00:00"
    )
    pushed = browser_client.post(
        "/api/v1/records", json={"records": [record]}, headers=world.auth()
    )
    assert pushed.json()["results"][0]["status"] == "accepted"
    present = browser_client.get("/api/v1/presence", headers=world.auth()).json()
    assert "p-dawit" in {p["id"] for p in present["participants"]}


def test_records_enrol_is_for_own_participants_only(browser_client, staff_world, world, engine):
    _unknown_tap(browser_client, world, "04BEEF02", 1, "2026-11-25T08:05:00+00:00")
    csrf = log_in(browser_client, "marieke")
    forged = {"uid": "04BEEF02", "participant_id": "p-olena"}
    assert post(browser_client, "/sites/north/badges/enrol", csrf, forged).status_code == 404
    assert post(browser_client, "/sites/south/badges/enrol", csrf, forged).status_code == 403
    assert count(engine, badges, badges.c.uid == "04BEEF02") == 0
    missing = post(browser_client, "/sites/north/badges/enrol", csrf, {"uid": "04BEEF02"})
    assert missing.status_code == 400 and "Kies eerst een deelnemer" in missing.text


def test_records_unknown_badges_older_than_two_weeks_are_not_offered(
    browser_client, staff_world, world
) -> None:
    _unknown_tap(browser_client, world, "04BEEF03", 1, "2026-11-01T08:05:00+00:00")
    log_in(browser_client, "marieke")
    assert "04BEEF03" not in browser_client.get("/sites/north/participants", headers=HTML).text


def test_records_names_are_escaped(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, NEW, csrf, form(id="p-x", display_name="<script>alert(1)</script>"))
    for url in ("/sites/north/participants", "/sites/north/participants/p-x/edit"):
        text = browser_client.get(url, headers=HTML).text
        assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_records_views_and_changes_are_audited(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    browser_client.get("/sites/north/participants", headers=HTML)
    post(browser_client, "/sites/north/participants/p-amal/badges", csrf, {"uid": "04AABBCC"})
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.actor).where(
                audit_log.c.participant_id == "p-amal"
            )
        ).all()
    assert ("view", "supervisor:s-marieke") in rows and ("badge", "supervisor:s-marieke") in rows


def test_records_unknown_site_is_not_found(browser_client, staff_world) -> None:
    log_in(browser_client, "anna")
    assert browser_client.get("/sites/nowhere/participants").status_code == 404


def test_records_changes_need_the_forms_token(browser_client, staff_world, engine) -> None:
    log_in(browser_client, "marieke")
    before = count(engine, participants)
    for url, data in (
        (NEW, form()),
        ("/sites/north/participants/p-amal/edit", form(display_name="Forged")),
        ("/sites/north/participants/p-amal/badges", {"uid": "04AABBCC"}),
        ("/sites/north/participants/p-amal/badges/04A1B2C3/revoke", {}),
        ("/sites/north/badges/enrol", {"uid": "04AABBCC", "participant_id": "p-amal"}),
    ):
        assert post(browser_client, url, "forged-token", data).status_code == 403, url
    assert count(engine, participants) == before
    assert count(engine, badges, badges.c.holder_id == "p-amal") == 1
    assert count(engine, participants, participants.c.display_name == "Amal") == 1


def test_records_language_must_be_a_code(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    answer = post(browser_client, NEW, csrf, form(language_other="عربي"))
    assert answer.status_code == 400 and "taalcode" in answer.text


def test_records_saving_keeps_a_disabled_coachs_link(browser_client, staff_world, engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(staff).where(staff.c.id == "c-carla").values(active=False))
    csrf = log_in(browser_client, "marieke")
    page = browser_client.get("/sites/north/participants/p-amal/edit", headers=HTML).text
    assert '<option value="c-carla" selected>Carla</option>' in page
    post(
        browser_client,
        "/sites/north/participants/p-amal/edit",
        csrf,
        form(display_name="Amal", coach="c-carla", coach_was="c-carla"),
    )
    assert count(engine, coach_participants, coach_participants.c.coach_id == "c-carla") == 2

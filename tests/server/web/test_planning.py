"""The planning page: tasks and the word of the day, three weeks at a time, reaching the
doors through the snapshot; one site's supervisor kept out of another's plan."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.schema import audit_log, tasks, words
from sync.protocol import Snapshot
from tests.server.conftest import Staff, World, log_in

HTML = {"accept": "text/html"}
PLAN = "/sites/north/planning"


def post(client: TestClient, url: str, csrf: str, data: dict[str, Any] | None = None, **kw: Any):
    return client.post(url, data={**(data or {}), "csrf": csrf}, headers=HTML, **kw)


def word(**fields: str) -> dict[str, str]:
    data = {
        "day": "2026-11-26",
        "word": "hamer",
        "article": "de",
        "sentence": "Ik sla de spijker met de hamer.",
        "symbol": "🔨",
        "theme": "Gereedschap",
        "tr_ar": "مطرقة",
        "tr_ti": "መዶሻ",
        "tr_uk": "молоток",
    }
    data.update(fields)
    return data


def rows(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar())


def snapshot(client: TestClient, world: World, etag: str | None = None, understands: str = ""):
    headers = {**world.auth(), **({"If-None-Match": etag} if etag else {})}
    if understands:
        headers["Prikklok-Understands"] = understands
    return client.get("/api/v1/snapshot", headers=headers)


def test_planning_shows_three_weeks_from_today(browser_client, staff_world: Staff) -> None:
    log_in(browser_client, "marieke")
    page = browser_client.get(PLAN, headers=HTML)
    assert page.status_code == 200
    assert "woensdag 25 november 2026 · vandaag" in page.text
    assert "dinsdag 15 december 2026" in page.text  # the 21st day
    assert "woensdag 16 december 2026" not in page.text


def test_planning_from_another_day(browser_client, staff_world) -> None:
    log_in(browser_client, "marieke")
    page = browser_client.get(f"{PLAN}?from=2027-04-26", headers=HTML)
    assert "maandag 26 april 2027" in page.text and "vandaag" not in page.text
    bad = browser_client.get(f"{PLAN}?from=morgen", headers=HTML)
    assert bad.status_code == 400 and "geen datum" in bad.text


def test_planning_task_for_everyone_reaches_the_door(
    browser_client, staff_world, world: World, engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    etag = snapshot(browser_client, world).headers["etag"]
    task = {"day": "2026-11-25", "text": "Koffie zetten", "for": ""}
    answer = post(browser_client, f"{PLAN}/tasks", csrf, task)
    assert answer.status_code == 200 and "Koffie zetten" in answer.text
    assert "iedereen" in answer.text
    changed = snapshot(browser_client, world, etag)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    door = Snapshot.model_validate(changed.json())
    assert [(t.text, t.participant_id, t.team) for t in door.tasks] == [
        ("Koffie zetten", None, None)
    ]


def test_planning_task_for_one_participant_and_a_team(browser_client, staff_world, world) -> None:
    csrf = log_in(browser_client, "marieke")
    post(
        browser_client,
        f"{PLAN}/tasks",
        csrf,
        {"day": "2026-11-26", "text": "Schuren", "for": "participant:p-amal"},
    )
    post(
        browser_client,
        f"{PLAN}/tasks",
        csrf,
        {"day": "2026-11-26", "text": "Vegen", "for": "team:hout"},
    )
    page = browser_client.get(PLAN, headers=HTML)
    assert "Schuren" in page.text and "· Amal" in page.text
    assert "Vegen" in page.text and "team hout" in page.text
    door = Snapshot.model_validate(snapshot(browser_client, world).json())
    assert {(t.text, t.participant_id, t.team) for t in door.tasks} == {
        ("Schuren", "p-amal", None),
        ("Vegen", None, "hout"),
    }


def test_planning_bad_task_is_refused_and_nothing_saved(browser_client, staff_world, engine):
    csrf = log_in(browser_client, "marieke")
    for data, message in (
        ({"day": "2026-11-25", "text": "", "for": ""}, "1 tot 200 tekens"),
        ({"day": "2026-11-25", "text": "x" * 201, "for": ""}, "1 tot 200 tekens"),
        ({"day": "", "text": "Vegen", "for": ""}, "Kies een dag"),
        ({"day": "2026-11-25", "text": "Vegen", "for": "participant:p-olena"}, "niet van deze"),
        ({"day": "2026-11-25", "text": "Vegen", "for": "boss:me"}, "voor wie"),
    ):
        answer = post(browser_client, f"{PLAN}/tasks", csrf, data)
        assert answer.status_code == 400 and message in answer.text, data
    assert rows(engine, tasks) == 0


def test_planning_delete_task(browser_client, staff_world, world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, f"{PLAN}/tasks", csrf, {"day": "2026-11-25", "text": "Ramen", "for": ""})
    with engine.connect() as conn:
        task_id = conn.execute(select(tasks.c.id)).scalar_one()
    answer = post(browser_client, f"{PLAN}/tasks/{task_id}/delete", csrf)
    assert answer.status_code == 200 and "Ramen" not in answer.text
    assert Snapshot.model_validate(snapshot(browser_client, world).json()).tasks == []


def test_planning_word_of_the_day_reaches_the_door(
    browser_client, staff_world, world: World, engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    etag = snapshot(browser_client, world).headers["etag"]
    answer = post(browser_client, f"{PLAN}/words", csrf, word())
    assert answer.status_code == 200
    for shown in ("hamer", "Ik sla de spijker", "🔨", "Gereedschap", "مطرقة", "молоток"):
        assert shown in answer.text
    changed = snapshot(browser_client, world, etag)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    [door_word] = Snapshot.model_validate(changed.json()).words
    assert (door_word.word, door_word.article, door_word.symbol) == ("hamer", "de", "🔨")
    assert door_word.translations == {"ar": "مطرقة", "ti": "መዶሻ", "uk": "молоток"}


def test_planning_word_replaces_that_days_word(browser_client, staff_world, world, engine):
    csrf = log_in(browser_client, "marieke")
    post(browser_client, f"{PLAN}/words", csrf, word())
    post(browser_client, f"{PLAN}/words", csrf, word(word="zaag", sentence="", tr_ar=""))
    assert rows(engine, words) == 1
    [door_word] = Snapshot.model_validate(snapshot(browser_client, world).json()).words
    assert door_word.word == "zaag" and "ar" not in door_word.translations


def test_planning_word_form_is_filled_for_editing(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, f"{PLAN}/words", csrf, word())
    page = browser_client.get(f"{PLAN}?edit=2026-11-26", headers=HTML)
    assert 'name="word" value="hamer"' in page.text and 'value="2026-11-26"' in page.text


def test_planning_translation_field_per_language_spoken(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    page = browser_client.get(PLAN, headers=HTML)
    for code in ("en", "ar", "ti", "fa", "so", "uk", "tr"):
        assert f'name="tr_{code}"' in page.text
    assert 'name="tr_nl"' not in page.text
    person = {"display_name": "Gul", "language_other": "ps", "active": "1", "csrf": csrf}
    browser_client.post("/sites/north/participants/new", data=person)
    assert 'name="tr_ps"' in browser_client.get(PLAN, headers=HTML).text


def test_planning_bad_word_is_refused_and_nothing_saved(browser_client, staff_world, engine):
    csrf = log_in(browser_client, "marieke")
    for data, message in (
        (word(word=""), "1 tot 200 tekens"),
        (word(article="der"), "de, het of geen"),
        (word(symbol="x" * 17), "symbool"),
        (word(day="2026-02-30"), "Kies een dag"),
    ):
        answer = post(browser_client, f"{PLAN}/words", csrf, data)
        assert answer.status_code == 400 and message in answer.text, data
        assert 'value="Ik sla de spijker met de hamer."' in answer.text  # kept as typed
    assert rows(engine, words) == 0


def test_planning_delete_word(browser_client, staff_world, world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, f"{PLAN}/words", csrf, word())
    answer = post(browser_client, f"{PLAN}/words/2026-11-26/delete", csrf)
    assert answer.status_code == 200 and "Verwijderd" in answer.text
    assert Snapshot.model_validate(snapshot(browser_client, world).json()).words == []
    assert post(browser_client, f"{PLAN}/words/2026-11-26/delete", csrf).status_code == 404


def test_planning_other_site_is_out_of_reach(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(browser_client, f"{PLAN}/tasks", csrf, {"day": "2026-11-25", "text": "Ramen", "for": ""})
    post(browser_client, f"{PLAN}/words", csrf, word())
    with engine.connect() as conn:
        task_id = conn.execute(select(tasks.c.id)).scalar_one()
    browser_client.cookies.clear()
    csrf = log_in(browser_client, "sven")
    south = "/sites/south/planning"
    assert browser_client.get(PLAN, headers=HTML).status_code == 403
    assert (
        post(
            browser_client, f"{PLAN}/tasks", csrf, {"day": "2026-11-25", "text": "x", "for": ""}
        ).status_code
        == 403
    )
    assert post(browser_client, f"{PLAN}/tasks/{task_id}/delete", csrf).status_code == 403
    assert post(browser_client, f"{south}/tasks/{task_id}/delete", csrf).status_code == 404
    assert post(browser_client, f"{south}/words/2026-11-26/delete", csrf).status_code == 404
    assert post(browser_client, f"{PLAN}/words", csrf, word(word="x")).status_code == 403
    assert rows(engine, tasks) == 1 and rows(engine, words) == 1
    assert "Ramen" not in browser_client.get(south, headers=HTML).text


def test_planning_coach_has_no_planning(browser_client, staff_world) -> None:
    log_in(browser_client, "carla")
    assert browser_client.get(PLAN, headers=HTML).status_code == 403


def test_planning_text_is_escaped(browser_client, staff_world) -> None:
    csrf = log_in(browser_client, "marieke")
    post(
        browser_client,
        f"{PLAN}/tasks",
        csrf,
        {"day": "2026-11-25", "text": "<script>x()</script>", "for": ""},
    )
    post(browser_client, f"{PLAN}/words", csrf, word(word="<b>hamer</b>"))
    page = browser_client.get(PLAN, headers=HTML).text
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page
    assert "<b>hamer" not in page and "&lt;b&gt;hamer" in page


def test_planning_changes_are_audited(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    post(
        browser_client,
        f"{PLAN}/tasks",
        csrf,
        {"day": "2026-11-26", "text": "Schuren", "for": "participant:p-amal"},
    )
    with engine.connect() as conn:
        logged = conn.execute(
            select(audit_log.c.action, audit_log.c.participant_id).where(
                audit_log.c.actor == "supervisor:s-marieke"
            )
        ).all()
    assert ("task", "p-amal") in logged


def test_planning_day_links_open_the_forms_for_that_day(browser_client, staff_world) -> None:
    log_in(browser_client, "marieke")
    task = browser_client.get(f"{PLAN}?task=2026-12-03", headers=HTML).text
    assert '<details class="card" id="taak" open>' in task
    assert 'name="day" value="2026-12-03"' in task
    plain = browser_client.get(PLAN, headers=HTML).text
    assert '<details class="card" id="taak">' in plain


def test_planning_pictogram_search_without_script_keeps_what_was_typed(
    browser_client, staff_world, engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    typed = {"day": "2026-11-26", "text": "Banden plakken", "for": "", "zoek": "fiets"}
    answer = post(browser_client, f"{PLAN}/tasks", csrf, {**typed, "actie": "zoek"})
    assert answer.status_code == 200 and rows(engine, tasks) == 0
    assert 'name="pictogram" value="fiets"' in answer.text
    assert 'value="Banden plakken"' in answer.text and 'value="fiets"' in answer.text
    assert '<details class="card" id="taak" open>' in answer.text


def test_planning_pictogram_reaches_the_door(browser_client, staff_world, world) -> None:
    csrf = log_in(browser_client, "marieke")
    task = {"day": "2026-11-25", "text": "Fietsen repareren", "for": "", "pictogram": "fiets"}
    answer = post(browser_client, f"{PLAN}/tasks", csrf, task)
    assert 'src="/pictograms/fiets.png"' in answer.text
    post(browser_client, f"{PLAN}/words", csrf, word(pictogram="hamer"))
    door = Snapshot.model_validate(snapshot(browser_client, world, understands="pictogram").json())
    assert [t.pictogram for t in door.tasks] == ["fiets"]
    assert [w.pictogram for w in door.words] == ["hamer"]
    picture = browser_client.get("/pictograms/fiets.png")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    assert browser_client.get("/pictograms/vliegende-schotel.png").status_code == 404


def test_planning_refuses_a_pictogram_the_set_lacks(browser_client, staff_world, engine) -> None:
    csrf = log_in(browser_client, "marieke")
    task = {"day": "2026-11-25", "text": "Vegen", "for": "", "pictogram": "vliegende-schotel"}
    answer = post(browser_client, f"{PLAN}/tasks", csrf, task)
    assert answer.status_code == 400 and "niet in de lijst" in answer.text
    answer = post(browser_client, f"{PLAN}/words", csrf, word(pictogram="../../etc/passwd"))
    assert answer.status_code == 400 and "niet in de lijst" in answer.text
    assert rows(engine, tasks) == 0 and rows(engine, words) == 0


def test_planning_pictogram_search_answers_by_dutch_words(browser_client, staff_world) -> None:
    log_in(browser_client, "marieke")
    found = browser_client.get(f"{PLAN}/pictograms", params={"q": "schoonmaken"}).json()
    names = [p["name"] for p in found["pictograms"]]
    assert "bezem" in names and "spons" in names and "fiets" not in names
    assert browser_client.get(f"{PLAN}/pictograms", params={"q": ""}).json() == {"pictograms": []}
    browser_client.cookies.clear()
    log_in(browser_client, "sven")
    assert browser_client.get(f"{PLAN}/pictograms", params={"q": "fiets"}).status_code == 403

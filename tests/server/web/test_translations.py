"""The Vertalingen pages: a translator fixes and checks the door's phrases per language, a
broken placeholder is refused with the reason, the counts follow, words get the same check,
and every change is in the audit log."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.administration.catalogues import phrases
from server.administration.plan import Plan, load_plan
from server.db import writing
from server.schema import audit_log, phrase_fixes, staff
from sync.protocol import PHRASE_FIXES, UNDERSTANDS_HEADER, SnapshotWord
from tests.server.conftest import HeldClock, Staff, World, log_in

HTML = {"accept": "text/html"}
WELCOME = "Welcome, {name}!"
FIX = "ሰላም {name}፣ እንቋዕ ብሰላም መጻእኩም!"

# Every phrase the door can show in Tigrinya: the page counts the checked ones of these.
TI_PHRASES = len(phrases("ti"))


def save(client: TestClient, csrf: str, language: str, **fields: Any) -> Any:
    data = {"csrf": csrf, "msgid": WELCOME, "text": "", "back_translation": "", **fields}
    return client.post(f"/translations/{language}/phrases", data=data, headers=HTML)


def checked_count(page: str, language: str) -> str:
    row = re.search(rf'data-language="{language}".*?class="checked-count">([^<]+)<', page, re.S)
    assert row is not None, page
    return row.group(1)


def door_fixes(client: TestClient, world: World) -> dict[str, Any]:
    headers = {**world.auth(), UNDERSTANDS_HEADER: f"pictogram,{PHRASE_FIXES}"}
    return client.get("/api/v1/snapshot", headers=headers).json()["phrase_fixes"]


def test_a_translator_lands_on_the_translations_and_sees_nothing_else(
    browser_client: TestClient, staff_world: Staff
) -> None:
    log_in(browser_client, "tess")
    assert browser_client.get("/", follow_redirects=False).headers["location"] == "/translations"
    page = browser_client.get("/translations", headers=HTML).text
    assert "Tigrinya" in page and "Nu aanwezig" not in page and "Gebruikers" not in page
    assert browser_client.get("/sites/north/now", headers=HTML).status_code == 403


def test_a_fix_is_stored_shown_counted_and_sent_to_the_doors(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "tess")
    assert checked_count(browser_client.get("/translations").text, "ti") == f"0 van {TI_PHRASES}"
    answer = save(browser_client, csrf, "ti", text=FIX, back_translation="Peace {name}, welcome",
                  checked="yes", follow_redirects=True)  # fmt: skip
    assert answer.status_code == 200
    assert "Opgeslagen" in answer.text and FIX in answer.text
    assert "✔ gecontroleerd door Tesfay" in answer.text
    assert checked_count(browser_client.get("/translations").text, "ti") == f"1 van {TI_PHRASES}"
    assert door_fixes(browser_client, world) == {"ti": {WELCOME: FIX}}
    with engine.connect() as conn:
        logged = conn.execute(select(audit_log).where(audit_log.c.action == "translation")).one()
    assert logged.actor == "translator:t-tess"
    assert logged.detail == {"language": "ti", "msgid": WELCOME,
                             "fields": ["text", "back_translation", "checked"]}  # fmt: skip


def test_a_dropped_placeholder_is_refused_with_the_reason(
    browser_client: TestClient, staff_world: Staff, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "tess")
    answer = save(browser_client, csrf, "ti", text="እንቋዕ ብሰላም መጻእኩም!")
    assert answer.status_code == 400
    assert "De vertaling mist {name}" in answer.text
    assert "እንቋዕ ብሰላም መጻእኩም!" in answer.text  # what was typed stays in the form
    with engine.connect() as conn:
        assert conn.execute(select(phrase_fixes)).all() == []
    assert door_fixes(browser_client, world) == {}


def test_a_changed_text_loses_its_check(
    browser_client: TestClient, staff_world: Staff, clock: HeldClock
) -> None:
    csrf = log_in(browser_client, "tess")
    save(browser_client, csrf, "ti", text=FIX, checked="yes")
    save(browser_client, csrf, "ti", text=FIX + " ", checked="yes")  # the same text
    assert checked_count(browser_client.get("/translations").text, "ti") == f"1 van {TI_PHRASES}"
    # Someone else changes the text without checking it: the old check does not carry over.
    admin = TestClient(browser_client.app, base_url="https://testserver")
    with admin:
        save(admin, log_in(admin, "anna"), "ti", text="{name}! " + FIX)
    assert checked_count(browser_client.get("/translations").text, "ti") == f"0 van {TI_PHRASES}"


def test_the_old_kiosk_gets_no_fixes_field(
    browser_client: TestClient, staff_world: Staff, world: World
) -> None:
    save(browser_client, log_in(browser_client, "tess"), "ti", text=FIX)
    older = browser_client.get("/api/v1/snapshot", headers=world.auth()).json()
    assert "phrase_fixes" not in older


def test_right_to_left_languages_are_previewed_right_to_left(
    browser_client: TestClient, staff_world: Staff
) -> None:
    log_in(browser_client, "tess")
    arabic = browser_client.get("/translations/ar", headers=HTML).text
    assert '<span class="door-text" lang="ar" dir="rtl">أهلاً وسهلاً، {name}!</span>' in arabic
    tigrinya = browser_client.get("/translations/ti", headers=HTML).text
    assert 'class="door-text" lang="ti" dir="ltr"' in tigrinya
    assert browser_client.get("/translations/xx", headers=HTML).status_code == 404


def test_a_word_of_the_day_gets_the_same_check(
    browser_client: TestClient, staff_world: Staff, engine: Engine
) -> None:
    day = date(2026, 11, 26)
    meanings = {"ti": "መዶሻ", "ar": "مطرقة"}
    plan = Plan(tasks=[], words=[SnapshotWord(day=day, word="hamer", translations=meanings)])
    with writing(engine) as conn:
        load_plan(conn, "north", plan)
    csrf = log_in(browser_client, "tess")
    page = browser_client.get("/translations", headers=HTML).text
    assert re.search(r'data-language="ti".*?<td>0 van 1</td>', page, re.S)
    data = {"csrf": csrf, "site_id": "north", "day": "2026-11-26", "checked": "yes"}
    answer = browser_client.post("/translations/ti/words", data=data, headers=HTML)
    assert "✔ Tesfay" in answer.text
    page = browser_client.get("/translations", headers=HTML).text
    assert re.search(r'data-language="ti".*?<td>1 van 1</td>', page, re.S)
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.action)).scalars().all() == ["word_check"]
    # The planner changes the meaning: the check was for the old one.
    with writing(engine) as conn:
        load_plan(conn, "north", Plan(tasks=[], words=[SnapshotWord(
            day=day, word="hamer", article="de", translations={"ti": "መርተሎ"})]))  # fmt: skip
    page = browser_client.get("/translations", headers=HTML).text
    assert re.search(r'data-language="ti".*?<td>0 van 1</td>', page, re.S)


def test_an_admin_makes_a_translator_account_on_the_users_page(
    app: Any, browser_client: TestClient, staff_world: Staff, engine: Engine
) -> None:
    csrf = log_in(browser_client, "anna")
    assert '<option value="translator"' in browser_client.get("/admin/users", headers=HTML).text
    data = {"csrf": csrf, "username": "selam", "display_name": "Selam", "role": "translator",
            "password": "rode-tractor-in-de-sneeuw"}  # fmt: skip
    assert browser_client.post("/admin/users", data=data, headers=HTML).status_code == 200
    with TestClient(app, base_url="https://testserver") as selam:
        log_in(selam, "selam", "rode-tractor-in-de-sneeuw")
        assert selam.get("/", follow_redirects=False).headers["location"] == "/translations"
    with engine.connect() as conn:
        assert conn.execute(select(staff.c.role).where(staff.c.username == "selam")).scalar() == (
            "translator"
        )

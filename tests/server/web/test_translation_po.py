"""A language as a .po file for Poedit or Weblate: exported and imported unchanged it
changes nothing; a translator's edits come back as fixes and checks, a broken placeholder
is refused with the reason and the rest is stored."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.schema import audit_log, phrase_fixes
from tests.server.conftest import Staff, log_in

HTML = {"accept": "text/html"}
WELCOME = "Welcome, {name}!"
TOO_SOON = "You checked in at {time}. Do you want to leave?"
FIX = "ሰላም {name}፣ እንቋዕ ብሰላም መጻእኩም!"


def upload(client: TestClient, csrf: str, body: bytes, language: str = "ti") -> Any:
    files = {"po": (f"prikklok-{language}.po", body, "text/x-gettext-translation")}
    return client.post(f"/translations/{language}/import", data={"csrf": csrf}, files=files,
                       headers=HTML)  # fmt: skip


def stored(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(phrase_fixes).order_by("msgid"))]


def entry(po: str, msgid: str) -> str:
    """The block of `msgid` in a .po file: its comments, flags and strings."""
    blocks = po.split("\n\n")
    return next(b for b in blocks if f'msgid "{msgid}"' in b)


def test_export_and_import_unchanged_is_a_round_trip(
    browser_client: TestClient, staff_world: Staff, engine: Engine
) -> None:
    csrf = log_in(browser_client, "tess")
    # A line break in the back-translation would end its .po comment: it is kept as a space.
    data = {"csrf": csrf, "msgid": WELCOME, "text": FIX, "back_translation": "Peace\n{name}",
            "checked": "yes"}  # fmt: skip
    browser_client.post("/translations/ti/phrases", data=data)
    exported = browser_client.get("/translations/ti/export.po")
    assert exported.headers["content-disposition"] == 'attachment; filename="prikklok-ti.po"'
    po = exported.text
    assert "# terugvertaling: Peace {name}" in entry(po, WELCOME)
    assert "fuzzy" not in entry(po, WELCOME) and FIX in entry(po, WELCOME)
    assert "#, fuzzy, python-brace-format" in entry(po, TOO_SOON)  # nobody checked it yet
    before, logged = stored(engine), _audit_lines(engine)
    answer = upload(browser_client, csrf, exported.content)
    assert "Ingelezen: 0 zinnen veranderd." in answer.text
    assert stored(engine) == before and _audit_lines(engine) == logged
    assert browser_client.get("/translations/ti/export.po").content == exported.content
    for language in ("nl", "ar", "fa", "so", "tr", "uk"):  # every catalogue, both directions
        again = upload(browser_client, csrf, browser_client.get(
            f"/translations/{language}/export.po").content, language)  # fmt: skip
        assert "Ingelezen: 0 zinnen veranderd." in again.text, language
    assert stored(engine) == before


def test_a_translators_edits_come_back_and_a_broken_one_is_refused(
    browser_client: TestClient, staff_world: Staff, engine: Engine
) -> None:
    csrf = log_in(browser_client, "tess")
    po = browser_client.get("/translations/ti/export.po").text
    welcome, too_soon = entry(po, WELCOME), entry(po, TOO_SOON)
    # In Poedit: a new welcome, checked (no longer fuzzy); "too soon" loses its {time}.
    edited_welcome = re.sub(r'msgstr ".*"', f'msgstr "{FIX}"', welcome).replace("fuzzy, ", "")
    edited_too_soon = re.sub(r'msgstr ".*"', 'msgstr "ኣቲኹም።"', too_soon)
    po = po.replace(welcome, edited_welcome).replace(too_soon, edited_too_soon)
    answer = upload(browser_client, csrf, po.encode())
    assert "Ingelezen: 1 zin veranderd." in answer.text
    assert re.search(r"<code>You checked in at \{time\}\. Do you want to leave\?</code>: "
                     r"De vertaling mist \{time\}", answer.text)  # fmt: skip
    fixes = {(r.msgid, r.text, r.checked_by) for r in _rows(engine)}
    assert fixes == {(WELCOME, FIX, "Tesfay")}


def test_a_file_of_another_language_is_refused(
    browser_client: TestClient, staff_world: Staff, engine: Engine
) -> None:
    csrf = log_in(browser_client, "tess")
    arabic = browser_client.get("/translations/ar/export.po").content
    answer = upload(browser_client, csrf, arabic, language="ti")
    assert answer.status_code == 400
    assert "Niet ingelezen: dit bestand is voor taal ar, niet voor ti." in answer.text
    assert stored(engine) == []


def _rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(phrase_fixes)))


def _audit_lines(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(audit_log.c.id)).all())

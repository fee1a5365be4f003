"""The door shows the workshop's fix of a translation instead of the catalogue's, from the
moment it takes the door data that carries it, and the catalogue's again once it is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.feedback import QuietIndicator
from kiosk import phrase_fixes
from kiosk import phrases as P
from kiosk.door import Door
from kiosk.language import dutch, in_language
from kiosk.views import view_of
from sync.clock import SystemClock
from sync.journal import Journal
from sync.roster import DoorData

DAWIT = "04D4E5F6"
FIX = "ሰላም {name}፣ እንቋዕ ብሰላም መጻእኩም!"
PEOPLE = {
    "participants": [{"id": "p-dawit", "display_name": "Dawit", "language": "ti"}],
    "badges": [{"uid": DAWIT, "holder_id": "p-dawit"}],
}


@pytest.fixture(autouse=True)
def catalogue_after() -> Iterator[None]:
    yield
    phrase_fixes.use({})  # the next test's door starts from the catalogue


def door(tmp_path: Path, data: dict) -> Door:
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-1")
    journal.store_door_data(DoorData.from_dict(data), source="test")
    return Door(journal=journal, clock=SystemClock(), feedback=QuietIndicator())


def test_the_welcome_shows_the_fix(tmp_path: Path) -> None:
    catalogue = in_language("ti", P.WELCOME, name="Dawit")
    arabic, dutch_line = in_language("ar", P.WELCOME, name="Amal"), dutch(P.WELCOME, name="Dawit")
    the_door = door(tmp_path, {**PEOPLE, "phrase_fixes": {"ti": {P.WELCOME: FIX}}})
    view = view_of(the_door.tap(DAWIT).decision, the_door.data)
    assert view.title.own == "ሰላም Dawit፣ እንቋዕ ብሰላም መጻእኩም!" != catalogue
    assert view.title.dutch == dutch_line  # the other lines stay the catalogue's
    assert in_language("ar", P.WELCOME, name="Amal") == arabic
    the_door.journal.close()


def test_without_the_fix_the_catalogue_is_back(tmp_path: Path) -> None:
    catalogue = in_language("ti", P.WELCOME, name="Dawit")
    the_door = door(tmp_path, {**PEOPLE, "phrase_fixes": {"ti": {P.WELCOME: FIX}}})
    assert in_language("ti", P.WELCOME, name="Dawit") != catalogue
    the_door.reload(DoorData.from_dict(PEOPLE))
    assert in_language("ti", P.WELCOME, name="Dawit") == catalogue
    the_door.journal.close()


def test_a_dutch_fix_changes_the_dutch_line(tmp_path: Path) -> None:
    the_door = door(tmp_path, {**PEOPLE, "phrase_fixes": {"nl": {P.WELCOME: "Hoi {name}!"}}})
    assert dutch(P.WELCOME, name="Dawit") == "Hoi Dawit!"
    the_door.journal.close()

"""Every screen, in Dutch, Arabic, Tigrinya and Farsi, saved as a picture for people to
look at: artifacts/screens/<language>/<screen>.png (CI keeps the folder)."""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.views import not_saved_view
from tests.kiosk.ui.conftest import ARTIFACTS, ENDED, PEOPLE, SUPERVISOR_BADGE, Doorway


def save(door: Doorway, folder: str, name: str, screen: str | None = None) -> Image.Image:
    """A picture of screen `name` (or `screen`, when the picture has a name of its own),
    which must be the one shown before and after it is taken: an answer still on its way
    would otherwise be pictured under the wrong name."""
    door.stage.pump(0.2)  # what the reader and the journal still had in hand comes now
    assert door.stage.app.manager.current == (screen or name)
    path = door.stage.screenshot(ARTIFACTS / folder / f"{name}.png")
    assert door.stage.app.manager.current == (screen or name)
    return Image.open(path).convert("RGB")


def colours(image: Image.Image) -> int:
    """How many different colours: a blank or a one-colour screen has very few."""
    return len(image.getcolors(maxcolors=1 << 20) or [])


@pytest.mark.parametrize("lang", ["nl", "ar", "ti", "fa"])
def test_participant_screens_in_their_language(door: Doorway, lang: str) -> None:
    _, name, uid = PEOPLE[lang]
    stage = door.stage
    door.tap(uid)
    welcome = stage.wait_for_screen("welcome")
    assert name in welcome.title.dutch
    assert (welcome.title.own is None) == (lang == "nl")  # Dutch only for Dutch speakers
    assert colours(save(door, lang, "welcome")) > 50
    stage.app.go_waiting()  # the door at rest that morning, as each of them finds it
    stage.wait_for_screen("waiting")
    assert colours(save(door, lang, "waiting")) > 50
    door.clock.advance(90)
    door.tap(uid)
    stage.wait_for_screen("too_soon")
    save(door, lang, "too_soon")
    stage.app.screen("too_soon").ids.yes.dispatch("on_release")
    stage.wait_for_screen("goodbye")
    save(door, lang, "goodbye")
    door.tap(uid)  # back in, and gone home without a check-out
    stage.wait_for_screen("welcome")
    door.clock.advance(24 * 3600)
    door.tap(uid)
    forgot = stage.wait_for_screen("forgot")
    assert forgot.asking  # it is morning: "Eet je mee?"
    save(door, lang, "forgot")
    door.tap(ENDED[lang])
    stage.wait_for_screen("inactive")
    save(door, lang, "inactive")
    # The journal cannot be written (test_app fills a real disk): go to the supervisor.
    stage.app.show(not_saved_view("disk_full", lang))
    stage.wait_for_screen("not_saved")
    assert colours(save(door, lang, "not_saved")) > 50


def test_kiosk_screens(door: Doorway) -> None:
    from hardware.badge import ReaderHealth

    stage = door.stage
    for lang in ("ar", "ti", "fa"):
        # Each welcome greets its own person before the next tap: the screen is reused, so
        # "welcome is shown" alone would let the last ones arrive after the waiting screen.
        door.welcome(PEOPLE[lang])
    door.welcome(PEOPLE["so"])  # Hodan's birthday
    assert colours(save(door, "kiosk", "birthday", screen="welcome")) > 50
    stage.app.go_waiting()
    stage.wait_for_screen("waiting")
    assert colours(save(door, "kiosk", "waiting")) > 50
    door.tap("04FFFF02")
    stage.wait_for_screen("unknown")
    save(door, "kiosk", "unknown")
    door.tap(SUPERVISOR_BADGE)
    stage.wait_for_screen("supervisor")
    save(door, "kiosk", "supervisor")
    for page in ("evacuation", "enrol"):
        stage.app.open_supervisor("s-marieke", page)
        stage.wait_for_screen(page)
        save(door, "kiosk", page)
    stage.app.show(__import__("kiosk.views", fromlist=["error_view"]).error_view())
    stage.wait_for_screen("error")
    save(door, "kiosk", "error")
    stage.app._health(ReaderHealth.ABSENT)
    stage.wait_for_screen("reader_problem")
    save(door, "kiosk", "reader_problem")

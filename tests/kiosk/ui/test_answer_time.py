"""Time made visible: every answer shows a bar that shrinks with the time it stays, "too
soon" shows what happens by default, the next tap ends any answer at once, and the waiting
screen never animates."""

from __future__ import annotations

import time

from tests.kiosk.ui.conftest import PEOPLE, Doorway
from tests.kiosk.ui.test_app import shown_text

AMAL, FARID = PEOPLE["ar"], PEOPLE["fa"]


def goodbye(door: Doorway, person: tuple[str, str, str]) -> object:
    door.welcome(person)
    door.clock.advance(4 * 3600)
    door.tap(person[2])
    return door.stage.wait_for_screen("goodbye")


def test_goodbye_bar_shrinks_with_the_time_it_stays(door: Doorway) -> None:
    screen = goodbye(door, AMAL)
    bar = screen.ids.get("bar") or next(w for w in screen.walk() if type(w).__name__ == "TimeBar")
    assert door.stage.app._back_for >= 8  # a slow reader has time
    start = screen.left
    door.stage.pump(1.0)
    assert 0.8 < start <= 1.0
    assert bar.opacity == 1 and bar.left == screen.left
    # One second of ten gone: the bar is about a tenth shorter.
    assert 0.04 < start - screen.left < 0.2


def test_tap_during_a_goodbye_shows_the_next_person_at_once(door: Doorway) -> None:
    leaving = goodbye(door, AMAL)
    door.stage.pump(0.3)
    tapped = time.monotonic()
    door.tap(FARID[2])
    welcome = door.stage.wait_for_screen("welcome", timeout=2)
    assert "Farid" in welcome.title.dutch
    assert time.monotonic() - tapped < 1.0  # not after the goodbye's 10 s
    assert welcome.left > 0.9  # Farid's own time, from the start
    frozen = leaving.left
    door.stage.pump(0.5)
    assert leaving.left == frozen  # the goodbye's bar stopped with it


def test_too_soon_shows_the_default_with_its_bar(door: Doorway) -> None:
    door.welcome(AMAL)
    door.clock.advance(60)
    door.tap(AMAL[2])
    screen = door.stage.wait_for_screen("too_soon")
    text = shown_text(screen)
    assert "Je blijft ingecheckt." in text and "يبقى حضورك مسجلاً." in text
    bar = screen.ids.bar
    assert bar.opacity == 1 and bar.fill == list(screen.colour)
    default, no = screen.ids.default, screen.ids.no
    assert default.x >= no.x - 1 and default.right <= no.right + 1  # right above "no"
    assert door.stage.app._back_for == 20
    door.stage.app.go_waiting()  # the 20 s ran out
    door.stage.wait_for_screen("waiting")
    assert "check_out" not in [r.kind for r in door.journal.records()]


def test_waiting_screen_draws_no_frames_at_rest(door: Doorway) -> None:
    goodbye(door, AMAL)
    door.stage.app.go_waiting()
    door.stage.wait_for_screen("waiting")
    door.stage.pump(0.5)
    frames = door.stage.frames
    door.stage.pump(2.5)
    assert door.stage.frames == frames  # nothing moves: no frame is drawn


def test_answering_lunch_runs_the_bar_out_from_where_it_is(door: Doorway) -> None:
    welcome = door.welcome(AMAL)
    door.stage.pump(1.0)
    before = welcome.left
    assert before < 1.0
    welcome.answer_lunch(True)
    assert welcome.left == before  # it never grows back
    assert door.stage.app._back_for == 2.0
    door.stage.wait_for_screen("waiting", timeout=3)


def test_listening_gives_the_welcome_its_time_again(door: Doorway) -> None:
    welcome = door.welcome(AMAL)
    door.stage.pump(1.0)
    assert welcome.left < 0.99
    door.stage.app.listen(welcome.word)
    assert welcome.left == 1.0 and door.stage.app._back_for == 30  # the test's lunch time

"""The words a participant has met, at the door (issue 16), on the real app offscreen: the
recall check after the goodbye (never at check-in), answered right or wrong with the
response time, skipped when untouched or when the next person taps (at once: the next
answer does not wait), after the question the door puts; and "mijn woorden" after their
own tap. Screenshots in nl, ar, ti and fa: artifacts/screens/<lang>/recall*.png,
my_words.png and welcome_my_words.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardware.simulated import SimulatedReader
from kiosk.player import SilentPlayer
from sync.recall import RIGHT, SKIPPED, WORD_RECALL, WRONG, detail_problem
from tests.kiosk.test_recall import MET, recall_words
from tests.kiosk.ui.conftest import (
    ARTIFACTS,
    MORNING,
    OWN_SAY_SITE,
    PEOPLE,
    Doorway,
    door_data,
    running_kiosk,
)

AMAL, SANNE = PEOPLE["ar"], PEOPLE["nl"]
HOUR = 3600.0


def with_plans(data: dict[str, Any], *, known: int = 2) -> dict[str, Any]:
    """The test's door data with a recall plan for each of the four: "emmer" due first."""
    data["recall_words"] = recall_words(MORNING.date())
    data["recall"] = [
        {"participant_id": PEOPLE[lang][0], "due": ["emmer", "hamer"],
         "met": [*MET, "trap"], "known": known}
        for lang in ("nl", "ar", "ti", "fa")
    ]  # fmt: skip
    return data


@pytest.fixture
def player() -> SilentPlayer:
    return SilentPlayer()


def kiosk(tmp_path: Path, player: SilentPlayer, site: dict[str, Any] | None = None) -> Any:
    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    data = with_plans(door_data(MORNING))
    return running_kiosk(tmp_path, reader, socket_path, data=data, player=player, site=site)


@pytest.fixture
def door(tmp_path: Path, player: SilentPlayer) -> Iterator[Doorway]:
    with kiosk(tmp_path, player) as d:
        yield d


def tap_and_wait(door: Doorway, person: tuple[str, str, str], screen: str) -> Any:
    door.tap(person[2])
    shown = door.stage.wait_for_screen(screen)
    door.stage.wait_for(lambda: person[1] in shown.title.dutch, 5.0, f"{person[1]}'s {screen}")
    return shown


def check_out_to_the_check(door: Doorway, person: tuple[str, str, str] = AMAL) -> Any:
    tap_and_wait(door, person, "welcome")
    door.clock.advance(7 * HOUR)  # 15:58: no question before the check
    tap_and_wait(door, person, "goodbye")
    return door.stage.wait_for_screen("recall", timeout=6.0)


def buttons(screen: Any, box: str = "choices") -> list[Any]:
    return list(reversed(screen.ids[box].children))


def recalls(door: Doorway) -> list[Any]:
    return door.journal.of_kind(WORD_RECALL)


def test_never_a_check_at_check_in(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.stage.pump(4.0)  # longer than the goodbye waits before its check
    assert door.stage.app.manager.current == "welcome"
    assert recalls(door) == []


def test_after_the_goodbye_the_word_plays_and_four_pictures_show(
    door: Doorway, player: SilentPlayer
) -> None:
    check = check_out_to_the_check(door)
    assert check.title.dutch == "de emmer"
    pictures = [b.picture.key for b in buttons(check)]
    assert len(pictures) == 4 and "emmer" in pictures and set(pictures) <= set(MET)
    assert all(b.ids.picture.shown for b in buttons(check))  # each a picture, not a word
    said = door.stage.app.pronouncer.path_of("de emmer.")
    door.stage.wait_for(lambda: said in player.played, 10.0, "the word")
    names = [p.name for p in player.played]
    assert names.index(said.name) > max(i for i, n in enumerate(names) if "chime-recall" in n)
    assert 0 < check.left <= 1  # the bar of the five seconds runs
    assert recalls(door) == []  # nothing written until it is answered or ends


@pytest.mark.parametrize("right", [True, False])
def test_one_touch_answers_and_the_right_picture_grows(
    door: Doorway, player: SilentPlayer, right: bool
) -> None:
    check = check_out_to_the_check(door)
    door.stage.pump(0.6)
    chosen = next(b for b in buttons(check) if (b.picture.key == "emmer") is right)
    press(door, chosen)
    for other in buttons(check):
        press(door, other)  # a second touch changes nothing
    door.stage.wait_for(lambda: len(recalls(door)) == 1, 5.0, "the answer written")
    (record,) = recalls(door)
    assert record.detail["word"] == "emmer"
    assert record.detail["answer"] == (RIGHT if right else WRONG)
    assert 500 <= record.detail["response_ms"] < 5000
    assert detail_problem(record.kind, record.detail) is None
    door.stage.pump(0.5)
    grown = [b.picture.key for b in buttons(check) if b.grown > 0.9]
    assert grown == ["emmer"]  # the right one, whichever was touched: the check teaches
    assert [b.faded for b in buttons(check)] == [b.picture.key != "emmer" for b in buttons(check)]
    said = door.stage.app.pronouncer.path_of("de emmer.")
    door.stage.wait_for(lambda: player.played.count(said) == 2, 10.0, "the word again")
    assert any("chime-touched" in p.name for p in player.played)
    assert "Mijn woorden" in check.my_words_text  # now they may look at their words
    door.stage.wait_for_screen("waiting", timeout=6.0)
    assert len(recalls(door)) == 1


def test_untouched_for_five_seconds_it_is_skipped(door: Doorway) -> None:
    check_out_to_the_check(door)
    finger(door, 100, 300)  # beside the pictures, on the panel: no answer
    assert door.stage.app.manager.current == "recall"
    door.stage.wait_for_screen("waiting", timeout=6.5)
    door.stage.wait_for(lambda: len(recalls(door)) == 1, 5.0, "the skipped check")
    (record,) = recalls(door)
    assert record.detail == {"word": "emmer", "answer": SKIPPED, "response_ms": None}


def test_the_next_tap_ends_the_check_at_once_as_skipped(door: Doorway) -> None:
    check_out_to_the_check(door)
    welcome = tap_and_wait(door, SANNE, "welcome")
    assert "Sanne" in welcome.title.dutch
    door.stage.wait_for(lambda: len(recalls(door)) == 1, 5.0, "the skipped check")
    (record,) = recalls(door)
    assert record.detail["answer"] == SKIPPED
    kinds = [r.kind for r in door.journal.records()]
    # Sanne's tap was answered first; the skipped check was written after it, aside.
    assert kinds[-2:] == ["check_in", WORD_RECALL]


def test_a_supervisors_badge_ends_the_check_as_skipped_too(door: Doorway) -> None:
    from tests.kiosk.ui.conftest import SUPERVISOR_BADGE

    check_out_to_the_check(door)
    door.tap(SUPERVISOR_BADGE)
    door.stage.wait_for_screen("supervisor")
    door.stage.wait_for(lambda: len(recalls(door)) == 1, 5.0, "the skipped check")
    assert recalls(door)[0].detail["answer"] == SKIPPED


def test_a_check_never_shown_is_never_written(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.clock.advance(7 * HOUR)
    tap_and_wait(door, AMAL, "goodbye")
    tap_and_wait(door, SANNE, "welcome")  # before the goodbye gave way to the check
    door.stage.pump(4.0)
    assert door.stage.app.manager.current == "welcome"
    assert recalls(door) == []


def test_the_check_waits_for_the_question_after_the_check_out(
    tmp_path: Path, player: SilentPlayer
) -> None:
    with kiosk(tmp_path, player, site=OWN_SAY_SITE) as door:
        tap_and_wait(door, AMAL, "welcome")
        door.clock.advance(3 * HOUR)  # 11:58: "Waarom ga je eerder weg?"
        goodbye = tap_and_wait(door, AMAL, "goodbye")
        door.stage.pump(3.5)
        assert door.stage.app.manager.current == "goodbye"  # the question first
        door.stage.wait_for(lambda: goodbye.question is not None, 2.0, "the question")
        button = next(b for b in buttons(goodbye.ids.question, "choices")
                      if b.choice.value == "doctor")  # fmt: skip
        button.dispatch("on_release")
        door.stage.wait_for_screen("recall", timeout=3.0)
        assert [r.kind for r in door.journal.records()][-1] == "leave_reason"


def test_my_words_shows_their_words_and_plays_one_when_touched(
    door: Doorway, player: SilentPlayer
) -> None:
    welcome = tap_and_wait(door, AMAL, "welcome")
    door.stage.pump(0.1)  # the button comes a frame after the greeting
    panel = next(w for w in welcome.walk(restrict=True) if type(w).__name__ == "AnswerPanel")
    button = panel.ids.my_words
    # Dutch, and Arabic on the line below (shaped for drawing: its letters' display forms).
    assert "Mijn woorden" in button.text and "NotoNaskhArabic" in button.text.split("\n")[1]
    assert button.height >= 84
    press(door, button)
    words = door.stage.wait_for_screen("my_words")
    assert [b.picture.key for b in buttons(words, "pictures")] == [*MET, "trap"]
    assert words.words.known == 2 and words.words.met == 7
    assert words.words.count.dutch == "Je kent 2 van de 7 woorden"
    hamer = next(b for b in buttons(words, "pictures") if b.picture.key == "hamer")
    press(door, hamer)
    said = door.stage.app.pronouncer.path_of("de hamer.")
    door.stage.wait_for(lambda: said in player.played, 10.0, "the word")
    assert door.stage.app.manager.current == "my_words"
    tap_and_wait(door, SANNE, "welcome")  # the next tap closes it
    door.stage.pump(0.1)
    assert door.stage.app.screen("welcome").my_words_text  # Sanne has a plan too


def test_my_words_is_never_on_the_waiting_screen_nor_for_someone_without_words(
    tmp_path: Path, player: SilentPlayer
) -> None:
    socket_path = tmp_path / "taps.sock"
    data = with_plans(door_data(MORNING))
    data["recall"] = [p for p in data["recall"] if p["participant_id"] != SANNE[0]]
    reader = SimulatedReader(socket_path=socket_path)
    with running_kiosk(tmp_path, reader, socket_path, data=data, player=player) as door:
        welcome = tap_and_wait(door, SANNE, "welcome")
        door.stage.pump(0.2)
        assert welcome.my_words_text == ""
        door.stage.app.go_waiting()
        waiting = door.stage.wait_for_screen("waiting")
        texts = [getattr(w, "text", "") for w in waiting.walk(restrict=True)]
        assert not any("Mijn woorden" in str(t) for t in texts)
        door.stage.app.open_my_words()  # nobody's tap on the glass: nothing opens
        door.stage.pump(0.2)
        assert door.stage.app.manager.current == "waiting"


def test_my_words_goes_back_to_waiting_by_itself(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.stage.pump(0.1)
    door.stage.app.open_my_words()
    words = door.stage.wait_for_screen("my_words")
    assert words.view.timeout == 20.0 and words.left > 0


def finger(door: Doorway, x: float, y: float) -> None:
    """A finger on the glass at (x, y), down and up, as a participant touches it."""
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    door.stage.pump(0.05)


def press(door: Doorway, widget: Any) -> None:
    finger(door, *widget.to_window(*widget.center))


@pytest.mark.parametrize("lang", ["nl", "ar", "ti", "fa"])
def test_screenshots_of_the_check_and_my_words(
    tmp_path: Path, player: SilentPlayer, lang: str
) -> None:
    with kiosk(tmp_path, player) as door:
        person = PEOPLE[lang]
        tap_and_wait(door, person, "welcome")
        door.stage.pump(0.3)  # the button comes a frame after the greeting
        door.stage.screenshot(ARTIFACTS / lang / "welcome_my_words.png")
        door.stage.app.go_waiting()
        door.clock.advance(7 * HOUR)
        tap_and_wait(door, person, "goodbye")
        check = door.stage.wait_for_screen("recall", timeout=6.0)
        door.stage.pump(0.3)
        door.stage.screenshot(ARTIFACTS / lang / "recall.png")
        press(door, next(b for b in buttons(check) if b.picture.key != "emmer"))
        door.stage.pump(0.6)
        assert door.stage.app.manager.current == "recall"
        door.stage.screenshot(ARTIFACTS / lang / "recall_answered.png")
        door.stage.app.open_my_words()
        door.stage.wait_for_screen("my_words")
        door.stage.pump(0.3)
        door.stage.screenshot(ARTIFACTS / lang / "my_words.png")

"""The screen with the real MFRC522 path (the mfrc522 library on the emulated chip): a
card taps, a dead chip shows the reader problem; and the sounds the screen plays."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest
from kivy.metrics import mm

from hardware.emulation import Card, emulated_chip
from hardware.mfrc522_reader import Mfrc522Reader
from kiosk.player import SilentPlayer
from kiosk.sounds import length
from tests.kiosk.ui.conftest import PEOPLE, Doorway, running_kiosk


def test_card_on_the_mfrc522_welcomes_and_a_dead_chip_shows_the_reader_problem(
    tmp_path: Path,
) -> None:
    with emulated_chip() as chip:
        reader = Mfrc522Reader(poll_interval=0.005, away_seconds=0.2)
        with running_kiosk(tmp_path, reader) as door:
            chip.place(Card.from_hex(PEOPLE["fa"][2]))
            welcome = door.stage.wait_for_screen("welcome")
            assert "Farid" in welcome.title.dutch
            chip.remove()
            door.stage.app.go_waiting()
            chip.fail("oserror")
            problem = door.stage.wait_for_screen("reader_problem", timeout=10)
            assert problem.symbol == "⚠"
            assert door.journal.reader_health() == "absent"
            chip.restore(power_cycled=True)
            door.stage.wait_for_screen("waiting", timeout=10)
            assert door.journal.reader_health() == "ok"


def test_each_answer_plays_its_sound(door: Doorway) -> None:
    door.tap(PEOPLE["ar"][2])
    door.stage.wait_for_screen("welcome")
    door.tap("04FFFF03")
    door.stage.wait_for_screen("unknown")
    played = [path.name.split("-")[1] for path in door.stage.app.player.played]
    assert played == ["welcome", "unknown"]


def press(door: Doorway, button: Any) -> None:
    """A finger on the button's middle, as a participant presses it."""
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*button.to_window(*button.center))
    touch.touch_down()
    touch.touch_up()
    door.stage.pump(0.05)


def speaker_on(widget: Any) -> Any:
    from kiosk.ui.widgets import SpeakerButton

    return next(w for w in widget.walk() if isinstance(w, SpeakerButton))


def seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def test_speaker_on_the_waiting_screen_says_the_word_and_its_sentence(door: Doorway) -> None:
    app = door.stage.app
    speaker = speaker_on(app.waiting)
    assert speaker.text == ""  # a picture of a loudspeaker, no word to read
    press(door, speaker)
    door.stage.wait_for(lambda: app.player.played, timeout=10, what="the spoken word")
    spoken = app.player.played[-1]
    assert spoken == app.pronouncer.path_of("de hamer. Mag ik de hamer even?")
    assert seconds(spoken) > 1.0
    renders = app.pronouncer.rendered
    press(door, speaker)
    door.stage.wait_for(lambda: len(app.player.played) == 2, timeout=10)
    assert app.player.played[-1] == spoken
    assert app.pronouncer.rendered == renders  # spoken once, then from the cache


def test_welcome_shows_the_sentence_and_its_speaker_says_it(door: Doorway) -> None:
    app = door.stage.app
    welcome = door.welcome(PEOPLE["ar"])
    card = welcome.ids.word
    sentence = next(w for w in card.walk() if getattr(w, "source", "") == "Mag ik de hamer even?")
    door.stage.pump(0.1)  # layouts settle
    assert sentence.y >= 0 and sentence.height > 0  # on the glass, not below its edge
    speaker = speaker_on(card)
    assert speaker.opacity == 1 and not speaker.disabled
    assert min(speaker.size) >= mm(15) - 0.5
    press(door, speaker)
    said = app.pronouncer.path_of("de hamer. Mag ik de hamer even?")
    door.stage.wait_for(lambda: said in app.player.played, timeout=10, what="the sentence")
    assert app.manager.current == "welcome"  # pressing the speaker does not end the welcome


class TimedPlayer(SilentPlayer):
    """Remembers what was played, and when (the loop's time)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def play(self, path: Path) -> None:
        from kivy.clock import Clock

        super().play(path)
        self.at.append(Clock.get_boottime())


@pytest.mark.parametrize("on", [True, False])
def test_door_says_the_greeting_only_when_the_site_wants_it(tmp_path: Path, on: bool) -> None:
    from hardware.simulated import SimulatedReader

    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    player = TimedPlayer()
    with running_kiosk(tmp_path, reader, socket_path, speak_greeting=on, player=player) as door:
        door.welcome(PEOPLE["ar"])
        door.stage.pump(2.0)  # the chime, espeak-ng, and the greeting after the chime
        names = [path.name for path in player.played]
        assert names[0].startswith("chime-welcome-")
        if not on:
            assert names == names[:1]
            return
        greeting = door.stage.app.pronouncer.path_of("Goedemorgen, Amal.")
        assert player.played[1:] == [greeting]
        assert 0.5 < seconds(greeting) < 5
        assert player.at[1] - player.at[0] >= length("welcome") - 0.02  # the chime is not cut


def test_next_answer_drops_a_greeting_not_yet_said(tmp_path: Path) -> None:
    from hardware.simulated import SimulatedReader

    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    player = TimedPlayer()
    with running_kiosk(tmp_path, reader, socket_path, speak_greeting=True, player=player) as door:
        door.welcome(PEOPLE["ar"])
        door.tap("04FFFF03")  # at once, before the welcome's chime is over
        door.stage.wait_for_screen("unknown")
        door.stage.pump(2.0)
        names = [path.name.split("-")[1] for path in player.played]
        assert names == ["welcome", "unknown"]

"""The screen with the real MFRC522 path (the mfrc522 library on the emulated chip): a
card taps, a dead chip shows the reader problem; and the sounds the screen plays."""

from __future__ import annotations

import wave
from pathlib import Path

from hardware.emulation import Card, emulated_chip
from hardware.mfrc522_reader import Mfrc522Reader
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


def test_listen_speaks_the_word_of_the_day_in_dutch(door: Doorway) -> None:
    app = door.stage.app
    app.waiting.listen()
    door.stage.wait_for(lambda: app.player.played, timeout=10, what="the spoken word")
    spoken = app.player.played[-1]
    with wave.open(str(spoken)) as wav:
        assert wav.getnframes() / wav.getframerate() > 1.0  # "de hamer. Mag ik de hamer even?"
    renders = app.pronouncer.rendered
    app.waiting.listen()
    door.stage.wait_for(lambda: len(app.player.played) == 2, timeout=10)
    assert app.player.played[-1] == spoken
    assert app.pronouncer.rendered == renders  # spoken once, then from the cache

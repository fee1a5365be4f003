"""The morning rush: twenty different badges, one after another, each answered on the glass
with the greeting of the person whose tap it was, and each in the journal once.

The real app offscreen, the real mfrc522 library on the emulated chip; the door's clock
is held and moved 1.5 s per tap (the rush as the door decides it), while each card is
held to the reader only until the door has its tap, so the test takes seconds, not 30.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from hardware.emulation import Card, emulated_chip
from hardware.mfrc522_reader import Mfrc522Reader
from hardware.simulated import SimulatedReader
from tests.kiosk.ui.conftest import (
    CROWD,
    MORNING,
    OWN_SAY_SITE,
    Doorway,
    crowd_badge,
    crowd_data,
    running_kiosk,
)
from tests.kiosk.ui.frames import FrameRecorder

NAMES = CROWD["nl"]


@pytest.fixture
def recorder() -> Iterator[FrameRecorder]:
    frames = FrameRecorder()
    yield frames
    frames.close()


def greeted(recorder: FrameRecorder, uid: str) -> list[str]:
    """The crowd names each frame drawn for `uid`'s answer showed (one per frame)."""
    answer = recorder.answered(uid)
    assert answer is not None, f"no frame ever showed the answer to {uid}"
    return [", ".join(n for n in NAMES if f"Welkom, {n}!" in frame) for frame in answer.frames]


def check_ins(door: Doorway) -> list[str]:
    return [r.participant_id or "" for r in door.journal.of_kind("check_in")]


@pytest.mark.parametrize("site", [None, OWN_SAY_SITE], ids=["plain", "with_my_week"])
def test_twenty_badges_tapped_in_a_rush_each_greet_their_own_person(
    tmp_path: Path, recorder: FrameRecorder, site: dict[str, object] | None
) -> None:
    data = crowd_data(MORNING)
    with emulated_chip() as chip:
        reader = Mfrc522Reader(poll_interval=0.005, away_seconds=0.2)
        with running_kiosk(
            tmp_path, reader, data=data, on_screen=recorder.shown, site=site
        ) as door:
            recorder.app = door.stage.app
            for n in range(20):
                door.clock.advance(1.5)
                card = Card.from_hex(crowd_badge(n))
                # Held to the reader until the door has it (the beep), then the next person.
                chip.place(card)
                door.stage.wait_for(lambda n=n: len(check_ins(door)) == n + 1, what="the tap")
                chip.remove(card)
                door.stage.pump(0.05)
            door.stage.wait_for(lambda: recorder.answered(crowd_badge(19)) is not None)
            door.stage.pump(0.1)
            # One line per tap: the name every frame drawn for its answer greeted.
            drawn = {NAMES[n]: set(greeted(recorder, crowd_badge(n))) for n in range(20)}
            assert drawn == {name: {name} for name in NAMES}
            answers = [a for a in recorder.answers if a.screen != "waiting"]
            assert [(a.screen, a.uid) for a in answers] == [
                ("welcome", crowd_badge(n)) for n in range(20)
            ]
            assert check_ins(door) == [f"p-crowd-{n:02d}" for n in range(20)]
            taps = door.journal.of_kind("check_in")
            gaps = {(b.wall_at - a.wall_at).total_seconds() for a, b in pairwise(taps)}
            assert gaps == {1.5}  # as the door saw them: one every 1.5 s
            # Besides: each welcome that the next tap ended recorded "Eet je mee?"'s
            # default for its own person (the last one is still asking).
            lunch = [r.participant_id for r in door.journal.of_kind("lunch")]
            assert lunch == [f"p-crowd-{n:02d}" for n in range(19)]
            assert door.journal.last_seq() == 20 + 19
            # With my week on, each welcome showed its own person's week.
            welcome = door.stage.app.screen("welcome")
            assert (welcome.week is not None) == (site is not None)


def test_twenty_early_check_outs_in_a_rush_each_end_the_last_ones_question(
    tmp_path: Path, recorder: FrameRecorder
) -> None:
    """Everyone leaves early for the same bus: each goodbye asks "Waarom ga je eerder
    weg?", and the next person's tap ends it at once, recording nothing for them."""
    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    data = crowd_data(MORNING)
    with running_kiosk(
        tmp_path, reader, socket_path, data=data, on_screen=recorder.shown, site=OWN_SAY_SITE
    ) as door:
        recorder.app = door.stage.app
        for n in range(20):
            door.tap(crowd_badge(n))
            door.stage.wait_for(lambda n=n: len(check_ins(door)) == n + 1, what="a check-in")
        door.clock.advance(3 * 3600)  # 11:58: hours before closing
        for n in range(20):
            door.clock.advance(1.5)
            door.tap(crowd_badge(n))
            door.stage.wait_for(
                lambda n=n: len(door.journal.of_kind("check_out")) == n + 1, what="the tap"
            )
            door.stage.pump(0.05)
        door.stage.wait_for(lambda: recorder.answered(crowd_badge(19)) is not None)
        door.stage.pump(0.1)
        goodbyes = [a for a in recorder.answers if a.screen == "goodbye"]
        assert [a.uid for a in goodbyes] == [crowd_badge(n) for n in range(20)]
        for n, answer in enumerate(goodbyes):
            said = {name for frame in answer.frames for name in NAMES if f"Dag {name}!" in frame}
            assert said == {NAMES[n]}
            # The goodbye first; the question from the next frame on (kiosk.ui.screens).
            assert all("Waarom ga je eerder weg?" in frame for frame in answer.frames[1:])
        assert door.journal.of_kind("leave_reason") == []  # nobody answered: no reason


def test_badges_faster_than_frames_each_get_a_frame_of_their_own(
    tmp_path: Path, recorder: FrameRecorder
) -> None:
    """Five badge lines in one write (a piped demo, a wedge reader typing ahead): the door
    decides them within milliseconds, faster than a frame; each is still drawn, in turn."""
    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    data = crowd_data(MORNING)
    with running_kiosk(tmp_path, reader, socket_path, data=data, on_screen=recorder.shown) as door:
        recorder.app = door.stage.app
        burst = "".join(f"{crowd_badge(n)}\n" for n in range(5))
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(socket_path))
            s.sendall(burst.encode())
        door.stage.wait_for(lambda: len(check_ins(door)) == 5)
        end = time.monotonic() + 1.0
        while time.monotonic() < end and recorder.answered(crowd_badge(4)) is None:
            door.stage.step()
        door.stage.pump(0.1)
        drawn = {NAMES[n]: set(greeted(recorder, crowd_badge(n))) for n in range(5)}
        assert drawn == {name: {name} for name in NAMES[:5]}

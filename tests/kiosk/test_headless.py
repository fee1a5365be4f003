"""The headless door on the emulated MFRC522: what it prints, and a reader that dies."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from hardware.emulation import Card, emulated_chip
from hardware.feedback import QuietIndicator, Signal
from hardware.mfrc522_reader import Mfrc522Reader
from kiosk.decide import DoorRules
from kiosk.headless import HeadlessDoor
from sync.journal import Journal
from sync.roster import DoorData
from tests.hardware.mfrc522_fixtures import wait_until

DATA = DoorData.from_dict(
    {"participants": [{"id": "p-olena", "display_name": "Olena"},
                      {"id": "p-emre", "display_name": "Emre"}],
     "supervisors": [{"id": "s-marieke", "display_name": "Marieke"}],
     "badges": [{"uid": "04778899", "holder_id": "p-olena"},
                {"uid": "0499AA11", "holder": "supervisor", "holder_id": "s-marieke"}]}
)  # fmt: skip


def test_headless_door_prints_taps_and_says_when_the_reader_dies(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-1")
    journal.store_door_data(DATA, source="test")
    out, feedback = io.StringIO(), QuietIndicator()
    with emulated_chip() as chip:
        reader = Mfrc522Reader(poll_interval=0.005, error_threshold=2)
        door = HeadlessDoor(journal=journal, reader=reader, feedback=feedback,
                            rules=DoorRules(), out=out)  # fmt: skip
        loop = threading.Thread(target=door.run, kwargs={"install_signals": False})
        loop.start()
        try:
            olena, marieke = Card.from_hex("04778899"), Card.from_hex("0499AA11")
            chip.place(olena)
            wait_until(lambda: "Welkom, Olena!" in out.getvalue(), what="the welcome")
            chip.remove(olena)
            chip.place(marieke)  # the supervisor: who is in, by name
            wait_until(lambda: "Inchecken: Emre" in out.getvalue(), what="supervisor mode")
            assert "☰ Begeleider: Marieke\n  Aanwezig: 1 · Lunch vandaag: 0\n" in out.getvalue()
            assert "  ✔ Olena — sinds " in out.getvalue() and "04778899" not in out.getvalue()
            chip.remove(marieke)
            chip.fail("oserror")
            wait_until(lambda: "De paslezer werkt niet." in out.getvalue(), what="reader absent")
            assert feedback.shown[0] is Signal.WELCOME and Signal.ERROR in feedback.shown
            chip.restore(power_cycled=True)
            wait_until(lambda: "Paslezer: werkt" in out.getvalue(), timeout=10, what="recovery")
        finally:
            door.stop()
            loop.join(timeout=5)
    assert not loop.is_alive()
    assert "#1] ✔" in out.getvalue()


def test_headless_door_prints_the_recall_check_and_that_it_was_skipped(tmp_path: Path) -> None:
    # Issue 16: no touch here, so a check ends skipped after five seconds or at the next tap
    # — printed after that tap's answer, never before it.
    import random
    import socket

    from hardware.simulated import SimulatedReader
    from sync.clock import HeldClock
    from sync.recall import SKIPPED, WORD_RECALL
    from tests.kiosk.test_recall import AMAL_BADGE, SANNE_BADGE, TUESDAY
    from tests.kiosk.test_recall import data as recall_data

    def tap(uid: str) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(socket_path))
            s.sendall(f"{uid}\n".encode())

    journal = Journal(tmp_path / "journal.db", kiosk_id="door-1")
    journal.store_door_data(recall_data(), source="test")
    socket_path, out, clock = tmp_path / "taps.sock", io.StringIO(), HeldClock(TUESDAY)
    reader = SimulatedReader(socket_path=socket_path)
    door = HeadlessDoor(journal=journal, reader=reader, feedback=QuietIndicator(),
                        rules=DoorRules(), out=out, clock=clock)  # fmt: skip
    door.door._rng = random.Random(3)
    loop = threading.Thread(target=door.run, kwargs={"install_signals": False})
    loop.start()
    try:
        wait_until(socket_path.exists, what="the reader's socket")
        tap(AMAL_BADGE)
        wait_until(lambda: "Welkom, Amal!" in out.getvalue(), what="the welcome")
        assert "♪" not in out.getvalue()  # never at check-in
        clock.advance(6 * 3600)
        tap(AMAL_BADGE)
        wait_until(lambda: "♪ de emmer\n" in out.getvalue(), what="the check")
        assert "[de emmer]" in out.getvalue().split("♪ de emmer\n", 1)[1]
        wait_until(lambda: "♪ de emmer: overgeslagen" in out.getvalue(), timeout=8,
                   what="skipped after five seconds")  # fmt: skip
        clock.advance(60)
        tap(AMAL_BADGE)  # back in: no check
        wait_until(lambda: out.getvalue().count("Welkom, Amal!") == 2, what="back in")
        clock.advance(3600)
        tap(AMAL_BADGE)  # out again: "hamer" is next
        wait_until(lambda: "♪ de hamer\n" in out.getvalue(), what="the second check")
        tap(SANNE_BADGE)
        wait_until(lambda: "♪ de hamer: overgeslagen" in out.getvalue(), what="ended by a tap")
        text = out.getvalue()
        assert text.index("Welkom, Sanne!") < text.index("♪ de hamer: overgeslagen")
    finally:
        door.stop()
        loop.join(timeout=5)
    records = Journal(tmp_path / "journal.db", kiosk_id="door-1").of_kind(WORD_RECALL)
    assert [(r.detail["word"], r.detail["answer"]) for r in records] == [
        ("emmer", SKIPPED), ("hamer", SKIPPED)
    ]  # fmt: skip

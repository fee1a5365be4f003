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

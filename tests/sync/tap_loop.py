"""Taps in a loop through the real door and journal, printing each acknowledgement.

Run as a child process by test_kill.py, which kills it with SIGKILL at random moments.
A line "ACK <seq> <id>" is printed only after door.tap() returned, i.e. after the
participant would have been told: every such line must survive the kill.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from sync.clock import SystemClock
from sync.journal import Journal
from sync.roster import DoorData

BADGES = [f"04{n:06X}" for n in range(1, 9)]


def main(path: str) -> None:
    journal = Journal(Path(path), kiosk_id="kill-test")
    if not journal.door_data().participants:
        journal.store_door_data(
            DoorData.from_dict(
                {
                    "participants": [{"id": f"p{n}", "display_name": f"P{n}"} for n in range(6)],
                    "badges": [{"uid": b, "holder_id": f"p{n}"} for n, b in enumerate(BADGES[:6])],
                }
            ),
            source="kill test",
        )
    door = Door(journal=journal, clock=SystemClock(), feedback=QuietIndicator())
    print("READY", flush=True)
    n = 0
    while True:
        answer = door.tap(BADGES[n % len(BADGES)])
        print(f"ACK {answer.record.seq} {answer.record.id}", flush=True)
        n += 1
        # A short breath between taps keeps hundreds of lives to a few thousand records
        # (a busy day is a few hundred), so start-up stays as quick as a real kiosk's;
        # the kill still lands inside a commit often enough.
        time.sleep(0.002)


if __name__ == "__main__":
    main(sys.argv[1])

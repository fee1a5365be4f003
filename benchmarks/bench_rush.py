"""The morning rush: how many taps a minute the door answers, each with the right screen.

The real app offscreen (kiosk.ui.stage.Stage, the same KioskApp, 30 fps as shipped), with
the reader a door has: the mfrc522 library on the emulated chip, polled every 0.1 s as
shipped (`--reader socket` uses the simulated reader's Unix socket instead). The journal
is on the disk under test with synchronous=FULL. Every tap is a different participant's
first check-in of the day, so every answer is a welcome with "Eet je mee?", the tasks and
the word of the day; the door's clock moves 1.5 s per tap.

- **rush**: one person after another, as fast as the door lets them: a badge is held to
  the reader until the frame greeting its holder has been drawn, then the next badge.
  The door keeps an answer up for seconds, but the next tap ends it at once: a rush is
  bound by tap → frame, not by how long an answer stays. Every frame drawn for an answer
  is read (tests/kiosk/ui/frames.py): it must greet the holder of that badge and nobody
  else, and the journal must hold every check-in once, in order.
- **paced** (`--paced N`, 0 to skip): N taps at the target's pace, 1.5 s apart in real
  time, the answers left to stand until the next tap; the same checks.
- **reference**, half before the rush and half after: one tap at rest (from the waiting
  screen) to its frame drawn, the single tap's frame time; 60 s divided by it is what a
  rush would reach if nothing but the frame counted.

Target: at least 40 taps a minute (one each 1.5 s) with every screen right.

Run from the repo root: python benchmarks/bench_rush.py [--taps 200] [--paced 20]
    [--reference 40] [--reader mfrc522|socket] [--dir DIR]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kiosk.ui.boot import prepare_kivy  # noqa: E402

TARGET_PER_MINUTE = 40.0
PACE = 60.0 / TARGET_PER_MINUTE  # 1.5 s
FPS = 30


class Door:
    """The app on its stage, a reader to tap through, and what every frame showed."""

    def __init__(self, folder: Path, people: int, reader_kind: str) -> None:
        from bench_screen_tap import badge_of, door_data

        from hardware.feedback import QuietIndicator
        from kiosk.door import Door as CoreDoor
        from kiosk.player import SilentPlayer
        from kiosk.ui.app import KioskApp, ScreenSettings
        from kiosk.ui.stage import Stage
        from sync.clock import WORKSHOP_TZ, HeldClock
        from sync.journal import Journal
        from sync.roster import DoorData
        from tests.kiosk.ui.frames import FrameRecorder

        today = date.today()
        morning = datetime(today.year, today.month, today.day, 8, 30, tzinfo=WORKSHOP_TZ)
        data = door_data(today, people)
        self.badge_of = badge_of
        self.names = {badge_of(n): f"{p['display_name']}" for n, p in enumerate(
            [p for p in data["participants"] if str(p["id"]).startswith("p-bench-")])}  # fmt: skip
        self.clock = HeldClock(morning)
        self.journal = Journal(folder / "journal.db", kiosk_id="bench-rush")
        self.journal.store_door_data(DoorData.from_dict(data), source="bench")
        core = CoreDoor(journal=self.journal, clock=self.clock, feedback=QuietIndicator())
        self.socket_path = folder / "taps.sock"
        self.chip: Any = None
        self._emulation: Any = None
        if reader_kind == "mfrc522":
            from hardware.emulation import emulated_chip
            from hardware.mfrc522_reader import Mfrc522Reader

            self._emulation = emulated_chip()
            self.chip = self._emulation.__enter__()
            reader: Any = Mfrc522Reader()  # polls every 0.1 s, as shipped
        else:
            from hardware.simulated import SimulatedReader

            reader = SimulatedReader(socket_path=self.socket_path)
        self.frames = FrameRecorder()
        app = KioskApp(
            door=core,
            journal=self.journal,
            reader=reader,
            settings=ScreenSettings(cache_dir=folder / "sounds", sound=False),
            player=SilentPlayer(),
            on_screen=self.frames.shown,
        )
        self.frames.app = app
        self.stage = Stage(app)
        self.stage.wait_for_screen("waiting")
        self.taps = 0
        self.checked = 0
        self.wrong: list[str] = []

    def _put(self, uid: str) -> Any:
        if self.chip is None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(str(self.socket_path))
                s.sendall(f"{uid}\n".encode())
            return None
        from hardware.emulation import Card

        card = Card.from_hex(uid)
        self.chip.place(card)
        return card

    def _take(self, card: Any) -> None:
        if card is not None:
            self.chip.remove(card)

    def tap(self) -> float:
        """The next badge, held until its answer is drawn; seconds from the badge on the
        reader to that frame."""
        uid = self.badge_of(self.taps)
        self.taps += 1
        self.clock.advance(PACE)
        start = time.perf_counter()
        card = self._put(uid)
        self.stage.wait_for(lambda: self.frames.answered(uid) is not None, 10, f"{uid} drawn")
        answer = self.frames.answered(uid)
        assert answer is not None and answer.first_frame_at is not None
        self._take(card)
        return answer.first_frame_at - start

    def check(self, first: int, last: int) -> None:
        """Every answer of taps first..last-1: frames greeting only its holder."""
        self.checked += last - first
        for n in range(first, last):
            uid = self.badge_of(n)
            answer = self.frames.answered(uid)
            frames = answer.frames if answer else []
            name = self.names[uid]
            if not frames or any(f"Welkom, {name}!" not in frame for frame in frames):
                self.wrong.append(uid)

    def journal_in_order(self) -> bool:
        ids = [r.participant_id for r in self.journal.of_kind("check_in")]
        return ids == [f"p-bench-{n}" for n in range(self.taps)]

    def rest(self) -> None:
        self.stage.app.go_waiting()
        self.stage.wait_for_screen("waiting")

    def close(self) -> None:
        self.frames.close()
        self.stage.close()
        self.journal.close()
        if self._emulation is not None:
            self._emulation.__exit__(None, None, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=200, help="taps in the rush")
    parser.add_argument("--paced", type=int, default=20, help="taps 1.5 s apart in real time")
    parser.add_argument("--reference", type=int, default=40, help="single taps at rest")
    parser.add_argument("--reader", choices=("mfrc522", "socket"), default="mfrc522")
    parser.add_argument("--dir", type=Path, default=ROOT, help="a folder on the disk to test")
    args = parser.parse_args()

    people = 1 + args.taps + args.paced + args.reference  # and the first, untimed
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-") as tmp:
        folder = Path(tmp)
        prepare_kivy(offscreen=True, home=folder / "kivy", fps=FPS)
        door = Door(folder, people, args.reader)
        single: list[float] = []
        try:
            door.tap()  # the first welcome loads its fonts: not a rush's figure
            door.rest()

            def reference(count: int) -> None:
                for _ in range(count):
                    single.append(door.tap())
                    door.rest()

            reference(args.reference // 2)
            start, first = time.perf_counter(), door.taps
            rush = [door.tap() for _ in range(args.taps)]
            rush_seconds = time.perf_counter() - start
            door.check(first, door.taps)
            reference(args.reference - args.reference // 2)
            first = door.taps
            for _ in range(args.paced):
                begun = time.perf_counter()
                door.tap()
                door.stage.pump(max(0.0, PACE - (time.perf_counter() - begun)))
            door.check(first, door.taps)
            in_order = door.journal_in_order()
        finally:
            door.close()

    def ms(x: float) -> str:
        return f"{x * 1000:.0f} ms"

    per_minute = args.taps / rush_seconds * 60
    p50, p99 = statistics.median(rush), sorted(rush)[min(len(rush) - 1, round(0.99 * len(rush)))]
    ref = statistics.median(single)
    print(f"Morning rush, {args.reader} reader, offscreen at {FPS} fps, journal on {args.dir}")
    print(
        f"  rush: {args.taps} taps in {rush_seconds:.1f} s = {per_minute:.0f} taps/min; "
        f"badge → its frame p50 {ms(p50)}, p99 {ms(p99)}"
    )
    if args.paced:
        print(f"  paced: {args.paced} taps {PACE:g} s apart, each answer standing until the next")
    print(
        f"  reference: one tap at rest → its frame, p50 {ms(ref)} over {len(single)} "
        f"(60 s / p50 = {60 / ref:.0f} taps/min)"
    )
    print(
        f"  screens: {door.checked - len(door.wrong)} of {door.checked} answers (rush and "
        "paced) greeted their own person on every frame drawn for them"
        + (f"; wrong: {', '.join(door.wrong[:5])}" if door.wrong else "")
    )
    print(f"  journal: {door.taps} check-ins, {'in tap order' if in_order else 'NOT in order'}")
    ok = per_minute >= TARGET_PER_MINUTE and not door.wrong and in_order
    verdict = "met" if ok else "MISSED"
    print(f"  target: ≥ {TARGET_PER_MINUTE:g} taps/min, every screen right -> {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

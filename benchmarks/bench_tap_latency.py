"""Tap → decision → durable commit → feedback started, against a bare SQLite commit.

Both run on the same disk, interleaved tap by tap so the machine's noise falls on both
alike. The reference is one INSERT + COMMIT on a WAL database with synchronous=FULL — the
least any durable record can cost. Target: the door's p99 ≤ 2 × the bare commit's p99.

With --with-photos the sync agent's photo cache (sync.media) takes in photos on a thread
all the while, on the same disk — written, fsynced, renamed, and the old ones removed, as a
new plan's photos arrive — so the figure shows whether a download slows a tap.

Run from the repo root: python benchmarks/bench_tap_latency.py [--taps N] [--dir DIR]
[--with-photos]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gpiozero import LED, Device, TonalBuzzer  # noqa: E402
from gpiozero.pins.mock import MockFactory, MockPWMPin  # noqa: E402

from hardware.indicator import Indicator  # noqa: E402
from kiosk.door import Door  # noqa: E402
from sync.clock import SystemClock  # noqa: E402
from sync.journal import Journal  # noqa: E402
from sync.media import MediaCache  # noqa: E402
from sync.roster import DoorData  # noqa: E402

TARGET_P99_RATIO = 2.0
PEOPLE = 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def door_data() -> DoorData:
    return DoorData.from_dict(
        {
            "participants": [{"id": f"p{n}", "display_name": f"P{n}"} for n in range(PEOPLE)],
            "badges": [{"uid": f"04{n:06X}", "holder_id": f"p{n}"} for n in range(PEOPLE)],
        }
    )


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, seq INTEGER, kind TEXT, body TEXT)")
    return conn


def photo_traffic(folder: Path, stop: threading.Event, taken: list[int]) -> None:
    """Plans of five new 60 kB photos, one after the other, as fast as the disk allows."""
    cache = MediaCache(folder)
    while not stop.is_set():
        batch = {hashlib.sha256(b).hexdigest(): b for b in (os.urandom(60_000) for _ in range(5))}
        cache.refresh(list(batch), batch.__getitem__)
        taken[0] += len(batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=1500)
    parser.add_argument("--dir", type=Path, default=ROOT, help="a folder on the disk to test")
    parser.add_argument("--with-photos", action="store_true", help="photos arrive meanwhile")
    args = parser.parse_args()

    Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-") as tmp:
        journal = Journal(Path(tmp) / "journal.db", kiosk_id="bench")
        journal.store_door_data(door_data(), source="bench")
        feedback = Indicator(LED(17), LED(27), TonalBuzzer(18))
        door = Door(journal=journal, clock=SystemClock(), feedback=feedback)
        bare = bare_connection(Path(tmp) / "bare.db")
        door_times: list[float] = []
        bare_times: list[float] = []
        outcomes: dict[str, int] = {}
        stop, taken = threading.Event(), [0]
        traffic = threading.Thread(target=photo_traffic, args=(Path(tmp) / "media", stop, taken))
        if args.with_photos:
            traffic.start()
        for n in range(args.taps):
            uid = f"04{n % (PEOPLE + 5):06X}"  # a few unknown badges among them
            start = time.perf_counter()
            answer = door.tap(uid)  # returns once committed and the signal has started
            door_times.append(time.perf_counter() - start)
            outcomes[answer.record.kind] = outcomes.get(answer.record.kind, 0) + 1

            start = time.perf_counter()
            bare.execute("BEGIN")
            bare.execute("INSERT INTO t VALUES (?, ?, ?, ?)", (f"id-{n}", n, "check_in", "{}"))
            bare.execute("COMMIT")
            bare_times.append(time.perf_counter() - start)
        stop.set()
        if args.with_photos:
            traffic.join()
        feedback.close()
        journal.close()
        bare.close()

    def ms(x: float) -> str:
        return f"{x * 1000:8.3f} ms"

    d50, d99 = statistics.median(door_times), percentile(door_times, 0.99)
    b50, b99 = statistics.median(bare_times), percentile(bare_times, 0.99)
    print(f"Tap latency over {args.taps} taps on {args.dir} (interleaved, same disk)")
    print(f"  decisions: {dict(sorted(outcomes.items()))}")
    if args.with_photos:
        print(f"  photos taken into the cache meanwhile: {taken[0]}")
    print(f"  {'':28}{'p50':>12}{'p99':>12}")
    print(f"  {'door: tap→commit→feedback':28}{ms(d50):>12}{ms(d99):>12}")
    print(f"  {'bare INSERT+COMMIT (FULL)':28}{ms(b50):>12}{ms(b99):>12}")
    ratio = d99 / b99
    print(f"  p99 ratio door/bare: {ratio:.2f} (target ≤ {TARGET_P99_RATIO})")
    print(f"  p50 ratio door/bare: {d50 / b50:.2f}")
    return 0 if ratio <= TARGET_P99_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())

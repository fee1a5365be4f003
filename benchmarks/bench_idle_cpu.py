"""CPU time of idle polling (no card) at 10 Hz: the stock mfrc522 loop against Mfrc522Reader.

Both run at the same time in two child processes, each against its own emulated chip; the
figure is the child's process CPU time (all threads) over the measured seconds.
Run from the repo root: python benchmarks/bench_idle_cpu.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

POLL_INTERVAL = 0.1  # what we ship: 10 Hz
TARGET_RATIO = 1 / 20


def run_stock(seconds: float) -> dict[str, float]:
    """SimpleMFRC522.read_id's empty poll (MFRC522_Request with REQIDL) every 0.1 s."""
    from hardware.emulation import emulated_chip

    with emulated_chip() as chip:
        from mfrc522 import MFRC522

        stock = MFRC522()
        cpu0, start = time.process_time(), time.monotonic()
        polls, next_poll = 0, start
        while time.monotonic() - start < seconds:
            stock.MFRC522_Request(stock.PICC_REQIDL)
            polls += 1
            next_poll += POLL_INTERVAL
            time.sleep(max(0.0, next_poll - time.monotonic()))
        cpu = time.process_time() - cpu0
        return {"cpu": cpu, "polls": polls, "transfers": chip.transfers}


def run_ours(seconds: float) -> dict[str, float]:
    """Mfrc522Reader polling in its own thread at its default 10 Hz."""
    import threading

    from hardware.emulation import emulated_chip
    from hardware.mfrc522_reader import Mfrc522Reader

    with emulated_chip() as chip, Mfrc522Reader(poll_interval=POLL_INTERVAL) as reader:
        reader.poll_once()  # build and initialise outside the measured time
        cpu0 = time.process_time()
        reader.start(lambda _read: None)
        threading.Event().wait(seconds)
        reader.close()
        cpu = time.process_time() - cpu0
        return {"cpu": cpu, "polls": reader.polls - 1, "transfers": chip.transfers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="idle polling per side")
    parser.add_argument("--child", choices=["stock", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = run_stock if args.child == "stock" else run_ours
        print(json.dumps(run(args.seconds)))
        return 0
    children = {
        side: subprocess.Popen(
            [sys.executable, __file__, "--child", side, "--seconds", str(args.seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for side in ("stock", "ours")
    }
    results = {}
    for side, child in children.items():
        out, _ = child.communicate()
        if child.returncode:
            print(f"{side} child failed ({child.returncode})", file=sys.stderr)
            return 2
        results[side] = json.loads(out)
    stock, ours = results["stock"], results["ours"]
    ratio = ours["cpu"] / stock["cpu"]
    print(f"Idle polling at {1 / POLL_INTERVAL:.0f} Hz for {args.seconds:g} s, emulated MFRC522:")
    for name, r in (("stock mfrc522 loop", stock), ("Mfrc522Reader", ours)):
        per_poll = 1000 * r["cpu"] / max(1, r["polls"])
        share = 100 * r["cpu"] / args.seconds
        print(
            f"  {name:<18}: {r['cpu']:7.3f} s CPU ({share:5.2f} % of a core), "
            f"{r['polls']:.0f} polls, {per_poll:.3f} ms CPU/poll"
        )
    ok = ratio <= TARGET_RATIO
    print(f"  ratio             : {ratio:.4f} (1/{1 / ratio:.0f})")
    print(f"  target            : ours <= 1/20 of stock -> {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

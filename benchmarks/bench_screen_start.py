"""Start to waiting screen: spawning `prikklok kiosk --offscreen` to its READY=1.

READY=1 goes to $NOTIFY_SOCKET right after the first frame on the waiting screen, so the
figure is what systemd would see on the Pi. The reference, started alternately with the
app so the machine's noise falls on both alike, is `python -c "import kivy.core.window"`
with the same Kivy environment: the interpreter, Kivy and an SDL2 window with its GL
context, the least any Kivy screen costs before it can draw; and the bare interpreter. One
untimed start of each comes first: it makes the journal and warms the page cache (a Pi
that boots reads from its SD card, a restart does not).
Target: median < 3 s.

Run from the repo root: python benchmarks/bench_screen_start.py [--starts N] [--dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen_process import ROOT, KioskProcess, kivy_env, prepare

TARGET_SECONDS = 3.0
REFERENCES = ("pass", "import kivy.core.window")


def start_app(folder: Path) -> float:
    kiosk = KioskProcess(folder)
    try:
        return kiosk.start()
    finally:
        kiosk.stop()


def start_reference(folder: Path, code: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        env=kivy_env(folder),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=11, help="timed starts of each")
    parser.add_argument("--dir", type=Path, default=ROOT, help="where the kiosk folder lives")
    args = parser.parse_args()

    times: dict[str, list[float]] = {"prikklok kiosk → READY=1": []}
    times |= {f"python -c {code!r}": [] for code in REFERENCES}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-") as tmp:
        folder = Path(tmp)
        prepare(folder)
        first = start_app(folder)  # also creates the journal, as the first boot does
        for code in REFERENCES:
            start_reference(folder, code)
        for _ in range(args.starts):
            runs = [start_app(folder)] + [start_reference(folder, c) for c in REFERENCES]
            for name, took in zip(times, runs, strict=True):
                times[name].append(took)

    def s(x: float) -> str:
        return f"{x:6.3f} s"

    print(f"Start to waiting screen over {args.starts} starts each (alternating), offscreen")
    print(f"  {'':40}{'median':>10}{'min':>10}{'max':>10}")
    for name, runs in times.items():
        print(f"  {name:40}{s(statistics.median(runs)):>10}{s(min(runs)):>10}{s(max(runs)):>10}")
    app, _, window = (statistics.median(runs) for runs in times.values())
    print(f"  first start (new journal): {s(first).strip()}")
    print(f"  app − Kivy window (median): {app - window:.2f} s; ratio {app / window:.2f}")
    ok = app < TARGET_SECONDS
    print(f"  target: median < {TARGET_SECONDS:g} s -> {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

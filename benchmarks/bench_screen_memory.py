"""Resident memory of `prikklok kiosk --offscreen` over 2000 taps: bounded and not growing.

The app runs as a subprocess with the demo door data and the too-soon question off, so
the twelve demo participants check in and out in turn (welcome, goodbye); among them a
new unknown badge every 20 taps, the ended program's badge every 25 and the supervisor
every 50 (each opens its own screen). Each tap is written to the reader's socket; the next
waits until the journal holds the tap's record and two frames have passed, so every tap
is drawn. VmRSS (and RssAnon, the process's private memory) is read from /proc at READY
and after each tenth of the taps. Reference, in the same run: a bare Kivy window with
one label drawn, same environment — what Kivy, SDL2 and the GL driver cost on their own.

The site has the participant's own say on (benchmarks/screen_process.OWN_SAY_SITE): every
own tap also shows the week, every check-out asks why they leave early (the next tap ends
the question); --without-own-say leaves them off, as the door was before issue 15.

With --with-photos every task and word of the plan has a photo of its own in the door's
photo cache (random pixels, cleaned and scaled by the server's own code, as a workshop's
photos arrive), so each welcome draws its tasks' and word's photos in place of pictograms.

With --recall (issue 16) each demo participant has a recall plan: twenty words met (each
with a pictogram), ten of them due. After each check-out with a word still to ask the bench
waits until the check is on the glass (the goodbye's 3 s, and a little), and the next tap
ends it as skipped: up to ten checks per participant in a day (the door asks a word once a
day), each drawn with its four pictures. The count of `word_recall` records is checked.

Targets: RSS after the taps ≤ 200 MiB, and growth over the second half of the taps
(the least-squares slope through its samples) ≤ 5 MiB per 1000 taps.

Run from the repo root:
python benchmarks/bench_screen_memory.py [--taps 2000] [--dir DIR] [--with-photos] [--recall]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen_process import ROOT, KioskProcess, kivy_env, prepare, rss_mib

from server.demo.data import ENDED, PEOPLE, SUPERVISOR

TARGET_RSS_MIB = 200.0
TARGET_GROWTH_MIB = 5.0  # per 1000 taps, over the second half
FRAME_GAP = 2 / 30  # two frames at the default cap

BARE_WINDOW = """
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.uix.label import Label
Window.add_widget(Label(text="Welkom"))
EventLoop.idle()
status = open("/proc/self/status").read().splitlines()
print(*[line.split()[1] for line in status if line.startswith(("VmRSS:", "RssAnon:"))])
"""


def badge(n: int) -> str:
    if n % 50 == 13:
        return SUPERVISOR[2]
    if n % 25 == 3:
        return ENDED[3]
    if n % 20 == 7:
        return f"0EAD{n:04X}"  # a new stranger every time
    return PEOPLE[n % len(PEOPLE)][3]


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, RssAnon) in MiB."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    anon = next(line for line in status if line.startswith("RssAnon:"))
    return rss_mib(pid), int(anon.split()[1]) / 1024


def bare_window(folder: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", BARE_WINDOW],
        env=kivy_env(folder),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024


def add_photos(folder: Path) -> int:
    """Give every task and word of the door data a photo in the door's cache; returns how
    many photos."""
    import io
    import json
    import random

    from PIL import Image

    from server.administration.media import prepare_photo

    data_file = folder / "door-data.json"
    data = json.loads(data_file.read_text("utf-8"))
    cache = folder / "media"
    cache.mkdir(exist_ok=True)
    noise = random.Random(7)
    items = [*data["tasks"], *data["words"]]
    for item in items:
        # Noise does not compress: the largest file a 480 px photo can be.
        pixels = noise.randbytes(640 * 480 * 3)
        sent = io.BytesIO()
        Image.frombytes("RGB", (640, 480), pixels).save(sent, format="JPEG", quality=90)
        photo = prepare_photo(sent.getvalue())
        suffix = ".png" if photo.content_type == "image/png" else ".jpg"
        (cache / f"{photo.sha256}{suffix}").write_bytes(photo.content)
        item["photo"] = photo.sha256
    data_file.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return len(items)


RECALL_WORDS = (
    "aardappel", "appel", "auto", "baby", "bad", "banaan", "bed", "beker", "bezem", "boek",
    "boom", "brief", "brood", "bus", "camera", "citroen", "computer", "deur", "doos", "emmer",
)  # fmt: skip
RECALL_DUE = 10
CHECK_SHOWN = 3.4  # s after a check-out: the goodbye's CHECK_AFTER_GOODBYE, and a frame


def add_recall(folder: Path) -> None:
    """A recall plan for every demo participant, in the door data the kiosk reads."""
    import json
    from datetime import date, timedelta

    data_file = folder / "door-data.json"
    data = json.loads(data_file.read_text("utf-8"))
    today = date.today()
    data["recall_words"] = [
        {"day": (today - timedelta(days=n + 1)).isoformat(), "word": word, "article": "de",
         "pictogram": word, "sentence": "", "translations": {}}
        for n, word in enumerate(RECALL_WORDS)
    ]  # fmt: skip
    data["recall"] = [
        {"participant_id": person[0], "due": list(RECALL_WORDS[n % 10 : n % 10 + RECALL_DUE]),
         "met": list(RECALL_WORDS), "known": n}
        for n, person in enumerate(PEOPLE)
    ]  # fmt: skip
    data_file.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def taps_recorded(db: sqlite3.Connection) -> int:
    query = "SELECT count(*) FROM records WHERE kind NOT IN ('lunch', 'word_recall')"
    return db.execute(query).fetchone()[0]


def last_tap(db: sqlite3.Connection) -> tuple[str, str | None]:
    query = "SELECT kind, participant_id FROM records WHERE kind != 'lunch' ORDER BY seq DESC"
    return db.execute(query).fetchone()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 2000, not 1000: RSS saw-tooths by ±8 MiB, and a slope over 500 taps mistakes that for growth.
    parser.add_argument("--taps", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=ROOT, help="where the kiosk folder lives")
    parser.add_argument("--with-photos", action="store_true", help="a photo for each task and word")
    parser.add_argument(
        "--without-own-say", action="store_true", help="no week, no questions (before issue 15)"
    )
    parser.add_argument("--recall", action="store_true", help="the recall check at check-outs")
    args = parser.parse_args()

    samples: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-") as tmp:
        folder = Path(tmp)
        prepare(folder, too_soon_minutes=0, own_say=not args.without_own_say)
        photos = add_photos(folder) if args.with_photos else 0
        if args.recall:
            add_recall(folder)
        checks_left = {person[0]: RECALL_DUE if args.recall else 0 for person in PEOPLE}
        checks = 0
        bare = bare_window(folder)
        kiosk = KioskProcess(folder)
        kiosk.start()
        try:
            time.sleep(0.5)
            samples.append((0, *memory(kiosk.pid)))
            db = sqlite3.connect(f"file:{folder / 'journal.db'}?mode=ro", uri=True)
            base = taps_recorded(db)
            tenth = max(1, args.taps // 10)
            for n in range(args.taps):
                kiosk.tap(badge(n))
                deadline = time.monotonic() + 10
                while taps_recorded(db) < base + n + 1:
                    if time.monotonic() > deadline or kiosk.process.poll() is not None:
                        raise RuntimeError(f"tap {n} was not recorded")
                    time.sleep(0.002)
                time.sleep(FRAME_GAP)
                kind, who = last_tap(db)
                if kind == "check_out" and checks_left.get(who or "", 0) > 0:
                    checks_left[who or ""] -= 1
                    checks += 1
                    time.sleep(CHECK_SHOWN)  # the check on the glass; the next tap ends it
                if (n + 1) % tenth == 0:
                    time.sleep(0.5)  # let the screen settle before reading
                    samples.append((n + 1, *memory(kiosk.pid)))
            time.sleep(6.0 if args.recall else 0)  # a last check ends by its own time
            recalls = db.execute("SELECT count(*) FROM records WHERE kind = 'word_recall'")
            if args.recall and recalls.fetchone()[0] != checks:
                raise RuntimeError(f"{checks} checks waited for, not as many written")
            db.close()
        finally:
            code = kiosk.stop()
        if code:
            print(f"the kiosk exited with {code}; see its log", file=sys.stderr)

    shown = f", {photos} photos in the plan" if photos else ", pictograms"
    shown += "" if args.without_own_say else ", own say on"
    shown += f", {checks} recall checks shown" if args.recall else ""
    print(f"Resident memory of prikklok kiosk --offscreen over {args.taps} taps{shown} (MiB)")
    print(f"  {'':28}{'VmRSS':>10}{'RssAnon':>10}")
    print(f"  {'bare Kivy window + label':28}{bare[0]:10.1f}{bare[1]:10.1f}")
    for taps, rss, anon in samples:
        label = "app at READY" if taps == 0 else f"app after {taps} taps"
        print(f"  {label:28}{rss:10.1f}{anon:10.1f}")
    second = samples[len(samples) // 2 :]
    taps_at = [float(t) for t, _, _ in second]
    growth = 1000 * statistics.linear_regression(taps_at, [r for _, r, _ in second]).slope
    anon_growth = 1000 * statistics.linear_regression(taps_at, [a for _, _, a in second]).slope
    r1 = samples[-1][1]
    print(f"  app above the bare window at READY: {samples[0][1] - bare[0]:.1f} MiB")
    print(
        f"  growth {second[0][0]}→{second[-1][0]} taps: {growth:+.2f} MiB per 1000 taps "
        f"(RssAnon {anon_growth:+.2f})"
    )
    ok_rss, ok_growth = r1 <= TARGET_RSS_MIB, growth <= TARGET_GROWTH_MIB
    print(f"  target: RSS ≤ {TARGET_RSS_MIB:g} MiB -> {'met' if ok_rss else 'MISSED'}")
    verdict = "met" if ok_growth else "MISSED"
    print(f"  target: growth ≤ {TARGET_GROWTH_MIB:g} MiB per 1000 taps -> {verdict}")
    return 0 if ok_rss and ok_growth else 1


if __name__ == "__main__":
    sys.exit(main())

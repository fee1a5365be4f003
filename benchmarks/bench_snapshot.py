"""What a kiosk's snapshot pull costs the server: a 304, a changed snapshot, and its bytes.

A real server (`prikklok server run`, one worker) over a fresh database with one site of
`--participants` badged participants, two supervisors and a plan of tasks and words for
the next eight days; one kiosk asks over a keep-alive connection, as its agent does
(requests, which asks for gzip). Interleaved, `--pulls` times each:

- 304: If-None-Match with the current ETag (target: ≤ 5 ms);
- changed: the site's data changed (a site setting flipped, untimed), so the server builds
  the snapshot, compresses it and sends it;
- reference, in this process on the same database: build_snapshot + canonical_json +
  sha256, which is what every pull cost the server before issue 18, a 304 included.

Then the bytes of one snapshot on the wire, gzip against plain.

With `--recall-days N` (default 60; 0: none) the site had a word of the day on each of
the N days before yesterday, each participant came on about 40 % of them, and has a word
card for half of the words they met (issue 16): the snapshot then carries every
participant's recall plan, and the kiosk says it understands them.

    .venv/bin/python benchmarks/bench_snapshot.py                      # both databases
    .venv/bin/python benchmarks/bench_snapshot.py --databases sqlite --pulls 50
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.server_process import ServerProcess  # noqa: E402

TARGET_MS = 5.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def burst_cpu(
    server: ServerProcess,
    http: requests.Session,
    url: str,
    headers: dict[str, str],
    count: int,
    status: int,
) -> float:
    """The server's CPU seconds per request over `count` requests in a row."""
    before = server.cpu_seconds()
    for _ in range(count):
        assert http.get(url, headers=headers).status_code == status
    return (server.cpu_seconds() - before) / count


def fill(server: ServerProcess, participants: int) -> str:
    """The site, its people, supervisors and plan; the kiosk's token."""
    from server.administration import operations as admin
    from server.administration.plan import Plan, load_plan
    from server.cli import admin_db
    from sync.protocol import SnapshotTask, SnapshotWord

    server.add_site("big", "Grote werkplaats")
    server.add_participants("big", [(f"p{n:05d}", f"04{n:06X}") for n in range(participants)])
    today = datetime.now(UTC).date()
    days = [today + timedelta(days=n) for n in range(-1, 9)]
    with admin_db(server.database_url, None) as conn:
        for n in range(2):
            admin.add_staff(
                conn, f"s-{n}", f"sup{n}", "supervisor", f"Begeleider {n}", "big",
                datetime.now(UTC),
            )  # fmt: skip
        load_plan(
            conn,
            "big",
            Plan(
                tasks=[
                    SnapshotTask(day=d, text=f"Taak {t} van {d}") for d in days for t in range(20)
                ],
                words=[
                    SnapshotWord(
                        day=d,
                        word="hamer",
                        article="de",
                        sentence="Ik pak de hamer.",
                        translations={"ar": "مطرقة", "en": "hammer", "ti": "መዶሻ"},
                    )
                    for d in days
                ],
            ),
        )
    return server.add_kiosks("big", ["door"])["door"]


def fill_recall(server: ServerProcess, participants: int, days: int) -> None:
    """Past words, check-ins on word days and word cards (server.learning), by SQL in bulk."""
    import random
    from uuid import uuid4

    from server.cli import admin_db
    from server.learning.answers import StoredAnswer, card_row
    from server.schema import events, word_cards, words

    chance = random.Random(16)
    today = datetime.now(UTC).date()
    past = [today - timedelta(days=2 + n) for n in range(days)]
    with admin_db(server.database_url, None) as conn:
        conn.execute(words.insert(), [
            {"site_id": "big", "day": day, "word": f"woord{n}", "article": "het",
             "sentence": "", "translations": {}, "pictogram": "hamer"}
            for n, day in enumerate(past)
        ])  # fmt: skip
        taps, cards = [], []
        seq = 0
        for p in range(participants):
            pid = f"p{p:05d}"
            for n, day in enumerate(past):
                if chance.random() >= 0.4:
                    continue
                seq += 1
                at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8)
                taps.append({
                    "id": str(uuid4()), "kiosk_id": "door", "site_id": "big", "seq": seq,
                    "kind": "check_in", "participant_id": pid, "wall_at": at,
                    "workshop_day": day, "clock_synced": True, "boot_id": "bench",
                    "monotonic": float(seq), "detail": {}, "content_hash": "0" * 64,
                    "received_at": at,
                })  # fmt: skip
                if chance.random() < 0.5:
                    answer = StoredAnswer("x", pid, f"woord{n}", at + timedelta(days=3), "right")
                    cards.append({"participant_id": pid, "word": f"woord{n}", "site_id": "big",
                                  **card_row([answer]), "updated_at": at})  # fmt: skip
        for start in range(0, len(taps), 5000):
            conn.execute(events.insert(), taps[start : start + 5000])
        for start in range(0, len(cards), 5000):
            conn.execute(word_cards.insert(), cards[start : start + 5000])


def flip_setting(server: ServerProcess, on: bool) -> None:
    from server.administration.sites import say_greeting
    from server.db import make_engine

    engine = make_engine(server.database_url)
    try:
        say_greeting(engine, "big", on)
    finally:
        engine.dispose()


def run(kind: str, args: argparse.Namespace, tmp: Path) -> bool:
    with ServerProcess(kind, workers=1, pg_url=args.pg_url, parent=tmp) as server:
        token = fill(server, args.participants)
        url = f"{server.base_url}/api/v1/snapshot"
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        if args.recall_days:
            from sync.protocol import PICTOGRAMS, RECALL, UNDERSTANDS_HEADER

            fill_recall(server, args.participants, args.recall_days)
            http.headers[UNDERSTANDS_HEADER] = f"{PICTOGRAMS},{RECALL}"
        packed = http.get(url)
        plain = http.get(url, headers={"Accept-Encoding": "identity"})
        assert packed.status_code == plain.status_code == 200, packed.text[:200]
        assert packed.headers["Content-Encoding"] == "gzip"
        wire_gzip = int(packed.headers["Content-Length"])
        wire_plain = int(plain.headers["Content-Length"])
        assert packed.content == plain.content
        etag = packed.headers["ETag"]

        from server.db import make_engine
        from server.kiosks.snapshot import build_snapshot, canonical_json

        engine = make_engine(server.database_url)
        not_modified: list[float] = []
        changed: list[float] = []
        reference: list[float] = []
        on = False
        try:
            for _ in range(args.pulls):
                started = time.perf_counter()
                answer = http.get(url, headers={"If-None-Match": etag})
                not_modified.append(time.perf_counter() - started)
                assert answer.status_code == 304, answer.status_code

                on = not on
                flip_setting(server, on)
                started = time.perf_counter()
                answer = http.get(url, headers={"If-None-Match": etag})
                changed.append(time.perf_counter() - started)
                assert answer.status_code == 200
                etag = answer.headers["ETag"]

                started = time.perf_counter()
                with engine.connect() as conn, conn.begin():
                    body = canonical_json(build_snapshot(conn, "big", datetime.now(UTC)))
                hashlib.sha256(body).hexdigest()
                reference.append(time.perf_counter() - started)
        finally:
            engine.dispose()
        # Server CPU (all its processes, /proc ticks) over a burst, beside a health check's
        cpu_304 = burst_cpu(server, http, url, {"If-None-Match": etag}, args.burst, 304)
        health = f"{server.base_url}/healthz"
        cpu_health = burst_cpu(server, http, health, {}, args.burst, 200)

    def ms2(values: list[float]) -> tuple[str, str]:
        return f"{percentile(values, 0.5) * 1000:8.1f}", f"{percentile(values, 0.99) * 1000:8.1f}"

    print(
        f"\n{kind}: {args.participants} participants, {args.pulls} pulls of each kind, "
        f"{args.recall_days} past word days"
    )
    print("                                              p50 ms   p99 ms")
    row = "  {:<40} {} {}"
    print(row.format("304 (If-None-Match matches), over HTTP", *ms2(not_modified)))
    print(row.format("changed: built, gzipped, sent (200)", *ms2(changed)))
    print(row.format("reference: build + JSON + sha256", *ms2(reference)))
    print(
        f"  server CPU per 304: {cpu_304 * 1000:.2f} ms; per health check "
        f"(no database): {cpu_health * 1000:.2f} ms ({args.burst} of each in a row)"
    )
    ratio = percentile(reference, 0.5) / percentile(not_modified, 0.5)
    print(f"  reference / 304 (p50): {ratio:.0f}x")
    print(
        f"  snapshot on the wire: {wire_plain / 1024:.0f} KiB plain, {wire_gzip / 1024:.0f} KiB "
        f"gzip ({wire_gzip / wire_plain:.1%})"
    )
    met = cpu_304 * 1000 <= TARGET_MS
    print(f"  target: server CPU per 304 ≤ {TARGET_MS:g} ms -> {'met' if met else 'MISSED'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--pulls", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1000, help="304s in a row for the CPU")
    parser.add_argument("--recall-days", type=int, default=60, help="past word days (0: none)")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--dir", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix=".bench-snapshot-", dir=args.dir) as tmp:
        results = [run(kind, args, Path(tmp)) for kind in args.databases.split(",")]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

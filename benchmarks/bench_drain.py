"""Draining a kiosk's backlog to a real server, against one request per record and a bulk insert.

One kiosk journal holds N records (a kiosk that was offline for a long time); the real sync
path — sync_once rounds (the agent's push loop), the real ServerClient over HTTP, batches of
500 — drains it into a real server (`prikklok server run`, uvicorn) on SQLite and on
PostgreSQL. Beside it, in the same run, on the same kind of database:

  (a) one HTTP request per record: POST /api/v1/records with a batch of one, sequentially,
      over one keep-alive requests.Session — how existing attendance sync tools push;
      target: the drain is ≥ 20× faster;
  (b) a bare bulk insert of the same rows into the events table of a fresh, migrated
      database of the same kind (SQLAlchemy Core executemany, batches of 500, one commit
      per batch); target: the drain reaches ≥ 0.5× of it.

Half of (a) and (b) runs before the drain and half after, so the machine's noise falls on
all three alike. Filling the journals is not timed (it uses Journal.append with
synchronous=OFF for speed; the drain itself runs with the journal's synchronous=FULL).

Run from the repo root:
  python benchmarks/bench_drain.py [--records 100000] [--sample 2000]
                                   [--databases sqlite,postgresql] [--pg-url URL] [--dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from benchmarks.server_process import Database, ServerProcess  # noqa: E402
from sync.agent import sync_once  # noqa: E402
from sync.client import ServerClient  # noqa: E402
from sync.clock import WORKSHOP_TZ, SystemClock  # noqa: E402
from sync.journal import Journal  # noqa: E402
from sync.protocol import MAX_BATCH, PushRequest, WireRecord  # noqa: E402
from sync.record import Entry, Record  # noqa: E402

TARGET_VS_PER_RECORD = 20.0
TARGET_VS_BULK = 0.5  # issue 18, target 5 (was 0.3)
BATCH = MAX_BATCH  # 500
PEOPLE = 50
SITE = "bench"


def people() -> list[tuple[str, str]]:
    return [(f"p{n:03d}", f"04{n:06X}") for n in range(PEOPLE)]


def fill(journal: Journal, count: int, start: datetime) -> None:
    """Append count door records: check-ins and check-outs of PEOPLE participants."""
    journal.db.execute("PRAGMA synchronous=OFF")  # not timed: only the drain is measured
    folks = people()
    for n in range(count):
        pid, uid = folks[n % PEOPLE]
        wall = start + timedelta(seconds=20 * n)
        journal.append(
            Entry(
                kind="check_in" if (n // PEOPLE) % 2 == 0 else "check_out",
                wall_at=wall,
                workshop_day=wall.astimezone(WORKSHOP_TZ).date(),
                clock_synced=True,
                boot_id="bench-boot",
                monotonic=1000.0 + 20 * n,
                participant_id=pid,
                badge_uid=uid,
                detail={"reader": "mfrc522"},
            )
        )
    journal.db.execute("PRAGMA synchronous=FULL")


@dataclass
class Figures:
    database: str
    records: int
    drain_seconds: float
    drain_http_seconds: float
    rounds: int
    per_record: int
    per_record_seconds: float
    bulk_rows: int
    bulk_seconds: float
    server_cpu: float  # the server's CPU seconds during the drain
    kiosk_cpu: float  # the benchmark's own (the kiosk's) CPU seconds during the drain
    bulk_cpu: float  # the benchmark's CPU seconds during the bulk inserts

    @property
    def drain_rate(self) -> float:
        return self.records / self.drain_seconds

    @property
    def per_record_rate(self) -> float:
        return self.per_record / self.per_record_seconds

    @property
    def bulk_rate(self) -> float:
        return self.bulk_rows / self.bulk_seconds


def drain(journal: Journal, client: ServerClient, limit: float) -> tuple[float, float, int, int]:
    """sync_once rounds until the journal is empty: (seconds, seconds in push, rounds, pushed)."""
    in_push = 0.0
    real_push = client.push

    def timed_push(records: Any, **options: Any) -> Any:
        nonlocal in_push
        began = time.perf_counter()
        try:
            return real_push(records, **options)
        finally:
            in_push += time.perf_counter() - began

    client.push = timed_push  # type: ignore[method-assign]
    clock = SystemClock()
    pushed = rounds = 0
    began = time.perf_counter()
    while True:
        rounds += 1
        result = sync_once(
            journal, client, now=clock.now, batch_size=BATCH, app_version="bench", max_batches=50
        )
        pushed += result.pushed
        if result.rejected or result.problems:
            raise RuntimeError(f"drain: {result.rejected} rejected, problems {result.problems}")
        if not result.more:
            break
        if time.perf_counter() - began > limit:
            raise RuntimeError(f"drain did not finish within {limit:g} s")
    return time.perf_counter() - began, in_push, rounds, pushed


def push_one_by_one(base_url: str, token: str, wires: list[WireRecord]) -> float:
    """POST each record alone, in order, over one keep-alive session; seconds taken."""
    url = f"{base_url}/api/v1/records"
    with requests.Session() as session:
        session.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )
        began = time.perf_counter()
        for wire in wires:
            response = session.post(
                url, data=PushRequest(records=[wire]).model_dump_json().encode(), timeout=30
            )
            response.raise_for_status()
            if response.json()["results"][0]["status"] != "accepted":
                raise RuntimeError(f"per-record push not accepted: {response.text[:200]}")
        return time.perf_counter() - began


def event_rows(records: list[Record], kiosk_id: str) -> list[dict[str, Any]]:
    """The rows the server stores for these records (as server.kiosks.ingest builds them)."""
    from server.kiosks.ingest import content_hash

    received = datetime.now(UTC)
    rows = []
    for record in records:
        wire = WireRecord.of(record)
        rows.append(
            {
                "id": str(wire.id), "kiosk_id": kiosk_id, "site_id": SITE, "seq": wire.seq,
                "kind": wire.kind, "participant_id": wire.participant_id,
                "supervisor_id": wire.supervisor_id, "badge_uid": wire.badge_uid,
                "wall_at": wire.wall_at, "workshop_day": wire.workshop_day,
                "clock_synced": wire.clock_synced, "boot_id": wire.boot_id,
                "monotonic": wire.monotonic, "detail": wire.detail,
                "content_hash": content_hash(wire), "received_at": received,
            }
        )  # fmt: skip
    return rows


class BulkTarget:
    """A fresh, migrated database of the same kind, with the site, kiosk and people."""

    def __init__(self, kind: str, folder: Path, pg_url: str | None) -> None:
        from server.administration import operations as admin
        from server.administration.importer import import_participants
        from server.cli import admin_db
        from server.db import make_engine

        self.db = Database.fresh(kind, folder=folder, pg_url=pg_url)
        self.db.migrate()
        with admin_db(self.db.url, None) as conn:
            # the same opening hours and zone as `prikklok server add-site` gives
            admin.add_site(conn, SITE, SITE, *_hours(), "Europe/Amsterdam")
            admin.add_kiosk(conn, SITE, "drain", "drain", datetime.now(UTC))
            text = "id,display_name,badge_uid\n" + "".join(f"{p},{p},{b}\n" for p, b in people())
            import_participants(conn, text, SITE, datetime.now(UTC))
        self.engine = make_engine(self.db.url)

    def insert(self, rows: list[dict[str, Any]]) -> tuple[float, float]:
        """Insert the rows, 500 per transaction: (seconds, CPU seconds of this process)."""
        from server.db import writing
        from server.schema import events

        began, cpu = time.perf_counter(), time.process_time()
        for at in range(0, len(rows), BATCH):
            with writing(self.engine) as conn:
                conn.execute(events.insert(), rows[at : at + BATCH])
        return time.perf_counter() - began, time.process_time() - cpu

    def close(self) -> None:
        self.engine.dispose()
        self.db.drop()


def _hours() -> tuple[Any, Any]:
    from datetime import time as clock_time

    return clock_time(8, 30), clock_time(17, 0)


def count_events(url: str, kiosk_id: str) -> int:
    from sqlalchemy import func, select

    from server.db import make_engine
    from server.schema import events

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(events).where(events.c.kiosk_id == kiosk_id)
        ).scalar_one()
    engine.dispose()
    return int(n)


def run_one(kind: str, args: argparse.Namespace, tmp: Path) -> Figures:
    say = print
    start = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    with ServerProcess(kind, workers=1, pg_url=args.pg_url, parent=tmp) as server:
        server.add_site(SITE)
        tokens = server.add_kiosks(SITE, ["drain", "single"])
        server.add_participants(SITE, people())

        began = time.perf_counter()
        journal = Journal(tmp / f"{kind}-drain.db", kiosk_id="drain")
        fill(journal, args.records, start)
        single = Journal(tmp / f"{kind}-single.db", kiosk_id="single")
        fill(single, args.sample, start)
        sample = [WireRecord.of(r) for r in single.records(limit=args.sample)]
        bulk = BulkTarget(kind, tmp / f"{kind}-bulk", args.pg_url)
        rows = event_rows(journal.records(limit=args.records), "drain")
        say(f"  [{kind}] journals filled, rows built in {time.perf_counter() - began:.1f} s")

        half, bulk_half = len(sample) // 2, len(rows) // 2
        per_record_s = push_one_by_one(server.base_url, tokens["single"], sample[:half])
        bulk_s, bulk_cpu = bulk.insert(rows[:bulk_half])
        say(f"  [{kind}] per-record and bulk, first halves done; draining {args.records}…")

        client = ServerClient(server.base_url, tokens["drain"], timeout=60)
        server_cpu, kiosk_cpu = server.cpu_seconds(), time.process_time()
        drain_s, http_s, rounds, pushed = drain(journal, client, args.limit)
        server_cpu, kiosk_cpu = (
            server.cpu_seconds() - server_cpu,
            time.process_time() - kiosk_cpu,
        )
        client.close()
        say(f"  [{kind}] drained in {drain_s:.1f} s ({rounds} sync rounds)")

        more_s, more_cpu = bulk.insert(rows[bulk_half:])
        bulk_s, bulk_cpu = bulk_s + more_s, bulk_cpu + more_cpu
        per_record_s += push_one_by_one(server.base_url, tokens["single"], sample[half:])

        stored = count_events(server.database_url, "drain")
        left = journal.sync_status().queue_depth
        if pushed != args.records or stored != args.records or left:
            raise RuntimeError(
                f"drain incomplete: pushed {pushed}, stored {stored}, left {left} of {args.records}"
            )
        journal.close()
        single.close()
        bulk.close()
    return Figures(
        kind, args.records, drain_s, http_s, rounds, len(sample), per_record_s, len(rows), bulk_s,
        server_cpu, kiosk_cpu, bulk_cpu,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="backlog size")
    parser.add_argument("--sample", type=int, default=2000, help="records pushed one by one")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (a schema is made)")
    parser.add_argument("--dir", type=Path, default=ROOT, help="folder on the disk to use")
    parser.add_argument("--limit", type=float, default=900.0, help="give up a drain after (s)")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]

    print(f"Drain of {args.records} records, batches of {BATCH}; {args.sample} sent one by one")
    figures: list[Figures] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-drain-") as tmp:
        for kind in kinds:
            figures.append(run_one(kind, args, Path(tmp)))
    total = time.perf_counter() - began

    ok = True
    print()
    print(
        f"  {'database':<11}{'drain rec/s':>12}{'1-by-1 rec/s':>14}{'drain/1-by-1':>14}"
        f"{'bulk rec/s':>12}{'drain/bulk':>12}  result"
    )
    print(
        f"  {'':<11}{'':>12}{'':>14}{f'(≥ {TARGET_VS_PER_RECORD:g})':>14}"
        f"{'':>12}{f'(≥ {TARGET_VS_BULK:g})':>12}"
    )
    for f in figures:
        one, bulk = f.drain_rate / f.per_record_rate, f.drain_rate / f.bulk_rate
        good = one >= TARGET_VS_PER_RECORD and bulk >= TARGET_VS_BULK
        ok = ok and good
        print(
            f"  {f.database:<11}{f.drain_rate:>12,.0f}{f.per_record_rate:>14,.0f}{one:>14.1f}"
            f"{f.bulk_rate:>12,.0f}{bulk:>12.2f}  {'ok' if good else 'MISSED'}"
        )
    print()
    for f in figures:
        print(
            f"  {f.database}: drain {f.drain_seconds:.1f} s in {f.rounds} sync rounds, "
            f"pushes in flight {f.drain_http_seconds / f.drain_seconds:.0%} of it (two at once "
            "count twice; the kiosk marks and reads batches meanwhile); "
            f"1-by-1 {f.per_record_seconds / f.per_record * 1000:.2f} ms/record; "
            f"bulk {f.bulk_seconds:.1f} s"
        )
        batches = f.records / BATCH
        print(
            f"  {f.database}: CPU per batch of {BATCH}: "
            f"server {f.server_cpu / batches * 1000:.1f} ms, "
            f"kiosk {f.kiosk_cpu / batches * 1000:.1f} ms (the drain's wall time per batch "
            f"{f.drain_seconds / batches * 1000:.1f} ms); bulk "
            f"{f.bulk_cpu / batches * 1000:.1f} ms of CPU per batch "
            f"(wall {f.bulk_seconds / batches * 1000:.1f} ms; the database's own not counted)"
        )
    print(f"  whole run: {total:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

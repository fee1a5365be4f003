"""What the server's database grows by: bytes per stored tap and per kiosk, on disk.

A fresh, migrated database (a private PostgreSQL schema, or a SQLite file) with one site,
`--kiosks` doors and `--participants` badged participants takes `--days` workshop days of
taps through the server's own code (server.kiosks.ingest.ingest, batches of 500, as a push
stores them): each participant checks in, answers the lunch question and checks out on
four days of five. Every door then sends `--beats` heartbeats
(server.kiosks.heartbeats.record_heartbeat, as POST /heartbeat stores them). After a
VACUUM ANALYZE (PostgreSQL) the figures are read from the database itself:
pg_relation_size, pg_indexes_size and pg_total_relation_size per table and per index
(SQLite: the file, and dbstat's pages per table and index where SQLite has it).

The reference in the same run is the rows' own size: the bytes of their values as they
travel (the wire JSON of each record), so the overhead of the tuple headers, the indexes
and the pages' free room shows as a ratio.

Run from the repo root:
  python benchmarks/bench_growth.py [--databases postgresql,sqlite] [--participants 500]
                                    [--days 40] [--kiosks 4] [--beats 200] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from benchmarks.server_process import Database  # noqa: E402
from sync.protocol import Heartbeat, PushRequest, WireRecord  # noqa: E402

SITE = "growth"
BATCH = 500
TABLES = ("events", "kiosk_heartbeats", "kiosk_boots", "boot_anchors")


def taps(participants: int, days: int, kiosks: list[str]) -> dict[str, list[WireRecord]]:
    """Per door, its records in sequence order: three per participant per day attended."""
    per_door: dict[str, list[WireRecord]] = {k: [] for k in kiosks}
    boots = {k: str(uuid.uuid4()) for k in kiosks}
    start = date(2026, 1, 5)
    booted = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # one boot each, its clock never jumps
    for day in range(days):
        on = start + timedelta(days=day)
        if on.weekday() >= 5:
            continue
        opened = datetime(on.year, on.month, on.day, 7, 30, tzinfo=UTC)
        for n in range(participants):
            if (n + day) % 5 == 0:
                continue  # four days of five
            door = kiosks[n % len(kiosks)]
            for kind, minutes, detail in (
                ("check_in", n % 90, {"reader": "mfrc522"}),
                ("lunch", 90 + n % 60, {"eats": n % 3 != 0}),
                ("check_out", 420 + n % 120, {"reader": "mfrc522"}),
            ):
                wall = opened + timedelta(minutes=minutes, seconds=n % 60)
                records = per_door[door]
                records.append(
                    WireRecord(
                        id=uuid.uuid4(), seq=len(records) + 1, kind=kind,
                        participant_id=f"p-{n:05d}", badge_uid=f"04{n:06X}",
                        wall_at=wall, workshop_day=on, clock_synced=True,
                        boot_id=boots[door], monotonic=(wall - booted).total_seconds(),
                        detail=detail,
                    )
                )  # fmt: skip
    return per_door


def sizes(conn: Any, kind: str) -> dict[str, dict[str, int]]:
    """Per table: heap (with TOAST), indexes and total bytes."""
    found: dict[str, dict[str, int]] = {}
    if kind == "postgresql":
        for table in TABLES:
            heap, indexes, total = conn.execute(
                text(
                    "SELECT pg_table_size(CAST(:t AS regclass)), "
                    "pg_indexes_size(CAST(:t AS regclass)), "
                    "pg_total_relation_size(CAST(:t AS regclass))"
                ),
                {"t": table},
            ).one()
            found[table] = {"heap": heap, "indexes": indexes, "total": total}
            for name, size in conn.execute(
                text(
                    "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
                    "FROM pg_index WHERE indrelid = CAST(:t AS regclass) ORDER BY 1"
                ),
                {"t": table},
            ):
                found[table][f"  {name}"] = size
        return found
    rows = conn.execute(
        text("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
    ).all()
    for table in TABLES:
        heap = indexes = 0
        for name, owner in rows:
            if owner != table:
                continue
            size = conn.execute(
                text("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = :n"), {"n": name}
            ).scalar_one()
            if name == table:
                heap = size
            else:
                indexes += size
        found[table] = {"heap": heap, "indexes": indexes, "total": heap + indexes}
    return found


def run_one(kind: str, args: argparse.Namespace, tmp: Path) -> None:
    from server.administration import operations as admin
    from server.administration.importer import import_participants
    from server.cli import admin_db
    from server.db import make_engine, writing
    from server.deps import kiosk_of
    from server.kiosks.heartbeats import record_heartbeat
    from server.kiosks.ingest import ingest

    db = Database.fresh(kind, folder=tmp / kind, pg_url=args.pg_url)
    try:
        db.migrate()
        kiosks = [f"{SITE}-door-{n}" for n in range(args.kiosks)]
        now = datetime.now(UTC)
        with admin_db(db.url, None) as conn:
            admin.add_site(conn, SITE, SITE, *_hours(), "Europe/Amsterdam")
            tokens = {k: admin.add_kiosk(conn, SITE, k, k, now) for k in kiosks}
            people = "".join(f"p-{n:05d},p-{n:05d},04{n:06X}\n" for n in range(args.participants))
            import_participants(conn, "id,display_name,badge_uid\n" + people, SITE, now)
        engine = make_engine(db.url)
        per_door = taps(args.participants, args.days, kiosks)
        count = sum(len(r) for r in per_door.values())
        wire_bytes = sum(
            len(PushRequest(records=[r]).model_dump_json()) - len('{"records":[]}')
            for records in per_door.values()
            for r in records
        )
        began = time.perf_counter()
        for door, records in per_door.items():
            for at in range(0, len(records), BATCH):
                with writing(engine) as conn:
                    kiosk = kiosk_of(conn, tokens[door])
                    ingest(conn, kiosk, records[at : at + BATCH], datetime.now(UTC))
        stored_s = time.perf_counter() - began
        for n in range(args.beats):
            for door in kiosks:
                beat = Heartbeat(
                    queue_depth=0, last_seq=len(per_door[door]), reader_health="ok",
                    app_version="0.1", boot_id=per_door[door][0].boot_id,
                    monotonic=1000.0 + 30 * n, wall_at=datetime.now(UTC), clock_synced=True,
                    last_tap_at=datetime.now(UTC), disk_free_bytes=10**10,
                    disk_total_bytes=3 * 10**10,
                )  # fmt: skip
                with writing(engine) as conn:
                    record_heartbeat(conn, kiosk_of(conn, tokens[door]), beat, datetime.now(UTC))
        if kind == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        with engine.connect() as conn:
            found = sizes(conn, kind)
        engine.dispose()
    finally:
        db.drop()

    print(f"\n  {kind}: {count:,} taps from {args.participants} participants over "
          f"{args.days} days, {args.kiosks} doors; stored in {stored_s:.1f} s; "
          f"{args.beats} heartbeats per door")  # fmt: skip
    print(f"  {'relation':<40}{'bytes':>14}{'per tap':>10}")
    for table, parts in found.items():
        for name, size in parts.items():
            per = f"{size / count:>10.1f}" if table == "events" else ""
            label = f"{table} {name}" if not name.startswith("  ") else name
            print(f"  {label:<40}{size:>14,}{per}")
    total, heap, indexes = (found["events"][k] for k in ("total", "heap", "indexes"))
    print(f"  events: {total / count:.0f} bytes per tap on disk (heap {heap / count:.0f}, "
          f"indexes {indexes / count:.0f}); the record on the wire "
          f"{wire_bytes / count:.0f} bytes: {total / wire_bytes:.2f}× its wire size")  # fmt: skip
    beats = sum(found[t]["total"] for t in TABLES if t != "events")
    print(f"  heartbeats: {beats:,} bytes for {args.kiosks} doors after "
          f"{args.beats * args.kiosks:,} heartbeats ({beats / args.kiosks:,.0f} per door: "
          "the latest is kept, not each one)")  # fmt: skip


def _hours() -> tuple[Any, Any]:
    from datetime import time as clock_time

    return clock_time(8, 30), clock_time(17, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--days", type=int, default=40, help="calendar days (weekends off)")
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--beats", type=int, default=200, help="heartbeats per door")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (a schema is made)")
    parser.add_argument("--dir", type=Path, default=ROOT, help="folder on the disk to use")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-growth-") as tmp:
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            run_one(kind, args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

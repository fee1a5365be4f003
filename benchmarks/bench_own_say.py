"""What the participants' own say costs the doors' hot paths (issue 15; issue 18 is about the
snapshot's cost): the snapshot with its usual leaving times, and GET /presence with each
participant's week marks, beside the same call without them, measured in the same run.

One site of 60 active participants with a year of history (two taps a day on four days a
week, from two doors) among 20 such sites; a tenth of the participants announced an absence.
Times are milliseconds of the query functions on one connection (no HTTP), interleaved:

- snapshot: `build_snapshot()` (with `usual_leaving_times`) vs. the same without it;
- presence: `presence_now()` + lunch + `week_marks()` vs. `presence_now()` + lunch.

  python benchmarks/bench_own_say.py [--backend sqlite|postgresql|both] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from unittest import mock
from uuid import uuid4
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from server.administration import operations as admin  # noqa: E402
from server.administration.importer import import_participants  # noqa: E402
from server.attendance.presence import lunch_count_of, presence_now  # noqa: E402
from server.attendance.week_marks import week_marks  # noqa: E402
from server.db import make_engine, writing  # noqa: E402
from server.kiosks import snapshot as snapshot_module  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.schema import events  # noqa: E402
from server.settings import sqlite_url  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
SITES, PEOPLE, DAYS = 20, 60, 365
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # a Wednesday morning


def seed(engine: Engine) -> None:
    seeded = NOW - timedelta(days=DAYS + 10)
    with writing(engine) as conn:
        for s in range(SITES):
            site = f"site-{s}"
            admin.add_site(conn, site, site, clock(8, 30), clock(17, 0), "Europe/Amsterdam")
            admin.add_kiosk(conn, site, f"{site}-a", "Voordeur", seeded)
            admin.add_kiosk(conn, site, f"{site}-b", "Achterdeur", seeded)
            rows = "".join(f"{site}-p{n},P{n},nl,2025-01-01,2027-12-31\n" for n in range(PEOPLE))
            csv = "id,display_name,language,program_start,program_end\n" + rows
            import_participants(conn, csv, site, seeded)
    today = NOW.astimezone(TZ).date()
    for s in range(SITES):
        site, batch, seq = f"site-{s}", [], {"a": 0, "b": 0}
        for back in range(DAYS, 0, -1):
            day = today - timedelta(days=back)
            if day.isoweekday() > 4:
                continue
            for n in range(PEOPLE):
                pid = f"{site}-p{n}"
                came = datetime.combine(day, clock(8, 30 + n % 20), tzinfo=TZ)
                left = datetime.combine(day, clock(15 + n % 3, (n * 7) % 60), tzinfo=TZ)
                for kind, at, door in (("check_in", came, "a"), ("check_out", left, "b")):
                    seq[door] += 1
                    batch.append(_event(site, door, seq[door], kind, pid, at, day, {}))
        for n in range(0, PEOPLE, 10):  # a tenth announced next Thursday off
            seq["a"] += 1
            off = {"day": (today + timedelta(days=8)).isoformat(), "reason": "office"}
            at = NOW - timedelta(hours=1)
            batch.append(
                _event(site, "a", seq["a"], "absence_announced", f"{site}-p{n}", at, today, off)
            )
        with writing(engine) as conn:
            for start in range(0, len(batch), 5000):
                conn.execute(events.insert(), batch[start : start + 5000])


def _event(
    site: str,
    door: str,
    seq: int,
    kind: str,
    pid: str,
    at: datetime,
    day: date,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": str(uuid4()), "kiosk_id": f"{site}-{door}", "site_id": site, "seq": seq,
        "kind": kind, "participant_id": pid, "supervisor_id": None, "badge_uid": None,
        "wall_at": at.astimezone(UTC), "workshop_day": day, "clock_synced": True,
        "boot_id": "b", "monotonic": float(seq), "detail": detail, "content_hash": "x" * 64,
        "received_at": at.astimezone(UTC),
    }  # fmt: skip


def measure(engine: Engine, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in ("snap", "snap_ref", "pres", "pres_ref")}

    def timed(key: str, call: Callable[[Any], Any], conn: Any) -> None:
        start = time.perf_counter()
        call(conn)
        times[key].append((time.perf_counter() - start) * 1000)

    site = "site-7"
    today = NOW.astimezone(TZ).date()

    def snap(conn: Any) -> Any:
        return snapshot_module.build_snapshot(conn, site, NOW)

    def snap_ref(conn: Any) -> Any:
        with mock.patch.object(snapshot_module, "usual_leaving_times", lambda *a: []):
            return snapshot_module.build_snapshot(conn, site, NOW)

    def pres_ref(conn: Any) -> Any:
        return presence_now(conn, site, NOW), lunch_count_of(conn, site, today)

    def pres(conn: Any) -> Any:
        return pres_ref(conn), week_marks(conn, site, NOW)

    with engine.connect() as conn:
        for call in (snap, snap_ref, pres, pres_ref):  # warm up
            call(conn)
        for _ in range(runs):
            timed("snap_ref", snap_ref, conn)
            timed("snap", snap, conn)
            timed("pres_ref", pres_ref, conn)
            timed("pres", pres, conn)
    return times


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def report(backend: str, times: dict[str, list[float]]) -> None:
    lines = [
        ("snapshot, with usual_leaving_times", "snap", "snap_ref"),
        ("presence, with week marks (own_say)", "pres", "pres_ref"),
    ]
    print(f"\n{backend}: {SITES} sites × {PEOPLE} participants × {DAYS} days")
    print("| what | median ms | p99 ms | reference median ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, key, ref in lines:
        got, base = statistics.median(times[key]), statistics.median(times[ref])
        print(f"| {name} | {got:.2f} | {p99(times[key]):.2f} | {base:.2f} | {got / base:.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with tempfile.TemporaryDirectory() as work:
            if backend == "sqlite":
                url = sqlite_url(Path(work) / "bench.db")
            else:
                url = os.environ.get("PRIKKLOK_TEST_DATABASE_URL", "")
                if not url:
                    print("postgresql: set PRIKKLOK_TEST_DATABASE_URL", file=sys.stderr)
                    return 2
            engine = make_engine(url)
            schema = None
            if backend == "postgresql":
                schema = f"bench_own_say_{os.getpid()}"
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
                engine.dispose()
                engine = _scoped(url, schema)
            try:
                upgrade(engine)
                seed(engine)
                report(backend, measure(engine, args.runs))
            finally:
                engine.dispose()
                if schema is not None:
                    root = make_engine(url)
                    with root.begin() as conn:
                        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                    root.dispose()
    return 0


def _scoped(url: str, schema: str) -> Engine:
    from sqlalchemy.engine import make_url

    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return make_engine(scoped.render_as_string(hide_password=False))


if __name__ == "__main__":
    raise SystemExit(main())

"""What the planning page's "which words has the group seen" table costs (issue 16): the
counts of `words_met()` beside the page's own three weeks (`plan.window()`), measured in the
same run.

Five sites of 60 active participants with a year of taps (two check-ins and two check-outs
a day, five days a week) and the starter set planned twice over the year, so every listed
word has a day full of taps. Times are milliseconds of the query functions (no HTTP),
interleaved:

  python benchmarks/bench_words_met.py [--backend sqlite|postgresql|both] [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from server.administration import operations as admin  # noqa: E402
from server.administration import plan, starter_set  # noqa: E402
from server.administration.importer import import_participants  # noqa: E402
from server.administration.words_met import words_met  # noqa: E402
from server.db import make_engine, writing  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.schema import events  # noqa: E402
from server.settings import sqlite_url  # noqa: E402

SITES, PEOPLE = 5, 60
FIRST = date(2026, 1, 5)  # a Monday
TODAY = FIRST + timedelta(days=339)
SITE = "site-2"


def seed(engine: Engine) -> None:
    seeded = datetime(2026, 1, 1, tzinfo=UTC)
    for s in range(SITES):
        site = f"site-{s}"
        with writing(engine) as conn:
            admin.add_site(conn, site, site, clock(8), clock(17), "Europe/Amsterdam")
            admin.add_kiosk(conn, site, f"{site}-a", "Voordeur", seeded)
            rows = "".join(f"{site}-p{n},P{n}\n" for n in range(PEOPLE))
            import_participants(conn, "id,display_name\n" + rows, site, seeded)
            for start in (FIRST, FIRST + timedelta(weeks=25)):
                starter_set.load_starter(conn, site, start, actor="bench", at=seeded)
        batch, seq = [], 0
        for back in range((TODAY - FIRST).days + 1):
            day = FIRST + timedelta(days=back)
            if day.isoweekday() > 5:
                continue
            for n in range(PEOPLE):
                for kind, hour in (("check_in", 8), ("check_out", 12), ("check_in", 13),
                                   ("check_out", 16)):  # fmt: skip
                    seq += 1
                    at = datetime.combine(day, clock(hour, n % 60), tzinfo=UTC)
                    batch.append(_event(site, seq, kind, f"{site}-p{n}", at, day))
        with writing(engine) as conn:
            for start in range(0, len(batch), 5000):
                conn.execute(events.insert(), batch[start : start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _event(site: str, seq: int, kind: str, pid: str, at: datetime, day: date) -> dict[str, Any]:
    return {
        "id": str(uuid4()), "kiosk_id": f"{site}-a", "site_id": site, "seq": seq,
        "kind": kind, "participant_id": pid, "supervisor_id": None, "badge_uid": None,
        "wall_at": at, "workshop_day": day, "clock_synced": True, "boot_id": "b",
        "monotonic": float(seq), "detail": {}, "content_hash": "x" * 64, "received_at": at,
    }  # fmt: skip


def measure(engine: Engine, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"met": [], "window": []}
    calls = {
        "met": lambda: words_met(engine, SITE, TODAY, None),
        "window": lambda: plan.window(engine, SITE, TODAY, TODAY + timedelta(days=20)),
    }
    for call in calls.values():  # warm up
        call()
    for _ in range(runs):
        for key, call in calls.items():
            start = time.perf_counter()
            call()
            times[key].append((time.perf_counter() - start) * 1000)
    found = words_met(engine, SITE, TODAY, None)
    assert len(found.words) == 120 and found.words[0].met == PEOPLE, found.words[:2]
    return times


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def report(backend: str, times: dict[str, list[float]]) -> None:
    got, base = statistics.median(times["met"]), statistics.median(times["window"])
    print(f"\n{backend}: {SITES} sites × {PEOPLE} participants × a year, 4 taps a workday")
    print("| what | median ms | p99 ms | reference (three weeks' plan) median ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| words met, 120 words | {got:.2f} | {p99(times['met']):.2f} | {base:.2f} | "
          f"{got / base:.2f} |")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=50)
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
                schema = f"bench_words_met_{os.getpid()}"
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

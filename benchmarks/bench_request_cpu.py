"""The server's CPU per kiosk request: a push of 1–3 records, a heartbeat.

A real server (`prikklok server run`, uvicorn, one worker) over a fresh database; kiosks
send their requests one after another, each over its own keep-alive connection, as the
agent does. The server process's CPU time (utime + stime from /proc) over a phase of
--requests requests of one kind, divided by their number, is the figure; a phase per kind
per round, --rounds rounds, the median reported.

Beside it, in the same run:
- floor: GET /healthz through the same server (uvicorn, FastAPI, the middleware; no
  database, no body) — what any request costs;
- bare commit: the same rows written straight through the DB-API into the same database
  (the push's 1–3 event rows, the heartbeat's one upserted row), each in its own durable
  transaction, timed by this process's CPU clock;
- with --reference DIR, the same phases against a second server running the code of
  another checkout (e.g. `git worktree add --detach /tmp/ref 0289f68`), interleaved round
  by round with the current code's, so both see the same machine.

Target (issue 18): ≤ 2 ms of server CPU per push and per heartbeat, on SQLite.

Run from the repo root:
  python benchmarks/bench_request_cpu.py [--databases sqlite,postgresql] [--requests 300]
      [--rounds 7] [--kiosks 20] [--reference DIR] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.server_process import ServerProcess  # noqa: E402

TARGET_MS = 2.0
PEOPLE = 20
BARE_KIOSK = "kbare"
KINDS = ("push", "heartbeat", "floor")


def badge(person: int) -> str:
    return f"04{person:06X}"


@dataclass
class Door:
    """One simulated kiosk: its token, its sequence numbers, its keep-alive connection."""

    kiosk_id: str
    token: str
    port: int
    seq: int = 0
    boot: str = field(default_factory=lambda: f"bench-{uuid.uuid4()}")
    started: float = field(default_factory=time.monotonic)
    conn: http.client.HTTPConnection | None = None

    def records(self, count: int, rng: random.Random) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        out = []
        for _ in range(count):
            self.seq += 1
            person = rng.randrange(PEOPLE)
            out.append(
                {
                    "id": str(uuid.uuid4()), "seq": self.seq,
                    "kind": rng.choice(("check_in", "check_out")),
                    "participant_id": f"s000-p{person:02d}", "badge_uid": badge(person),
                    "wall_at": now.isoformat(), "workshop_day": now.date().isoformat(),
                    "clock_synced": True, "boot_id": self.boot,
                    "monotonic": time.monotonic() - self.started, "detail": {},
                }
            )  # fmt: skip
        return out

    def heartbeat(self) -> dict[str, Any]:
        return {
            "queue_depth": 0, "last_seq": self.seq, "reader_health": "ok",
            "app_version": "bench", "boot_id": self.boot,
            "monotonic": time.monotonic() - self.started,
            "wall_at": datetime.now(UTC).isoformat(), "clock_synced": True,
        }  # fmt: skip

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
        """One request on the kept-alive connection (reconnecting if the server closed it)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Prikklok-Understands": "highest_seq",  # as sync.client sends with a heartbeat
        }
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                answer = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {answer[:200]!r}")
            return answer
        raise AssertionError("unreachable")


@dataclass
class Served:
    """A server under test and its kiosks."""

    name: str
    server: ServerProcess
    doors: list[Door]
    cpu: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    wall: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})


def serve(name: str, kind: str, root: Path, args: argparse.Namespace, tmp: Path) -> Served:
    server = ServerProcess(kind, pg_url=args.pg_url, parent=tmp, root=root).start()
    server.add_site("s000")
    server.add_participants("s000", [(f"s000-p{n:02d}", badge(n)) for n in range(PEOPLE)])
    ids = [f"k{n:03d}" for n in range(args.kiosks)] + [BARE_KIOSK]
    tokens = server.add_kiosks("s000", ids)
    doors = [Door(k, tokens[k], server.port) for k in ids if k != BARE_KIOSK]
    for door in doors:  # connected, code paths warm, the boot known: not timed
        door.send("POST", "/api/v1/heartbeat", door.heartbeat())
        door.send("POST", "/api/v1/records", {"records": door.records(2, random.Random(1))})
    return Served(name, server, doors)


def phase(served: Served, kind: str, count: int, rng: random.Random) -> None:
    """`count` requests of one kind, round-robin over the kiosks; server CPU per request."""
    doors = served.doors
    requests: list[Callable[[], bytes]] = []
    for n in range(count):
        door = doors[n % len(doors)]
        if kind == "push":
            body = {"records": door.records(rng.randint(1, 3), rng)}
            requests.append(lambda d=door, b=body: d.send("POST", "/api/v1/records", b))
        elif kind == "heartbeat":
            requests.append(lambda d=door: d.send("POST", "/api/v1/heartbeat", d.heartbeat()))
        else:
            requests.append(lambda d=door: d.send("GET", "/healthz"))
    cpu = served.server.cpu_seconds()
    began = time.perf_counter()
    for request in requests:
        request()
    served.wall[kind].append((time.perf_counter() - began) / count)
    served.cpu[kind].append((served.server.cpu_seconds() - cpu) / count)


def bare_commits(server: ServerProcess, count: int, rng: random.Random) -> dict[str, list[float]]:
    """CPU per durable commit of a push's rows and of a heartbeat's row, straight through
    the DB-API into the server's own database (its engine settings, its tables)."""
    from server.db import make_engine

    engine = make_engine(server.database_url)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    begin = "BEGIN IMMEDIATE" if sqlite else None
    columns = (
        "id, kiosk_id, site_id, seq, kind, participant_id, badge_uid, wall_at, workshop_day, "
        "clock_synced, boot_id, monotonic, detail, content_hash, received_at"
    )
    insert = f"INSERT INTO events ({columns}) VALUES ({', '.join([mark] * 15)})"
    beat = (
        "INSERT INTO kiosk_heartbeats (kiosk_id, received_at, wall_at, clock_synced, "
        "clock_offset_seconds, boot_id, monotonic, last_seq, queue_depth, reader_health, "
        f"app_version) VALUES ({', '.join([mark] * 11)}) ON CONFLICT (kiosk_id) DO UPDATE SET "
        "received_at = excluded.received_at, wall_at = excluded.wall_at, "
        "monotonic = excluded.monotonic, last_seq = excluded.last_seq"
    )
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute(f"SELECT COALESCE(MAX(seq), 0) FROM events WHERE kiosk_id = {mark}",
                   (BARE_KIOSK,))  # fmt: skip
    seq = int(cursor.fetchone()[0])
    cursor.close()
    raw.commit()
    out: dict[str, list[float]] = {"push": [], "heartbeat": []}
    try:
        for kind in ("push", "heartbeat"):
            cpu = time.process_time()
            for _ in range(count):
                now = datetime.now(UTC)
                stamp = now.isoformat(sep=" ") if sqlite else now
                cursor = raw.cursor()
                if begin:
                    cursor.execute(begin)
                if kind == "push":
                    rows = []
                    for _ in range(rng.randint(1, 3)):
                        seq += 1
                        person = rng.randrange(PEOPLE)
                        rows.append((
                            str(uuid.uuid4()), BARE_KIOSK, "s000", seq, "check_in",
                            f"s000-p{person:02d}", badge(person), stamp,
                            now.date().isoformat() if sqlite else now.date(), True, "bare",
                            float(seq), "{}", uuid.uuid4().hex * 2, stamp,
                        ))  # fmt: skip
                    cursor.executemany(insert, rows)
                else:
                    cursor.execute(beat, (BARE_KIOSK, stamp, stamp, True, 0.0, "bare",
                                          float(seq), seq, 0, "ok", "bench"))  # fmt: skip
                if sqlite:
                    cursor.execute("COMMIT")
                else:
                    raw.commit()
                cursor.close()
            out[kind].append((time.process_time() - cpu) / count)
    finally:
        raw.close()
        engine.dispose()
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def spread(values: list[float]) -> str:
    return f"{ms(statistics.median(values)):>6} ({ms(min(values))}–{ms(max(values))})"


def run_database(kind: str, args: argparse.Namespace, tmp: Path) -> bool:
    rng = random.Random(18)
    servers = [serve("current", kind, ROOT, args, tmp)]
    if args.reference:
        servers.append(serve("reference", kind, args.reference.resolve(), args, tmp))
    bare: dict[str, list[float]] = {"push": [], "heartbeat": []}
    try:
        for round_ in range(args.rounds):
            # alternate who goes first, so neither always runs on a machine just warmed up
            order = servers if round_ % 2 == 0 else servers[::-1]
            for what in KINDS:
                for served in order:
                    phase(served, what, args.requests, rng)
            for what, values in bare_commits(servers[0].server, args.requests, rng).items():
                bare[what] += values
            print(f"  round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        for served in servers:
            for door in served.doors:
                if door.conn is not None:
                    door.conn.close()
            served.server.stop()

    print(f"\n{kind}: server CPU per request, ms, median (min–max) of {args.rounds} rounds "
          f"of {args.requests} requests")  # fmt: skip
    names = [s.name for s in servers]
    print(f"  {'request':<10}" + "".join(f"{n + ' CPU':>24}{'wall':>8}" for n in names)
          + f"{'bare commit CPU':>24}")  # fmt: skip
    for what in KINDS:
        line = f"  {what:<10}"
        for served in servers:
            line += f"{spread(served.cpu[what]):>24}{ms(statistics.median(served.wall[what])):>8}"
        line += f"{spread(bare[what]):>24}" if what in bare else f"{'':>24}"
        print(line)
    current = servers[0]
    ok = True
    for what in ("push", "heartbeat"):
        cpu = statistics.median(current.cpu[what])
        above_floor = cpu - statistics.median(current.cpu["floor"])
        bits = [
            f"{ms(cpu)} ms",
            f"{ms(above_floor)} above the floor",
            f"{cpu / statistics.median(bare[what]):.1f}× a bare commit",
        ]
        if len(servers) > 1:
            before = statistics.median(servers[1].cpu[what])
            bits.append(f"{before / cpu:.2f}× less than the reference ({ms(before)} ms)")
        met = cpu <= TARGET_MS / 1000
        ok = ok and met
        print(f"  {what}: {'; '.join(bits)}; target ≤ {TARGET_MS:g} ms -> "
              f"{'met' if met else 'MISSED'}")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="requests per phase")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--reference", type=Path, help="a checkout whose server runs beside")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (a schema is made)")
    parser.add_argument("--dir", type=Path, default=ROOT, help="folder on the disk to use")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    print(f"Server CPU per kiosk request: {args.kiosks} kiosks, one request at a time, "
          f"{args.rounds} rounds × {args.requests} requests per kind"
          + (f"; reference: {args.reference}" if args.reference else ""))  # fmt: skip
    ok = True
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-cpu-") as tmp:
        for kind in kinds:
            met = run_database(kind, args, Path(tmp))
            ok = ok and (met or kind != "sqlite")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

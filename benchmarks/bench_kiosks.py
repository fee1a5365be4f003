"""Many kiosks against one real server: push and heartbeat latency, then the headroom.

K simulated kiosks (default 200), each registered with its own token, each every P seconds
(default 5) push a small batch of new records (1–3) and then a heartbeat, for S seconds
(default 60), against one real server (`prikklok server run`, uvicorn): SQLite with one
worker, PostgreSQL with --pg-workers workers. Each kiosk keeps its own keep-alive connection
and its own gapless sequence numbers; its first tick falls at a random point of the period.

The load comes from --generators processes (asyncio; a lean HTTP/1.1 client of its own,
or httpx with --client httpx). Each request is timed from
just before it is sent to the end of its answer; the generator's own lag (how late a tick
starts against its schedule) and CPU use are printed beside it, so a starved generator
shows instead of hiding behind good latencies.

Target: with the default 200 kiosks every 5 s, p99 < 100 ms for push and heartbeat on
SQLite, and no errors. Then the period is shortened step by step (the rate × --factor each
step) until p99 passes 100 ms, errors appear, or --max-steps is reached: the last rate that
passed is the headroom.

Run from the repo root:
  python benchmarks/bench_kiosks.py [--kiosks 200] [--period 5] [--seconds 60]
      [--databases sqlite,postgresql] [--pg-workers 2] [--generators 2]
      [--step-seconds 20] [--factor 1.5] [--max-steps 8] [--pg-url URL]
      [--reference CHECKOUT | --both CHECKOUT]

--reference serves another checkout's code (e.g. `git worktree add --detach /tmp/ref
0289f68`); --both runs that one first and then the current code, one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.server_process import ServerProcess  # noqa: E402

TARGET_P99 = 0.100  # seconds
KIOSKS_PER_SITE = 10
PEOPLE_PER_SITE = 20
TIMEOUT = 10.0  # per request
CLIENT = "lean"  # the generators' HTTP client (--client); forked generators inherit it


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class KioskPlan:
    kiosk_id: str
    token: str
    site: int
    seq: int  # the last sequence number already used
    phase: float  # seconds into the period of its first tick


# -- the load generator (runs in its own process) ---------------------------------------


@dataclass
class Answer:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class LeanClient:
    """HTTP/1.1 over one kept-alive asyncio connection, just enough for a kiosk's POSTs.

    httpx costs the generator a few ms of CPU per request; at a few hundred requests a
    second on two shared cores the generators then starve the server they measure
    (--client httpx keeps the old way)."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port, self.timeout = host, int(port), timeout
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, content: bytes) -> Answer:
        return await asyncio.wait_for(self._post(path, content), self.timeout)

    async def _post(self, path: str, content: bytes) -> Answer:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}"
                f"Content-Length: {len(content)}\r\n\r\n".encode()
                + content
            )
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            fields = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
            body = await reader.readexactly(int(fields.get("content-length", "0")))
        except BaseException:
            writer.close()
            self.streams = None
            raise
        if fields.get("connection", "").lower() == "close":
            writer.close()
            self.streams = None
        return Answer(int(lines[0].split()[1]), body)

    async def aclose(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


FAILED = (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError)


def _records(plan: KioskPlan, count: int, rng: random.Random, boot: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    out = []
    for _ in range(count):
        plan.seq += 1
        person = rng.randrange(PEOPLE_PER_SITE)
        out.append(
            {
                "id": str(uuid.uuid4()), "seq": plan.seq,
                "kind": rng.choice(("check_in", "check_out")),
                "participant_id": f"s{plan.site:03d}-p{person:02d}",
                "badge_uid": badge(plan.site, person), "wall_at": now.isoformat(),
                "workshop_day": now.date().isoformat(), "clock_synced": True,
                "boot_id": boot, "monotonic": time.monotonic(), "detail": {},
            }
        )  # fmt: skip
    return out


def _heartbeat(plan: KioskPlan, boot: str) -> dict[str, Any]:
    return {
        "queue_depth": 0, "last_seq": plan.seq, "reader_health": "ok", "app_version": "bench",
        "boot_id": boot, "monotonic": time.monotonic(),
        "wall_at": datetime.now(UTC).isoformat(), "clock_synced": True,
    }  # fmt: skip


async def _kiosk(
    plan: KioskPlan,
    http: Any,
    start: float,
    period: float,
    seconds: float,
    out: dict[str, Any],
    rng: random.Random,
) -> None:
    import httpx

    boot = f"bench-{plan.kiosk_id}"
    tick = 0
    while True:
        due = start + plan.phase + tick * period
        if due >= start + seconds:
            return
        tick += 1
        wait = due - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        out["lag"].append(max(0.0, time.time() - due))
        records = _records(plan, rng.randint(1, 3), rng, boot)
        for kind, path in (("push", "/api/v1/records"), ("heartbeat", "/api/v1/heartbeat")):
            body = {"records": records} if kind == "push" else _heartbeat(plan, boot)
            data = json.dumps(body).encode()
            began = time.perf_counter()
            try:
                response = await http.post(path, content=data)
                took = time.perf_counter() - began
                problem = None
                if response.status_code != 200:
                    problem = f"{kind} {response.status_code}: {response.text[:120]}"
                elif kind == "push":
                    statuses = {r["status"] for r in response.json()["results"]}
                    if statuses != {"accepted"}:
                        problem = f"push answered {sorted(statuses)}"
            except (httpx.HTTPError, *FAILED) as error:
                took = time.perf_counter() - began
                problem = f"{kind}: {type(error).__name__}: {error}"
            out[kind].append(took)
            if problem:
                out["errors"] += 1
                if len(out["samples"]) < 5:
                    out["samples"].append(problem)


def generate(
    plans: list[KioskPlan], base_url: str, period: float, seconds: float, seed: int, pipe: Any
) -> None:
    """One generator process: connect its kiosks, say ready, get the start time, drive them;
    send back timings and the kiosks' last seqs."""
    import httpx

    out: dict[str, Any] = {"push": [], "heartbeat": [], "lag": [], "errors": 0, "samples": []}
    rng = random.Random(seed)

    async def all_kiosks() -> None:
        clients = []
        for plan in plans:  # each kiosk its own client and keep-alive connection
            headers = {"Authorization": f"Bearer {plan.token}", "Content-Type": "application/json"}
            http: Any = (
                httpx.AsyncClient(base_url=base_url, headers=headers, timeout=TIMEOUT)
                if CLIENT == "httpx"
                else LeanClient(base_url, headers, TIMEOUT)
            )
            # warm-up, not timed: connection made, server code paths loaded
            await http.post("/api/v1/heartbeat", content=json.dumps(
                _heartbeat(plan, f"bench-{plan.kiosk_id}")).encode())  # fmt: skip
            clients.append(http)
        pipe.send("ready")
        start = pipe.recv()  # the same wall-clock start for every generator
        try:
            await asyncio.gather(
                *(
                    _kiosk(plan, http, start, period, seconds, out, rng)
                    for plan, http in zip(plans, clients, strict=True)
                )
            )
        finally:
            for http in clients:
                await http.aclose()

    cpu = time.process_time()
    asyncio.run(all_kiosks())
    out["cpu"] = time.process_time() - cpu
    out["seqs"] = {p.kiosk_id: p.seq for p in plans}
    pipe.send(out)


def badge(site: int, person: int) -> str:
    return f"04{site * 100 + person:06X}"


# -- one step: all generators for one period ---------------------------------------------


@dataclass
class Step:
    kiosks: int
    period: float
    seconds: float
    push: list[float] = field(default_factory=list)
    heartbeat: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    generator_cpu: float = 0.0  # CPU seconds, all generators
    server_cpu: float = 0.0  # CPU seconds, the server's processes
    wall: float = 0.0

    @property
    def offered(self) -> float:
        return 2 * self.kiosks / self.period

    @property
    def achieved(self) -> float:
        return (len(self.push) + len(self.heartbeat)) / self.seconds

    @property
    def p99(self) -> float:
        return max(percentile(self.push, 0.99), percentile(self.heartbeat, 0.99))

    @property
    def passed(self) -> bool:
        return self.p99 < TARGET_P99 and self.errors == 0


def run_step(
    plans: list[KioskPlan], server: ServerProcess, period: float, seconds: float, generators: int
) -> Step:
    step = Step(len(plans), period, seconds)
    server_cpu = server.cpu_seconds()
    shares = [plans[n::generators] for n in range(generators)]
    context = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for n, share in enumerate(shares):
        mine, theirs = context.Pipe()
        proc = context.Process(
            target=generate, args=(share, server.base_url, period, seconds, n, theirs)
        )
        proc.start()
        pipes.append(mine)
        procs.append(proc)
    try:
        for pipe in pipes:  # every kiosk connected and warmed up
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("a load generator did not get ready")
        start = time.time() + 0.2
        began = time.perf_counter()
        for pipe in pipes:
            pipe.send(start)
        answers = []
        for pipe in pipes:
            if not pipe.poll(seconds + 4 * TIMEOUT + 30):
                raise RuntimeError("a load generator did not finish")
            answers.append(pipe.recv())
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
    step.wall = time.perf_counter() - began
    step.server_cpu = server.cpu_seconds() - server_cpu
    seqs: dict[str, int] = {}
    for answer in answers:
        step.push += answer["push"]
        step.heartbeat += answer["heartbeat"]
        step.lag += answer["lag"]
        step.errors += answer["errors"]
        step.samples += answer["samples"]
        step.generator_cpu += answer["cpu"]
        seqs.update(answer["seqs"])
    for plan in plans:
        plan.seq = seqs[plan.kiosk_id]
    return step


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def print_header() -> None:
    print(
        f"  {'kiosks':>6} {'period':>7} {'offered':>8} {'done':>7} "
        f"{'push p50':>9} {'p99':>7} {'hb p50':>8} {'p99':>7} {'errors':>6} "
        f"{'lag p50':>8} {'p99':>7} {'gen cpu':>8} {'srv cpu':>8}  result"
    )
    print(
        f"  {'':>6} {'s':>7} {'req/s':>8} {'req/s':>7} {'ms':>9} {'ms':>7} {'ms':>8} "
        f"{'ms':>7} {'':>6} {'ms':>8} {'ms':>7} {'%core':>8} {'ms/req':>8}"
    )


def print_step(step: Step) -> None:
    print(
        f"  {step.kiosks:>6} {step.period:>7.3f} {step.offered:>8.0f} {step.achieved:>7.0f} "
        f"{ms(statistics.median(step.push)):>9} {ms(percentile(step.push, 0.99)):>7} "
        f"{ms(statistics.median(step.heartbeat)):>8} {ms(percentile(step.heartbeat, 0.99)):>7} "
        f"{step.errors:>6} {ms(statistics.median(step.lag)):>8} "
        f"{ms(percentile(step.lag, 0.99)):>7} {step.generator_cpu / step.wall:>8.0%} "
        f"{ms(step.server_cpu / (len(step.push) + len(step.heartbeat) + step.kiosks)):>8}  "
        f"{'ok' if step.passed else 'over'}"
    )
    for sample in step.samples[:3]:
        print(f"      e.g. {sample}")
    sys.stdout.flush()


def run_database(kind: str, args: argparse.Namespace, tmp: Path) -> tuple[Step, Step | None]:
    """The target run, then the ramp: (the target step, the last step that passed)."""
    workers = 1 if kind == "sqlite" else args.pg_workers
    root = (args.reference or ROOT).resolve()
    with ServerProcess(kind, workers=workers, pg_url=args.pg_url, parent=tmp, root=root) as server:
        sites = (args.kiosks + KIOSKS_PER_SITE - 1) // KIOSKS_PER_SITE
        rng = random.Random(7)
        plans: list[KioskPlan] = []
        for site in range(sites):
            site_id = f"s{site:03d}"
            server.add_site(site_id)
            server.add_participants(
                site_id,
                [(f"{site_id}-p{n:02d}", badge(site, n)) for n in range(PEOPLE_PER_SITE)],
            )
            ids = [
                f"k{n:04d}"
                for n in range(
                    site * KIOSKS_PER_SITE, min((site + 1) * KIOSKS_PER_SITE, args.kiosks)
                )
            ]
            for kiosk_id, token in server.add_kiosks(site_id, ids).items():
                plans.append(KioskPlan(kiosk_id, token, site, 0, 0.0))
        print(
            f"\n{kind}: {workers} worker(s), {len(plans)} kiosks on {sites} sites, "
            f"{args.generators} generator process(es)"
        )
        print_header()
        for plan in plans:
            plan.phase = rng.uniform(0, args.period)
        target = run_step(plans, server, args.period, args.seconds, args.generators)
        print_step(target)
        passed: Step | None = target if target.passed else None
        period = args.period
        for _ in range(args.max_steps if target.passed else 0):
            period /= args.factor
            for plan in plans:
                plan.phase = rng.uniform(0, period)
            step = run_step(plans, server, period, args.step_seconds, args.generators)
            print_step(step)
            if not step.passed:
                break
            passed = step
        if server.process is None or server.process.poll() is not None:
            raise RuntimeError(f"the server died: {server.log_tail()}")
    return target, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--period", type=float, default=5.0, help="seconds between a kiosk's syncs")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the target run")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument("--generators", type=int, default=2, help="load generator processes")
    parser.add_argument("--step-seconds", type=float, default=20.0, help="length of a ramp step")
    parser.add_argument("--factor", type=float, default=1.5, help="rate multiplier per step")
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (a schema is made)")
    parser.add_argument("--dir", type=Path, default=ROOT, help="folder on the disk to use")
    parser.add_argument(
        "--reference",
        type=Path,
        help="serve the code of this checkout instead (e.g. a worktree of an earlier commit)",
    )
    parser.add_argument(
        "--both",
        type=Path,
        metavar="CHECKOUT",
        help="run everything twice: with this checkout's code first, then with the current code",
    )
    parser.add_argument("--client", choices=("lean", "httpx"), default="lean",
                        help="the generators' HTTP client (lean: asyncio streams)")  # fmt: skip
    args = parser.parse_args()
    global CLIENT
    CLIENT = args.client
    if args.both:
        args.reference = args.both
        print(f"Reference run: the code of {args.both}")
        run_all(args)  # its verdict is for reading; the exit status is the current code's
        args.reference = None
        print("\nCurrent run: the code of this checkout")
    return run_all(args)


def run_all(args: argparse.Namespace) -> int:
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]

    print(
        f"{args.kiosks} kiosks, each every {args.period:g} s: a push of 1–3 records and a "
        f"heartbeat, for {args.seconds:g} s; then the period shrinks ×1/{args.factor:g} per "
        f"{args.step_seconds:g} s step until p99 > {TARGET_P99 * 1000:g} ms"
    )
    results: dict[str, tuple[Step, Step | None]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-kiosks-") as tmp:
        for kind in kinds:
            results[kind] = run_database(kind, args, Path(tmp))

    print("\nSummary")
    ok = True
    for kind, (target, passed) in results.items():
        verdict = "ok" if target.passed else "MISSED"
        if kind == "sqlite":
            ok = ok and target.passed
        else:
            verdict += " (reported; the target is SQLite's)"
        room = (
            f"headroom: {passed.achieved:.0f} req/s ({passed.kiosks} kiosks every "
            f"{passed.period:.3g} s) with p99 {ms(passed.p99)} ms"
            if passed
            else "headroom: none measured"
        )
        print(
            f"  {kind}: {args.kiosks} kiosks every {args.period:g} s → p99 {ms(target.p99)} ms "
            f"(target < {TARGET_P99 * 1000:g}), {target.errors} errors: {verdict}; {room}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

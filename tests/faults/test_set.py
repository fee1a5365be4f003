"""The set test, Jepsen style: every acknowledged tap reaches the server exactly once.

Four kiosks tap thousands of badges at their doors (Door → journal), and among the taps
write what participants say at the door (sync.own_say: a reason for leaving early after a
confirmed check-out, an announced absence or an estimated check-out after a check-in) and
their answers to the recall check of a word after a check-out (sync.recall),
while each one's sync agent pushes through a proxy that resets connections, delays them
and drops answers. A chaos thread SIGKILLs the server at random moments, often while
pushes are in flight, and restarts it on the same port; once the network is partitioned
for a dozen seconds. Then everything heals and the agents drain. The server must hold
exactly the union of the records the doors acknowledged: none missing, none doubled, every
kiosk's sequence gapless, and each thing a participant said there once, of its own kind;
every word card counts each answer to its word exactly once.

The same experiment runs again with two servers on one PostgreSQL behind a real HAProxy
(the admin guide's docs/admin/haproxy.cfg): the chaos thread then kills one of the two at a
time, and the balancer must take it out and put it back without losing or doubling a tap.

Replay a failing run with PRIKKLOK_FAULT_SEED=<the printed seed>.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from sync.agent import Backoff, SyncAgent
from sync.clock import SystemClock
from sync.journal import Journal
from sync.own_say import ABSENCE_ANNOUNCED, CHECKOUT_ESTIMATE, KINDS, LEAVE_REASON
from sync.recall import WORD_RECALL
from sync.record import Record
from tests.faults.balancer import Balancer
from tests.faults.harness import (
    PARTICIPANT_BADGES,
    CountingClient,
    ServerProcess,
    Tally,
    assert_exactly,
    card_counts,
    kinds_stored,
    own_say,
    register,
    seed_from_env,
    stored,
    wait_until,
    word_recall,
)
from tests.faults.proxy import FaultProxy, Faults

KIOSKS = ("door-a", "door-b", "door-c", "door-d")
CHAOS_SECONDS = 32.0  # at least; longer on a slow machine, until the chaos has killed enough
DRAIN_SECONDS = 90.0


@dataclass
class Kiosk:
    id: str
    door: Door
    journal: Journal  # the door's connection
    agent_journal: Journal  # the agent's own connection to the same file
    agent: SyncAgent
    acknowledged: set[str] = field(default_factory=set)
    failed_taps: int = 0
    said: dict[str, set[str]] = field(default_factory=dict)  # own-say record ids by kind


@dataclass
class Chaos:
    kills: int = 0
    kills_with_push_in_flight: int = 0
    partition_seconds: float = 0.0
    # Asked right after each kill, while that server is dead: the statuses of requests that
    # bypass the fault proxy (the balanced run asks the balancer).
    probe: Callable[[], list[int]] | None = None
    answers_while_down: list[int] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def _tapper(kiosk: Kiosk, rng: random.Random, stop: threading.Event) -> None:
    badges = list(PARTICIPANT_BADGES.values())
    while not stop.is_set():
        if rng.random() < 0.6:
            uid = rng.choice(badges)
        else:
            uid = "".join(rng.choice("0123456789ABCDEF") for _ in range(8))
        try:
            answer = kiosk.door.tap(uid)
        except Exception:  # DoorFailure: not acknowledged, so not owed to the server
            kiosk.failed_taps += 1
            continue
        kiosk.acknowledged.add(answer.record.id)
        _answers(kiosk, answer.record, uid, rng)
        stop.wait(rng.uniform(0.0, 0.03))


def _victim(servers: list[ServerProcess], rng: random.Random) -> ServerProcess:
    """The server to kill next: one of those killed least often, so each gets its turn."""
    if len(servers) == 1:
        return servers[0]
    fewest = min(server.kills for server in servers)
    return rng.choice([server for server in servers if server.kills == fewest])


def _answers(kiosk: Kiosk, record: Record, uid: str, rng: random.Random) -> None:
    """What a participant may do after their tap: leave anyway after "too soon" and give a
    reason, or after a check-in say they will not come on a later day, or when they left
    yesterday. Each is a record the door's journal writes among the taps."""
    written = []
    if record.kind == "too_soon" and rng.random() < 0.1:
        left = kiosk.door.confirm_leave(str(record.participant_id), uid)
        if left is not None:
            kiosk.acknowledged.add(left.record.id)
            if rng.random() < 0.7:
                written.append(kiosk.journal.append(own_say(left.record, LEAVE_REASON, rng)))
    elif record.kind == "check_in" and rng.random() < 0.6:
        kind = rng.choice((ABSENCE_ANNOUNCED, CHECKOUT_ESTIMATE))
        written.append(kiosk.journal.append(own_say(record, kind, rng)))
    elif record.kind == "check_out" and rng.random() < 0.5:
        written.append(kiosk.journal.append(word_recall(record, rng)))
    for said in written:
        kiosk.acknowledged.add(said.id)
        kiosk.said.setdefault(said.kind, set()).add(said.id)


def _chaos(
    servers: list[ServerProcess],
    proxy: FaultProxy,
    tally: Tally,
    rng: random.Random,
    stop: threading.Event,
    chaos: Chaos,
) -> None:
    began = time.monotonic()
    partition_at = began + rng.uniform(8.0, 14.0)
    partitioned = False
    while not stop.is_set():
        if not partitioned and time.monotonic() >= partition_at:
            chaos.partition_seconds = rng.uniform(10.0, 15.0)
            proxy.partition(chaos.partition_seconds)
            chaos.log.append(
                f"{time.monotonic() - began:5.1f}s partition {chaos.partition_seconds:.1f}s"
            )
            partitioned = True
        if stop.wait(rng.uniform(0.8, 3.0)):
            break
        if rng.random() < 0.75:
            # Aim for a push under way: the server may commit and die before answering.
            deadline = time.monotonic() + 2.0
            while tally.in_flight == 0 and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.03))
        in_flight = tally.in_flight
        server = _victim(servers, rng)
        server.kill()
        chaos.kills += 1
        chaos.kills_with_push_in_flight += in_flight > 0
        name = f" server {servers.index(server) + 1}" if len(servers) > 1 else ""
        chaos.log.append(
            f"{time.monotonic() - began:5.1f}s kill{name} ({in_flight} pushes in flight)"
        )
        if chaos.probe is not None:
            chaos.answers_while_down += chaos.probe()
        stop.wait(rng.uniform(0.0, 1.0))
        server.start()
        chaos.log.append(f"{time.monotonic() - began:5.1f}s{name} serving again")


def test_every_acknowledged_tap_lands_exactly_once(database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(database_url, tmp_path / "server.log")
    try:
        server.start()
        _experiment(database_url, tmp_path, [server], server.port, min_kills=5)
    finally:
        server.stop()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_servers_behind_a_balancer_lose_nothing(database_url: str, tmp_path: Path) -> None:
    """Two servers on one PostgreSQL behind HAProxy (SQLite is for one server process only,
    docs/admin/install-server.md): kill -9 one, then the other, again and again."""
    servers = [ServerProcess(database_url, tmp_path / f"server-{n}.log") for n in (1, 2)]
    balancer = Balancer([server.port for server in servers], tmp_path)
    try:
        for server in servers:
            server.start()
        balancer.start()
        wait_until(lambda: balancer.servers_up() == 2, timeout=10, what="both servers up")
        chaos = _experiment(
            database_url,
            tmp_path,
            servers,
            balancer.port,
            min_kills=4,  # each server twice
            probe=lambda: balancer.answers(10),
        )
        stats = balancer.stats()
    finally:
        balancer.close()
        for server in servers:
            server.stop()
    for s in stats:
        print(
            f"balancer, {s.name}: {s.sessions} connections, taken out {s.went_down}x, "
            f"{s.retries} retried, {s.redispatches} redispatched, {s.errors} answers cut off"
        )
    print(f"answers from the balancer right after a kill: {chaos.answers_while_down}")
    # A dead server costs the kiosks nothing but what it was doing: the balancer sends what
    # it refuses to the other one, before its health checks have even noticed.
    assert chaos.answers_while_down and set(chaos.answers_while_down) == {200}, chaos
    # Both servers carried kiosks' traffic, and the health checks took each out when it was
    # killed (each is killed at least twice) and put it back.
    assert all(s.sessions > 0 and s.went_down >= 1 for s in stats), stats


def _experiment(
    database_url: str,
    tmp_path: Path,
    servers: list[ServerProcess],
    front_port: int,
    *,
    min_kills: int,
    probe: Callable[[], list[int]] | None = None,
) -> Chaos:
    """Kiosks tap and push through the fault proxy to `front_port` while the chaos thread
    kills `servers` at least `min_kills` times; then the set property must hold (see the
    module doc)."""
    seed = seed_from_env()
    print(f"fault seed {seed} (replay with PRIKKLOK_FAULT_SEED={seed})")
    rng = random.Random(seed)
    tokens = register(database_url, KIOSKS)
    faults = Faults(reset_before=0.08, reset_after=0.08, drop_answer=0.12, delay=0.2, max_delay=0.3)
    proxy = FaultProxy(front_port, faults=faults, seed=seed).start()
    tally = Tally()
    kiosks: list[Kiosk] = []
    threads: list[threading.Thread] = []
    stop_taps, stop_chaos = threading.Event(), threading.Event()
    chaos = Chaos(probe=probe)
    try:
        for n, kiosk_id in enumerate(KIOSKS):
            path = tmp_path / f"{kiosk_id}.db"
            journal = Journal(path, kiosk_id=kiosk_id)
            agent_journal = Journal(path, kiosk_id=kiosk_id)
            session = requests.Session()
            if n % 2:
                # Half the kiosks open a connection per request: the proxy rolls its dice
                # per connection, so these meet many more faults than the keep-alive ones.
                session.headers["Connection"] = "close"
            client = CountingClient(
                proxy.url, tokens[kiosk_id], timeout=2.0, session=session, tally=tally
            )
            agent = SyncAgent(
                agent_journal,
                client,
                interval=0.5,
                poll=0.05,
                batch_size=rng.choice((10, 25, 50, 100)),
                backoff=Backoff(base=0.05, cap=1.0, rand=random.Random(seed + n).random),
            )
            door = Door(
                journal=journal,
                clock=SystemClock(),
                feedback=QuietIndicator(),
                on_answer=lambda _answer, agent=agent: agent.nudge(),
            )
            kiosks.append(Kiosk(kiosk_id, door, journal, agent_journal, agent))
        for n, kiosk in enumerate(kiosks):
            threads.append(threading.Thread(target=kiosk.agent.run, name=f"agent-{kiosk.id}"))
            threads.append(
                threading.Thread(
                    target=_tapper,
                    args=(kiosk, random.Random(seed * 31 + n), stop_taps),
                    name=f"door-{kiosk.id}",
                )
            )
        chaos_thread = threading.Thread(
            target=_chaos,
            args=(servers, proxy, tally, random.Random(seed + 99), stop_chaos, chaos),
            name="chaos",
        )
        for thread in threads:
            thread.start()
        chaos_thread.start()

        time.sleep(CHAOS_SECONDS)  # the length of the experiment, not a wait for a result
        # Each kill waits for the server to serve again (behind the balancer, so that one of
        # the two is always up): where a start is slow, the experiment goes on a little.
        wait_until(
            lambda: chaos.kills >= min_kills,
            timeout=CHAOS_SECONDS,
            every=0.2,
            what=f"seed {seed}: the chaos kills a server {min_kills} times",
        )
        stop_taps.set()
        stop_chaos.set()
        chaos_thread.join(timeout=40)
        assert not chaos_thread.is_alive(), "chaos thread stuck"
        proxy.heal()
        proxy.faults = Faults()  # the network is healthy again: the agents catch up
        for server in servers:
            if server.process is None or server.process.poll() is not None:
                server.start()

        acknowledged = {k.id: k.acknowledged for k in kiosks}
        total = sum(len(ids) for ids in acknowledged.values())

        def drained() -> bool:
            if any(k.agent_journal.sync_status().queue_depth for k in kiosks):
                return False
            return len(stored(database_url).rows) >= total

        drain_began = time.monotonic()
        wait_until(
            drained,
            timeout=DRAIN_SECONDS,
            every=0.5,
            what=f"seed {seed}: the agents drain {total} taps",
        )
        drain_seconds = time.monotonic() - drain_began
    finally:
        stop_taps.set()
        stop_chaos.set()
        for kiosk in kiosks:
            kiosk.agent.stop()
        for thread in threads:
            thread.join(timeout=10)
        proxy.close()

    last_seqs = {k.id: k.journal.last_seq() for k in kiosks}
    held = assert_exactly(database_url, acknowledged, last_seqs, seed=seed)
    # What participants said at the door is there too, each exactly once, of its own kind.
    on_server = kinds_stored(database_url, sorted(KINDS | {WORD_RECALL}))
    for kind in sorted(KINDS | {WORD_RECALL}):
        said = set().union(*(k.said.get(kind, set()) for k in kiosks))
        assert said, f"seed {seed}: no {kind} written: the run proves nothing for it"
        assert sorted(on_server[kind]) == sorted(said), f"seed {seed}: {kind} not once each"
    answers, counted = card_counts(database_url)
    assert counted == answers, f"seed {seed}: a word card did not count each answer once"
    for kiosk in kiosks:
        assert kiosk.failed_taps == 0
        assert last_seqs[kiosk.id] == len(kiosk.acknowledged)
        status = kiosk.journal.sync_status()
        assert status.queue_depth == 0 and status.set_aside == 0, (seed, kiosk.id, status)
        kiosk.journal.close()
        kiosk.agent_journal.close()
    stats = proxy.stats
    print(
        f"taps {len(held.rows)} ({', '.join(f'{k}={n}' for k, n in last_seqs.items())}); "
        f"server kills {chaos.kills} ({chaos.kills_with_push_in_flight} with a push in "
        f"flight), starts {sum(s.starts for s in servers)}, "
        f"partition {chaos.partition_seconds:.1f}s; "
        f"pushes {tally.pushes} (failed {tally.push_failures}), answers accepted "
        f"{tally.accepted} duplicate {tally.duplicate}; proxy connections "
        f"{stats.connections}: reset before {stats.reset_before}, reset after "
        f"{stats.reset_after}, answers dropped {stats.dropped_answers}, delayed "
        f"{stats.delayed}, held by partition {stats.held_by_partition}"
    )
    print(
        f"drained in {drain_seconds:.1f} s; said at the door: "
        + ", ".join(f"{kind} {len(ids)}" for kind, ids in sorted(on_server.items()))
    )
    print("\n".join(chaos.log))
    # The run must really have been hostile, or it proves nothing.
    assert len(held.rows) >= 2000, f"seed {seed}: only {len(held.rows)} taps"
    assert chaos.kills >= min_kills and chaos.kills_with_push_in_flight >= 1, chaos
    assert stats.dropped_answers and stats.reset_after and stats.held_by_partition, stats
    assert tally.duplicate > 0, "no answer was ever lost after a commit"
    return chaos

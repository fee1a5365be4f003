"""What the fault tests share: the real server as a subprocess that can be SIGKILLed and
restarted on the same port, kiosks registered on it, and the server's database read back.

The server is always `python -m prikklok server run` on 127.0.0.1, exactly as an admin runs
it; the tests only ever talk to it over HTTP (directly or through the FaultProxy).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TypeVar

import requests
from sqlalchemy import func, select

from server.administration import operations as admin
from server.administration.importer import import_participants
from server.db import make_engine, writing
from server.local import NotServing, free_port, wait_until_serving
from server.schema import events, rejected_records, word_cards
from sync.client import ServerClient
from sync.own_say import ABSENCE_ANNOUNCED, KINDS, LEAVE_REASON, REASONS
from sync.protocol import PushResponse, WireRecord
from sync.recall import ANSWERS, SKIPPED, WORD_RECALL
from sync.record import Entry, Record

BOOTED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # when the test doors' boot-1 began
ROOT = Path(__file__).parents[2]
SITE = "werkplaats"
T = TypeVar("T")


def wait_until(check: Callable[[], T], *, timeout: float, what: str, every: float = 0.05) -> T:
    """Poll until check() is truthy (and return it); fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(every)


def seed_from_env() -> int:
    """PRIKKLOK_FAULT_SEED replays a run; otherwise a fresh seed (printed by the tests)."""
    text = os.environ.get("PRIKKLOK_FAULT_SEED")
    return int(text) if text else random.randrange(2**32)


# -- the server process -----------------------------------------------------------------


class ServerProcess:
    """`python -m prikklok server run --migrate` on a fixed port; kill -9 and restart."""

    def __init__(
        self, database_url: str, log_path: Path, *, port: int | None = None, workers: int = 1
    ) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 30.0) -> None:
        with self._lock:
            assert self.process is None or self.process.poll() is not None, "already running"
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            env.pop("PRIKKLOK_SERVER_DATABASE_URL", None)
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "prikklok",
                        "server",
                        "run",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(self.port),
                        "--database-url",
                        self.database_url,
                        "--migrate",
                        "--workers",
                        str(self.workers),
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.starts += 1
            process = self.process

        try:
            # every worker must be up: ask a few times over fresh connections
            wait_until_serving(self.url, process, timeout=timeout, probes=self.workers * 2)
        except NotServing as error:
            raise AssertionError(
                f"server on port {self.port}: {error}:\n{self.log_tail()}"
            ) from None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, whatever was in flight is cut off."""
        with self._lock:
            process = self.process
            if process is None or process.poll() is not None:
                return
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            self.kills += 1

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        with self._lock:
            process = self.process
            if process is None or process.poll() is not None:
                return
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_server(
    database_url: str, tmp_path: Path, *, workers: int = 1
) -> Iterator[ServerProcess]:
    server = ServerProcess(database_url, tmp_path / "server.log", workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# -- setting up the server's world ------------------------------------------------------

PARTICIPANT_BADGES = {f"p-{n:02d}": f"04{n:02X}A0B0" for n in range(1, 13)}


def register(database_url: str, kiosk_ids: Sequence[str]) -> dict[str, str]:
    """One site with a dozen badged participants, and the kiosks; their tokens by id."""
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    try:
        with writing(engine) as conn:
            admin.add_site(
                conn, SITE, "Werkplaats", clock_time(8, 30), clock_time(17), "Europe/Amsterdam"
            )
            rows = "".join(
                f"{pid},Deelnemer {pid},nl,{uid}\n" for pid, uid in PARTICIPANT_BADGES.items()
            )
            import_participants(conn, "id,display_name,language,badge_uid\n" + rows, SITE, now)
            return {kid: admin.add_kiosk(conn, SITE, kid, kid, now) for kid in kiosk_ids}
    finally:
        engine.dispose()


def revoke(database_url: str, kiosk_id: str) -> None:
    engine = make_engine(database_url)
    try:
        with writing(engine) as conn:
            admin.revoke_kiosk(conn, kiosk_id, datetime.now(UTC))
    finally:
        engine.dispose()


# -- reading the server's database back -------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What the server holds, as (id, kiosk_id, seq) rows, and how many were refused."""

    rows: list[tuple[str, str, int]]
    distinct_ids: int
    rejected: int

    def ids(self) -> set[str]:
        return {row[0] for row in self.rows}

    def seqs(self, kiosk_id: str) -> list[int]:
        return sorted(seq for _, kid, seq in self.rows if kid == kiosk_id)


def stored(database_url: str) -> Stored:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = [
                (str(r.id), str(r.kiosk_id), int(r.seq))
                for r in conn.execute(select(events.c.id, events.c.kiosk_id, events.c.seq))
            ]
            distinct = conn.execute(select(func.count(events.c.id.distinct()))).scalar_one()
            refused = conn.execute(select(func.count()).select_from(rejected_records))
            return Stored(rows, int(distinct), int(refused.scalar_one()))
    finally:
        engine.dispose()


def event_count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar_one())
    finally:
        engine.dispose()


def event_rows(database_url: str) -> dict[str, dict[str, Any]]:
    """Every stored event, every column, by id."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {str(r.id): dict(r._mapping) for r in conn.execute(select(events))}
    finally:
        engine.dispose()


def assert_exactly(
    database_url: str, acknowledged: dict[str, set[str]], last_seqs: dict[str, int], *, seed: int
) -> Stored:
    """The set property: what the kiosks acknowledged is on the server, once, without gaps."""
    held = stored(database_url)
    wanted = set().union(*acknowledged.values())
    on_server = held.ids()
    missing, extra = wanted - on_server, on_server - wanted
    assert not missing, f"seed {seed}: {len(missing)} acknowledged taps never reached the server"
    assert not extra, f"seed {seed}: {len(extra)} events on the server no kiosk acknowledged"
    assert len(held.rows) == held.distinct_ids == len(wanted), f"seed {seed}: an event doubled"
    for kiosk_id, last in last_seqs.items():
        seqs = held.seqs(kiosk_id)
        assert seqs == list(range(1, last + 1)), (
            f"seed {seed}: kiosk {kiosk_id} seqs not gapless 1..{last} "
            f"(missing {sorted(set(range(1, last + 1)) - set(seqs))[:10]})"
        )
    assert held.rejected == 0, f"seed {seed}: the server refused {held.rejected} records"
    return held


# -- the kiosk's side ---------------------------------------------------------------------


def unknown_tap(
    at: datetime,
    rng: random.Random,
    *,
    monotonic: float | None = None,
    synced: bool = True,
    boot_id: str = "boot-1",
) -> Entry:
    """A tap of a badge nobody holds: a record the server stores without a roster.

    Without `monotonic`, one that agrees with `at`, as a real door's does: the server orders
    one boot's taps by it."""
    uid = "".join(rng.choice("0123456789ABCDEF") for _ in range(8))
    if monotonic is None:
        monotonic = max(1.0, (at - BOOTED_AT).total_seconds())
    return Entry(
        kind="unknown_badge",
        wall_at=at,
        workshop_day=at.date(),
        clock_synced=synced,
        boot_id=boot_id,
        monotonic=monotonic,
        badge_uid=uid,
    )


def own_say(after: Record, kind: str, rng: random.Random) -> Entry:
    """What a participant tells the door right after `after` (sync.own_say): the door writes
    it to the same journal, a record of its own among the taps, with the tap's clock
    readings. A leave reason follows a check-out; an announced absence and an estimated
    check-out follow a check-in."""
    assert kind in KINDS
    day = after.workshop_day
    if kind == LEAVE_REASON:
        detail: dict[str, Any] = {
            "reason": rng.choice(list(REASONS)),
            "check_out_record_id": after.id,
        }
    elif kind == ABSENCE_ANNOUNCED:
        ahead = day + timedelta(days=rng.randint(1, 14))
        detail = {"day": ahead.isoformat(), "reason": rng.choice(list(REASONS))}
    else:
        left = rng.choice(("15:30", "16:00", "16:30", None))  # None: "weet ik niet"
        yesterday = (day - timedelta(days=1)).isoformat()
        detail = {"day": yesterday, "left_at": left, "stale_record_id": after.id}
    return Entry(
        kind=kind,
        wall_at=after.wall_at,
        workshop_day=day,
        clock_synced=after.clock_synced,
        boot_id=after.boot_id,
        monotonic=after.monotonic,
        participant_id=after.participant_id,
        detail=detail,
    )


RECALLED = ("hamer", "zaag", "bezem", "emmer")


def word_recall(after: Record, rng: random.Random) -> Entry:
    """The answer to the recall check of a word right after a check-out (sync.recall): a
    record of its own among the taps, with the check-out's clock readings a moment on."""
    answer = rng.choice(ANSWERS)
    detail = {
        "word": rng.choice(RECALLED),
        "answer": answer,
        "response_ms": None if answer == SKIPPED else rng.randint(500, 5000),
    }
    return Entry(
        kind=WORD_RECALL,
        wall_at=after.wall_at + timedelta(seconds=2),
        workshop_day=after.workshop_day,
        clock_synced=after.clock_synced,
        boot_id=after.boot_id,
        monotonic=after.monotonic + 2.0,
        participant_id=after.participant_id,
        detail=detail,
    )


def card_counts(database_url: str) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Per (participant, word): the word_recall answers stored, and the answers their card
    counts (server.learning): equal when every answer made its card exactly once."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            stored_answers: dict[tuple[str, str], int] = {}
            for row in conn.execute(
                select(events.c.participant_id, events.c.detail).where(events.c.kind == WORD_RECALL)
            ):
                key = (str(row.participant_id), str(row.detail["word"]))
                stored_answers[key] = stored_answers.get(key, 0) + 1
            counted = {
                (row.participant_id, row.word): row.rights + row.wrongs + row.skips
                for row in conn.execute(select(word_cards))
            }
            return stored_answers, counted
    finally:
        engine.dispose()


def kinds_stored(database_url: str, kinds: Sequence[str]) -> dict[str, list[str]]:
    """The ids of the server's events of these kinds, by kind."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            found: dict[str, list[str]] = {kind: [] for kind in kinds}
            for row in conn.execute(
                select(events.c.id, events.c.kind).where(events.c.kind.in_(list(kinds)))
            ):
                found[row.kind].append(str(row.id))
            return found
    finally:
        engine.dispose()


@dataclass
class Tally:
    """What a counting client saw, across threads."""

    pushes: int = 0
    push_failures: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    in_flight: int = 0
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class CountingClient(ServerClient):
    """The real client, counting pushes, answers and how many are in flight right now."""

    def __init__(self, *args: Any, tally: Tally, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tally = tally

    def push(self, records: Sequence[WireRecord], *, body: str | None = None) -> PushResponse:
        with self.tally.lock:
            self.tally.in_flight += 1
            self.tally.pushes += 1
        try:
            answer = super().push(records, body=body)
        except Exception:
            with self.tally.lock:
                self.tally.push_failures += 1
            raise
        finally:
            with self.tally.lock:
                self.tally.in_flight -= 1
        with self.tally.lock:
            for result in answer.results:
                setattr(self.tally, result.status, getattr(self.tally, result.status) + 1)
        return answer


class RecordingSession(requests.Session):
    """A requests session that notes the status of every answer (e.g. 413 halving)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, int]] = []

    def request(
        self,
        method: str | bytes,
        url: str | bytes,
        *args: Any,  # type: ignore[override]
        **kwargs: Any,
    ) -> requests.Response:
        response = super().request(method, url, *args, **kwargs)
        self.seen.append((str(method), str(url).rsplit("/", 1)[-1], response.status_code))
        return response

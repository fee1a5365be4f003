"""The loop around sync_once: backoff, Retry-After, quiet logs, nudges, pruning."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sync.agent import Backoff, LogLimiter, SyncAgent
from sync.client import ServerClient
from sync.clock import Instant
from sync.journal import Journal
from tests.sync.peer import TOKEN, Peer, Reply
from tests.sync.taps import NOW, tap


class Ticker:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def make_agent(peer: Peer, journal: Journal) -> Callable[..., SyncAgent]:
    def make(
        url: str | None = None, *, rand: float = 1.0, synced: bool = True, **kwargs: object
    ) -> SyncAgent:
        client = ServerClient(url or peer.url, TOKEN, timeout=1.0)
        options: dict[str, object] = {
            "backoff": Backoff(rand=lambda: rand),
            "interval": 30.0,
            "now": lambda: Instant(NOW, 5.0, "b", synced),
        }
        return SyncAgent(journal, client, **{**options, **kwargs})  # type: ignore[arg-type]

    return make


@pytest.fixture
def dead_url() -> str:
    with Peer() as gone:
        return gone.url


@pytest.mark.parametrize(("rand", "factor"), [(1.0, 1.0), (0.5, 0.5), (0.0, 0.0)])
def test_backoff_doubles_from_one_second_to_five_minutes_with_jitter(
    rand: float, factor: float
) -> None:
    backoff = Backoff(rand=lambda: rand)
    delays = [backoff.failed() for _ in range(12)]
    expected = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert delays == [e * factor for e in expected]
    backoff.reset()
    assert backoff.failed() == 1.0 * factor


def test_failing_rounds_back_off_and_success_returns_to_the_interval(
    make_agent: Callable[..., SyncAgent], dead_url: str
) -> None:
    agent = make_agent(dead_url)
    assert [agent.step() for _ in range(4)] == [1.0, 2.0, 4.0, 8.0]
    agent.client = make_agent().client
    assert agent.step() == 30.0 and agent.backoff.failures == 0


def test_retry_after_is_honoured(peer: Peer, make_agent: Callable[..., SyncAgent]) -> None:
    peer.then(Reply(429, {"detail": "slow down"}, {"Retry-After": "42"}))
    assert make_agent(rand=0.0).step() == 42.0


def test_recovered_is_logged_once(
    peer: Peer, make_agent: Callable[..., SyncAgent], caplog: pytest.LogCaptureFixture
) -> None:
    agent = make_agent()
    peer.then(*[Reply(503, {"detail": "maintenance"}) for _ in range(3)])
    with caplog.at_level(logging.INFO, logger="sync.agent"):
        for _ in range(6):
            agent.step()
    recovered = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert [r.getMessage() for r in recovered] == ["sync recovered after 3 failed rounds"]


def test_repeated_errors_are_logged_once_a_minute(
    make_agent: Callable[..., SyncAgent], dead_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    ticker = Ticker()
    agent = make_agent(dead_url, monotonic=ticker)
    with caplog.at_level(logging.WARNING, logger="sync.agent"):
        for _ in range(5):
            agent.step()
            ticker.t += 10
        ticker.t += 30
        agent.step()
    failed = [r.getMessage() for r in caplog.records if "sync failed" in r.getMessage()]
    assert len(failed) == 2 and failed[1].endswith("(4 more like it)")


def test_log_limiter_keeps_distinct_errors_apart(caplog: pytest.LogCaptureFixture) -> None:
    limiter, logger = LogLimiter(60, clock=lambda: 0.0), logging.getLogger("t")
    with caplog.at_level(logging.WARNING, logger="t"):
        for message in ["a", "b", "a", "b"]:
            limiter.log(logger, logging.WARNING, message, message)
    assert [r.getMessage() for r in caplog.records] == ["a", "b"]


def test_nudge_wakes_the_loop_at_once(
    peer: Peer, make_agent: Callable[..., SyncAgent], journal: Journal, tmp_path: Path
) -> None:
    agent = make_agent(interval=60.0)
    thread = threading.Thread(target=agent.run)
    thread.start()
    try:
        wait_for(lambda: len(peer.seen("/heartbeat")) == 1)
        with Journal(tmp_path / "journal.db", kiosk_id="door-1") as door:
            tap(door)
        agent.nudge()
        wait_for(lambda: peer.seqs() == [1], within=0.5)
    finally:
        agent.stop()
        thread.join(2)
    assert not thread.is_alive()


def test_taps_from_another_process_are_noticed_without_a_nudge(
    peer: Peer, make_agent: Callable[..., SyncAgent], tmp_path: Path
) -> None:
    agent = make_agent(interval=60.0, poll=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=agent.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: len(peer.seen("/heartbeat")) == 1)
        with Journal(tmp_path / "journal.db", kiosk_id="door-1") as door:
            tap(door)
        wait_for(lambda: peer.seqs() == [1], within=1.0)
    finally:
        stop.set()
        thread.join(2)
    assert not thread.is_alive()


def test_a_tap_made_while_a_round_ends_is_pushed_without_waiting_the_interval(
    peer: Peer, make_agent: Callable[..., SyncAgent], tmp_path: Path
) -> None:
    agent = make_agent(interval=60.0, poll=0.05)
    real_step, rounds = agent.step, []

    def step_then_the_kiosk_taps() -> float:
        delay = real_step()
        rounds.append(delay)
        if len(rounds) == 1:  # the kiosk's tap lands after this round pushed, before its wait
            with Journal(tmp_path / "journal.db", kiosk_id="door-1") as door:
                tap(door)
        return delay

    agent.step = step_then_the_kiosk_taps  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=agent.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: peer.seqs() == [1], within=2.0)
    finally:
        stop.set()
        thread.join(2)
    assert not thread.is_alive()


def test_nudge_does_not_cut_a_backoff_short(make_agent: Callable[..., SyncAgent]) -> None:
    agent = make_agent(poll=0.02)
    agent.nudge()
    started = time.monotonic()
    agent._wait(0.2, threading.Event(), wake_early=False)
    assert time.monotonic() - started >= 0.2


def test_prunes_at_most_once_an_hour(
    make_agent: Callable[..., SyncAgent], journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticker, cutoffs = Ticker(), []

    def prune(older_than: datetime) -> int:
        cutoffs.append(older_than)
        return 0

    monkeypatch.setattr(journal, "prune", prune)
    agent = make_agent(monotonic=ticker, prune_after=timedelta(days=30))
    agent.step()
    ticker.t += 1800
    agent.step()
    ticker.t += 1801
    agent.step()
    assert cutoffs == [NOW - timedelta(days=30)] * 2


def test_no_pruning_before_the_clock_is_synchronised(
    make_agent: Callable[..., SyncAgent], journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(journal, "prune", calls.append)
    make_agent(synced=False).step()
    assert calls == []


def wait_for(condition: Callable[[], bool], within: float = 3.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)

"""`prikklok server run --workers 2`: several processes answer a kept-alive kiosk connection
as fast as one (issue 18, target 3)."""

from __future__ import annotations

import socket
import statistics
import time
from pathlib import Path

import httpx

from server.serving import listening_socket
from tests.faults.harness import running_server
from tests.server.conftest import World
from tests.server.test_heartbeat import beat

WARM_UP = 5  # a fresh connection ACKs at once for a while (Linux's quick-ACK mode)
BEATS = 40


def test_two_workers_answer_a_kept_alive_kiosk_without_the_nagle_wait(
    database_url: str, world: World, tmp_path: Path
) -> None:
    """With Nagle's algorithm on, a response sent in two writes (head, then body) waits for
    the kiosk's delayed ACK: about 40 ms per request on a kept-alive connection."""
    took = []
    with (
        running_server(database_url, tmp_path, workers=2) as server,
        httpx.Client(base_url=server.url, headers=world.auth(), timeout=5) as http,
    ):
        for n in range(WARM_UP + BEATS):
            started = time.perf_counter()
            answer = http.post("/api/v1/heartbeat", json=beat(monotonic=500.0 + n))
            took.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
    median_ms = statistics.median(took[WARM_UP:]) * 1000
    assert median_ms < 15, f"heartbeat median {median_ms:.1f} ms on a kept-alive connection"


def test_accepted_connections_have_nagle_off() -> None:
    """The socket the workers share is TCP by protocol, with TCP_NODELAY: asyncio sets it on
    every accepted connection (it does so only when the protocol says TCP), and Linux copies
    it from the listening socket besides."""
    listener = listening_socket("127.0.0.1", 0)
    try:
        listener.listen()
        with socket.create_connection(listener.getsockname()[:2]):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()

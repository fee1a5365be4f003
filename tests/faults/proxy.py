"""A TCP proxy that breaks things on purpose, for the sync's proof under faults.

It sits between a kiosk's sync agent and the server on 127.0.0.1 and, per connection,
by a seeded dice roll: passes it through, delays it, resets it (RST) before or after the
request reached the server, or lets the request through and drops the answer — the
nastiest case, where the server committed and the kiosk never heard. A partition holds
every connection silent until it ends.
"""

from __future__ import annotations

import random
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Faults:
    """Chances per connection; what is left over passes untouched."""

    reset_before: float = 0.0  # RST before the request reaches the server
    reset_after: float = 0.0  # the request reaches the server, then RST mid-answer
    drop_answer: float = 0.0  # the server answers; the kiosk never hears it
    delay: float = 0.0  # chance of a delay of up to max_delay seconds
    max_delay: float = 0.5


@dataclass
class ProxyStats:
    connections: int = 0
    passed: int = 0
    reset_before: int = 0
    reset_after: int = 0
    dropped_answers: int = 0
    delayed: int = 0
    held_by_partition: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


def _reset(sock: socket.socket) -> None:
    # SO_LINGER 0 makes close() send RST instead of FIN: a connection reset by peer.
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()


class FaultProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to upstream, with faults."""

    def __init__(self, upstream_port: int, *, faults: Faults | None = None, seed: int = 0,
                 upstream_host: str = "127.0.0.1") -> None:  # fmt: skip
        self.upstream = (upstream_host, upstream_port)
        self.faults = faults or Faults()
        self.stats = ProxyStats()
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._partition_until = 0.0
        self._closing = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def partition(self, seconds: float) -> None:
        """Cut the network for a while: connections are held silent until it heals."""
        self._partition_until = time.monotonic() + seconds

    def heal(self) -> None:
        self._partition_until = 0.0

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=2)
        self._server.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _roll(self) -> float:
        with self._rng_lock:
            return self._rng.random()

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            self.stats.count("connections")
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if time.monotonic() < self._partition_until:
            self.stats.count("held_by_partition")
            # Like a cable pulled out: no answer at all until the client gives up.
            while time.monotonic() < self._partition_until and not self._closing.is_set():
                time.sleep(0.05)
            _reset(client)
            return
        f, roll = self.faults, self._roll()
        if roll < f.reset_before:
            self.stats.count("reset_before")
            _reset(client)
            return
        mode = "pass"
        edge = f.reset_before
        for name, chance in (("reset_after", f.reset_after), ("drop_answer", f.drop_answer)):
            if edge <= roll < edge + chance:
                mode = name
            edge += chance
        if mode == "pass" and self._roll() < f.delay:
            self.stats.count("delayed")
            time.sleep(self._roll() * f.max_delay)
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)
            return
        self._pump(client, upstream, mode)

    def _pump(self, client: socket.socket, upstream: socket.socket, mode: str) -> None:
        answered = False
        try:
            while not self._closing.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.5)
                if time.monotonic() < self._partition_until:
                    self.stats.count("held_by_partition")
                    break
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        upstream.sendall(data)
                        continue
                    # An answer from the server.
                    if mode == "drop_answer":
                        self.stats.count("dropped_answers")
                        return
                    if mode == "reset_after" and not answered:
                        self.stats.count("reset_after")
                        return
                    answered = True
                    client.sendall(data)
            else:
                return
        except OSError:
            return
        finally:
            if mode in ("drop_answer", "reset_after") or self._closing.is_set():
                _reset(client)
            else:
                client.close()
            upstream.close()
            if mode == "pass":
                self.stats.count("passed")

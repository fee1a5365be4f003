"""A server on this machine: a free port on 127.0.0.1, and waiting until it answers.

Shared by the demo, the tests and the benchmarks that start `prikklok server run` as a
child process.
"""

from __future__ import annotations

import socket
import subprocess
import time

import requests


class NotServing(RuntimeError):
    """The server process exited, or did not answer in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(
    url: str, process: subprocess.Popen[bytes], *, timeout: float, probes: int = 1
) -> None:
    """Return once `url` serves its OpenAPI schema `probes` times in a row, each on a fresh
    connection (so every worker is up); raise NotServing if the process exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            for _ in range(probes):
                requests.get(f"{url}/openapi.json", timeout=2).raise_for_status()
            return
        except requests.RequestException:
            if process.poll() is not None:
                raise NotServing(f"the server exited ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise NotServing(f"the server did not answer within {timeout:g} s") from None
            time.sleep(0.1)

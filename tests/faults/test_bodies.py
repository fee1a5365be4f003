"""Request bodies that go wrong on the wire, sent by hand over a socket to the real server.

A client that promises more body than it sends and closes its socket costs one quiet log
line, no traceback, and the server keeps serving. A heartbeat body larger than the push's
limit is refused with 413 before it is read: at once when its Content-Length says so, and
as soon as a chunked body passes the limit.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from sync.protocol import MAX_BODY_BYTES
from tests.faults.harness import ServerProcess, register, running_server, wait_until

KIOSK = "door-wire"
CHUNK = 64 * 1024


@dataclass
class Served:
    server: ServerProcess
    token: str

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=5)

    def head(self, path: str, **headers: str) -> bytes:
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.server.port}",
            f"Authorization: Bearer {self.token}",
            "Content-Type: application/json",
            *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture
def served(database_url: str, tmp_path) -> Iterator[Served]:  # type: ignore[no-untyped-def]
    token = register(database_url, [KIOSK])[KIOSK]
    with running_server(database_url, tmp_path) as server:
        yield Served(server, token)


def _answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    """The status and JSON body of one HTTP answer on `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))  # fmt: skip
    while len(body) < length:
        body += _recv(sock)
    return int(head.split()[1]), json.loads(body)


def _recv(sock: socket.socket) -> bytes:
    data = sock.recv(65536)
    if not data:
        raise AssertionError("the server closed the connection without an answer")
    return data


def _beat(pad: int) -> bytes:
    beat = {
        "queue_depth": 0, "oldest_unsynced_at": None, "last_tap_at": None, "last_seq": 0,
        "reader_health": "ok", "app_version": "test", "boot_id": "boot-1", "monotonic": 1.0,
        "wall_at": datetime.now(UTC).isoformat(), "clock_synced": True, "pad": "x" * pad,
    }  # fmt: skip
    return json.dumps(beat).encode()


def test_a_client_gone_mid_upload_is_one_quiet_line(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(served.head("/api/v1/records", Content_Length="100000") + b'{"records": [')
    wait_until(
        lambda: _gone_lines(served.server) or "Traceback" in served.server.log_tail(200),
        timeout=10,
        what="the server noticing the client went away",
    )
    log = served.server.log_path.read_text()
    assert "Traceback" not in log, served.server.log_tail(40)
    assert _gone_lines(served.server) == 1, served.server.log_tail(40)
    with httpx.Client(base_url=served.server.url, timeout=5) as http:  # still serving
        again = http.post("/api/v1/records", json={"records": []}, headers=served.auth())
    assert again.status_code == 200, again.text


def _gone_lines(server: ServerProcess) -> int:
    return server.log_path.read_text().count("went away before its request was read")


def test_a_heartbeat_declared_too_large_is_refused_before_it_is_sent(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(served.head("/api/v1/heartbeat", Content_Length=str(10_000_000)))
        status, answer = _answer(sock)  # not one byte of the body sent
    assert status == 413 and str(MAX_BODY_BYTES) in str(answer["detail"])


def test_a_chunked_heartbeat_is_read_no_further_than_the_limit(served: Served) -> None:
    # Larger than the limit plus what the kernel buffers on both sides can hold unread
    # (up to 6 MB on loopback): an answer before the last byte was sent means the server
    # stopped reading.
    body = _beat(16_000_000)
    sent = 0
    with served.connect() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
        sock.sendall(served.head("/api/v1/heartbeat", Transfer_Encoding="chunked"))
        try:
            while sent < len(body) and not select.select([sock], [], [], 0)[0]:
                piece = body[sent : sent + CHUNK]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            if sent == len(body):
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is waiting
        status, answer = _answer(sock)
    assert status == 413 and str(MAX_BODY_BYTES) in str(answer["detail"]), (status, answer)
    assert sent < len(body)  # answered while the body was still coming

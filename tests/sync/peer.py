"""A small real HTTP server on 127.0.0.1 standing in for the remote prikklok server.

It speaks protocol v1 plainly (ingest by id, ETag snapshot, heartbeat with missing
seqs), records every request, and can be told to misbehave for the next requests:
any status, Retry-After, a slow answer, or a dropped connection. It stands in for the
peer only; the code under test (sync.client, sync.agent) runs for real against it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sync.protocol import API_PREFIX, MAX_BATCH

TOKEN = "kiosk-secret-token"

SNAPSHOT: dict[str, Any] = {
    "site": {"id": "s1", "name": "Werkplaats", "opens_at": "08:00:00", "closes_at": "17:00:00"},
    "participants": [{"id": "p1", "display_name": "Amal"}],
    "supervisors": [{"id": "s1", "display_name": "Joke"}],
    "badges": [{"uid": "04A1B2C3", "holder": "participant", "holder_id": "p1"}],
    "tasks": [],
    "words": [],
}


@dataclass
class Reply:
    """A scripted answer for the next request (to `path`, or any when None)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    path: str | None = None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class Peer:
    def __init__(self) -> None:
        self.token = TOKEN
        self.requests: list[Seen] = []
        self.received: dict[str, dict[str, Any]] = {}  # record id → record
        self.reject: dict[str, str] = {}  # record id → reason
        self.malformed: set[str] = set()  # record ids that make a whole push a 422
        self.max_batch = MAX_BATCH
        self.snapshot = dict(SNAPSHOT)
        self.etag = '"v1"'
        self.report_missing = False
        self.offset = 0.0
        self.script: deque[Reply] = deque()
        self._lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                peer._handle(self)

            def do_POST(self) -> None:
                peer._handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Peer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def then(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == f"{API_PREFIX}{path}"]

    def seqs(self) -> list[int]:
        return sorted(r["seq"] for r in self.received.values())

    def forget(self, *seqs: int) -> None:
        """Lose records (a restored backup, say): the heartbeat then reports them missing."""
        with self._lock:
            for rid in [rid for rid, r in self.received.items() if r["seq"] in seqs]:
                del self.received[rid]
        self.report_missing = True

    # -- answering ---------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with self._lock:
            self.requests.append(Seen(h.command, h.path, dict(h.headers), body))
            reply = self._scripted(h.path)
        if reply is not None:
            time.sleep(reply.delay)
            if reply.drop:
                h.close_connection = True
                return
            if reply.status != 200 or reply.body is not None:
                return _send(h, reply.status, reply.body, reply.headers)
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            return _send(h, 401, {"detail": "unknown or revoked kiosk token"})
        route = (h.command, h.path.removeprefix(API_PREFIX))
        if route == ("POST", "/records"):
            return self._records(h, body)
        if route == ("GET", "/snapshot"):
            if h.headers.get("If-None-Match") == self.etag:
                return _send(h, 304, None, {"ETag": self.etag})
            return _send(h, 200, self.snapshot, {"ETag": self.etag})
        if route == ("POST", "/heartbeat"):
            return self._heartbeat(h, body)
        return _send(h, 404, {"detail": "no such route"})

    def _scripted(self, path: str) -> Reply | None:
        for reply in self.script:
            if reply.path is None or f"{API_PREFIX}{reply.path}" == path:
                self.script.remove(reply)
                return reply
        return None

    def _records(self, h: BaseHTTPRequestHandler, body: Any) -> None:
        records = body["records"]
        if len(records) > self.max_batch:
            return _send(h, 413, {"detail": f"at most {self.max_batch} records per push"})
        bad = [n for n, r in enumerate(records) if r["id"] in self.malformed]
        if bad:
            detail = [
                {"loc": ["body", "records", n, "detail"], "msg": "not allowed", "input": {}}
                for n in bad
            ]
            return _send(h, 422, {"detail": detail})
        results = []
        with self._lock:
            for record in records:
                rid = record["id"]
                if rid in self.reject:
                    status, reason = "rejected", self.reject[rid]
                elif rid in self.received:
                    status, reason = "duplicate", None
                else:
                    self.received[rid] = record
                    status, reason = "accepted", None
                results.append(
                    {"id": rid, "seq": record["seq"], "status": status, "reason": reason}
                )
        _send(h, 200, {"results": results})

    def _heartbeat(self, h: BaseHTTPRequestHandler, body: Any) -> None:
        missing: list[int] = []
        if self.report_missing:
            have = set(self.seqs())
            missing = [s for s in range(1, body["last_seq"] + 1) if s not in have]
        _send(
            h,
            200,
            {
                "server_time": datetime.now(UTC).isoformat(),
                "clock_offset_seconds": self.offset,
                "missing_seqs": missing,
            },
        )


def _send(
    h: BaseHTTPRequestHandler,
    status: int,
    body: Any,
    headers: dict[str, str] | None = None,
) -> None:
    data = b"" if body is None or status == 304 else json.dumps(body).encode()
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    if data:
        h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)

"""The fault proxy itself must do what the fault tests rely on."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
import requests

from tests.faults.proxy import FaultProxy, Faults


class Counting(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    Counting.hits = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_proxy_passes_requests_through(upstream: int) -> None:
    with FaultProxy(upstream) as proxy:
        assert requests.get(proxy.url, timeout=5).text == "ok"
    assert Counting.hits == 1


def test_proxy_drops_answers_after_the_server_did_the_work(upstream: int) -> None:
    with (
        FaultProxy(upstream, faults=Faults(drop_answer=1.0)) as proxy,
        pytest.raises(requests.ConnectionError),
    ):
        requests.get(proxy.url, timeout=5)
    assert Counting.hits == 1  # the server was reached; only the answer was lost


def test_proxy_resets_before_the_server_sees_anything(upstream: int) -> None:
    with (
        FaultProxy(upstream, faults=Faults(reset_before=1.0)) as proxy,
        pytest.raises(requests.ConnectionError),
    ):
        requests.get(proxy.url, timeout=5)
    assert Counting.hits == 0


def test_partition_holds_connections_until_the_client_times_out(upstream: int) -> None:
    with FaultProxy(upstream) as proxy:
        proxy.partition(30)
        with pytest.raises(requests.Timeout):
            requests.get(proxy.url, timeout=0.5)
        proxy.heal()
        assert requests.get(proxy.url, timeout=5).text == "ok"

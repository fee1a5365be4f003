"""Shared sync fixtures: a kiosk journal on disk, and a stand-in server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client import ServerClient
from sync.journal import Journal
from tests.sync.peer import TOKEN, Peer


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.db", kiosk_id="door-1") as j:
        yield j


@pytest.fixture
def peer() -> Iterator[Peer]:
    with Peer() as p:
        yield p


@pytest.fixture
def client(peer: Peer) -> Iterator[ServerClient]:
    c = ServerClient(peer.url, TOKEN, timeout=2.0)
    yield c
    c.close()

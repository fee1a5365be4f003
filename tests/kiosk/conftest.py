"""Fixtures shared by the kiosk tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kiosk.test_notify import NotifyListener


@pytest.fixture
def listener() -> Iterator[NotifyListener]:
    """A fake $NOTIFY_SOCKET that hears every datagram, with its arrival time."""
    heard = NotifyListener()
    try:
        yield heard
    finally:
        heard.close()

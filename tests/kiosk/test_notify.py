"""The notify protocol against a real datagram socket, as systemd listens."""

from __future__ import annotations

import socket
from pathlib import Path

from kiosk.notify import notify


def test_notify_sends_the_message_to_the_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        assert notify("READY=1", env={"NOTIFY_SOCKET": str(path)})
        assert listener.recv(100) == b"READY=1"


def test_notify_without_a_socket_does_nothing() -> None:
    assert not notify("READY=1", env={})


def test_notify_to_a_vanished_socket_is_not_an_error(tmp_path: Path) -> None:
    assert not notify("READY=1", env={"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})

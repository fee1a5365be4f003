"""systemd's notify protocol, without a dependency: READY=1 once the screen is up, and
WATCHDOG=1 pings from the UI loop. A no-op where $NOTIFY_SOCKET is not set."""

from __future__ import annotations

import os
import socket


def notify(message: str, *, env: dict[str, str] | None = None) -> bool:
    """Send one notify message; True when a notify socket took it."""
    path = (env if env is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not path:
        return False
    if path.startswith("@"):  # an abstract socket
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(path)
            sock.sendall(message.encode())
        except OSError:
            return False
    return True

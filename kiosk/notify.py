"""systemd's notify protocol, without a dependency: READY=1 once the screen is up, and
WATCHDOG=1 pings from the UI loop. A no-op where $NOTIFY_SOCKET is not set."""

from __future__ import annotations

import os
import socket


def notify(message: str, *, env: dict[str, str] | None = None) -> bool:
    """Send one notify message; True when a notify socket took it.

    Never blocks: the caller is the UI loop, and a listener that stopped reading (its queue
    full) must not freeze the screen. Such a message is dropped, as is one to a socket
    that has gone."""
    path = (env if env is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not path:
        return False
    if path.startswith("@"):  # an abstract socket
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        try:
            sock.connect(path)
            sock.send(message.encode())
        except OSError:
            return False
    return True

"""Serving with uvicorn, one process or several, without Nagle's wait (issue 18).

With `--workers` ≥ 2 uvicorn binds the listening socket itself as `socket.socket(AF_INET)`:
its protocol number stays 0, and asyncio sets TCP_NODELAY on an accepted connection only
when the protocol says TCP. Nagle's algorithm then holds the body of every answer (uvicorn
writes the head and the body separately) until the kiosk's delayed ACK: about 40 ms per
request on a kept-alive connection (uvicorn issue Kludex/uvicorn#3149). Here the socket is
bound as TCP by protocol, with TCP_NODELAY on it as well (Linux copies it to accepted
connections); one process serves from the same kind of socket.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

STARTUP_FAILURE = 3  # uvicorn's exit code when it could not start


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) TCP socket for uvicorn's workers to share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class NoDelayConfig(uvicorn.Config):
    """uvicorn's settings, binding through `listening_socket`."""

    def bind_socket(self) -> socket.socket:
        if self.uds is not None or self.fd is not None:
            return super().bind_socket()
        try:
            return listening_socket(self.host, self.port)
        except OSError as error:
            uvicorn.config.logger.error(error)
            sys.exit(STARTUP_FAILURE)


def serve(config: NoDelayConfig) -> None:
    """Serve as `uvicorn.run` would, from a socket bound by `NoDelayConfig`."""
    server = uvicorn.Server(config)
    sock = config.bind_socket()
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    if config.workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)

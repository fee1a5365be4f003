"""Faults outside the server's control, answered plainly instead of with a 500 and a traceback.

A client that goes away in the middle of its upload is one quiet line.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import Response
from starlette.requests import ClientDisconnect

log = logging.getLogger(__name__)


async def on_client_gone(request: Request, exc: Exception) -> Response:
    """The client closed its connection before its body was in: nobody hears an answer."""
    assert isinstance(exc, ClientDisconnect)
    peer = request.client.host if request.client else "?"
    log.info("%s %s: the client (%s) went away before its request was read",
             request.method, request.url.path, peer)  # fmt: skip
    return Response(status_code=status.HTTP_400_BAD_REQUEST)


def install(app: FastAPI) -> None:
    """The handlers on `app`."""
    app.add_exception_handler(ClientDisconnect, on_client_gone)

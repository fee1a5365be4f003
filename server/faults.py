"""Faults outside the server's control, answered plainly instead of with a 500 and a traceback.

A database that cannot be reached is a 503 with Retry-After: JSON `{"detail": …}` for the
kiosk API (the sync agent backs off and keeps its records), a Dutch page for a browser; the
log says so once when the outage starts and once when it ends, not once per request. A
client that goes away in the middle of its upload is one quiet line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from starlette.requests import ClientDisconnect

from server.db import unreachable
from server.metrics.tallies import database_error
from sync.protocol import API_PREFIX

log = logging.getLogger(__name__)

# A PostgreSQL restart takes seconds; a kiosk that comes back after this finds it up, and
# its own back-off stretches the wait when the outage lasts.
RETRY_AFTER_SECONDS = 10
DETAIL = f"the database cannot be reached; try again in {RETRY_AFTER_SECONDS} s"


class Outage:
    """Whether the database is away, so an outage is logged when it starts and ends."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.since: float | None = None
        self.refused = 0

    def noticed(self, error: BaseException) -> None:
        """A request found the database away: the first one of an outage logs it."""
        with self._lock:
            self.refused += 1
            if self.since is not None:
                return
            self.since = self._clock()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        log.warning(
            "the database cannot be reached (%s); answering 503 until it is back",
            reason[0] if reason else type(error).__name__,
        )

    def reached(self) -> None:
        """A connection was handed out (after its ping, if any): the outage, if any, ended."""
        if self.since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self.since is None:
                return
            lasted, refused = self._clock() - self.since, self.refused
            self.since, self.refused = None, 0
        log.info(
            "the database is back after %.0f s; %d requests were answered 503", lasted, refused
        )

    def watch(self, engine: Engine) -> None:
        """Learn from `engine` when the database is reachable again."""
        event.listen(engine, "checkout", lambda *_: self.reached())


async def on_database_error(request: Request, exc: Exception) -> Response:
    """503 for a database that cannot be reached; any other database error is a bug and
    goes on as a 500 with its traceback in the log."""
    database_error(reachable=not unreachable(exc))
    if not unreachable(exc):
        raise exc
    outage: Outage = request.app.state.outage
    outage.noticed(exc)
    code = status.HTTP_503_SERVICE_UNAVAILABLE
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    from server.web.pages import render, wants_html

    if request.url.path.startswith(API_PREFIX) or not wants_html(request):
        return JSONResponse({"detail": DETAIL}, code, headers=headers)
    page = render(request, "unavailable.html", None, code, retry=RETRY_AFTER_SECONDS)
    page.headers.update(headers)
    return page


async def on_client_gone(request: Request, exc: Exception) -> Response:
    """The client closed its connection before its body was in: nobody hears an answer."""
    assert isinstance(exc, ClientDisconnect)
    peer = request.client.host if request.client else "?"
    # The route's template, not the path: a path can carry an id or a feed's token.
    route = getattr(request.scope.get("route"), "path", request.url.path)
    log.info("%s %s: the client (%s) went away before its request was read",
             request.method, route, peer)  # fmt: skip
    return Response(status_code=status.HTTP_400_BAD_REQUEST)


def install(app: FastAPI) -> None:
    """The handlers on `app`; the lifespan calls `app.state.outage.watch(engine)`."""
    app.state.outage = Outage()
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(ClientDisconnect, on_client_gone)

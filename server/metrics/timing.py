"""Each request's time, under its route's template: plain ASGI, outside the routes.

FastAPI's router writes the route it chose into the request's scope; read after the answer,
its template (`/api/v1/records`, `/sites/{site_id}/kiosks`) names the series, never the
path itself, which may carry an id or a feed's secret. The few routes it does not note
there (the OpenAPI schema, the static files' mount) are found by matching the app's routes
again; a path no route serves is `unmatched`. Plain ASGI rather than BaseHTTPMiddleware,
which costs as much CPU as a heartbeat (see server/web/pages.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from server.metrics.tallies import UNMATCHED, request_took


class RequestTiming:
    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes  # the app's own list: routes added later count too

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, root_path = scope["path"], scope.get("root_path", "")  # before a mount moves them
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            took = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or self._template(path, root_path)
            request_took(route, scope["method"], took)

    def _template(self, path: str, root_path: str) -> str:
        asked = {"type": "http", "path": path, "root_path": root_path, "method": "GET"}
        for route in self.routes:
            match, _ = route.matches(asked)
            if match is not Match.NONE:
                return getattr(route, "path", None) or UNMATCHED
        return UNMATCHED

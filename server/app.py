"""The FastAPI app factory: the engine is made in the lifespan, never at import."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from server import faults
from server.api import health, heartbeat, photos, pull, push, releases, scrape, who_is_in
from server.api.problems import on_validation_error
from server.db import make_engine
from server.kiosks.snapshot_bodies import SnapshotBodies
from server.metrics.processes import worker_gone
from server.metrics.timing import RequestTiming
from server.migrate import upgrade
from server.settings import Settings
from sync.protocol import Heartbeat, PushRequest

log = logging.getLogger(__name__)
LOCAL_TIME = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
GZIP_FROM_BYTES = 1400  # smaller fits one TCP segment as it is: a push's or heartbeat's answer
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # a zip already


def create_app(settings: Settings, *, migrate: bool = False) -> FastAPI:
    """The server app for `settings`; with `migrate`, the schema is upgraded at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        if migrate:
            upgrade(engine)
        app.state.engine = engine
        app.state.outage.watch(engine)
        # What start-up made lives as long as the server: out of the collector's way, so
        # a full collection no longer lands inside a request (87 ms → 14 ms, measured).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            engine.dispose()
            worker_gone(os.getpid())  # server/metrics/processes.py

    app = FastAPI(
        title="prikklok server",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.snapshot_bodies = SnapshotBodies()  # built snapshots, by ETag (server.api.pull)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    faults.install(app)
    for module in (push, pull, heartbeat, who_is_in, photos, releases, health, scrape):
        app.include_router(module.router)
    # Large answers (pages, feeds) travel compressed when the client asks; the snapshot
    # arrives compressed already (server.api.pull keeps it so per version) and passes.
    # Added before the pages' middleware, so inside it: that one streams every answer,
    # which would make even a heartbeat's answer look worth compressing.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_FROM_BYTES,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, XLSX),
    )
    from server.web import pages
    from server.web.routes import ROUTERS

    pages.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # Each request's time by its route (/metrics): outside the pages' middleware and the
    # compression, so their cost counts too; inside the proxy headers.
    app.add_middleware(RequestTiming, routes=app.routes)
    if settings.trusted_proxies:
        # Outermost, so every route and the login limit see the client behind the proxy.
        # The app owns this: `prikklok server run` turns uvicorn's own copy (which believes
        # 127.0.0.1 by default) off, so one setting says whom to believe.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the request bodies the push and the heartbeat parse by hand."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        _, defs = models_json_schema(
            [(PushRequest, "validation"), (Heartbeat, "validation")],
            ref_template="#/components/schemas/{model}",
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in defs.get("$defs", {}).items():
            components.setdefault(name, definition)
        _local_times(schema)
        app.openapi_schema = schema
    return app.openapi_schema


def _local_times(node: Any) -> None:
    """Site times are local wall-clock times ("17:00:00"), not RFC 3339 times with an offset."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = LOCAL_TIME
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def create_app_from_env() -> FastAPI:
    """For `uvicorn --factory` (and several workers): settings from the environment."""
    return create_app(Settings.resolve(), migrate=os.environ.get("PRIKKLOK_SERVER_MIGRATE") == "1")

"""GET /metrics: the server's figures for Prometheus (docs/admin/metrics.md).

Outside the kiosk API and its schema, like /healthz. Readable from this machine itself or
with the metrics token (server/metrics/scrape_access.py); a refusal is the usual problem
body, never a page, as a scraper reads it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from server.deps import ClockDep
from server.metrics.exposition import scrape
from server.metrics.scrape_access import scrape_refusal
from server.settings import Settings

router = APIRouter(tags=["probes"], include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, now: ClockDep) -> Response:
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else None
    refusal = scrape_refusal(client, request.headers, settings.metrics_token)
    if refusal is not None:
        headers = {"WWW-Authenticate": "Bearer"} if refusal.status == 401 else None
        return JSONResponse({"detail": refusal.detail}, refusal.status, headers=headers)
    body = scrape(request.app.state.engine, settings, now())
    return Response(body, media_type=CONTENT_TYPE_LATEST)

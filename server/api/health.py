"""GET /healthz and /readyz: for a load balancer or a monitor, outside the kiosk API.

/healthz says the process answers (it never touches the database, so a database outage
does not get the server restarted); /readyz says the database answers too, and is a 503
with Retry-After while it cannot be reached (see server.faults).
"""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import EngineDep

router = APIRouter(tags=["probes"], include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive: the server process answers."""
    return {"status": "alive"}


@router.get("/readyz")
def readyz(engine: EngineDep) -> dict[str, str]:
    """Ready: a connection to the database answers a query."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"status": "ready"}

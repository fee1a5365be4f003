"""Request dependencies, named as types: a database connection and the calling kiosk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, bindparam, select

from server.kiosks.kiosk_tokens import token_hash, token_matches
from server.schema import kiosks

bearer = HTTPBearer(auto_error=False, description="The kiosk's own token.")


# The two below are `async def` only so FastAPI calls them in place: a plain `def`
# dependency is sent to the thread pool, a hop that costs more than what they do.
async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_conn(request: Request) -> Iterator[Connection]:
    """A connection; endpoints open their own transaction and commit before answering."""
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        yield conn


async def get_clock(request: Request) -> Callable[[], datetime]:
    return clock_of(request)


def clock_of(request: Request) -> Callable[[], datetime]:
    """The server's clock (a test's fixed "now"): what ClockDep gives, for the push and the
    heartbeat, which take no dependencies."""
    now: Callable[[], datetime] = request.app.state.settings.now
    return now


@dataclass(frozen=True)
class Kiosk:
    id: str
    site_id: str


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The bearer token as sent; 401 when there is none. Whose it is, kiosk_of says."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised("missing bearer token")
    return credentials.credentials


def bearer_token(request: Request) -> str:
    """get_token without FastAPI's dependency machinery, for the push and the heartbeat
    (which say BEARER in their OpenAPI instead): the same header, read the same way."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorised("missing bearer token")
    return token


# What `bearer` as a dependency puts in a route's OpenAPI operation.
BEARER: dict[str, Any] = {"security": [{"HTTPBearer": []}]}


_BY_TOKEN = select(kiosks.c.id, kiosks.c.site_id, kiosks.c.token_hash, kiosks.c.revoked_at).where(
    kiosks.c.token_hash == bindparam("token_hash")
)


def kiosk_of(conn: Connection, token: str) -> Kiosk:
    """The kiosk `token` belongs to, read on `conn`; 401 for an unknown or revoked token.

    Read on every request, never remembered: a revoked token is refused at once. The push
    and the heartbeat read it inside their own transaction, on the connection they write
    with, so a kiosk request takes one connection and one trip to a worker thread.
    """
    row = conn.execute(_BY_TOKEN, {"token_hash": token_hash(token)}).first()
    if row is None or not token_matches(token, row.token_hash):
        raise _unauthorised("unknown kiosk token")
    if row.revoked_at is not None:
        raise _unauthorised("kiosk token revoked")
    return Kiosk(id=row.id, site_id=row.site_id)


def get_kiosk(request: Request, token: Annotated[str, Depends(get_token)]) -> Kiosk:
    """The kiosk the bearer token belongs to; 401 for a missing, unknown or revoked token."""
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        return kiosk_of(conn, token)


ConnDep = Annotated[Connection, Depends(get_conn)]
EngineDep = Annotated[Engine, Depends(get_engine)]
KioskDep = Annotated[Kiosk, Depends(get_kiosk)]
ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]

"""Request dependencies, named as types: a database connection and the calling kiosk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, select

from server.kiosks.kiosk_tokens import token_hash, token_matches
from server.schema import kiosks

bearer = HTTPBearer(auto_error=False, description="The kiosk's own token.")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_conn(request: Request) -> Iterator[Connection]:
    """A connection; endpoints open their own transaction and commit before answering."""
    with get_engine(request).connect() as conn:
        yield conn


def get_clock(request: Request) -> Callable[[], datetime]:
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


def get_kiosk(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Kiosk:
    """The kiosk the bearer token belongs to; 401 for a missing, unknown or revoked token."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised("missing bearer token")
    token = credentials.credentials
    with get_engine(request).connect() as conn:
        row = conn.execute(
            select(kiosks.c.id, kiosks.c.site_id, kiosks.c.token_hash, kiosks.c.revoked_at).where(
                kiosks.c.token_hash == token_hash(token)
            )
        ).first()
    if row is None or not token_matches(token, row.token_hash):
        raise _unauthorised("unknown kiosk token")
    if row.revoked_at is not None:
        raise _unauthorised("kiosk token revoked")
    return Kiosk(id=row.id, site_id=row.site_id)


ConnDep = Annotated[Connection, Depends(get_conn)]
EngineDep = Annotated[Engine, Depends(get_engine)]
KioskDep = Annotated[Kiosk, Depends(get_kiosk)]
ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]

"""Secrets the server makes for itself: made at the first need, kept in `server_secrets`,
so every worker uses the same one and the repository holds none (the key of the staff's
device cookies, server.web.devices). Deleting a row makes a new secret at the next need.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from server.db import writing
from server.schema import server_secrets


def server_secret(engine: Engine, name: str, now: datetime) -> bytes:
    """The secret called `name` (32 random bytes), made once; several workers racing to
    make it agree on one."""
    for _ in range(2):
        with engine.connect() as conn:
            value = conn.execute(
                select(server_secrets.c.value).where(server_secrets.c.name == name)
            ).scalar()
        if value is not None:
            return bytes.fromhex(value)
        try:
            with writing(engine) as conn:
                conn.execute(
                    server_secrets.insert().values(
                        name=name, value=secrets.token_hex(32), created_at=now
                    )
                )
        except IntegrityError:
            pass  # another worker made it first: read theirs
    raise RuntimeError(f"no server secret {name!r} could be made")

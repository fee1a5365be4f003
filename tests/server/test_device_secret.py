"""server.administration.server_secrets: the device cookies' key is made once and then the
same for every worker; deleting it makes a new one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete

from server.administration.server_secrets import server_secret
from server.schema import server_secrets
from server.web.devices import device_key
from tests.server.conftest import NOW


def test_device_secret_is_made_once_and_kept(engine: Engine) -> None:
    key = device_key(engine, NOW)
    assert len(key) == 32
    assert device_key(engine, NOW + timedelta(days=1)) == key
    assert server_secret(engine, "another", NOW) != key


def test_device_secret_deleted_is_made_anew(engine: Engine) -> None:
    key = device_key(engine, NOW)
    with engine.begin() as conn:
        conn.execute(delete(server_secrets))
    assert device_key(engine, NOW) != key

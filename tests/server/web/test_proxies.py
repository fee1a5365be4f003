"""X-Forwarded-For is believed only from the proxies the admin names: a real server under
uvicorn on 127.0.0.1, where any local process could otherwise pick its own address."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from server.settings import ENV_TRUSTED_PROXIES, Settings
from tests.faults.harness import running_server
from tests.server.conftest import STAFF_PASSWORD, Staff


def attempt(http: httpx.Client, password: str, forwarded_for: str) -> int:
    """One login as marieke, claiming to come from `forwarded_for`."""
    form = http.get("/login")
    # The form's cookie is `Secure`: a client on http:// must hand it back itself.
    cookie = form.headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    answer = http.post(
        "/login",
        data={"username": "marieke", "password": password, "csrf": csrf.group(1)},
        headers={"cookie": cookie, "x-forwarded-for": forwarded_for},
        follow_redirects=False,
    )
    return answer.status_code


@pytest.mark.parametrize("trusted", ["", "127.0.0.1", "10.0.0.0/8, 127.0.0.0/8"])
def test_a_forged_forwarded_for_moves_the_limit_only_behind_a_named_proxy(
    database_url: str,
    staff_world: Staff,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trusted: str,
) -> None:
    monkeypatch.setenv(ENV_TRUSTED_PROXIES, trusted)
    with (
        running_server(database_url, tmp_path) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        for n in range(5):  # one guess from each of five made-up addresses
            assert attempt(http, "geraden-wachtwoord", f"203.0.113.{n}") == 401
        answer = attempt(http, STAFF_PASSWORD, "198.51.100.7")
    # Not named: all six came from 127.0.0.1, and the sixth waits. Named: six clients.
    assert answer == (303 if trusted else 429)


@pytest.mark.parametrize("value", ["127.0.0.1,localhost", "10.0.0.0/33", "*"])
def test_a_trusted_proxy_that_is_no_address_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=ENV_TRUSTED_PROXIES):
        Settings.resolve(database_url="sqlite://", env={ENV_TRUSTED_PROXIES: value})

"""Who may read /metrics: the pure rule (server/metrics/scrape_access.py) and its setting."""

from __future__ import annotations

import pytest

from server.metrics.scrape_access import scrape_refusal
from server.settings import Settings

TOKEN = "0123456789abcdef" * 4


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.0.0.2"])
def test_this_machine_unforwarded_needs_no_token(host: str) -> None:
    assert scrape_refusal(host, {}, TOKEN) is None
    assert scrape_refusal(host, {}, None) is None


@pytest.mark.parametrize(
    ("host", "headers"),
    [
        ("10.0.0.10", {}),
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}),
        ("127.0.0.1", {"forwarded": "for=203.0.113.9"}),
        ("127.0.0.1", {"x-real-ip": "203.0.113.9"}),
        (None, {}),
        ("testclient", {}),
    ],
)
def test_anyone_else_needs_the_token(host: str | None, headers: dict[str, str]) -> None:
    refused = scrape_refusal(host, headers, TOKEN)
    assert refused is not None and refused.status == 403
    shown = {**headers, "authorization": f"Bearer {TOKEN}"}
    assert scrape_refusal(host, shown, TOKEN) is None


@pytest.mark.parametrize(
    "authorization", [f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"]
)
def test_a_wrong_token_is_401_even_from_here(authorization: str) -> None:
    refused = scrape_refusal("127.0.0.1", {"authorization": authorization}, TOKEN)
    assert refused is not None and refused.status == 401


def test_no_token_set_means_no_token_opens_it() -> None:
    refused = scrape_refusal("10.0.0.10", {"authorization": "Bearer "}, None)
    assert refused is not None and refused.status == 401


def test_the_token_setting_refuses_a_short_one_and_hides_in_repr() -> None:
    env = {"PRIKKLOK_SERVER_DATABASE_URL": "sqlite://", "PRIKKLOK_SERVER_METRICS_TOKEN": "short"}
    with pytest.raises(ValueError, match="at least 32"):
        Settings.resolve(env=env)
    settings = Settings.resolve(env={**env, "PRIKKLOK_SERVER_METRICS_TOKEN": f" {TOKEN}\n"})
    assert settings.metrics_token == TOKEN
    assert TOKEN not in repr(settings)
    assert Settings.resolve(env={"PRIKKLOK_SERVER_DATABASE_URL": "sqlite://"}).metrics_token is None

"""docs/server.md documents every CLI verb, every option and every route."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli import server
from server.settings import (
    ENV_DATA_DIR,
    ENV_DATABASE_URL,
    ENV_HOST,
    ENV_METRICS_TOKEN,
    ENV_PORT,
    ENV_RETENTION_DAYS,
    ENV_TRUSTED_PROXIES,
)

DOC = (Path(__file__).parents[2] / "docs" / "server.md").read_text(encoding="utf-8")


def test_docs_every_command_and_option() -> None:
    for name, command in server.commands.items():
        assert f"prikklok server {name}" in DOC, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in DOC for opt in param.opts), f"{name} {param.opts}"


def test_docs_every_setting_and_route() -> None:
    for env in (
        ENV_DATABASE_URL,
        ENV_DATA_DIR,
        ENV_HOST,
        ENV_PORT,
        ENV_RETENTION_DAYS,
        ENV_TRUSTED_PROXIES,
        ENV_METRICS_TOKEN,
    ):
        assert env in DOC
    for route in (
        "/api/v1/records",
        "/api/v1/snapshot",
        "/api/v1/heartbeat",
        "/api/v1/presence",
        "/metrics",
    ):
        assert route in DOC

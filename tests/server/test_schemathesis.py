"""Property-based checks over the published OpenAPI: no input makes the server fail."""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings

from tests.server.conftest import World

EXAMPLES = 40
# The server refuses some schema-valid input it cannot store faithfully (NUL characters,
# lone surrogates, non-finite numbers, sequence numbers beyond BIGINT) with a clear 422.
REFUSED_ON_PURPOSE = [schemathesis.checks.positive_data_acceptance]


def test_schemathesis_no_server_errors(app: FastAPI, client: TestClient, world: World) -> None:
    # The client fixture keeps the app's lifespan (its engine) running while schemathesis calls.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # push, pull, heartbeat, presence, media, the wheelhouse and the JSON feed
    assert len(operations) == 7
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=world.auth(), excluded_checks=REFUSED_ON_PURPOSE)

        check()

"""The sites as the admin's pages show them (server/administration/sites.py): the overview
counts who is active, which doors have a live token and who is in now."""

from __future__ import annotations

from datetime import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from server.administration import sites
from server.administration.operations import AdminError
from tests.server.conftest import NOW, World, wire


def test_site_names_come_in_the_order_of_the_names(engine: Engine, world: World) -> None:
    sites.new_site(engine, "aa", "Zuid-Oost", time(9), time(16), "Europe/Amsterdam")
    assert list(sites.site_names(engine).items()) == [
        ("north", "North"),
        ("south", "South"),
        ("aa", "Zuid-Oost"),
    ]


def test_a_site_cannot_be_added_twice_or_close_before_it_opens(engine, world: World) -> None:
    with pytest.raises(AdminError, match="already exists"):
        sites.new_site(engine, "north", "Noord", time(8), time(17), "Europe/Amsterdam")
    with pytest.raises(AdminError, match="closing time"):
        sites.new_site(engine, "west", "West", time(17), time(8), "Europe/Amsterdam")
    assert set(sites.site_names(engine)) == {"north", "south"}


def test_the_overview_counts_people_doors_and_who_is_in(
    client: TestClient, engine: Engine, world: World
) -> None:
    answer = client.post(
        "/api/v1/records", json={"records": [wire(1, wall_at="2026-11-25T08:00:00Z")]},
        headers=world.auth(),
    )  # fmt: skip
    assert answer.status_code == 200
    seen = sites.overview(engine, NOW)
    assert [row.id for row in seen.sites] == ["north", "south"]
    assert seen.people == {"north": 2, "south": 1}
    assert seen.doors == {"north": 2, "south": 1}  # north-old's token was revoked
    assert seen.present == {"north": 1, "south": 0}

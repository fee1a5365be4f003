"""Upgrades without a visit, the server's side: the wheelhouse's manifest, the wanted version
in the snapshot only for a kiosk that understands it, the wheelhouse files by sha256 behind
the kiosk's token, the upgrade report in the heartbeat, and the Kiosks page showing it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from prikklok.cli import cli
from server.administration import upgrades, wheelhouse
from server.app import create_app
from server.schema import audit_log, sites
from server.settings import Settings
from sync.protocol import UNDERSTANDS_HEADER, UPGRADE, Snapshot
from tests.server.conftest import HeldClock, World, log_in
from tests.server.test_heartbeat import beat
from tests.upgrades.releases import release_wheel

ALL = "pictogram,photo,voice,phrase_fixes,own_say"


@pytest.fixture
def house(tmp_path: Path) -> Path:
    folder = tmp_path / "wheelhouse"
    made = tmp_path / "made"
    dependency = made / "idna-3.10-py3-none-any.whl"
    made.mkdir()
    dependency.write_bytes(b"a dependency's bytes")
    wheelhouse.add(folder, "2.0", [release_wheel(made, "2.0"), dependency])
    return folder


@pytest.fixture
def app(database_url: str, clock: HeldClock, house: Path) -> FastAPI:
    """The server with this wheelhouse (browser_client and client use it)."""
    return create_app(Settings(database_url, now=clock, wheelhouse=house))


@pytest.fixture
def api(client: TestClient) -> TestClient:
    return client


def test_the_manifest_names_every_wheel_by_its_sha256(house: Path) -> None:
    release = wheelhouse.release(house, "2.0")
    manifest = json.loads((house / "2.0" / "manifest.json").read_bytes())
    assert manifest["version"] == "2.0"
    assert (manifest["platform"], manifest["python"]) == ("manylinux2014_aarch64", "3.11")
    names = [f["name"] for f in manifest["files"]]
    assert names == ["idna-3.10-py3-none-any.whl", "prikklok-2.0-py3-none-any.whl"]
    for listed in manifest["files"]:
        body = (house / "2.0" / listed["name"]).read_bytes()
        assert listed["sha256"] == hashlib.sha256(body).hexdigest()
        assert listed["size"] == len(body)
    manifest_bytes = (house / "2.0" / "manifest.json").read_bytes()
    assert release.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()


def test_a_release_without_its_own_wheel_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "idna-3.10-py3-none-any.whl"
    other.write_bytes(b"x")
    with pytest.raises(wheelhouse.WheelhouseError, match=r"no prikklok-2\.0"):
        wheelhouse.add(tmp_path / "house", "2.0", [other])
    with pytest.raises(wheelhouse.WheelhouseError, match=r"version '\.\./x'"):
        wheelhouse.add(tmp_path / "house", "../x", [other])


def test_wheelhouse_files_by_sha256_for_kiosks_only(api: TestClient, world: World, house: Path):
    release = wheelhouse.release(house, "2.0")
    got = api.get(f"/api/v1/wheelhouse/{release.manifest_sha256}", headers=world.auth())
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == release.manifest_sha256
    sha = release.files["prikklok-2.0-py3-none-any.whl"]
    wheel = api.get(f"/api/v1/wheelhouse/{sha}", headers=world.auth())
    assert (wheel.status_code, hashlib.sha256(wheel.content).hexdigest()) == (200, sha)
    assert api.get(f"/api/v1/wheelhouse/{sha}").status_code == 401
    revoked = {"Authorization": f"Bearer {world.revoked_token}"}
    assert api.get(f"/api/v1/wheelhouse/{sha}", headers=revoked).status_code == 401
    assert api.get(f"/api/v1/wheelhouse/{'0' * 64}", headers=world.auth()).status_code == 404
    assert api.get("/api/v1/wheelhouse/..%2F..%2Fetc", headers=world.auth()).status_code == 404


def snapshot(api: TestClient, world: World, understands: str) -> dict:
    answer = api.get("/api/v1/snapshot", headers={**world.auth(), UNDERSTANDS_HEADER: understands})
    assert answer.status_code == 200
    return answer.json()


def test_the_wanted_version_reaches_kiosks_that_understand_it(
    api: TestClient, world: World, engine: Engine, house: Path
) -> None:
    assert snapshot(api, world, f"{ALL},{UPGRADE}")["site"]["upgrade"] is None
    release = upgrades.want_version(
        engine, "north", "2.0", house, actor="admin", now=datetime.now(UTC)
    )
    assert release is not None
    site = snapshot(api, world, f"{ALL},{UPGRADE}")["site"]
    assert site["upgrade"] == {"version": "2.0", "manifest_sha256": release.manifest_sha256}
    # A kiosk of an earlier version refuses fields it does not know: it gets none.
    older = snapshot(api, world, ALL)
    assert "upgrade" not in older["site"]
    Snapshot.model_validate(older)
    # The other site names nothing.
    south = api.get(
        "/api/v1/snapshot",
        headers={**world.auth(world.south_token), UNDERSTANDS_HEADER: f"{ALL},{UPGRADE}"},
    ).json()
    assert south["site"]["upgrade"] is None


def test_the_heartbeat_takes_the_report_from_a_kiosk_that_asks(
    api: TestClient, world: World, engine: Engine
) -> None:
    plain = api.post("/api/v1/heartbeat", json=beat(), headers=world.auth()).json()
    assert "takes_upgrade" not in plain
    asked = {**world.auth(), UNDERSTANDS_HEADER: UPGRADE}
    assert api.post("/api/v1/heartbeat", json=beat(), headers=asked).json()["takes_upgrade"]
    report = {"version": "2.0", "state": "failed", "reason": "pip install: no wheel for idna"}
    assert (
        api.post("/api/v1/heartbeat", json=beat(upgrade=report), headers=asked).status_code == 200
    )
    bad = {"version": "2.0", "state": "exploded"}
    assert api.post("/api/v1/heartbeat", json=beat(upgrade=bad), headers=asked).status_code == 422


def test_the_kiosks_page_shows_how_the_upgrade_went(
    browser_client: TestClient, staff_world, world: World
) -> None:
    from tests.server.web.test_kiosks_page import card, kiosk_page

    asked = {**world.auth(), UNDERSTANDS_HEADER: UPGRADE}
    failed = {"version": "2.1", "state": "failed", "reason": "config check: unknown key 'colour'"}
    browser_client.post(
        "/api/v1/heartbeat", json=beat(app_version="2.0", upgrade=failed), headers=asked
    )
    installed = {"version": "2.0", "state": "installed"}
    browser_client.post(
        "/api/v1/heartbeat",
        json=beat(app_version="2.0", upgrade=installed),
        headers={"Authorization": f"Bearer {world.south_token}", UNDERSTANDS_HEADER: UPGRADE},
    )
    log_in(browser_client, "marieke")
    north = card(kiosk_page(browser_client), "north-1")
    assert "2.1 niet geïnstalleerd</span> 2.0 draait door</dd>" in north
    assert "config check: unknown key &#39;colour&#39;" in north


def test_the_cli_fills_the_wheelhouse_and_names_the_version(
    database_url: str, world: World, engine: Engine, tmp_path: Path
) -> None:
    env = {"PRIKKLOK_SERVER_DATABASE_URL": database_url}
    house = tmp_path / "house"
    wheel = release_wheel(tmp_path / "made", "3.0")
    runner = CliRunner()
    added = runner.invoke(
        cli, ["server", "wheelhouse", "add", "--wheelhouse", str(house), "--version", "3.0",
              str(wheel)], env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "release 3.0: 1 wheels" in added.output
    listed = runner.invoke(
        cli, ["server", "wheelhouse", "list", "--wheelhouse", str(house)], env=env
    )
    assert listed.output.startswith("3.0\t1 wheels\t")
    named = runner.invoke(
        cli, ["server", "want-version", "--wheelhouse", str(house), "north", "3.0"], env=env
    )
    assert named.exit_code == 0, named.output
    missing = runner.invoke(
        cli, ["server", "want-version", "--wheelhouse", str(house), "north", "3.1"], env=env
    )
    assert missing.exit_code == 1 and "no release 3.1" in missing.output
    nowhere = runner.invoke(
        cli, ["server", "want-version", "--wheelhouse", str(house), "nowhere", "3.0"], env=env
    )
    assert nowhere.exit_code == 1 and "no site 'nowhere'" in nowhere.output
    # A rebuilt release: the sites that name it follow its new manifest.
    (tmp_path / "made" / "extra-1.0-py3-none-any.whl").write_bytes(b"more")
    again = runner.invoke(
        cli, ["server", "wheelhouse", "add", "--wheelhouse", str(house), "--version", "3.0",
              str(tmp_path / "made" / "extra-1.0-py3-none-any.whl")], env=env,
    )  # fmt: skip
    assert "sites naming 3.0 get the new manifest: north" in again.output
    with engine.connect() as conn:
        row = conn.execute(select(sites).where(sites.c.id == "north")).one()
        actions = conn.execute(select(audit_log.c.actor).where(audit_log.c.action == "upgrade"))
        assert list(actions.scalars()) == ["admin (cli)"]
    assert (row.wanted_version, row.wanted_manifest_sha256) == (
        "3.0",
        wheelhouse.release(house, "3.0").manifest_sha256,
    )


def test_the_admin_names_the_version_on_the_sites_page(
    browser_client: TestClient, staff_world, world: World, engine: Engine, house: Path
) -> None:
    csrf = log_in(browser_client, "anna")
    page = browser_client.get("/sites", headers={"accept": "text/html"}).text
    assert '<option value="2.0">2.0</option>' in page
    done = browser_client.post(
        "/sites/north/version", data={"version": "2.0", "csrf": csrf}, follow_redirects=True
    )
    assert "De kiosks installeren die versie" in done.text
    assert '<option value="2.0" selected>2.0</option>' in done.text
    with engine.connect() as conn:
        row = conn.execute(select(sites).where(sites.c.id == "north")).one()
        [audit] = conn.execute(select(audit_log).where(audit_log.c.action == "upgrade")).all()
    assert row.wanted_manifest_sha256 == wheelhouse.release(house, "2.0").manifest_sha256
    assert audit.detail == {"site": "north", "from": None, "to": "2.0"}
    assert "anna" in audit.actor.lower()
    gone = browser_client.post(
        "/sites/north/version", data={"version": "9.9", "csrf": csrf}, follow_redirects=True
    )
    assert "Die versie staat niet (meer) klaar" in gone.text
    # A supervisor cannot.
    browser_client.post("/logout", data={"csrf": csrf})
    marieke = log_in(browser_client, "marieke")
    refused = browser_client.post("/sites/north/version", data={"version": "", "csrf": marieke})
    assert refused.status_code == 403
    with engine.connect() as conn:
        assert (
            conn.execute(select(sites.c.wanted_version).where(sites.c.id == "north")).scalar_one()
            == "2.0"
        )

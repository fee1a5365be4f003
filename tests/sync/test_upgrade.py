"""The kiosk's side of upgrades without a visit: when the installer acts (never in a tight
loop), what the heartbeat says, and the agent with a server that does not take the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync.agent import sync_once
from sync.client import ServerClient
from sync.clock import Instant
from sync.journal import Journal
from sync.upgrade import RETRY_FAILED_AFTER, Status, UpgradeFolder, Wanted, next_step, report
from tests.sync.peer import Peer, Reply

AT = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
WANTED = Wanted("2.0", "a" * 64)


def failed(at: datetime, manifest: str = "a" * 64) -> Status:
    return Status("2.0", manifest, "failed", "pip install: no idna", at)


def test_the_installer_acts_only_when_there_is_something_new() -> None:
    assert next_step(None, "1.0", None, AT) == "nothing"
    assert next_step(WANTED, "2.0", None, AT) == "nothing"  # it runs it already
    assert next_step(WANTED, "1.0", None, AT) == "install"
    # A release that failed waits; a rebuilt one (a new manifest) is tried at once.
    assert next_step(WANTED, "1.0", failed(AT), AT + timedelta(minutes=15)) == "wait"
    assert next_step(WANTED, "1.0", failed(AT), AT + RETRY_FAILED_AFTER) == "install"
    assert next_step(WANTED, "1.0", failed(AT, "b" * 64), AT) == "install"


def test_what_the_heartbeat_says() -> None:
    assert report(None, "1.0", None) is None
    assert report(WANTED, "1.0", None) == {"version": "2.0", "state": "pending", "reason": None}
    assert report(WANTED, "1.0", failed(AT))["state"] == "failed"  # type: ignore[index]
    assert report(WANTED, "2.0", failed(AT))["state"] == "installed"  # type: ignore[index]


def test_bad_wanted_versions_are_ignored(tmp_path: Path) -> None:
    folder = UpgradeFolder(tmp_path)
    for bad in ({"version": "../../etc", "manifest_sha256": "a" * 64},
                {"version": "2.0", "manifest_sha256": "xyz"}, "2.0", None):  # fmt: skip
        assert folder.note_wanted({"upgrade": bad}) is None
        assert not (tmp_path / "wanted.json").exists()


def now() -> Instant:
    return Instant(datetime.now(UTC), 100.0, "boot-1", True)


def test_an_older_server_never_gets_the_report(
    peer: Peer, client: ServerClient, journal: Journal, tmp_path: Path
) -> None:
    peer.snapshot = {
        **peer.snapshot,
        "site": {**peer.snapshot["site"], "upgrade": WANTED.as_dict()},
    }
    folder = UpgradeFolder(tmp_path / "upgrade")
    for _ in range(2):
        sync_once(journal, client, now=now, app_version="1.0", upgrades=folder)
    assert folder.wanted() == WANTED  # kept for the installer
    assert all("upgrade" not in seen.body for seen in peer.seen("/heartbeat"))
    assert all(
        "upgrade" in seen.headers["Prikklok-Understands"] for seen in peer.seen("/heartbeat")
    )
    # A server put back to an older version after it took reports refuses the field: the
    # heartbeat goes again without it.
    folder.server_takes = True
    peer.then(Reply(status=422, body={"detail": "upgrade: extra inputs"}, path="/heartbeat"))
    result = sync_once(journal, client, now=now, app_version="1.0", upgrades=folder)
    assert result.clock_offset_seconds is not None
    refused, again = peer.seen("/heartbeat")[-2:]
    assert refused.body["upgrade"] == {"version": "2.0", "state": "pending", "reason": None}
    assert "upgrade" not in again.body
    assert folder.server_takes is False

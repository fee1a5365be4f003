"""`prikklok sync`, and the same agent as a thread of the kiosk (`sync.in_process`)."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType

from prikklok.config import Config
from prikklok.failure import Failure
from sync.agent import SyncAgent
from sync.client import ServerClient
from sync.journal import Journal, JournalError
from sync.log_outbox import WarningsOutbox
from sync.media import MediaCache
from sync.upgrade import UpgradeFolder

log = logging.getLogger(__name__)


def read_token(config: Config) -> str:
    """This kiosk's bearer token from [sync] token_file; one-line Failure if unusable."""
    name = config["sync"]["token_file"]
    if not name:
        raise Failure("[sync] token_file is not set: the kiosk needs its token to sync")
    path = Path(name)
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise Failure(f"{path}: cannot read the kiosk token: {reason}") from None
    if not token:
        raise Failure(f"{path}: the kiosk token file is empty")
    return token


def build_agent(config: Config, journal: Journal) -> SyncAgent:
    """An agent for this config, on the given (own) journal connection."""
    sync = config["sync"]
    if not sync["server_url"]:
        raise Failure("[sync] server_url is not set: nothing to sync with (the kiosk works "
                       "offline without it)")  # fmt: skip
    client = ServerClient(
        sync["server_url"],
        read_token(config),
        timeout=sync["timeout_seconds"],
        ca_file=sync["ca_file"] or None,
    )
    return SyncAgent(
        journal,
        client,
        interval=sync["interval_seconds"],
        batch_size=sync["batch_size"],
        app_version=_app_version(),
        prune_after=timedelta(days=sync["prune_after_days"]),
        retention=timedelta(days=sync["retention_days"]),
        media=MediaCache(config.media_path, int(sync["media_cache_mb"]) * 1024 * 1024),
        warnings=WarningsOutbox(config.warnings_path),
        upgrades=UpgradeFolder(upgrade_folder(config)),
    )


def upgrade_folder(config: Config) -> Path:
    """Where the agent and the installer meet (sync.upgrade): beside the journal."""
    return Path(config["kiosk"]["data_dir"]) / "upgrade"


def _open_journal(config: Config, path: Path) -> Journal:
    try:
        return Journal(path, kiosk_id=config["kiosk"]["id"])
    except JournalError as error:
        raise Failure(str(error)) from None


def run_sync(config: Config) -> int:
    """Run the agent in this process until SIGTERM or SIGINT."""
    journal = _open_journal(config, config.journal_path)
    try:
        agent = build_agent(config, journal)
    except Exception:
        journal.close()
        raise
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        agent.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        agent.run(stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        agent.client.close()
        journal.close()
    return 0


def start_in_process(config: Config, journal_path: Path) -> tuple[SyncAgent, threading.Thread]:
    """Start the agent on a thread with its own journal connection; stop with agent.stop()."""
    journal = _open_journal(config, journal_path)
    try:
        agent = build_agent(config, journal)
    except Exception:
        journal.close()
        raise

    def run() -> None:
        try:
            agent.run()
        finally:
            agent.client.close()
            journal.close()

    # Daemon: a stuck request (bounded by the timeout anyway) never holds up the exit.
    thread = threading.Thread(target=run, name="prikklok-sync", daemon=True)
    thread.start()
    return agent, thread


def _app_version() -> str:
    try:
        return version("prikklok")
    except PackageNotFoundError:
        return "0+unknown"

"""`prikklok upgrade`: install the release the kiosk's site names, beside the running one,
check it, switch and restart (sync.upgrade_install). Run as root by prikklok-upgrade.timer;
`--root DIR` installs under DIR and prints the restart instead (the tests run it so)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from prikklok.failure import Failure

# The new version's checks run as the kiosk's user: setpriv needs no PAM, only the
# capabilities prikklok-upgrade.service keeps (SETUID, SETGID).
AS_KIOSK_USER = ("setpriv", "--reuid=prikklok", "--regid=prikklok", "--init-groups", "--")


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The kiosk's config (default: as `prikklok kiosk` finds it).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Install under this folder; print the restart instead of running it.",
)
@click.option("--python", default="python3", show_default=True, help="Makes the new venv.")
def upgrade(config_path: Path | None, root: Path | None, python: str) -> None:
    """Install the version the site names (Sites page, `prikklok server want-version`), if
    this kiosk does not run it yet; the old one keeps running when anything fails, and the
    heartbeat tells the server why."""
    from prikklok.config import ConfigError, find_config, load_config
    from prikklok.sync_command import _app_version, read_token, upgrade_folder
    from sync.client import ServerClient
    from sync.upgrade import UpgradeFolder
    from sync.upgrade_install import Installer, Layout, run_checked

    try:
        config = load_config(find_config(config_path))
    except ConfigError as error:
        raise Failure(str(error)) from None
    sync = config["sync"]
    if not sync["server_url"]:
        raise Failure("[sync] server_url is not set: no server to upgrade from")
    client = ServerClient(
        sync["server_url"],
        read_token(config),
        timeout=max(float(sync["timeout_seconds"]), 60.0),  # wheels are bigger than taps
        ca_file=sync["ca_file"] or None,
    )

    def printed(command: Sequence[str]) -> None:
        click.echo(f"would run: {shlex.join(command)}")

    installer = Installer(
        layout=Layout(root or Path("/")),
        folder=UpgradeFolder(upgrade_folder(config)),
        fetch=client.wheelhouse,
        config=config.source or find_config(config_path),
        now=lambda: datetime.now(UTC),
        running_version=_app_version(),
        python=python,
        run=run_checked,
        as_user=() if root else AS_KIOSK_USER,
        restart=printed if root else run_checked,
    )
    try:
        status = installer.run_once()
    finally:
        client.close()
    if status is None:
        click.echo("nothing to do: no version named, it runs already, or it failed recently")
    elif status.state == "installed":
        click.echo(f"installed {status.version}: {', '.join(installer.log)}")
    else:
        raise Failure(f"{status.version} not installed, the old version runs on: {status.reason}")

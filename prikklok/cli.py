"""The prikklok command: one group, one subcommand per job."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

# Kivy (the kiosk screen) parses sys.argv when it is imported; it must never see ours.
os.environ.setdefault("KIVY_NO_ARGS", "1")

import click

from prikklok.config import KEYS, Config, ConfigError, find_config, load_config
from prikklok.failure import Failure

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    """--config FILE, shared by every command that reads the configuration."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Config file (default: $PRIKKLOK_CONFIG, then /etc/prikklok/prikklok.toml).",
    )(func)


def read_config(config_path: Path | None) -> Config:
    try:
        return load_config(find_config(config_path))
    except ConfigError as error:
        raise Failure(str(error)) from None


def setup_logging(config: Config) -> None:
    logging.basicConfig(
        level=config["log"]["level"].upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if config.warnings_path.parent.is_dir():
        # Warnings and errors also go beside the journal, masked, for the sync agent to
        # send with its heartbeat: the Kiosks page shows them (sync.log_lines).
        from sync.log_lines import WarningsFile

        root = logging.getLogger()
        for earlier in [h for h in root.handlers if isinstance(h, WarningsFile)]:
            root.removeHandler(earlier)  # one file per process, the config's latest
        root.addHandler(WarningsFile(config.warnings_path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="prikklok")
def cli() -> None:
    """prikklok — the check-in clock at the workshop door."""


@cli.command()
@config_option
@click.option("--headless", is_flag=True, help="Run the door without a screen.")
@click.option("--offscreen", is_flag=True, help="Draw the screen offscreen (no display needed).")
@click.option(
    "--reader",
    type=click.Choice(["mfrc522", "wedge", "simulated"]),
    default=None,
    help="Override [reader] kind.",
)
def kiosk(config_path: Path | None, headless: bool, offscreen: bool, reader: str | None) -> None:
    """Run the door: read badges, decide, record, and answer on the screen."""
    config = read_config(config_path)
    if reader:
        config = Config(
            values={**config.values, "reader": {**config["reader"], "kind": reader}},
            source=config.source,
        )
    setup_logging(config)
    if headless:
        from prikklok.parts import run_headless

        sys.exit(run_headless(config, stdin=sys.stdin, out=sys.stdout))
    from kiosk.ui.boot import has_display
    from prikklok.screen import run_screen

    if not (offscreen or has_display()):
        raise Failure(
            "no display (no $DISPLAY, $WAYLAND_DISPLAY or SDL_VIDEODRIVER=kmsdrm): "
            "run with --headless, or --offscreen"
        )
    sys.exit(run_screen(config, offscreen=offscreen, stdin=sys.stdin))


@cli.group(invoke_without_command=True)
@config_option
@click.option("--last", "last_n", default=10, show_default=True, help="How many taps to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def journal(ctx: click.Context, config_path: Path | None, last_n: int, as_json: bool) -> None:
    """Inspect the journal: counts, records waiting for sync, last taps (badges masked)."""
    ctx.obj = config_path  # `prikklok journal --config F backup` means F too
    if ctx.invoked_subcommand is not None:
        return
    config = read_config(config_path)
    path = config.journal_path
    if not path.exists():
        raise Failure(f"{path}: no journal yet (the kiosk has not run with this config)")
    from prikklok.inspect import journal_report
    from sync.journal import JournalError

    try:
        report = journal_report(path, config["kiosk"]["id"], last_n, now=datetime.now(UTC))
    except JournalError as error:
        raise Failure(str(error)) from None
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.as_text())


@journal.command("backup")
@config_option
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Backup folder (default: <data_dir>/backup).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="How many backups to keep; older ones are deleted.",
)
@click.pass_obj
def journal_backup(
    group_config: Path | None, config_path: Path | None, folder: Path | None, keep: int
) -> None:
    """Back up the journal; keep the newest N.

    A copy through SQLite's online backup API, safe while the door writes (never a file
    copy), checked with PRAGMA integrity_check; named journal-YYYYMMDD-HHMMSS.db (UTC).
    """
    config = read_config(config_path or group_config)
    from sync.backup import BackupError, backup_journal

    folder = folder or Path(config["kiosk"]["data_dir"]) / "backup"
    try:
        done = backup_journal(config.journal_path, folder, now=datetime.now(UTC), keep=keep)
    except BackupError as error:
        raise Failure(str(error)) from None
    click.echo(
        f"{done.path}: {done.records} record(s), last seq {done.last_seq}, integrity ok; "
        f"kept the newest {keep}, deleted {len(done.removed)}"
    )


@journal.command("migrate")
@config_option
@click.option("--dry-run", is_flag=True, help="Migrate a copy; the journal stays as it is.")
@click.pass_obj
def journal_migrate(group_config: Path | None, config_path: Path | None, dry_run: bool) -> None:
    """Try this version's journal migration on a copy of the journal (an upgrade does,
    before it switches to this version). The journal itself migrates when the door starts."""
    if not dry_run:
        raise Failure("the door migrates its journal when it starts; --dry-run tries it on a copy")
    config = read_config(config_path or group_config)
    from sync.journal import JournalError
    from sync.journal_trial import try_migration

    try:
        records = try_migration(config.journal_path, config["kiosk"]["id"])
    except JournalError as error:
        raise Failure(str(error)) from None
    click.echo(f"{config.journal_path}: a copy migrates, {records} record(s), integrity ok")


@cli.command()
@config_option
def sync(config_path: Path | None) -> None:
    """Run the sync agent: push the journal to the server, pull the roster, heartbeat."""
    config = read_config(config_path)
    setup_logging(config)
    from prikklok.sync_command import run_sync

    sys.exit(run_sync(config))


@cli.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-data"),
    show_default=True,
    help="Where the demo keeps its config, door data and journal.",
)
@click.option("--headless", is_flag=True, help="A door without a screen, in the terminal.")
@click.option("--offscreen", is_flag=True, help="Draw offscreen even where a display exists.")
def demo(data_dir: Path, headless: bool, offscreen: bool) -> None:
    """Run the demo: a local server with demo data and the kiosk with a simulated reader."""
    from prikklok.demo import run_demo

    sys.exit(
        run_demo(
            data_dir,
            stdin=sys.stdin,
            out=sys.stdout,
            screen=not headless,
            offscreen=True if offscreen else None,
        )
    )


@cli.group()
def config() -> None:
    """Check and explain the configuration."""


@config.command("check")
@config_option
def config_check(config_path: Path | None) -> None:
    """Validate the config file (and environment overrides)."""
    loaded = read_config(config_path)
    click.echo(f"{loaded.source}: ok")


@config.command("show")
@config_option
def config_show(config_path: Path | None) -> None:
    """Print the effective configuration, defaults and overrides included."""
    loaded = read_config(config_path)
    for section, values in loaded.values.items():
        click.echo(f"[{section}]")
        for name, value in values.items():
            click.echo(f"{name} = {json.dumps(value, ensure_ascii=False)}")
        click.echo()


@config.command("keys")
def config_keys() -> None:
    """List every config key with its default and environment variable."""
    for key in KEYS:
        default = json.dumps(key.default)
        span = f" [{key.range_text}]" if key.range_text else ""
        click.echo(f"{key.section}.{key.name} = {default}{span}  ({key.env})  {key.doc}")


from prikklok.upgrade_command import upgrade  # noqa: E402
from server.cli import server  # noqa: E402 (imports only click; the rest is lazy)

cli.add_command(server)
cli.add_command(upgrade)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: usage errors and failures are one line on stderr, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="prikklok",
                 standalone_mode=False)  # fmt: skip
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        click.echo(f"prikklok: {error.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"prikklok: {error.format_message()}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo("prikklok: aborted", err=True)
        return 130
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        return 130
    return 0


def run() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())

"""`prikklok server backup` and `prikklok server restore FILE`: the server's database
copied (by prikklok-server-backup.timer every night) and put back
(server.administration.backups does the work)."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli import _engine, _now, _settings, database_options

ENV_BACKUP_DIR = "PRIKKLOK_SERVER_BACKUP_DIR"
ENV_BACKUP_KEEP = "PRIKKLOK_SERVER_BACKUP_KEEP"
ENV_BACKUP_COPY_TO = "PRIKKLOK_SERVER_BACKUP_COPY_TO"


@click.command("backup")
@database_options
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV_BACKUP_DIR,
    default=None,
    help="Folder of the backups (default: backup/ in --data-dir).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    envvar=ENV_BACKUP_KEEP,
    default=7,
    show_default=True,
    help="How many of the newest backups to keep (one a night: days).",
)
@click.option(
    "--copy-to",
    envvar=ENV_BACKUP_COPY_TO,
    default=None,
    help="Also copy each backup here: a folder (another disk) or an rsync target "
    "(user@host:/path/).",
)
def backup(
    database_url: str | None,
    data_dir: Path | None,
    folder: Path | None,
    keep: int,
    copy_to: str | None,
) -> None:
    """Back up the database (SQLite's backup API, or pg_dump -Fc) and keep the newest."""
    from server.administration.backups import ServerBackupError, back_up

    url = _settings(database_url, data_dir).database_url
    folder = folder or (data_dir or Path(".")) / "backup"
    try:
        done = back_up(url, folder, now=_now(), keep=keep, copy_to=copy_to or None)
    except ServerBackupError as error:
        raise click.ClickException(str(error)) from None
    copied = f", copied to {done.copied_to}" if done.copied_to else ""
    click.echo(
        f"{done.path}: {done.size_bytes} bytes; kept the newest {keep}, deleted "
        f"{len(done.removed)}{copied}"
    )


@click.command("restore")
@database_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(database_url: str | None, data_dir: Path | None, file: Path, force: bool) -> None:
    """Restore a backup into the database (stop the server first) and migrate it up."""
    from server.administration.backups import ServerBackupError
    from server.administration.backups import restore as restore_backup
    from server.migrate import current_revision

    url = _settings(database_url, data_dir).database_url
    with _engine(url) as engine:
        try:
            was = restore_backup(file, engine, force=force)
        except ServerBackupError as error:
            raise click.ClickException(str(error)) from None
        now = current_revision(engine)
    moved = f", migrated to {now}" if now != was else ""
    click.echo(f"restored {file} (schema {was}){moved}")


def add_to(group: click.Group) -> None:
    """Make these `prikklok server` verbs (server.cli calls it once it is built)."""
    group.add_command(backup)
    group.add_command(restore)

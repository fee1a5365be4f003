"""`prikklok server …`: run the central server and administer it. Heavy imports stay inside
the commands, so `prikklok --help` on a kiosk never loads FastAPI or SQLAlchemy."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

ENV_DATABASE_URL = "PRIKKLOK_SERVER_DATABASE_URL"  # same names as server.settings
ENV_DATA_DIR = "PRIKKLOK_SERVER_DATA_DIR"


def database_options(func: F) -> F:
    """--database-url and --data-dir, shared by every command that opens the database."""
    func = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=ENV_DATA_DIR,
        default=None,
        help="Directory of the SQLite file server.db (default: current directory).",
    )(func)
    return click.option(
        "--database-url",
        envvar=ENV_DATABASE_URL,
        default=None,
        help="Database URL, e.g. postgresql://user@host/db (default: SQLite in --data-dir).",
    )(func)


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(database_url: str | None, data_dir: Path | None, **extra: Any) -> Any:
    from server.settings import Settings

    try:
        return Settings.resolve(database_url=database_url, data_dir=data_dir, **extra)
    except ValueError as error:  # a bad number in the environment
        raise click.ClickException(str(error)) from None


@contextmanager
def _engine(url: str) -> Iterator[Any]:
    """An engine for `url`, disposed afterwards; a bad URL or an unreachable database
    becomes one line."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from server.db import make_engine

    try:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    except (ArgumentError, OperationalError) as error:
        raise click.ClickException(f"database: {str(error).splitlines()[0]}") from None


@contextmanager
def admin_db(database_url: str | None, data_dir: Path | None) -> Iterator[Any]:
    """A write transaction on a migrated database; AdminError and bad URLs become one line."""
    from server.administration.operations import AdminError
    from server.db import writing
    from server.migrate import is_current

    with _engine(_settings(database_url, data_dir).database_url) as engine:
        if not is_current(engine):
            raise click.ClickException("database not migrated: run 'prikklok server migrate'")
        try:
            with writing(engine) as conn:
                yield conn
        except AdminError as error:
            raise click.ClickException(str(error)) from None


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time like 08:30") from None


@click.group(invoke_without_command=True)
@click.pass_context
def server(ctx: click.Context) -> None:
    """The central server: kiosk API, database and admin verbs.

    Without a verb it serves, as `prikklok server run` with its defaults and environment.
    """
    if ctx.invoked_subcommand is None:
        # Parsed like a real `run` with no arguments, so its environment variables count.
        with run.make_context("run", [], parent=ctx) as run_ctx:
            run.invoke(run_ctx)


@server.command()
@database_options
@click.option("--host", envvar="PRIKKLOK_SERVER_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PRIKKLOK_SERVER_PORT", type=int, default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--migrate", is_flag=True, help="Upgrade the database before serving.")
@click.option(
    "--keep-alive",
    type=click.IntRange(min=1),
    default=75,
    show_default=True,
    help="Seconds an idle kiosk connection stays open.",
)
def run(
    database_url: str | None,
    data_dir: Path | None,
    host: str,
    port: int,
    workers: int,
    migrate: bool,
    keep_alive: int,
) -> None:
    """Serve the kiosk API with uvicorn."""
    from server.serving import NoDelayConfig, serve

    settings = _settings(database_url, data_dir)
    if migrate:
        _migrate(settings.database_url)
    else:
        _require_current(settings.database_url)
    # Workers are separate processes: they read their settings from the environment.
    os.environ[ENV_DATABASE_URL] = settings.database_url
    config = NoDelayConfig(
        "server.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=_log_config(),
        # Longer than a kiosk's sync period: with uvicorn's 5 s, a kiosk pushing every
        # 5 s could send into a connection the server was just closing (a reset push).
        timeout_keep_alive=keep_alive,
        # uvicorn would believe X-Forwarded-For from 127.0.0.1, so any local process could
        # pick its address for the login limit; the app believes only
        # PRIKKLOK_SERVER_TRUSTED_PROXIES (server/app.py).
        proxy_headers=False,
    )
    # Before the app (and prometheus_client) is imported: the workers' counts meet there
    # and /metrics sums them (server/metrics/processes.py).
    from server.metrics.processes import fresh_dir, remove_dir

    counts = fresh_dir()
    try:
        serve(config)  # several workers without Nagle's 40 ms wait (server/serving.py)
    finally:
        remove_dir(counts)


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the server's own lines (a database outage, a push's counts)
    in the same log, same format."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["server"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _require_current(url: str) -> None:
    """Refuse to serve an unmigrated database: every request would fail."""
    from server.migrate import is_current

    with _engine(url) as engine:
        current = is_current(engine)
    if not current:
        raise click.ClickException(
            "database not migrated: run 'prikklok server migrate' or serve with --migrate"
        )


def _migrate(url: str) -> None:
    from server.migrate import upgrade

    with _engine(url) as engine:
        upgrade(engine)


@server.command()
@database_options
def migrate(database_url: str | None, data_dir: Path | None) -> None:
    """Create or upgrade the database schema."""
    _migrate(_settings(database_url, data_dir).database_url)
    click.echo("database is up to date")


@server.command("add-site")
@database_options
@click.argument("site_id")
@click.option("--name", required=True, help="Name shown to staff.")
@click.option("--opens", "opens_at", default="08:30", show_default=True, help="Opening time.")
@click.option("--closes", "closes_at", default="17:00", show_default=True, help="Closing time.")
@click.option("--timezone", default="Europe/Amsterdam", show_default=True)
def add_site(
    database_url: str | None,
    data_dir: Path | None,
    site_id: str,
    name: str,
    opens_at: str,
    closes_at: str,
    timezone: str,
) -> None:
    """Add a workshop site."""
    from server.administration import operations as admin

    with admin_db(database_url, data_dir) as conn:
        admin.add_site(conn, site_id, name, _time(opens_at), _time(closes_at), timezone)
    click.echo(f"site {site_id} added")


@server.command("add-kiosk")
@database_options
@click.argument("kiosk_id")
@click.option("--site", "site_id", required=True)
@click.option("--name", default=None, help="Where the kiosk hangs (default: its id).")
def add_kiosk(
    database_url: str | None, data_dir: Path | None, kiosk_id: str, site_id: str, name: str | None
) -> None:
    """Register a kiosk and print its token, once: the server keeps only a hash."""
    from server.administration import operations as admin

    with admin_db(database_url, data_dir) as conn:
        token = admin.add_kiosk(conn, site_id, kiosk_id, name or kiosk_id, _now())
    _show_token(token)


# Where a kiosk's token goes; docs/admin/register-kiosk.md says the same.
TOKEN_HINT = (
    "(shown once: put it in the kiosk's token file, the one [sync] token_file names, "
    "mode 0600 - never in the config file itself; the server cannot show it again)"
)


def _show_token(token: str) -> None:
    click.echo(token)
    click.echo(TOKEN_HINT, err=True)


@server.command("revoke-kiosk")
@database_options
@click.argument("kiosk_id")
def revoke_kiosk(database_url: str | None, data_dir: Path | None, kiosk_id: str) -> None:
    """Revoke a kiosk's token at once (its next request gets 401)."""
    from server.administration import operations as admin

    with admin_db(database_url, data_dir) as conn:
        admin.revoke_kiosk(conn, kiosk_id, _now())
    click.echo(f"kiosk {kiosk_id} revoked")


@server.command("rotate-kiosk-token")
@database_options
@click.argument("kiosk_id")
def rotate_kiosk_token(database_url: str | None, data_dir: Path | None, kiosk_id: str) -> None:
    """Give a kiosk a new token and print it once; the old one is refused at once."""
    from server.administration import operations as admin

    with admin_db(database_url, data_dir) as conn:
        token = admin.rotate_kiosk_token(conn, kiosk_id)
    _show_token(token)


@server.command("add-staff")
@database_options
@click.argument("staff_id")
@click.option("--username", required=True)
@click.option(
    "--role", type=click.Choice(["admin", "supervisor", "coach", "translator"]), required=True
)
@click.option("--name", "display_name", required=True)
@click.option("--site", "site_id", default=None, help="Required for supervisors.")
def add_staff(
    database_url: str | None,
    data_dir: Path | None,
    staff_id: str,
    username: str,
    role: str,
    display_name: str,
    site_id: str | None,
) -> None:
    """Add a staff user: admin, supervisor or coach."""
    from server.administration import operations as admin

    with admin_db(database_url, data_dir) as conn:
        admin.add_staff(conn, staff_id, username, role, display_name, site_id, _now())
    click.echo(f"{role} {staff_id} added")


@server.command("set-password")
@database_options
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (one line) instead of asking twice.",
)
def set_password(
    database_url: str | None, data_dir: Path | None, username: str, password_stdin: bool
) -> None:
    """Give a staff user a (new) password; their logins end. At least 10 characters, and
    not one of 20 000 common passwords."""
    import sys

    from sqlalchemy import func, select, update

    from server.administration.passwords import WeakPassword, check_strength, hash_password
    from server.administration.staff_sessions import end_all_sessions
    from server.schema import staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("new password", hide_input=True, confirmation_prompt=True)
    try:
        check_strength(password, username=username)
    except WeakPassword as weak:
        raise click.ClickException(str(weak)) from None
    with admin_db(database_url, data_dir) as conn:
        staff_id = conn.execute(
            select(staff.c.id).where(func.lower(staff.c.username) == username.lower())
        ).scalar_one_or_none()
        if staff_id is None:
            raise click.ClickException(f"no staff user {username!r}")
        conn.execute(
            update(staff)
            .where(staff.c.id == staff_id)
            .values(password_hash=hash_password(password))
        )
        end_all_sessions(conn, staff_id)
    click.echo(f"password set for {username}")


@server.command("send-digests")
@database_options
def send_digests(database_url: str | None, data_dir: Path | None) -> None:
    """Send each coach with an e-mail address their weekly digest (for a weekly timer).
    SMTP from PRIKKLOK_SERVER_SMTP_HOST / _PORT / _FROM; without a host, nothing is sent."""
    from server.administration.digest import send_digests as send

    settings = _settings(database_url, data_dir)
    if not settings.smtp_host:
        raise click.ClickException("no SMTP server: set PRIKKLOK_SERVER_SMTP_HOST")
    _require_current(settings.database_url)
    with _engine(settings.database_url) as engine:
        sent = send(engine, settings, _now())
    click.echo(f"{sent} digest(s) sent")


@server.command("import-participants")
@database_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_id", required=True)
def import_participants(
    database_url: str | None, data_dir: Path | None, file: Path, site_id: str
) -> None:
    """Import or update participants from a CSV file: all rows or none."""
    from server.administration.importer import import_participants as run_import

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not UTF-8 text") from None
    with admin_db(database_url, data_dir) as conn:
        count = run_import(conn, text, site_id, _now())
    click.echo(f"{count} participant(s) imported")


@server.command("assign-badge")
@database_options
@click.argument("uid")
@click.option("--participant", "participant_id", default=None)
@click.option("--supervisor", "supervisor_id", default=None)
def assign_badge(
    database_url: str | None,
    data_dir: Path | None,
    uid: str,
    participant_id: str | None,
    supervisor_id: str | None,
) -> None:
    """Give a badge to a participant or supervisor (their previous badge is revoked)."""
    from server.administration import operations as admin

    if (participant_id is None) == (supervisor_id is None):
        raise click.UsageError("give exactly one of --participant or --supervisor")
    kind, holder = (
        ("participant", participant_id) if participant_id else ("supervisor", supervisor_id)
    )
    with admin_db(database_url, data_dir) as conn:
        admin.assign_badge(conn, uid, kind, str(holder), _now())
    click.echo("badge assigned")


@server.command("revoke-badge")
@database_options
@click.argument("uid")
def revoke_badge(database_url: str | None, data_dir: Path | None, uid: str) -> None:
    """Revoke a badge; who held it when stays in the history."""
    from server.administration import operations as admin

    with admin_db(database_url, data_dir) as conn:
        admin.revoke_badge(conn, uid, _now())
    click.echo("badge revoked")


@server.command("load-plan")
@database_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_id", required=True)
def load_plan(database_url: str | None, data_dir: Path | None, file: Path, site_id: str) -> None:
    """Load tasks and words of the day from a JSON file."""
    from server.administration.plan import load_plan as run_load
    from server.administration.plan import read_plan

    with admin_db(database_url, data_dir) as conn:
        n_tasks, n_words = run_load(conn, site_id, read_plan(file.read_text(encoding="utf-8")))
    click.echo(f"{n_tasks} task(s), {n_words} word(s) loaded")


@server.command("demo-data")
@database_options
def demo_data(database_url: str | None, data_dir: Path | None) -> None:
    """Migrate, then add the demo site, door, people and a week of words."""
    from zoneinfo import ZoneInfo

    from server.demo.build import load_demo

    settings = _settings(database_url, data_dir)
    _migrate(settings.database_url)
    now = _now()
    with admin_db(database_url, data_dir) as conn:
        path = load_demo(
            conn, now.astimezone(ZoneInfo("Europe/Amsterdam")).date(), now, Path(data_dir or ".")
        )
    click.echo(f"demo site ready; the demo kiosk's token is in {path}")


def actor_option(func: F) -> F:
    """--actor, for the audit log: who ran a verb on participants' data."""
    return click.option(
        "--actor",
        default="admin (cli)",
        show_default=True,
        help="Who runs this, as the audit log should say.",
    )(func)


@server.command()
@database_options
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep this many days (default: PRIKKLOK_SERVER_RETENTION_DAYS, else 365).",
)
@actor_option
def retention(
    database_url: str | None, data_dir: Path | None, days: int | None, actor: str
) -> None:
    """Delete taps and what derives from them older than the retention period.

    Meant for a daily timer (systemd or cron); each run writes one audit log row.
    """
    from server.administration.rights import apply_retention

    days = _settings(database_url, data_dir, retention_days=days).retention_days
    with admin_db(database_url, data_dir) as conn:
        counts = apply_retention(conn, _now(), days, actor)
    summary = ", ".join(f"{n} {table}" for table, n in counts.items())
    click.echo(f"kept {days} day(s); deleted {summary}")


@server.command("export-participant")
@database_options
@click.argument("participant_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the JSON to this file (default: standard output).",
)
@actor_option
def export_participant(
    database_url: str | None,
    data_dir: Path | None,
    participant_id: str,
    out: Path | None,
    actor: str,
) -> None:
    """Everything stored about one participant, as readable JSON (UTF-8)."""
    import json

    from server.administration.rights import audited_export

    with admin_db(database_url, data_dir) as conn:
        data = audited_export(conn, participant_id, actor, _now())
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        # Inside the transaction: if the file cannot be written, no export is logged.
        if out is None:
            click.echo(text, nl=False)
        else:
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as error:
                raise click.ClickException(f"{out}: {error.strerror}") from None
    if out is not None:
        click.echo(f"participant {participant_id} exported to {out}", err=True)


@server.command("erase-participant")
@database_options
@click.argument("participant_id")
@click.option("--yes", is_flag=True, help="Yes, erase: this cannot be undone.")
@actor_option
def erase_participant(
    database_url: str | None, data_dir: Path | None, participant_id: str, yes: bool, actor: str
) -> None:
    """Erase a participant's data from the server; the doors drop them at their next snapshot.

    The audit log keeps only that a participant was erased, not who.
    """
    from server.administration.rights import erase_participant as run_erase

    if not yes:
        raise click.ClickException("erasing cannot be undone: add --yes to erase")
    with admin_db(database_url, data_dir) as conn:
        counts = run_erase(conn, participant_id, actor, _now())
    click.echo(f"participant erased ({sum(counts.values())} row(s))")


# Verbs in modules of their own (they use this module's helpers, hence at the end).
from server import alert_command, backup_cli, upgrade_commands, words_cli  # noqa: E402

alert_command.add_to(server)
backup_cli.add_to(server)
upgrade_commands.add_to(server)
words_cli.add_to(server)

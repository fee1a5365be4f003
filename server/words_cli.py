"""`prikklok server words starter`: the starter set of words of the day (120 Dutch workplace
words, server.administration.starter_set) planned on a site's workdays, as the planning
page's "Startset laden" button does. Kept out of server/cli.py, which is long enough; that
module adds the `words` group to `prikklok server` with `add_to`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from server.cli import _now, actor_option, admin_db, database_options


@click.group("words")
def words() -> None:
    """The words of the day."""


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day like 2027-01-04") from None


@words.command("starter")
@database_options
@click.option("--site", "site_id", required=True)
@click.option("--from", "start", default=None, help="First day (default: the next workday).")
@actor_option
def starter(
    database_url: str | None, data_dir: Path | None, site_id: str, start: str | None, actor: str
) -> None:
    """Plan the starter set's words, one a workday (Monday to Friday) from --from, in their
    order. A day that has a word keeps it; a starter word already planned from that day on
    is not planned again, so running it twice plans nothing twice."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from server.administration import starter_set
    from server.administration.operations import require_site
    from server.schema import sites

    first = _day(start)
    now = _now()
    with admin_db(database_url, data_dir) as conn:
        require_site(conn, site_id)
        if first is None:
            tz = conn.execute(select(sites.c.timezone).where(sites.c.id == site_id)).scalar_one()
            first = starter_set.next_workday(now.astimezone(ZoneInfo(tz)).date())
        done = starter_set.load_starter(conn, site_id, first, actor=actor, at=now)
    planned = f" ({done.first} to {done.last})" if done.first else ""
    click.echo(
        f"{done.placed} word(s) planned from {first}{planned}; {done.days_skipped} day(s) "
        f"that had a word skipped; {done.already_planned} word(s) already planned"
    )


def add_to(group: click.Group) -> None:
    """Make this `prikklok server` verb group (server.cli calls it once it is built)."""
    group.add_command(words)

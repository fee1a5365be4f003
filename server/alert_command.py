"""`prikklok server alerts`: one alert round (server.kiosks.alert_round), run every minute
by prikklok-alerts.timer. Kept out of server/cli.py, which is long enough; that module adds
it to the `prikklok server` group with `add_to`, as it does server/backup_cli.py's verbs."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from server.cli import _engine, _now, _require_current, _settings, database_options


@click.command("alerts")
@database_options
def alerts(database_url: str | None, data_dir: Path | None) -> None:
    """Compare the kiosks' alarms with the open incidents and tell the sites' recipients
    (mail, webhook) what began or ended. SMTP from PRIKKLOK_SERVER_SMTP_HOST / _PORT /
    _FROM; without a host, only webhooks are called. Meant for a timer, every minute."""
    from server.kiosks.alert_round import run_round

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = _settings(database_url, data_dir)
    _require_current(settings.database_url)
    with _engine(settings.database_url) as engine:
        report = run_round(engine, settings, _now())
    click.echo(
        f"{report.opened} incident(s) opened, {report.resolved} resolved; "
        f"{report.mails} mail(s), {report.webhooks} webhook call(s) sent"
    )
    if report.failures:
        # Not an error exit: what failed is kept and tried again next round; the journal
        # shows this line.
        click.echo(f"not delivered yet: {', '.join(sorted(set(report.failures)))}", err=True)


def add_to(group: click.Group) -> None:
    """Make this `prikklok server` verb (server.cli calls it once it is built)."""
    group.add_command(alerts)

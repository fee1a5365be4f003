"""`prikklok server wheelhouse …` and `prikklok server want-version`: the releases the
kiosks install from, and which one each site's kiosks should run (docs/admin/upgrading.md).
Kept out of server/cli.py, which adds them to its group with `add_to`."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli import _engine, _now, _require_current, _settings, actor_option, database_options

WHEELHOUSE_OPTION = click.option(
    "--wheelhouse",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PRIKKLOK_SERVER_WHEELHOUSE",
    default=None,
    help="The wheelhouse folder (default: <data dir>/wheelhouse).",
)


def _wheelhouse(given: Path | None, database_url: str | None, data_dir: Path | None) -> Path:
    return given or _settings(database_url, data_dir).wheelhouse


@click.group("wheelhouse")
def wheelhouse() -> None:
    """The releases the kiosks install from: wheels for Raspberry Pi OS 64-bit
    (manylinux2014_aarch64, CPython 3.11) and a manifest of their sha256."""


@wheelhouse.command("build")
@database_options
@WHEELHOUSE_OPTION
@click.option("--version", "version", required=True, help="The release, e.g. 1.4.0.")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The prikklok source of that release.",
)
@click.option(
    "--find-links",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help="A folder of wheels built on a Pi, for packages PyPI has as source only.",
)
def build(
    database_url: str | None,
    data_dir: Path | None,
    wheelhouse: Path | None,
    version: str,
    source: Path,
    find_links: tuple[Path, ...],
) -> None:
    """Fill the wheelhouse for a release: prikklok's own wheel from --source, and every
    dependency pinned in its constraints.txt, downloaded from PyPI (binary wheels only)."""
    from server.administration.wheelhouse import WheelhouseError, build

    folder = _wheelhouse(wheelhouse, database_url, data_dir)
    constraints = source / "constraints.txt"
    try:
        done = build(
            folder,
            version,
            source.resolve(),
            constraints=constraints if constraints.is_file() else None,
            find_links=find_links,
        )
    except WheelhouseError as error:
        raise click.ClickException(str(error)) from None
    _built(done, database_url, data_dir)


@wheelhouse.command("add")
@database_options
@WHEELHOUSE_OPTION
@click.option("--version", "version", required=True, help="The release they belong to.")
@click.argument("wheels", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def add(
    database_url: str | None,
    data_dir: Path | None,
    wheelhouse: Path | None,
    version: str,
    wheels: tuple[Path, ...],
) -> None:
    """Add wheels made elsewhere to a release (prikklok's own, or those built on a Pi) and
    write its manifest again."""
    from server.administration.wheelhouse import WheelhouseError, add

    try:
        done = add(_wheelhouse(wheelhouse, database_url, data_dir), version, wheels)
    except WheelhouseError as error:
        raise click.ClickException(str(error)) from None
    _built(done, database_url, data_dir)


def _built(done: object, database_url: str | None, data_dir: Path | None) -> None:
    """Say what the release holds; sites already naming it get its new manifest."""
    from server.administration.upgrades import follow_rebuild
    from server.administration.wheelhouse import Release
    from server.db import writing
    from server.migrate import is_current

    assert isinstance(done, Release)
    click.echo(f"release {done.version}: {len(done.files)} wheels, manifest {done.manifest_sha256}")
    url = _settings(database_url, data_dir).database_url
    with _engine(url) as engine:
        if not is_current(engine):
            return  # a wheelhouse may be built before the database exists
        with writing(engine) as conn:
            moved = follow_rebuild(conn, done)
    if moved:
        click.echo(f"sites naming {done.version} get the new manifest: {', '.join(moved)}")


@wheelhouse.command("list")
@database_options
@WHEELHOUSE_OPTION
def list_releases(database_url: str | None, data_dir: Path | None, wheelhouse: Path | None) -> None:
    """The releases in the wheelhouse."""
    from server.administration.wheelhouse import releases

    for each in releases(_wheelhouse(wheelhouse, database_url, data_dir)):
        click.echo(f"{each.version}\t{len(each.files)} wheels\t{each.manifest_sha256}")


@click.command("want-version")
@database_options
@WHEELHOUSE_OPTION
@actor_option
@click.argument("site_id")
@click.argument("version")
def want_version(
    database_url: str | None,
    data_dir: Path | None,
    wheelhouse: Path | None,
    actor: str,
    site_id: str,
    version: str,
) -> None:
    """The site's kiosks install VERSION from the wheelhouse ('none': they keep what they
    run). They learn it with their next snapshot; the Kiosks page shows how it went."""
    from server.administration import upgrades
    from server.administration.wheelhouse import WheelhouseError

    settings = _settings(database_url, data_dir)
    _require_current(settings.database_url)
    wanted = None if version == "none" else version
    with _engine(settings.database_url) as engine:
        try:
            done = upgrades.want_version(
                engine,
                site_id,
                wanted,
                wheelhouse or settings.wheelhouse,
                actor=actor,
                now=_now(),
            )
        except WheelhouseError as error:
            raise click.ClickException(str(error)) from None
        except upgrades.NoSuchSite:
            raise click.ClickException(f"no site {site_id!r}") from None
    if done is None:
        click.echo(f"site {site_id}: kiosks keep the version they run")
    else:
        click.echo(
            f"site {site_id}: kiosks install {done.version} (manifest {done.manifest_sha256})"
        )


def add_to(group: click.Group) -> None:
    """Make these `prikklok server` verbs (server.cli calls it once it is built)."""
    group.add_command(wheelhouse)
    group.add_command(want_version)

"""Which prikklok version each site's kiosks should run (docs/admin/upgrading.md).

The admin names a release of the wheelhouse (server.administration.wheelhouse) per site;
the site's row keeps the version and its manifest's sha256, so the change reaches the
kiosks with the next snapshot (the door-data version moves with any change to `sites`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update

from server.administration.rights import record_audit
from server.administration.wheelhouse import Release, release
from server.db import writing
from server.schema import sites
from sync.protocol import UpgradeWanted


class NoSuchSite(LookupError):
    pass


def want_version(
    engine: Engine,
    site_id: str,
    version: str | None,
    wheelhouse: Path,
    *,
    actor: str,
    now: datetime,
) -> Release | None:
    """The site's kiosks should run `version` (None: keep what they run); audited.

    WheelhouseError when the wheelhouse has no such release, NoSuchSite without the site."""
    wanted = release(wheelhouse, version) if version is not None else None
    with writing(engine) as conn:
        before = conn.execute(
            select(sites.c.wanted_version).where(sites.c.id == site_id)
        ).one_or_none()
        if before is None:
            raise NoSuchSite(site_id)
        conn.execute(
            update(sites)
            .where(sites.c.id == site_id)
            .values(
                wanted_version=version,
                wanted_manifest_sha256=wanted.manifest_sha256 if wanted else None,
            )
        )
        detail = {"site": site_id, "from": before.wanted_version, "to": version}
        record_audit(conn, now, actor, "upgrade", None, detail)
    return wanted


def follow_rebuild(conn: Connection, rebuilt: Release) -> list[str]:
    """Sites naming a release that was built again get its new manifest; their ids."""
    named = list(
        conn.execute(
            select(sites.c.id).where(
                sites.c.wanted_version == rebuilt.version,
                sites.c.wanted_manifest_sha256 != rebuilt.manifest_sha256,
            )
        ).scalars()
    )
    if named:
        conn.execute(
            update(sites)
            .where(sites.c.id.in_(named))
            .values(wanted_manifest_sha256=rebuilt.manifest_sha256)
        )
    return named


def wanted_upgrade(site: Row[Any]) -> UpgradeWanted | None:
    """The snapshot's `upgrade` of a `sites` row; None while no version is named."""
    if site.wanted_version is None or site.wanted_manifest_sha256 is None:
        return None
    return UpgradeWanted(version=site.wanted_version, manifest_sha256=site.wanted_manifest_sha256)

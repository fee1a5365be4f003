"""The snapshot's ETag without building the snapshot (issue 18: a 304 in a few ms).

A snapshot is a function of the site's door data, "today" at the site, what the kiosk says
it understands, and the code that builds it. The door data has a version the database keeps
(door_data_versions, changed by triggers in the same transaction as the data: migration
0015), so the ETag is a hash of those four. It is the same only when the bytes are the
same; bytes may stay the same under a new ETag (a change that does not reach the door,
a new day with the same plan), which costs one download, never a stale door.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from server.schema import door_data_versions, sites

EVERY_SITE = "*"  # the row changed by phrase_fixes, which every door shows


def _code_version() -> str:
    """The source of what shapes the snapshot's bytes: a server upgrade that sends the same
    data differently gives every door a new ETag."""
    import server.administration.translations
    import server.kiosks.snapshot
    import sync.protocol

    digest = hashlib.sha256()
    for module in (server.kiosks.snapshot, server.administration.translations, sync.protocol):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def door_etag(
    conn: Connection, site_id: str, now: datetime, understood: Iterable[str]
) -> str | None:
    """The ETag the snapshot of `site_id` has now for a kiosk that understands `understood`;
    None when the site has no version row (built before migration 0015 and never changed
    since cannot happen; a hand-deleted row can): then only the bytes can tell."""
    every_site = (
        select(door_data_versions.c.version)
        .where(door_data_versions.c.site_id == EVERY_SITE)
        .scalar_subquery()
    )
    row = conn.execute(
        select(sites.c.timezone, door_data_versions.c.version, every_site.label("every_site"))
        .join(door_data_versions, door_data_versions.c.site_id == sites.c.id, isouter=True)
        .where(sites.c.id == site_id)
    ).one()
    if row.version is None:
        return None
    today = now.astimezone(ZoneInfo(row.timezone)).date()
    return etag_for(site_id, row.version, row.every_site or "", today, understood)


def etag_for(
    site_id: str, version: str, every_site: str, today: date, understood: Iterable[str]
) -> str:
    parts = (CODE_VERSION, site_id, version, every_site, today.isoformat(), *sorted(understood))
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40] + '"'

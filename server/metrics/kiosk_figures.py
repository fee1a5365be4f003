"""The kiosks as Prometheus sees them, read from the database when it asks: how many are in
order, ask for attention (by alarm) or are retired, and each door's queue from its latest
heartbeat.

A door's alarms are derived exactly as on the Kiosks page (server.kiosks.doors.SiteKiosk
and server.kiosks.status), with the same settings, so a graph and the page agree. Series
per kiosk carry its id and site: neither names a person (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from server.db import unreachable
from server.kiosks.doors import SiteKiosk
from server.kiosks.status import SET_ASIDE_WINDOW, Beat, oldest_waiting_at
from server.metrics.tallies import database_error
from server.schema import kiosk_heartbeats, kiosks, rejected_records
from server.settings import Settings

STATES = ("ok", "alarm", "retired")  # the Kiosks page: in orde, vragen aandacht, ingetrokken
ALARM_KINDS = ("never", "silent", "queue", "reader", "journal", "disk", "clock", "set_aside")


def every_kiosk(engine: Engine, now: datetime) -> list[tuple[str, SiteKiosk]]:
    """All kiosks of all sites with their latest heartbeat: two queries, whatever their number."""
    with engine.connect() as conn:
        set_aside: dict[str, int] = dict(
            conn.execute(
                select(rejected_records.c.kiosk_id, func.count())
                .where(rejected_records.c.received_at >= now - SET_ASIDE_WINDOW)
                .group_by(rejected_records.c.kiosk_id)
            ).all()
        )
        rows = conn.execute(
            select(
                kiosks.c.id, kiosks.c.site_id, kiosks.c.name, kiosks.c.revoked_at, kiosk_heartbeats
            )
            .outerjoin(kiosk_heartbeats, kiosk_heartbeats.c.kiosk_id == kiosks.c.id)
            .order_by(kiosks.c.site_id, kiosks.c.id)
        ).all()
    found: list[tuple[str, SiteKiosk]] = []
    for row in rows:
        beat = Beat.of_row(row)
        kiosk = SiteKiosk(
            row.id,
            row.name,
            row.revoked_at,
            row if beat else None,
            beat,
            int(set_aside.get(row.id, 0)),
        )
        found.append((row.site_id, kiosk))
    return found


class KioskFigures(Collector):
    """Read at each scrape; a database that cannot be reached gives
    prikklok_database_reachable 0 and no kiosk figures, rather than no scrape at all (the
    counters are worth most during an outage)."""

    def __init__(self, engine: Engine, settings: Settings, now: datetime) -> None:
        self.engine, self.settings, self.now = engine, settings, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        reachable = GaugeMetricFamily(
            "prikklok_database_reachable", "1 when the scrape could read the database, else 0"
        )
        try:
            doors = every_kiosk(self.engine, self.now)
        except DBAPIError as error:
            if not unreachable(error):
                raise
            database_error(reachable=False)
            reachable.add_metric([], 0)
            yield reachable
            return
        reachable.add_metric([], 1)
        yield reachable
        yield from self._figures(doors)

    def _figures(self, doors: list[tuple[str, SiteKiosk]]) -> Iterator[GaugeMetricFamily]:
        now = self.now
        by_state = GaugeMetricFamily(
            "prikklok_kiosks",
            "Kiosks by state, as the Kiosks page shows them",
            labels=["site", "state"],
        )
        by_alarm = GaugeMetricFamily(
            "prikklok_kiosk_alarms",
            "Live kiosks with each alarm (one kiosk may have several)",
            labels=["site", "kind"],
        )
        depth = GaugeMetricFamily(
            "prikklok_kiosk_queue_depth",
            "Records waiting on the kiosk, by its latest heartbeat",
            labels=["site", "kiosk"],
        )
        oldest = GaugeMetricFamily(
            "prikklok_kiosk_oldest_waiting_seconds",
            "Age of the oldest record waiting on the kiosk (server time; 0: none waits)",
            labels=["site", "kiosk"],
        )
        silent = GaugeMetricFamily(
            "prikklok_kiosk_heartbeat_age_seconds",
            "Seconds since the kiosk's latest heartbeat",
            labels=["site", "kiosk"],
        )
        states: dict[str, dict[str, int]] = {}
        alarms: dict[str, dict[str, int]] = {}
        for site, door in doors:
            counts = states.setdefault(site, dict.fromkeys(STATES, 0))
            kinds = alarms.setdefault(site, dict.fromkeys(ALARM_KINDS, 0))
            if door.revoked_at is not None:
                counts["retired"] += 1
                continue
            found = door.alarms(
                now,
                silent_minutes=self.settings.kiosk_silent_minutes,
                queue_minutes=self.settings.kiosk_queue_minutes,
            )
            counts["alarm" if found else "ok"] += 1
            for alarm in found:
                kinds[alarm.kind] = kinds.get(alarm.kind, 0) + 1
            if door.beat is not None:
                labels = [site, door.id]
                depth.add_metric(labels, door.beat.queue_depth)
                since = oldest_waiting_at(door.beat)
                oldest.add_metric(labels, max(0.0, (now - since).total_seconds()) if since else 0)
                silent.add_metric(labels, max(0.0, (now - door.beat.received_at).total_seconds()))
        for site, counts in states.items():
            for state, count in counts.items():
                by_state.add_metric([site, state], count)
        for site, kinds in alarms.items():
            for kind, count in kinds.items():
                by_alarm.add_metric([site, kind], count)
        yield from (by_state, by_alarm, depth, oldest, silent)

"""One scrape's answer: the counted figures (summed over the workers when there are
several) and the kiosks' figures read now, in Prometheus's text format."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, Metric, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from server.metrics.kiosk_figures import KioskFigures
from server.metrics.processes import shared
from server.settings import Settings


class _ThisProcess(Collector):
    """The default registry's figures: one process's counts (no multiprocess directory)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape(engine: Engine, settings: Settings, now: datetime) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if shared():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(KioskFigures(engine, settings, now))
    return generate_latest(registry)

"""Many pushes of the same batch at once: each record stored once, no errors, on both DBs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select

from server.db import writing
from server.deps import Kiosk
from server.kiosks.ingest import ingest
from server.schema import events
from sync.protocol import WireRecord
from tests.server.conftest import NOW, World, wire


def test_concurrency_same_batch_stored_once(world: World, engine: Engine) -> None:
    batch = [WireRecord.model_validate(wire(n)) for n in range(1, 21)]
    kiosk = Kiosk(id="north-1", site_id="north")

    def push() -> list[str]:
        with writing(engine) as conn:
            return [r.status for r in ingest(conn, kiosk, batch, NOW)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: push(), range(6)))
    per_record = list(zip(*answers, strict=True))
    assert all(sorted(s) == ["accepted"] + ["duplicate"] * 5 for s in per_record)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 20

"""Four weeks of made-up attendance for the demo site, so the supervisor's "today", the
coach's figures and the attendance calendar have something to show on the first run; and
the answers to the recall check of the words met on those days (issue 16), so the demo
door asks a word at check-out and the coach sees words met and recalled.

The taps come from a door of their own ("demo-history", its token revoked), so the live
demo door's sequence numbers never meet them. Made once; a rerun changes nothing.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from server.administration.operations import add_kiosk, revoke_kiosk
from server.demo.data import AGREED_WEEKDAYS, PEOPLE, past_word
from server.learning.answers import note_answers
from server.schema import absences, events, kiosks
from sync.recall import RIGHT, SKIPPED, WORD_RECALL, WRONG

HISTORY_KIOSK = "demo-history"
WEEKS = 4
ZONE = ZoneInfo("Europe/Amsterdam")


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def load_history(conn: Connection, site_id: str, today: date, now: datetime, staff_id: str) -> int:
    """Taps on each participant's agreed days of the last `WEEKS` weeks (before today): most
    come on time, some late, a few are away (one excused as ill), one forgets to check out."""
    if conn.execute(select(kiosks.c.id).where(kiosks.c.id == HISTORY_KIOSK)).first():
        return 0
    add_kiosk(conn, site_id, HISTORY_KIOSK, "Demo history", now)
    revoke_kiosk(conn, HISTORY_KIOSK, now)
    chance = random.Random(7)  # the same history every time
    rows, seq = [], 0
    met: dict[str, list[str]] = {}  # the words each one met, as the days go by
    for pid, *_ in PEOPLE:
        agreed = AGREED_WEEKDAYS.get(pid, ())
        for back in range(WEEKS * 7, 0, -1):
            day = today - timedelta(days=back)
            if day.isoweekday() not in agreed:
                continue
            luck = chance.random()
            if luck < 0.07:  # away
                if luck < 0.03:
                    conn.execute(
                        absences.insert().values(
                            participant_id=pid, site_id=site_id, day=day, reason="sick",
                            note="", staff_id=staff_id, created_at=now,
                        )
                    )  # fmt: skip
                continue
            # The site opens at 08:30: most come a little before, one in five comes late.
            late = luck < 0.2
            start = (
                _at(day, 8, 36 + chance.randint(0, 20))
                if late
                else _at(day, 8, chance.randint(5, 29))
            )
            taps: list[tuple[str, datetime, dict[str, object]]] = [("check_in", start, {})]
            if not (pid == "p-emre" and back < 8):  # Emre forgot to check out last week
                leaving = _at(day, 15, chance.randint(0, 55))
                taps.append(("check_out", leaving, {}))
                asked = _recall(chance, met.get(pid, []))
                if asked:
                    taps.append((WORD_RECALL, leaving + timedelta(seconds=4), asked))
            met.setdefault(pid, []).append(str(past_word(day)["word"]))
            for kind, at, detail in taps:
                seq += 1
                rows.append(_event(site_id, seq, kind, pid, at, day, detail))
    if rows:
        conn.execute(events.insert(), rows)
        answered = {
            (str(r["participant_id"]), str(r["detail"]["word"]))  # type: ignore[index]
            for r in rows
            if r["kind"] == WORD_RECALL
        }
        note_answers(conn, answered, now)
    return len(rows)


def _recall(chance: random.Random, met: list[str]) -> dict[str, object] | None:
    """The answer to a check at check-out, once four words were met; most are right."""
    if len(met) < 4 or chance.random() < 0.3:
        return None
    luck = chance.random()
    answer = SKIPPED if luck < 0.1 else WRONG if luck < 0.35 else RIGHT
    ms = None if answer == SKIPPED else chance.randint(1200, 4500)
    return {"word": chance.choice(met), "answer": answer, "response_ms": ms}


def _event(
    site_id: str,
    seq: int,
    kind: str,
    pid: str,
    at: datetime,
    day: date,
    detail: dict[str, object],
) -> dict[str, object]:
    record_id = hashlib.sha256(f"demo-history:{seq}".encode()).hexdigest()
    uuid = str(UUID(record_id[:32]))  # stable ids: a rerun of the demo makes the same ones
    return {
        "id": uuid,
        "kiosk_id": HISTORY_KIOSK,
        "site_id": site_id,
        "seq": seq,
        "kind": kind,
        "participant_id": pid,
        "badge_uid": None,
        "wall_at": at,
        "workshop_day": day,
        "clock_synced": True,
        "boot_id": "demo-history",
        "monotonic": float(seq),
        "detail": detail,
        "content_hash": record_id,
        "received_at": at,
    }

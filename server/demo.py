"""demo-data: the made-up people of server/demo_data.py on a demo site and door."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Connection, select

from server.admin import add_kiosk, add_site, add_staff, assign_badge, revoke_badge
from server.demo_data import ENDED, PEOPLE, REVOKED, SUPERVISOR, TASKS, WORDS
from server.plan import Plan, load_plan
from server.schema import participants, sites
from server.sql import upsert
from sync.protocol import SnapshotTask, SnapshotWord

SITE_ID = "demo"
KIOSK_ID = "demo-door"
DEMO_TOKEN = "prikklok-demo-token-not-for-production"
TOKEN_FILE = "demo-kiosk.token"


def load_demo(conn: Connection, today: date, now: datetime, token_dir: Path) -> Path:
    """Create the demo site once; returns the file holding the demo kiosk's token."""
    token_file = token_dir / TOKEN_FILE
    if conn.execute(select(sites.c.id).where(sites.c.id == SITE_ID)).first() is None:
        add_site(conn, SITE_ID, "Demo werkplaats", time(8, 30), time(17, 0), "Europe/Amsterdam")
        add_kiosk(conn, SITE_ID, KIOSK_ID, "Demo door", now, token=DEMO_TOKEN)
        start, end = today - timedelta(days=30), today + timedelta(days=150)
        for pid, name, lang, _ in PEOPLE:
            _participant(conn, pid, name, lang, start, end)
        pid, name, lang, _ = ENDED
        _participant(conn, pid, name, lang, today - timedelta(days=200), today - timedelta(days=20))
        assign_badge(conn, REVOKED[1], "participant", REVOKED[0], now - timedelta(days=2))
        revoke_badge(conn, REVOKED[1], now - timedelta(days=1))
        for pid, _, _, uid in (*PEOPLE, ENDED):
            assign_badge(conn, uid, "participant", pid, now)
        sid, sname, suid = SUPERVISOR
        add_staff(conn, sid, "marieke", "supervisor", sname, SITE_ID, now)
        assign_badge(conn, suid, "supervisor", sid, now)
    days = [today + timedelta(days=n) for n in range(7)]
    plan = Plan(
        tasks=[
            SnapshotTask(day=d, text=TASKS[(i + n) % len(TASKS)])
            for i, d in enumerate(days)
            for n in range(2)
        ],
        words=[
            SnapshotWord(day=d, word=w, article=a, sentence=s, translations=t)  # type: ignore[arg-type]
            for d, (w, a, s, t) in zip(days, WORDS * 2, strict=False)
        ],
    )
    load_plan(conn, SITE_ID, plan)
    token_dir.mkdir(parents=True, exist_ok=True)
    token_file.write_text(DEMO_TOKEN + "\n", encoding="utf-8")
    return token_file


def _participant(conn: Connection, pid: str, name: str, lang: str, start: date, end: date) -> None:
    upsert(
        conn,
        participants,
        ["id"],
        {
            "id": pid,
            "site_id": SITE_ID,
            "display_name": name,
            "language": lang,
            "program_start": start,
            "program_end": end,
            "agreed_weekdays": "1,2,4",
            "active": True,
        },
    )

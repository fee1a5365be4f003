"""demo-data: the made-up site of server/demo/data.py on a demo site and door.

Everything comes from `door_data(today)`, so the demo kiosk's snapshot from this server is
the same door data the offline demo reads from its file.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from server.administration.operations import (
    add_kiosk,
    add_site,
    add_staff,
    assign_badge,
    revoke_badge,
)
from server.administration.plan import Plan, load_plan
from server.demo.data import PEOPLE, SUPERVISOR, door_data, past_words
from server.demo.past_weeks import load_history
from server.schema import badges, coach_participants, participants, sites, staff
from server.sql import upsert

SITE_ID = "demo"
KIOSK_ID = "demo-door"
DEMO_TOKEN = "prikklok-demo-token-not-for-production"
TOKEN_FILE = "demo-kiosk.token"
# The demo's staff logins, printed by `./dev demo`: a made-up site on 127.0.0.1, not a secret.
DEMO_PASSWORD = "prikklok-demo"
DEMO_ADMIN = ("a-beheer", "beheer", "Beheerder")
DEMO_COACH = ("c-sanne", "sanne", "Sanne (coach)")
SUPERVISOR_ID = SUPERVISOR[0]
DEMO_LOGINS = (("marieke", "supervisor"), ("sanne", "coach"), ("beheer", "admin"))


def demo_closing(now: datetime) -> time:
    """The demo site's closing time: 17:00, like a workshop, unless the demo runs later in
    the day — then 23:30, so that an evening demo's taps open sessions that stay open (after
    closing time the server closes them, and the door would show nobody inside)."""
    local = now.astimezone(ZoneInfo("Europe/Amsterdam")).time()
    return time(17, 0) if local < time(16, 0) else time(23, 30)


def load_demo(conn: Connection, today: date, now: datetime, token_dir: Path) -> Path:
    """Create the demo site once and bring its people and plan up to `today`; returns the
    file holding the demo kiosk's token. Badges given or changed during a demo are kept."""
    data = door_data(today)
    token_file = token_dir / TOKEN_FILE
    if conn.execute(select(sites.c.id).where(sites.c.id == SITE_ID)).first() is None:
        add_site(conn, SITE_ID, "Demo werkplaats", time(8, 30), time(17, 0), "Europe/Amsterdam")
        add_kiosk(conn, SITE_ID, KIOSK_ID, "Demo door", now, token=DEMO_TOKEN)
    conn.execute(update(sites).where(sites.c.id == SITE_ID).values(closes_at=demo_closing(now)))
    for person in data["participants"]:
        _participant(conn, person)
    for supervisor in data["supervisors"]:
        _supervisor(conn, supervisor, now)
    # The revoked badge first: giving it to its holder later would revoke their new one.
    for badge in sorted(data["badges"], key=lambda b: b.get("active", True)):
        _badge(conn, badge, now)
    # The words of the days before today too: what the participants met (issue 16).
    planned = {"tasks": data["tasks"], "words": [*past_words(today), *data["words"]]}
    load_plan(conn, SITE_ID, Plan.model_validate(planned))
    _logins(conn, now)
    load_history(conn, SITE_ID, today, now, SUPERVISOR_ID)
    token_dir.mkdir(parents=True, exist_ok=True)
    token_file.write_text(DEMO_TOKEN + "\n", encoding="utf-8")
    return token_file


def _participant(conn: Connection, person: dict[str, Any]) -> None:
    upsert(
        conn,
        participants,
        ["id"],
        {
            "id": person["id"],
            "site_id": SITE_ID,
            "display_name": person["display_name"],
            "language": person["language"],
            "program_start": date.fromisoformat(person["program_start"]),
            "program_end": date.fromisoformat(person["program_end"]),
            "agreed_weekdays": ",".join(str(d) for d in person["agreed_weekdays"]),
            "birthday": person["birthday"],
            "active": True,
        },
    )


def _supervisor(conn: Connection, supervisor: dict[str, Any], now: datetime) -> None:
    sid, name = supervisor["id"], supervisor["display_name"]
    if conn.execute(select(staff.c.id).where(staff.c.id == sid)).first() is None:
        add_staff(conn, sid, name.lower(), "supervisor", name, SITE_ID, now)


def _logins(conn: Connection, now: datetime) -> None:
    """An admin and a coach of the first seven participants besides Marieke; each gets the
    demo password once (a password changed during a demo is kept)."""
    from server.administration.passwords import hash_password

    for sid, username, name, role in (
        (*DEMO_ADMIN, "admin"),
        (*DEMO_COACH, "coach"),
    ):
        if conn.execute(select(staff.c.id).where(staff.c.id == sid)).first() is None:
            add_staff(conn, sid, username, role, name, None, now)
    theirs = set(
        conn.execute(
            select(coach_participants.c.participant_id).where(
                coach_participants.c.coach_id == DEMO_COACH[0]
            )
        ).scalars()
    )
    for pid, *_ in PEOPLE[:7]:
        if pid not in theirs:
            conn.execute(
                coach_participants.insert().values(coach_id=DEMO_COACH[0], participant_id=pid)
            )
    demo_hash = hash_password(DEMO_PASSWORD)
    conn.execute(
        update(staff).where(staff.c.password_hash.is_(None)).values(password_hash=demo_hash)
    )


def _badge(conn: Connection, badge: dict[str, Any], now: datetime) -> None:
    """Give a badge the demo site has never seen; one it has seen is left as it is now."""
    uid, holder, holder_id = badge["uid"], badge["holder"], badge["holder_id"]
    if conn.execute(select(badges.c.id).where(badges.c.uid == uid)).first() is not None:
        return
    if badge.get("active", True):
        assign_badge(conn, uid, holder, holder_id, now)
    else:  # revoked yesterday, so the door answers "see a supervisor"
        assign_badge(conn, uid, holder, holder_id, now - timedelta(days=2))
        revoke_badge(conn, uid, now - timedelta(days=1))

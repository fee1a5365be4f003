"""Two years of door history for the web benchmarks: a migrated database, filled fast.

20 sites with 2 kiosks each (a front and a back door), 100 participants per site (2 000)
who each agreed to come 2 or 3 weekdays a week, a supervisor per site, 60 coaches with 30
participants each, and ≈1.5 M events over the 730 days up to the benchmark's held "now"
(`NOW`, a Wednesday at 10:30 in Amsterdam, so people are in the building). Per participant
per agreed day: a check-in (some late, a few by hand, a few from a kiosk whose clock was not
synchronised and was corrected from its heartbeats), the answer to "Eet je mee?", a check-out
(some forgotten, a few by hand), now and then a second tap too soon; the supervisors' own
taps, unknown badges, absences with a reason, supervisors' corrections, the kiosks' boots
and latest heartbeats.

The data is random but seeded, so every build is the same. Small tables go through
SQLAlchemy Core (its own types); the events go in raw: SQLite `executemany` with the values
in the exact form SQLAlchemy stores them (naive UTC text, 0/1, JSON text), PostgreSQL
`COPY … FROM STDIN` in text format. Foreign keys are not checked during the load (the data is
consistent by construction). PostgreSQL is ANALYZEd afterwards, as autovacuum would do after
such a load; SQLite is not, because the server never runs ANALYZE on its own file.

The result is cached: a SQLite file under `benchmarks/.data/`, or a schema on PostgreSQL,
named by `KEY`; a rerun with the same key reuses it (after `upgrade`, so new migrations
apply to it as they would to a real server). Build into a temporary name, rename at the end:
an interrupted build is never reused.

Run alone to build (or check) both, or to remove them:
  python benchmarks/web_history.py [--backend sqlite|postgresql|both] [--fresh | --drop]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from server.db import make_engine  # noqa: E402
from server.kiosks.kiosk_tokens import new_token, token_hash  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.schema import (  # noqa: E402
    absences,
    badges,
    coach_participants,
    corrections,
    kiosk_boots,
    kiosk_heartbeats,
    kiosks,
    participants,
    sites,
    staff,
)
from server.settings import sqlite_url  # noqa: E402

VERSION = "1"  # bump when the data set changes: the cache key changes with it
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday 25 November 2026, 10:30 in Amsterdam
TZ = ZoneInfo("Europe/Amsterdam")
DAYS = 730
SITES = 20
PER_SITE = 100
COACHES = 60
PER_COACH = 30
SEED = 20261125
DATA_DIR = ROOT / "benchmarks" / ".data"
PG_ENV = "PRIKKLOK_TEST_DATABASE_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN = "bench-admin"
ADMIN_PASSWORD = "bench-werkplaats-koffie-2026"  # a benchmark account on benchmark data only
KEY = f"web_history_v{VERSION}_{DAYS}d"

# fmt: off
TOWNS = ("Amersfoort", "Apeldoorn", "Arnhem", "Breda", "Deventer", "Dordrecht", "Ede", "Enschede",
         "Groningen", "Haarlem", "Helmond", "Hengelo", "Leeuwarden", "Leiden", "Maastricht",
         "Nijmegen", "Tilburg", "Utrecht", "Zaandam", "Zwolle")
NAMES = ("Amal", "Dawit", "Olena", "Yonas", "Fatima", "Ahmad", "Mariam", "Hassan", "Semhar",
         "Tesfay", "Oksana", "Bilal", "Noor", "Reza", "Zahra", "Abdi", "Hodan", "Iryna", "Mehmet",
         "Ayşe", "Samir", "Layla", "Kidane", "Shirin", "Omar", "Nadia", "Farah", "Yusuf")
EVENT_COLUMNS = ("id", "kiosk_id", "site_id", "seq", "kind", "participant_id", "supervisor_id",
                 "badge_uid", "wall_at", "workshop_day", "clock_synced", "boot_id", "monotonic",
                 "detail", "content_hash", "received_at", "corrected_at", "corrected_wall_at")
# fmt: on
LANGUAGES = ("ar", "ti", "fa", "so", "uk", "tr", "en", "nl")
TEAMS = ("keuken", "hout", "fiets", "tuin")
HOURS = ((clock_time(8, 30), clock_time(17, 0)), (clock_time(9, 0), clock_time(16, 30)))
ABSENCE_REASONS = (("sick", 50), ("appointment", 25), ("integration_class", 15), ("other", 10))

# How often things happen, per participant and agreed day (or per site and day).
P_ABSENT = 0.09
P_ABSENCE_NOTED = 0.5  # an absent day the supervisor wrote down, with a reason
P_LATE = 0.12
P_MANUAL_IN = 0.01
P_UNSYNCED = 0.005  # the kiosk's clock was off; corrected from its heartbeats
P_TOO_SOON = 0.03
P_VOID_TOO_SOON = 0.2
P_LUNCH = 0.92
P_FORGET = 0.05
P_FORGET_FIXED = 0.5  # a supervisor added the check-out afterwards
P_MANUAL_OUT = 0.01
P_EARLY = 0.05
P_MOVE = 0.003
P_UNKNOWN = 0.15  # per site and day

EventRow = tuple[Any, ...]  # EVENT_COLUMNS, Python values (aware UTC datetimes)
# A tap before numbering: true time, kiosk, kind, participant, supervisor, badge, detail, id, synced
Planned = tuple[datetime, str, str, str | None, str | None, str | None, dict[str, Any], str, bool]


@dataclass(frozen=True)
class Person:
    id: str
    site: str
    badge: str
    weekdays: frozenset[int]  # ISO weekdays
    start: date
    end: date


@dataclass
class Facts:
    """What the benchmark needs to know about a built data set."""

    url: str
    backend: str
    key: str
    now: datetime
    sites: list[str]
    coaches: list[str]  # staff ids, each with PER_COACH participants
    admin: str = ADMIN
    admin_password: str = ADMIN_PASSWORD
    counts: dict[str, int] = field(default_factory=dict)
    built_seconds: float = 0.0
    reused: bool = False


# --- the people ----------------------------------------------------------------------------


def site_ids() -> list[str]:
    return [f"site-{n + 1:02d}" for n in range(SITES)]


def coach_ids() -> list[str]:
    return [f"c-{n + 1:02d}" for n in range(COACHES)]


def first_day() -> date:
    return NOW.astimezone(TZ).date() - timedelta(days=DAYS)


def people(rng: random.Random) -> list[Person]:
    found = []
    for n in range(SITES * PER_SITE):
        days = 3 if rng.random() < 0.7 else 2
        found.append(
            Person(
                id=f"p-{n + 1:04d}",
                site=site_ids()[n // PER_SITE],
                badge=f"04{n + 1:06X}",
                weekdays=frozenset(rng.sample(range(1, 6), days)),
                start=first_day() - timedelta(days=rng.randint(0, 120)),
                end=NOW.date() + timedelta(days=rng.randint(30, 400)),
            )
        )
    return found


def closed(day: date) -> bool:
    """Weekends, and the workshop's Christmas break (24 December to 1 January)."""
    return (
        day.isoweekday() > 5
        or (day.month == 12 and day.day >= 24)
        or (day.month, day.day) == (1, 1)
    )


# --- the doors' history --------------------------------------------------------------------


class Door:
    """Builds one site's events of one day, in the order its kiosks numbered them."""

    def __init__(self, rng: random.Random, site: str, seqs: dict[str, int]) -> None:
        self.rng = rng
        self.site = site
        self.front, self.back = f"{site}-voor", f"{site}-achter"
        self.seqs = seqs
        self.taps: list[Planned] = []

    def new_id(self) -> str:
        return str(UUID(int=self.rng.getrandbits(128), version=4))

    def kiosk(self) -> str:
        return self.front if self.rng.random() < 0.7 else self.back

    def tap(
        self,
        at: datetime,
        kind: str,
        *,
        participant: str | None = None,
        supervisor: str | None = None,
        badge: str | None = None,
        detail: dict[str, Any] | None = None,
        kiosk: str | None = None,
        synced: bool = True,
    ) -> str:
        tap_id = self.new_id()
        self.taps.append(
            (
                at,
                kiosk or self.kiosk(),
                kind,
                participant,
                supervisor,
                badge,
                detail or {},
                tap_id,
                synced,
            )
        )
        return tap_id

    def rows(self, until: datetime) -> list[EventRow]:
        """The day's events up to `until`, numbered per kiosk in time order."""
        found = []
        for at, kiosk, kind, pid, sid, uid, detail, tap_id, synced in sorted(
            self.taps, key=lambda t: t[0]
        ):
            if at > until:
                continue
            self.seqs[kiosk] += 1
            wall, corrected_at, corrected_wall = at, None, None
            if not synced:  # a Pi without NTP: hours behind; the server corrected it
                wall = at - timedelta(hours=self.rng.uniform(1, 72))
                corrected_at, corrected_wall = at + timedelta(minutes=1), at
            boot_epoch = datetime(at.year, at.month, 1, 4, 0, tzinfo=UTC)
            found.append(
                (
                    tap_id,
                    kiosk,
                    self.site,
                    self.seqs[kiosk],
                    kind,
                    pid,
                    sid,
                    uid,
                    wall,
                    wall.astimezone(TZ).date(),
                    synced,
                    boot_id(kiosk, at),
                    (at - boot_epoch).total_seconds(),
                    json.dumps(detail, separators=(",", ":")),
                    hashlib.sha256(tap_id.encode()).hexdigest(),  # unique; not re-checked here
                    at + timedelta(seconds=self.rng.uniform(0.3, 4.0)),
                    corrected_at,
                    corrected_wall,
                )
            )
        return found


def boot_id(kiosk: str, at: datetime) -> str:
    """Each kiosk reboots on the first of the month (an update), so a boot per month."""
    return f"{kiosk}-{at.year}{at.month:02d}"


@dataclass
class Paperwork:
    """What supervisors wrote down beside the taps."""

    absences: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)


def history(
    rng: random.Random, folks: list[Person], paperwork: Paperwork
) -> Iterator[list[EventRow]]:
    """Every site's events, one site-day at a time, oldest first."""
    by_site: dict[str, list[Person]] = {}
    for person in folks:
        by_site.setdefault(person.site, []).append(person)
    seqs = {f"{s}-{d}": 0 for s in site_ids() for d in ("voor", "achter")}
    today = NOW.astimezone(TZ).date()
    reasons = [r for r, _ in ABSENCE_REASONS]
    weights = [w for _, w in ABSENCE_REASONS]
    day = first_day()
    while day <= today:
        if closed(day):
            day += timedelta(days=1)
            continue
        weekday = day.isoweekday()
        for number, site in enumerate(site_ids()):
            opens, closes = HOURS[number % 2]
            open_at = datetime.combine(day, opens, tzinfo=TZ).astimezone(UTC)
            close_at = datetime.combine(day, closes, tzinfo=TZ).astimezone(UTC)
            lunch_until = datetime.combine(day, clock_time(11, 30), tzinfo=TZ).astimezone(UTC)
            supervisor = f"s-{number + 1:02d}"
            door = Door(rng, site, seqs)
            door.tap(
                open_at - timedelta(minutes=rng.uniform(15, 30)),
                "supervisor",
                supervisor=supervisor,
                badge=f"05{number + 1:06X}",
            )
            door.tap(
                close_at + timedelta(minutes=rng.uniform(5, 20)),
                "supervisor",
                supervisor=supervisor,
                badge=f"05{number + 1:06X}",
            )
            if rng.random() < P_UNKNOWN:
                stranger = f"0A{number:02X}{rng.randrange(50):04X}"
                for _ in range(rng.randint(1, 3)):
                    at = open_at + timedelta(minutes=rng.uniform(-20, 120))
                    door.tap(at, "unknown_badge", badge=stranger)
            for person in by_site[site]:
                if weekday not in person.weekdays or not person.start <= day <= person.end:
                    continue
                if rng.random() < P_ABSENT:
                    if rng.random() < P_ABSENCE_NOTED:
                        paperwork.absences.append(
                            {
                                "participant_id": person.id,
                                "site_id": site,
                                "day": day,
                                "reason": rng.choices(reasons, weights)[0],
                                "note": "",
                                "staff_id": supervisor,
                                "created_at": open_at + timedelta(minutes=rng.uniform(0, 90)),
                            }
                        )
                    continue
                visit(door, rng, person, supervisor, open_at, close_at, lunch_until, paperwork)
            yield door.rows(NOW)
        day += timedelta(days=1)


def visit(
    door: Door,
    rng: random.Random,
    person: Person,
    supervisor: str,
    open_at: datetime,
    close_at: datetime,
    lunch_until: datetime,
    paperwork: Paperwork,
) -> None:
    """One participant's taps of one day."""
    if rng.random() < P_LATE:
        arrive = open_at + timedelta(minutes=rng.uniform(6, 90))
    else:
        arrive = open_at + timedelta(minutes=min(4.0, max(-30.0, rng.gauss(-7, 6))))
    arrive += timedelta(seconds=rng.uniform(0, 59))
    kiosk = door.kiosk()
    if rng.random() < P_MANUAL_IN:  # a forgotten badge: the supervisor checks them in
        came = door.tap(arrive, "manual_check_in", participant=person.id, supervisor=supervisor)
    else:
        came = door.tap(
            arrive,
            "check_in",
            participant=person.id,
            badge=person.badge,
            kiosk=kiosk,
            synced=rng.random() >= P_UNSYNCED,
        )
        if rng.random() < P_MOVE:
            paperwork.corrections.append(
                fix(came, person, supervisor, "move", arrive - timedelta(minutes=10), arrive)
            )
    if arrive < lunch_until and rng.random() < P_LUNCH:
        answered = rng.random() < 0.9
        door.tap(
            arrive + timedelta(seconds=rng.uniform(4, 20)),
            "lunch",
            participant=person.id,
            detail={"eats": rng.random() < 0.7 if answered else True, "answered": answered},
            kiosk=kiosk,
        )
    if rng.random() < P_TOO_SOON:
        again = door.tap(
            arrive + timedelta(seconds=rng.uniform(30, 600)),
            "too_soon",
            participant=person.id,
            badge=person.badge,
            detail={"check_in_record_id": came},
        )
        if rng.random() < P_VOID_TOO_SOON:
            paperwork.corrections.append(fix(again, person, supervisor, "void", None, arrive))
    chance = rng.random()
    if chance < P_FORGET:
        if rng.random() < P_FORGET_FIXED:
            out_at = close_at - timedelta(minutes=30)
            paperwork.corrections.append(
                fix(None, person, supervisor, "add_check_out", out_at, out_at)
            )
        return
    if chance < P_FORGET + P_MANUAL_OUT:
        door.tap(
            close_at - timedelta(minutes=rng.uniform(0, 5)),
            "manual_check_out",
            participant=person.id,
            supervisor=supervisor,
            detail={"check_in_record_id": came, "closing": True},
        )
        return
    if chance < P_FORGET + P_MANUAL_OUT + P_EARLY:
        leave = arrive + timedelta(hours=rng.uniform(2, 4))
    else:
        leave = close_at - timedelta(minutes=max(0.0, rng.gauss(40, 35)))
    door.tap(
        max(leave, arrive + timedelta(minutes=30)),
        "check_out",
        participant=person.id,
        badge=person.badge,
        detail={"check_in_record_id": came},
    )


def fix(
    event_id: str | None,
    person: Person,
    supervisor: str,
    action: str,
    effective_at: datetime | None,
    day_at: datetime,
) -> dict[str, Any]:
    reasons = {
        "move": "klok van de deur liep achter",
        "void": "dubbele tik",
        "add_check_out": "vergeten uit te checken",
    }
    return {
        "event_id": event_id,
        "participant_id": person.id,
        "site_id": person.site,
        "action": action,
        "effective_at": effective_at,
        "reason": reasons[action],
        "staff_id": supervisor,
        "created_at": day_at + timedelta(days=1),
    }


# --- the small tables ----------------------------------------------------------------------


def roster(
    rng: random.Random, folks: list[Person], admin_hash: str
) -> dict[Any, list[dict[str, Any]]]:
    """Rows of every small table, in foreign-key order (Python dicts dict keep it)."""
    seeded = datetime.combine(first_day() - timedelta(days=130), clock_time(8), tzinfo=UTC)
    site_rows, kiosk_rows, staff_rows, badge_rows = [], [], [], []
    for number, site in enumerate(site_ids()):
        opens, closes = HOURS[number % 2]
        site_rows.append(
            {
                "id": site,
                "name": f"Werkplaats {TOWNS[number]}",
                "opens_at": opens,
                "closes_at": closes,
                "timezone": "Europe/Amsterdam",
            }
        )
        for door, name in (("voor", "Voordeur"), ("achter", "Achterdeur")):
            kiosk_rows.append(
                {
                    "id": f"{site}-{door}",
                    "site_id": site,
                    "name": name,
                    "token_hash": token_hash(new_token()),
                    "created_at": seeded,
                }
            )
        staff_rows.append(
            staff_row(f"s-{number + 1:02d}", f"sup-{number + 1:02d}", "supervisor", site, seeded)
        )
        badge_rows.append(
            {
                "uid": f"05{number + 1:06X}",
                "holder_kind": "supervisor",
                "holder_id": f"s-{number + 1:02d}",
                "site_id": site,
                "assigned_at": seeded,
            }
        )
    staff_rows.append(
        staff_row("a-bench", ADMIN, "admin", None, seeded) | {"password_hash": admin_hash}
    )
    for coach in coach_ids():
        staff_rows.append(staff_row(coach, f"coach-{coach[2:]}", "coach", None, seeded))
    participant_rows = []
    for n, person in enumerate(folks):
        participant_rows.append(
            {
                "id": person.id,
                "site_id": person.site,
                "display_name": f"{NAMES[n % len(NAMES)]} {chr(65 + n // len(NAMES) % 26)}.",
                "language": LANGUAGES[n % len(LANGUAGES)],
                "program_start": person.start,
                "program_end": person.end,
                "agreed_weekdays": ",".join(str(d) for d in sorted(person.weekdays)),
                "birthday": f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                if rng.random() < 0.3
                else None,
                "team": TEAMS[n % len(TEAMS)],
                "active": True,
            }
        )
        badge_rows.append(
            {
                "uid": person.badge,
                "holder_kind": "participant",
                "holder_id": person.id,
                "site_id": person.site,
                "assigned_at": datetime.combine(person.start, clock_time(8), tzinfo=UTC),
            }
        )
    # Coaches work for the municipality, not for one site: 30 participants from anywhere.
    shuffled = [p.id for p in folks]
    rng.shuffle(shuffled)
    links = [
        {"coach_id": coach, "participant_id": pid}
        for n, coach in enumerate(coach_ids())
        for pid in shuffled[n * PER_COACH : (n + 1) * PER_COACH]
    ]
    return {
        sites: site_rows,
        kiosks: kiosk_rows,
        staff: staff_rows,
        participants: participant_rows,
        badges: badge_rows,
        coach_participants: links,
    }


def staff_row(
    staff_id: str, username: str, role: str, site: str | None, at: datetime
) -> dict[str, Any]:
    return {
        "id": staff_id,
        "username": username,
        "role": role,
        "display_name": username.replace("-", " ").title(),
        "site_id": site,
        "password_hash": None,
        "active": True,
        "email": None,
        "created_at": at,
    }


def door_state(last_seqs: dict[str, int]) -> dict[Any, list[dict[str, Any]]]:
    """Each kiosk's boots (one a month) and its latest heartbeat, 20 s before now."""
    boots, beats = [], []
    for kiosk, last_seq in sorted(last_seqs.items()):
        month = date(first_day().year, first_day().month, 1)
        while month <= NOW.date():
            epoch = datetime(month.year, month.month, 1, 4, 0, tzinfo=UTC)
            following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = min(NOW, datetime.combine(following, clock_time(3, 59), tzinfo=UTC))
            boots.append(
                {
                    "kiosk_id": kiosk,
                    "boot_id": boot_id(kiosk, epoch),
                    "epoch_at": epoch,
                    "first_heartbeat_at": epoch + timedelta(seconds=40),
                    "last_heartbeat_at": last,
                    "heartbeats": int((last - epoch).total_seconds() // 60),
                }
            )
            month = following
        at = NOW - timedelta(seconds=20)
        beats.append(
            {
                "kiosk_id": kiosk,
                "received_at": at,
                "wall_at": at,
                "clock_synced": True,
                "clock_offset_seconds": 0.01,
                "boot_id": boot_id(kiosk, at),
                "monotonic": (
                    at - datetime(at.year, at.month, 1, 4, 0, tzinfo=UTC)
                ).total_seconds(),
                "last_seq": last_seq,
                "queue_depth": 0,
                "oldest_unsynced_at": None,
                "last_tap_at": NOW - timedelta(minutes=3),
                "reader_health": "ok",
                "app_version": "bench",
            }
        )
    return {kiosk_boots: boots, kiosk_heartbeats: beats}


# --- writing ---------------------------------------------------------------------------------


def _sqlite_text(at: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format, in UTC without an offset (UtcDateTime).
    return None if at is None else at.strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_rows(rows: list[EventRow]) -> Iterator[tuple[Any, ...]]:
    for r in rows:
        yield (
            *r[:8],
            _sqlite_text(r[8]),
            r[9].isoformat(),
            1 if r[10] else 0,
            *r[11:15],
            _sqlite_text(r[15]),
            _sqlite_text(r[16]),
            _sqlite_text(r[17]),
        )


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def copy_lines(rows: list[EventRow]) -> str:
    return "".join("\t".join(map(_copy_text, r)) + "\n" for r in rows)


class Loader:
    """Generates everything and writes it through one connection, in one transaction."""

    def __init__(self, engine: Engine, backend: str) -> None:
        self.engine = engine
        self.backend = backend

    def run(self) -> dict[str, int]:
        from server.administration.passwords import hash_password

        rng = random.Random(SEED)
        folks = people(rng)
        small = roster(rng, folks, hash_password(ADMIN_PASSWORD))
        paperwork = Paperwork()
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            if self.backend == "sqlite":  # before the first BEGIN: these do nothing inside one
                for pragma in (
                    "foreign_keys=OFF",
                    "synchronous=OFF",
                    "journal_mode=DELETE",
                    "cache_size=-1000000",
                ):
                    raw.execute(f"PRAGMA {pragma}")
            with conn.begin():
                if self.backend == "postgresql":
                    # Skip the foreign-key triggers during the load (needs a superuser).
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                for table, rows in small.items():
                    conn.execute(insert(table), rows)
                    counts[table.name] = len(rows)
                events = self._events(conn, raw, history(rng, folks, paperwork))
                counts["events"] = events
                seqs = self._last_seqs(conn)
                for table, rows in door_state(seqs).items():
                    conn.execute(insert(table), rows)
                    counts[table.name] = len(rows)
                for table, rows in (
                    (absences, paperwork.absences),
                    (corrections, paperwork.corrections),
                ):
                    conn.execute(insert(table), rows)
                    counts[table.name] = len(rows)
            if self.backend == "sqlite":
                raw.execute("PRAGMA journal_mode=WAL")  # as the server runs it
        if self.backend == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        return counts

    def _events(self, conn: Any, raw: Any, days: Iterator[list[EventRow]]) -> int:
        placeholders = ", ".join("?" for _ in EVENT_COLUMNS)
        statement = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({placeholders})"
        written, chunk = 0, []
        copy = None
        if self.backend == "postgresql":
            cursor = raw.cursor()
            copy_cm = cursor.copy(f"COPY events ({', '.join(EVENT_COLUMNS)}) FROM STDIN")
            copy = copy_cm.__enter__()
        try:
            for rows in days:
                chunk.extend(rows)
                if len(chunk) >= 50_000:
                    written += self._write(raw, copy, statement, chunk)
                    chunk = []
            written += self._write(raw, copy, statement, chunk)
        finally:
            if copy is not None:
                copy_cm.__exit__(*sys.exc_info())
        return written

    def _write(self, raw: Any, copy: Any, statement: str, rows: list[EventRow]) -> int:
        if copy is not None:
            copy.write(copy_lines(rows))
        else:
            raw.executemany(statement, sqlite_rows(rows))
        return len(rows)

    def _last_seqs(self, conn: Any) -> dict[str, int]:
        found = conn.exec_driver_sql("SELECT kiosk_id, MAX(seq) FROM events GROUP BY kiosk_id")
        return {kiosk: int(seq) for kiosk, seq in found}


# --- the cache -------------------------------------------------------------------------------


def _facts(url: str, backend: str, counts: dict[str, int], seconds: float, reused: bool) -> Facts:
    return Facts(
        url=url,
        backend=backend,
        key=KEY,
        now=NOW,
        sites=site_ids(),
        coaches=coach_ids(),
        counts=counts,
        built_seconds=seconds,
        reused=reused,
    )


def sqlite_history(directory: Path = DATA_DIR, *, fresh: bool = False) -> Facts:
    """The SQLite file, built when missing (or when `fresh`)."""
    path = directory / f"{KEY}.db"
    note = directory / f"{KEY}.json"
    if fresh:
        for old in (path, note):
            old.unlink(missing_ok=True)
    if path.exists() and note.exists():
        engine = make_engine(sqlite_url(path))
        upgrade(engine)
        engine.dispose()
        told = json.loads(note.read_text())
        return _facts(sqlite_url(path), "sqlite", told["counts"], told["seconds"], True)
    directory.mkdir(parents=True, exist_ok=True)
    building = directory / f"{KEY}.building.db"
    for leftover in (
        building,
        Path(f"{building}-wal"),
        Path(f"{building}-shm"),
        Path(f"{building}-journal"),
    ):
        leftover.unlink(missing_ok=True)
    began = time.perf_counter()
    engine = make_engine(sqlite_url(building))
    upgrade(engine)
    counts = Loader(engine, "sqlite").run()
    engine.dispose()
    seconds = time.perf_counter() - began
    building.rename(path)
    note.write_text(json.dumps({"counts": counts, "seconds": round(seconds, 1)}))
    return _facts(sqlite_url(path), "sqlite", counts, seconds, False)


def _schema_url(url: str, schema: str) -> str:
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def pg_url() -> str:
    return os.environ.get(PG_ENV) or PG_DEFAULT


def postgresql_history(url: str | None = None, *, fresh: bool = False) -> Facts:
    """A schema named KEY on the PostgreSQL at `url`, built when missing (or when `fresh`)."""
    url = url or pg_url()
    root = create_engine(url)
    schema, building = KEY, f"{KEY}_building"
    try:
        with root.begin() as conn:
            if fresh:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            comment = conn.exec_driver_sql(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
                (schema,),
            ).scalar()
        if comment:
            engine = make_engine(_schema_url(url, schema))
            upgrade(engine)
            engine.dispose()
            told = json.loads(comment)
            return _facts(
                _schema_url(url, schema), "postgresql", told["counts"], told["seconds"], True
            )
        with root.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {building} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {building}")
        began = time.perf_counter()
        engine = make_engine(_schema_url(url, building))
        upgrade(engine)
        counts = Loader(engine, "postgresql").run()
        engine.dispose()
        seconds = time.perf_counter() - began
        told = json.dumps({"counts": counts, "seconds": round(seconds, 1)})
        with root.begin() as conn:
            conn.exec_driver_sql(f"ALTER SCHEMA {building} RENAME TO {schema}")
            conn.exec_driver_sql(f"COMMENT ON SCHEMA {schema} IS '{told}'")
        return _facts(_schema_url(url, schema), "postgresql", counts, seconds, False)
    finally:
        root.dispose()


def drop(backend: str) -> None:
    """Remove the cached data set of `backend`."""
    if backend == "sqlite":
        for name in (f"{KEY}.db", f"{KEY}.db-wal", f"{KEY}.db-shm", f"{KEY}.json"):
            (DATA_DIR / name).unlink(missing_ok=True)
        return
    root = create_engine(pg_url())
    with root.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {KEY} CASCADE")
    root.dispose()


def history_of(backend: str, *, fresh: bool = False) -> Facts:
    return sqlite_history(fresh=fresh) if backend == "sqlite" else postgresql_history(fresh=fresh)


def describe(facts: Facts) -> str:
    how = "reused (built earlier in" if facts.reused else "built in"
    tail = ")" if facts.reused else ""
    counts = ", ".join(f"{n} {name}" for name, n in facts.counts.items())
    return f"{facts.backend}: {facts.key} {how} {facts.built_seconds:.1f} s{tail}: {counts}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--fresh", action="store_true", help="rebuild even when cached")
    parser.add_argument("--drop", action="store_true", help="remove the cached data sets")
    options = parser.parse_args()
    backends = ("sqlite", "postgresql") if options.backend == "both" else (options.backend,)
    for backend in backends:
        if options.drop:
            drop(backend)
            print(f"{backend}: {KEY} dropped")
            continue
        print(describe(history_of(backend, fresh=options.fresh)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`prikklok demo`: a door with made-up people, a simulated reader, and nothing to wire."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from prikklok.config import load_config
from prikklok.parts import run_headless
from sync.clock import SystemClock

# Made-up people; any likeness is a coincidence. One per language the workshop meets.
DEMO_PEOPLE = (
    ("p-amal", "Amal", "ar", "04A1B2C3"),
    ("p-dawit", "Dawit", "ti", "04D4E5F6"),
    ("p-farid", "Farid", "fa", "04112233"),
    ("p-hodan", "Hodan", "so", "04445566"),
    ("p-olena", "Olena", "uk", "04778899"),
    ("p-emre", "Emre", "tr", "04AABBCC"),
    ("p-grace", "Grace", "en", "04DDEEFF"),
)
DEMO_SUPERVISOR = ("s-marieke", "Marieke", "0499AA11")
DEMO_REVOKED = ("p-amal", "04DEAD01")
DEMO_ENDED = ("p-yusuf", "Yusuf", "ar", "04E2D001")

# Dutch word, article, example sentence, meaning per language.
WORDS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("hamer", "de", "Mag ik de hamer even?", {
        "ar": "مطرقة", "ti": "መዶሻ", "fa": "چکش", "so": "dubbe",
        "uk": "молоток", "tr": "çekiç", "en": "hammer"}),
    ("koffie", "de", "Wil je koffie of thee?", {
        "ar": "قهوة", "ti": "ቡን", "fa": "قهوه", "so": "bun",
        "uk": "кава", "tr": "kahve", "en": "coffee"}),
    ("brood", "het", "We eten om twaalf uur brood.", {
        "ar": "خبز", "ti": "ባኒ", "fa": "نان", "so": "rooti",
        "uk": "хліб", "tr": "ekmek", "en": "bread"}),
    ("pauze", "de", "Om tien uur hebben we pauze.", {
        "ar": "استراحة", "ti": "ዕረፍቲ", "fa": "استراحت", "so": "nasasho",
        "uk": "перерва", "tr": "mola", "en": "break"}),
    ("gereedschap", "het", "Leg het gereedschap terug in de kast.", {
        "ar": "أدوات", "ti": "መሳርሒ", "fa": "ابزار", "so": "qalab",
        "uk": "інструменти", "tr": "alet", "en": "tools"}),
)  # fmt: skip

TASKS = (
    "Fietsen repareren in de werkplaats",
    "Koffie zetten voor de pauze",
    "Hout zagen voor de moestuinbakken",
)


def demo_door_data(today: date) -> dict[str, Any]:
    """Door data for a week from `today`: everyone active, one badge revoked, one ended."""
    start, end = today - timedelta(days=30), today + timedelta(days=150)
    participants = [
        {"id": pid, "display_name": name, "language": lang,
         "program_start": start.isoformat(), "program_end": end.isoformat()}
        for pid, name, lang, _ in DEMO_PEOPLE
    ]  # fmt: skip
    ended_id, ended_name, ended_lang, ended_badge = DEMO_ENDED
    participants.append(
        {"id": ended_id, "display_name": ended_name, "language": ended_lang,
         "program_start": (today - timedelta(days=200)).isoformat(),
         "program_end": (today - timedelta(days=20)).isoformat()}
    )  # fmt: skip
    badges: list[dict[str, Any]] = [{"uid": uid, "holder": "participant", "holder_id": pid}
              for pid, _, _, uid in DEMO_PEOPLE]  # fmt: skip
    badges.append({"uid": ended_badge, "holder": "participant", "holder_id": ended_id})
    badges.append(
        {"uid": DEMO_REVOKED[1], "holder": "participant", "holder_id": DEMO_REVOKED[0],
         "active": False}
    )  # fmt: skip
    sid, sname, suid = DEMO_SUPERVISOR
    badges.append({"uid": suid, "holder": "supervisor", "holder_id": sid})
    days = [today + timedelta(days=n) for n in range(7)]
    return {
        "participants": participants,
        "supervisors": [{"id": sid, "display_name": sname}],
        "badges": badges,
        "tasks": [
            {"day": day.isoformat(), "text": TASKS[(i + n) % len(TASKS)]}
            for i, day in enumerate(days)
            for n in range(2)
        ],
        "words": [
            {
                "day": day.isoformat(),
                "word": word,
                "article": article,
                "sentence": sentence,
                "translations": translations,
            }
            for day, (word, article, sentence, translations) in zip(days, WORDS * 2, strict=False)
        ],
    }


DEMO_CONFIG = """\
# prikklok demo config — every key is explained in docs/config.md
[kiosk]
id = "demo-door"
data_dir = "."
door_data_file = "door-data.json"
too_soon_minutes = 5
confirm_seconds = 20

[reader]
kind = "simulated"
simulated_stdin = true
simulated_fifo = "taps.fifo"

[feedback]
# No GPIO on a laptop: the door stays quiet.
enabled = false

[log]
level = "warning"
"""


def prepare(data_dir: Path, today: date) -> Path:
    """Write the demo's config and door data (kept journal and all) and return the config."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "prikklok.toml"
    if not config.exists():
        config.write_text(DEMO_CONFIG, encoding="utf-8")
    (data_dir / "door-data.json").write_text(
        json.dumps(demo_door_data(today), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return config


def hint(data_dir: Path) -> str:
    people = ", ".join(f"{uid} {name}" for _, name, _, uid in DEMO_PEOPLE)
    return "\n".join(
        [
            "prikklok demo — type a badge id and Enter to tap (Ctrl-D to stop).",
            f"  demo badges: {people}",
            f"  supervisor: {DEMO_SUPERVISOR[2]}; revoked: {DEMO_REVOKED[1]}; "
            f"program ended: {DEMO_ENDED[3]}; anything else is unknown.",
            f"  from another terminal: echo 04A1B2C3 > {data_dir / 'taps.fifo'}",
            f"  then: prikklok journal --config {data_dir / 'prikklok.toml'}",
        ]
    )


def run_demo(data_dir: Path, *, stdin: TextIO, out: TextIO) -> int:
    config = prepare(data_dir, SystemClock().now().workshop_day())
    out.write(hint(data_dir) + "\n")
    out.flush()
    return run_headless(load_config(config, env={}), stdin=stdin, out=out)

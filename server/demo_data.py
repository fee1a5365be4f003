"""The demo's made-up site: people, badges, tasks and words, one source for the kiosk's
offline door data and the server's `demo-data`. Pure data, no database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# Made-up people; any likeness is a coincidence. One per language the workshop meets.
PEOPLE = (
    ("p-amal", "Amal", "ar", "04A1B2C3"),
    ("p-dawit", "Dawit", "ti", "04D4E5F6"),
    ("p-farid", "Farid", "fa", "04112233"),
    ("p-hodan", "Hodan", "so", "04445566"),
    ("p-olena", "Olena", "uk", "04778899"),
    ("p-emre", "Emre", "tr", "04AABBCC"),
    ("p-grace", "Grace", "en", "04DDEEFF"),
)
SUPERVISOR = ("s-marieke", "Marieke", "0499AA11")
REVOKED = ("p-amal", "04DEAD01")
ENDED = ("p-yusuf", "Yusuf", "ar", "04E2D001")

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


def door_data(today: date) -> dict[str, Any]:
    """Door data for a week from `today`: everyone active, one badge revoked, one ended."""
    start, end = today - timedelta(days=30), today + timedelta(days=150)
    participants = [
        {"id": pid, "display_name": name, "language": lang,
         "program_start": start.isoformat(), "program_end": end.isoformat()}
        for pid, name, lang, _ in PEOPLE
    ]  # fmt: skip
    ended_id, ended_name, ended_lang, ended_badge = ENDED
    participants.append(
        {"id": ended_id, "display_name": ended_name, "language": ended_lang,
         "program_start": (today - timedelta(days=200)).isoformat(),
         "program_end": (today - timedelta(days=20)).isoformat()}
    )  # fmt: skip
    badges: list[dict[str, Any]] = [{"uid": uid, "holder": "participant", "holder_id": pid}
              for pid, _, _, uid in PEOPLE]  # fmt: skip
    badges.append({"uid": ended_badge, "holder": "participant", "holder_id": ended_id})
    badges.append(
        {"uid": REVOKED[1], "holder": "participant", "holder_id": REVOKED[0],
         "active": False}
    )  # fmt: skip
    sid, sname, suid = SUPERVISOR
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

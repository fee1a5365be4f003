"""The demo's made-up site: people, badges, tasks and words, one source for the kiosk's
offline door data and the server's `demo-data`. Pure data, no database.

The demo window taps a badge for each number key (`DEMO_KEYS`): keys 1 to 9 are the
first nine participants of `PEOPLE`, in order (Amal, Dawit, Farid, Hodan, Olena, Emre,
Grace, Zahra, Yonas), and key 0 is the supervisor Marieke. Farid (key 3) has his
birthday on every demo day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sync.recall import MAX_DUE

# Made-up people; any likeness is a coincidence. (id, display name, language, badge uid)
PEOPLE = (
    ("p-amal", "Amal", "ar", "04A1B2C3"),
    ("p-dawit", "Dawit", "ti", "04D4E5F6"),
    ("p-farid", "Farid", "fa", "04112233"),
    ("p-hodan", "Hodan", "so", "04445566"),
    ("p-olena", "Olena", "uk", "04778899"),
    ("p-emre", "Emre", "tr", "04AABBCC"),
    ("p-grace", "Grace", "en", "04DDEEFF"),
    ("p-zahra", "Zahra", "fa", "04B1C2D3"),  # from Afghanistan: Dari, written as Farsi
    ("p-yonas", "Yonas", "nl", "04C1D2E3"),  # chose Dutch: he wants to hear it everywhere
    ("p-rami", "Rami", "ar", "04E1F2A3"),
    ("p-selam", "Selam", "ti", "04F1A2B3"),
    ("p-abdi", "Abdi", "so", "04A2B3C4"),
)
SUPERVISOR = ("s-marieke", "Marieke", "0499AA11")
SUPERVISORS = (SUPERVISOR, ("s-joost", "Joost", "0499BB22"))
REVOKED = ("p-amal", "04DEAD01")
ENDED = ("p-yusuf", "Yusuf", "ar", "04E2D001")
DEMO_KEYS: tuple[str, ...] = (*(uid for *_, uid in PEOPLE[:9]), SUPERVISOR[2])

# ISO weekdays (1 = Monday): two or three days a week, as agreed with the coach.
AGREED_WEEKDAYS: dict[str, tuple[int, ...]] = {
    "p-amal": (1, 2, 4), "p-dawit": (1, 3, 5), "p-farid": (2, 4), "p-hodan": (1, 3),
    "p-olena": (2, 3, 5), "p-emre": (1, 4), "p-grace": (3, 5), "p-zahra": (2, 4, 5),
    "p-yonas": (1, 2), "p-rami": (3, 4), "p-selam": (1, 5), "p-abdi": (2, 3),
    "p-yusuf": (1, 3),
}  # fmt: skip
BIRTHDAY_TODAY = "p-farid"  # whatever day the demo runs
BIRTHDAYS = {"p-amal": "03-21", "p-olena": "08-24", "p-selam": "05-24"}  # "MM-DD"

# Dutch word, article, example sentence, symbol (in DejaVu Sans), meaning per language; the
# pictogram (sync/pictograms) has the word's own name.
WORDS: tuple[tuple[str, str, str, str, dict[str, str]], ...] = (
    ("koffie", "de", "Wil je een kopje koffie?", "☕", {
        "ar": "قهوة", "ti": "ቡን", "fa": "قهوه", "so": "bun",
        "uk": "кава", "tr": "kahve", "en": "coffee"}),
    ("hamer", "de", "Mag ik de hamer even?", "⚒", {
        "ar": "مطرقة", "ti": "መዶሻ", "fa": "چکش", "so": "dubbe",
        "uk": "молоток", "tr": "çekiç", "en": "hammer"}),
    ("schaar", "de", "De schaar ligt in de la.", "✂", {
        "ar": "مقص", "ti": "መቐስ", "fa": "قیچی", "so": "maqas",
        "uk": "ножиці", "tr": "makas", "en": "scissors"}),
    ("paraplu", "de", "Het regent. Neem je paraplu mee.", "☂", {
        "ar": "مظلة", "ti": "ጽላል", "fa": "چتر", "so": "dallad",
        "uk": "парасолька", "tr": "şemsiye", "en": "umbrella"}),
    ("brief", "de", "Er is een brief voor jou.", "✉", {
        "ar": "رسالة", "ti": "ደብዳቤ", "fa": "نامه", "so": "warqad",
        "uk": "лист", "tr": "mektup", "en": "letter"}),
    ("potlood", "het", "Schrijf je naam met het potlood.", "✎", {
        "ar": "قلم رصاص", "ti": "ርሳስ", "fa": "مداد", "so": "qalin",
        "uk": "олівець", "tr": "kurşun kalem", "en": "pencil"}),
    ("zon", "de", "De zon schijnt vandaag.", "☀", {
        "ar": "شمس", "ti": "ጸሓይ", "fa": "خورشید", "so": "qorrax",
        "uk": "сонце", "tr": "güneş", "en": "sun"}),
)  # fmt: skip

# The words of the days before the demo (issue 16: the recall check at check-out asks the
# words a participant met): a day's word follows from its date, so every rerun agrees.
# (Dutch word, article, example sentence, meaning per language); the pictogram has the word's
# own name. Tigrinya and Somali are left out rather than guessed.
PAST_WORDS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("fiets", "de", "Ik kom met de fiets.", {
        "ar": "دراجة", "fa": "دوچرخه", "uk": "велосипед", "tr": "bisiklet", "en": "bicycle"}),
    ("zaag", "de", "De zaag is scherp.", {
        "ar": "منشار", "fa": "اره", "uk": "пилка", "tr": "testere", "en": "saw"}),
    ("bezem", "de", "Pak de bezem en veeg de vloer.", {
        "ar": "مكنسة", "fa": "جارو", "uk": "віник", "tr": "süpürge", "en": "broom"}),
    ("emmer", "de", "Vul de emmer met water.", {
        "ar": "دلو", "fa": "سطل", "uk": "відро", "tr": "kova", "en": "bucket"}),
    ("sleutel", "de", "Waar is de sleutel van de kast?", {
        "ar": "مفتاح", "fa": "کلید", "uk": "ключ", "tr": "anahtar", "en": "key"}),
    ("ladder", "de", "Zet de ladder tegen de muur.", {
        "ar": "سلم", "fa": "نردبان", "uk": "драбина", "tr": "merdiven", "en": "ladder"}),
    ("helm", "de", "Zet je helm op.", {
        "ar": "خوذة", "fa": "کلاه ایمنی", "uk": "каска", "tr": "baret", "en": "helmet"}),
    ("lamp", "de", "Doe de lamp aan.", {
        "ar": "مصباح", "fa": "چراغ", "uk": "лампа", "tr": "lamba", "en": "lamp"}),
    ("brood", "het", "We eten brood bij de lunch.", {
        "ar": "خبز", "fa": "نان", "uk": "хліб", "tr": "ekmek", "en": "bread"}),
    ("appel", "de", "Wil je een appel?", {
        "ar": "تفاحة", "fa": "سیب", "uk": "яблуко", "tr": "elma", "en": "apple"}),
    ("stoel", "de", "Pak een stoel en ga zitten.", {
        "ar": "كرسي", "fa": "صندلی", "uk": "стілець", "tr": "sandalye", "en": "chair"}),
    ("deur", "de", "Doe de deur dicht.", {
        "ar": "باب", "fa": "در", "uk": "двері", "tr": "kapı", "en": "door"}),
)  # fmt: skip
PAST_DAYS = 28  # the demo's past weeks (server.demo.past_weeks) have a word every day

TASKS = (  # for everyone, two a day: (text, pictogram)
    ("Fietsen repareren in de werkplaats", "fiets"),
    ("Koffie zetten voor de pauze", "koffie"),
    ("Hout zagen voor de moestuinbakken", "zaag"),
    ("De werkplaats vegen", "bezem"),
    ("Planten water geven in de kas", "plant"),
    ("Soep maken voor de lunch", "pan"),
)
PERSONAL_TASKS = (  # for one participant, on their own workdays
    ("Banden plakken met Joost", "wiel"),
    ("Taalles om 13:00 uur", "docent"),
    ("Gesprek met je coach om 14:00 uur", "praten"),
    ("Een stoel schuren en lakken", "stoel"),
    ("Dozen uitpakken in het magazijn", "doos"),
    ("Helpen in de winkel", "winkel"),
)


def door_data(today: date) -> dict[str, Any]:
    """Door data for a week from `today`: everyone active, one badge revoked, one program
    ended, one birthday today."""
    start, end = today - timedelta(days=30), today + timedelta(days=150)
    birthdays = {pid: day for pid, day in BIRTHDAYS.items() if day != _month_day(today)}
    birthdays[BIRTHDAY_TODAY] = _month_day(today)
    participants = [
        _participant(pid, name, lang, start, end, birthdays.get(pid))
        for pid, name, lang, _ in PEOPLE
    ]
    ended_id, ended_name, ended_lang, _ = ENDED
    participants.append(
        _participant(ended_id, ended_name, ended_lang, today - timedelta(days=200),
                     today - timedelta(days=20), None)
    )  # fmt: skip
    badges: list[dict[str, Any]] = [
        {"uid": REVOKED[1], "holder": "participant", "holder_id": REVOKED[0], "active": False}
    ]
    badges += [{"uid": uid, "holder": "participant", "holder_id": pid}
               for pid, *_, uid in (*PEOPLE, ENDED)]  # fmt: skip
    badges += [{"uid": uid, "holder": "supervisor", "holder_id": sid}
               for sid, _, uid in SUPERVISORS]  # fmt: skip
    days = [today + timedelta(days=n) for n in range(len(WORDS))]
    recalled = past_words(today)
    return {
        "participants": participants,
        "supervisors": [{"id": sid, "display_name": name} for sid, name, _ in SUPERVISORS],
        "badges": badges,
        "tasks": [task for n, day in enumerate(days) for task in _tasks(n, day)],
        "words": [_word(day, *entry) for day, entry in zip(days, WORDS, strict=True)],
        # Without a server (the offline demo door): every past word of a participant's
        # agreed days counts as met, the oldest due first; the server reckons its own.
        "recall": [_plan(pid, recalled) for pid, *_ in PEOPLE],
        "recall_words": list({w["word"]: w for w in recalled}.values()),
    }


def past_word(day: date) -> dict[str, Any]:
    """The word of a day before the demo: the same for the same date on every run."""
    word, article, sentence, translations = PAST_WORDS[day.toordinal() % len(PAST_WORDS)]
    return {
        "day": day.isoformat(),
        "word": word,
        "article": article,
        "sentence": sentence,
        "pictogram": word,
        "translations": translations,
    }


def past_words(today: date) -> list[dict[str, Any]]:
    """The words of the PAST_DAYS days before `today`, oldest first."""
    return [past_word(today - timedelta(days=back)) for back in range(PAST_DAYS, 0, -1)]


def _plan(pid: str, recalled: list[dict[str, Any]]) -> dict[str, Any]:
    mine = [w for w in recalled
            if date.fromisoformat(w["day"]).isoweekday() in AGREED_WEEKDAYS[pid]]  # fmt: skip
    oldest = list(dict.fromkeys(w["word"] for w in mine))
    newest = list(dict.fromkeys(w["word"] for w in reversed(mine)))
    return {"participant_id": pid, "due": oldest[:MAX_DUE], "met": newest, "known": 0}


def _word(
    day: date, word: str, article: str, sentence: str, symbol: str, translations: dict[str, str]
) -> dict[str, Any]:
    return {
        "day": day.isoformat(),
        "word": word,
        "article": article,
        "sentence": sentence,
        "symbol": symbol,
        "pictogram": word,
        "translations": translations,
    }


def _month_day(day: date) -> str:
    return f"{day.month:02d}-{day.day:02d}"


def _participant(
    pid: str, name: str, lang: str, start: date, end: date, birthday: str | None
) -> dict[str, Any]:
    return {
        "id": pid,
        "display_name": name,
        "language": lang,
        "program_start": start.isoformat(),
        "program_end": end.isoformat(),
        "birthday": birthday,
        "agreed_weekdays": list(AGREED_WEEKDAYS[pid]),
    }


def _tasks(n: int, day: date) -> list[dict[str, Any]]:
    """Two tasks for everyone, and a personal one for three who work that day."""
    shared = [_task(day, *TASKS[(2 * n + k) % len(TASKS)], None) for k in range(2)]
    working = [pid for pid, *_ in PEOPLE if day.isoweekday() in AGREED_WEEKDAYS[pid]]
    personal = [
        _task(day, *PERSONAL_TASKS[(n + k) % len(PERSONAL_TASKS)], pid)
        for k, pid in enumerate(working[:3])
    ]
    return shared + personal


def _task(day: date, text: str, pictogram: str, participant_id: str | None) -> dict[str, Any]:
    return {
        "day": day.isoformat(),
        "text": text,
        "participant_id": participant_id,
        "pictogram": pictogram,
    }

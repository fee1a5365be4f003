"""What the door needs to know: the roster, the day's tasks and the words of the day.

Least data, promise 6 (docs/design.md): display name, language and badges — no addresses,
phone numbers or citizen service numbers. The same shapes come from the server's snapshot
and from a file (`kiosk.door_data_file`), so parsing is strict and every error names where
it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from sync.fixed_phrases import parse_fixes
from sync.recall import WordsPlan, plans_from, word_key

_UID = re.compile(r"^(?:[0-9A-F]{2}){4,10}$")
_BIRTHDAY = re.compile(r"^([0-9]{2})-([0-9]{2})$")  # not \d: it takes any script's digits

HolderKind = Literal["participant", "supervisor"]


class DoorDataError(ValueError):
    """Door data that cannot be used; the message names the place, e.g. participants[2].id."""


@dataclass(frozen=True)
class Participant:
    id: str
    display_name: str
    language: str = "nl"  # BCP 47 code of the participant's own language
    program_start: date | None = None
    program_end: date | None = None
    active: bool = True
    # Only if they wish, and only day and month (least data): the workshop sings.
    birthday: tuple[int, int] | None = None  # (month, day)
    agreed_weekdays: frozenset[int] = frozenset()  # ISO weekdays: 1 = Monday … 7 = Sunday

    def has_birthday(self, day: date) -> bool:
        if self.birthday is None:
            return False
        month, dom = self.birthday
        # 29 February is sung on 28 February in other years.
        if (month, dom) == (2, 29) and not _leap(day.year):
            return (day.month, day.day) == (2, 28)
        return (day.month, day.day) == (month, dom)

    def next_agreed_day(self, after: date) -> date | None:
        """The first agreed workday after `after`, or None when no days are agreed."""
        for ahead in range(1, 8):
            candidate = after + timedelta(days=ahead)
            if candidate.isoweekday() in self.agreed_weekdays:
                return candidate
        return None

    def inactive_reason(self, day: date) -> str | None:
        """Why this participant may not check in on `day`, or None when they may."""
        if not self.active:
            return "participant_inactive"
        if self.program_start and day < self.program_start:
            return "program_not_started"
        if self.program_end and day > self.program_end:
            return "program_ended"
        return None


@dataclass(frozen=True)
class Supervisor:
    id: str
    display_name: str


@dataclass(frozen=True)
class Badge:
    uid: str  # normalised uppercase hex
    holder: HolderKind
    holder_id: str
    active: bool = True  # False once revoked


@dataclass(frozen=True)
class Task:
    day: date
    text: str
    participant_id: str | None = None  # None: for everyone (or a team)
    team: str | None = None
    pictogram: str | None = None  # a name in sync.pictograms, e.g. "fiets"
    photo: str | None = None  # the workshop's own photo (sha256, sync.media); beats the pictogram

    def is_for(self, participant_id: str, teams: Iterable[str] = ()) -> bool:
        if self.participant_id is not None:
            return self.participant_id == participant_id
        if self.team is not None:
            return self.team in set(teams)
        return True


@dataclass(frozen=True)
class WordOfTheDay:
    day: date
    word: str
    article: Literal["de", "het"] | None
    sentence: str
    translations: Mapping[str, str] = field(default_factory=dict)
    symbol: str | None = None  # a picture in one or two characters, e.g. "☂" for paraplu
    pictogram: str | None = None  # a name in sync.pictograms, e.g. "paraplu"
    photo: str | None = None  # the workshop's own photo (sha256, sync.media); beats the pictogram
    voice: str | None = None  # a supervisor saying it (sha256 of a WAV, sync.media)

    def meaning_in(self, language: str) -> str | None:
        return self.translations.get(language)


@dataclass(frozen=True)
class DoorData:
    """Everything the door decides and greets from, as one snapshot."""

    participants: Mapping[str, Participant] = field(default_factory=dict)
    supervisors: Mapping[str, Supervisor] = field(default_factory=dict)
    badges: Mapping[str, Badge] = field(default_factory=dict)
    tasks: tuple[Task, ...] = ()
    words: tuple[WordOfTheDay, ...] = ()
    speak_greeting: bool = False  # the site's setting: say "Goedemorgen, Amal." aloud
    # The workshop's fixes to the catalogues' translations: language → msgid → text.
    phrase_fixes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The recall check (sync.recall): participant id → plan, and the words the plans name
    # that `words` lacks. Empty: the server asks nothing (an older server, or switched off).
    recall: Mapping[str, WordsPlan] = field(default_factory=dict)
    recall_words: tuple[WordOfTheDay, ...] = ()

    def badge(self, uid: str) -> Badge | None:
        return self.badges.get(uid)

    def tasks_for(self, participant_id: str, day: date) -> list[Task]:
        return [t for t in self.tasks if t.day == day and t.is_for(participant_id)]

    def word_for(self, day: date) -> WordOfTheDay | None:
        return next((w for w in self.words if w.day == day), None)

    def word_of(self, key: str) -> WordOfTheDay | None:
        """The latest planned word with this key (sync.recall.word_key), from the days the
        door holds and the words the recall plans name."""
        found = [w for w in (*self.words, *self.recall_words) if word_key(w.word) == key]
        return max(found, key=lambda w: w.day) if found else None

    def holder_name(self, uid: str) -> str | None:
        """Who holds this badge now, by display name; None for a free badge."""
        badge = self.badges.get(uid)
        if badge is None or not badge.active:
            return None
        people: Mapping[str, Participant | Supervisor] = (
            self.participants if badge.holder == "participant" else self.supervisors
        )
        holder = people.get(badge.holder_id)
        return holder.display_name if holder else None

    def with_badges(self, badges: Iterable[Badge]) -> DoorData:
        """This data with badges given at the door that the server has not sent back yet."""
        merged = dict(self.badges)
        for badge in badges:
            held = merged.get(badge.uid)
            if held is None or not held.active:
                merged[badge.uid] = badge
        return replace(self, badges=merged)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DoorData:
        """Parse the wire/file form; raise DoorDataError naming the bad place."""
        if not isinstance(data, Mapping):
            raise DoorDataError("door data: expected an object at the top")
        participants = {p.id: p for p in _each(data, "participants", _participant)}
        supervisors = {s.id: s for s in _each(data, "supervisors", _supervisor)}
        badges: dict[str, Badge] = {}
        for where, badge in _each_with_place(data, "badges", _badge):
            known = participants if badge.holder == "participant" else supervisors
            if badge.holder_id not in known:
                raise DoorDataError(f"{where}.holder_id: no {badge.holder} {badge.holder_id!r}")
            if badge.uid in badges and badges[badge.uid].active and badge.active:
                raise DoorDataError(f"{where}.uid: badge is already held by someone else")
            if badge.active or badge.uid not in badges:
                badges[badge.uid] = badge
        return cls(
            participants=participants,
            supervisors=supervisors,
            badges=badges,
            tasks=tuple(_each(data, "tasks", _task)),
            words=tuple(_each(data, "words", _word)),
            speak_greeting=_Fields("door data", data).flag("speak_greeting", False),
            phrase_fixes=_fixes(data),
            recall=_plans(data),
            recall_words=tuple(_each(data, "recall_words", _word)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "participants": [
                {
                    "id": p.id,
                    "display_name": p.display_name,
                    "language": p.language,
                    "program_start": _iso(p.program_start),
                    "program_end": _iso(p.program_end),
                    "active": p.active,
                    "birthday": f"{p.birthday[0]:02d}-{p.birthday[1]:02d}" if p.birthday else None,
                    "agreed_weekdays": sorted(p.agreed_weekdays),
                }
                for p in self.participants.values()
            ],
            "supervisors": [
                {"id": s.id, "display_name": s.display_name} for s in self.supervisors.values()
            ],
            "badges": [
                {"uid": b.uid, "holder": b.holder, "holder_id": b.holder_id, "active": b.active}
                for b in self.badges.values()
            ],
            "tasks": [
                {
                    "day": t.day.isoformat(),
                    "text": t.text,
                    "participant_id": t.participant_id,
                    "team": t.team,
                    "pictogram": t.pictogram,
                    "photo": t.photo,
                }
                for t in self.tasks
            ],
            "words": [_word_dict(w) for w in self.words],
            "speak_greeting": self.speak_greeting,
            "phrase_fixes": {lang: dict(fixes) for lang, fixes in self.phrase_fixes.items()},
            "recall": [plan.to_dict(pid) for pid, plan in self.recall.items()],
            "recall_words": [_word_dict(w) for w in self.recall_words],
        }


def _word_dict(w: WordOfTheDay) -> dict[str, Any]:
    return {
        "day": w.day.isoformat(),
        "word": w.word,
        "article": w.article,
        "sentence": w.sentence,
        "translations": dict(w.translations),
        "symbol": w.symbol,
        "pictogram": w.pictogram,
        "photo": w.photo,
        "voice": w.voice,
    }


def _plans(data: Mapping[str, Any]) -> dict[str, WordsPlan]:
    try:
        return plans_from(data.get("recall"))
    except ValueError as error:
        raise DoorDataError(str(error)) from None


def _fixes(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    try:
        return parse_fixes(data.get("phrase_fixes"))
    except ValueError as error:
        raise DoorDataError(str(error)) from None


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class _Fields:
    """Typed access to one object of the input, with errors that say where."""

    def __init__(self, where: str, raw: Any) -> None:
        if not isinstance(raw, Mapping):
            raise DoorDataError(f"{where}: expected an object")
        self.where = where
        self.raw = raw

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise DoorDataError(f"{self.where}.{key}: missing")
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) == "":
            raise DoorDataError(f"{self.where}.{key}: expected non-empty text")
        return str(value)

    def need(self, key: str) -> str:
        value = self.text(key)
        assert value is not None
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise DoorDataError(f"{self.where}.{key}: expected a date like 2026-01-31") from None

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise DoorDataError(f"{self.where}.{key}: expected true or false")
        return value


def _participant(f: _Fields) -> Participant:
    start, end = f.day("program_start"), f.day("program_end")
    if start and end and end < start:
        raise DoorDataError(f"{f.where}.program_end: before program_start")
    return Participant(
        id=f.need("id"),
        display_name=f.need("display_name"),
        language=f.text("language", required=False) or "nl",
        program_start=start,
        program_end=end,
        active=f.flag("active", True),
        birthday=_birthday(f),
        agreed_weekdays=_weekdays(f),
    )


def _birthday(f: _Fields) -> tuple[int, int] | None:
    value = f.text("birthday", required=False)
    if value is None:
        return None
    try:
        return parse_birthday(value)
    except ValueError:
        raise DoorDataError(f"{f.where}.birthday: expected month-day like 03-21") from None


def parse_birthday(text: str) -> tuple[int, int]:
    """ "MM-DD" → (month, day), the one reading of a birthday for the door and the server;
    ValueError when it is no day of a leap year (02-29 is a real birthday)."""
    found = _BIRTHDAY.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not MM-DD")
    month, day = int(found.group(1)), int(found.group(2))
    date(2000, month, day)  # raises ValueError for 02-30, 13-01, 00-10
    return month, day


def _weekdays(f: _Fields) -> frozenset[int]:
    value = f.raw.get("agreed_weekdays", [])
    if not isinstance(value, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in value
    ):
        raise DoorDataError(f"{f.where}.agreed_weekdays: expected weekdays 1 (Monday) to 7")
    return frozenset(value)


def _supervisor(f: _Fields) -> Supervisor:
    return Supervisor(id=f.need("id"), display_name=f.need("display_name"))


def _badge(f: _Fields) -> Badge:
    # sync/ never imports hardware/: the readers hand over uppercase hex, so the data
    # only has to be held to the same form.
    uid = f.need("uid").strip().upper().replace(":", "")
    if not _UID.match(uid):
        raise DoorDataError(f"{f.where}.uid: expected the badge UID in hex, like 04A1B2C3")
    holder = f.text("holder", required=False) or "participant"
    if holder not in ("participant", "supervisor"):
        raise DoorDataError(f"{f.where}.holder: expected participant or supervisor")
    return Badge(
        uid=uid,
        holder="participant" if holder == "participant" else "supervisor",
        holder_id=f.need("holder_id"),
        active=f.flag("active", True),
    )


def _task(f: _Fields) -> Task:
    day = f.day("day", required=True)
    assert day is not None
    return Task(
        day=day,
        text=f.need("text"),
        participant_id=f.text("participant_id", required=False),
        team=f.text("team", required=False),
        pictogram=f.text("pictogram", required=False),
        photo=f.text("photo", required=False),
    )


def _word(f: _Fields) -> WordOfTheDay:
    day = f.day("day", required=True)
    assert day is not None
    article = f.text("article", required=False)
    if article not in (None, "de", "het"):
        raise DoorDataError(f"{f.where}.article: expected de or het")
    translations = f.raw.get("translations", {})
    if not isinstance(translations, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in translations.items()
    ):
        raise DoorDataError(f"{f.where}.translations: expected language → text")
    return WordOfTheDay(
        day=day,
        word=f.need("word"),
        article="de" if article == "de" else "het" if article == "het" else None,
        # A word may come without an example sentence: "" is no sentence, not an error.
        sentence=(f.text("sentence", required=False) or "") if f.raw.get("sentence") else "",
        translations=dict(translations),
        symbol=f.text("symbol", required=False),
        pictogram=f.text("pictogram", required=False),
        photo=f.text("photo", required=False),
        voice=f.text("voice", required=False),
    )


def _each_with_place(data: Mapping[str, Any], key: str, parse: Any) -> list[tuple[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise DoorDataError(f"{key}: expected a list")
    return [(f"{key}[{i}]", parse(_Fields(f"{key}[{i}]", raw))) for i, raw in enumerate(items)]


def _each(data: Mapping[str, Any], key: str, parse: Any) -> list[Any]:
    return [item for _, item in _each_with_place(data, key, parse)]

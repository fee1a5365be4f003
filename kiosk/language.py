"""The kiosk's languages: Dutch first, and each participant's own language below it.

The .po catalogues under kiosk/locale are read at run time and compiled in memory (Babel
reads them, writes a .mo into a buffer, gettext loads that): a kiosk needs no build step,
and a translator's edit to a .po file is live at the next start. Dates, weekdays and
months come from Babel's CLDR data.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from babel import localedata
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk import phrase_fixes
from kiosk.phrases import DURATION
from sync.clock import WORKSHOP_TZ

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "prikklok"
DUTCH = "nl"


@dataclass(frozen=True)
class Language:
    """A language the kiosk can speak, and how it is written."""

    code: str
    english_name: str
    native_name: str
    direction: Literal["ltr", "rtl"]
    script: Literal["latin", "arabic", "ethiopic", "cyrillic"]


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("nl", "Dutch", "Nederlands", "ltr", "latin"),
        Language("en", "English", "English", "ltr", "latin"),
        Language("ar", "Arabic", "العربية", "rtl", "arabic"),
        Language("ti", "Tigrinya", "ትግርኛ", "ltr", "ethiopic"),
        Language("fa", "Persian (Farsi, Dari)", "فارسی", "rtl", "arabic"),
        Language("so", "Somali", "Soomaali", "ltr", "latin"),
        Language("uk", "Ukrainian", "Українська", "ltr", "cyrillic"),
        Language("tr", "Turkish", "Türkçe", "ltr", "latin"),
    )
}

# Dari readers read standard Persian, so Dari shares the Persian catalogue.
_ALIASES = {"prs": "fa", "fa-af": "fa", "ti-er": "ti", "per": "fa", "fas": "fa"}

# CLDR locale for dates: Tigrinya as written in Eritrea, where most of our readers are from.
_CLDR_LOCALE = {"ti": "ti_ER"}
# Date word order per language; Turkish puts the weekday after the day and month.
_LONG_DATE = {"tr": "d MMMM EEEE"}
_LONG_DATE_DEFAULT = "EEEE d MMMM"


def language(code: str | None) -> Language | None:
    """The kiosk language for a code like "ar", "fa-AF", "prs" or "ti_ER"; None if unknown."""
    if not code:
        return None
    key = code.strip().replace("_", "-").lower()
    base = _ALIASES.get(key, key).split("-")[0]  # region subtags: "ar-SY" is Arabic
    return LANGUAGES.get(_ALIASES.get(base, base))


class _Untranslated(Exception):
    """Raised by the fallback below: gettext found no translation."""


class _RaiseOnMissing(gettext.NullTranslations):
    """gettext's fallback hook, used to tell "no translation" apart from "same words"."""

    def gettext(self, message: str) -> str:
        raise _Untranslated(message)


@cache
def catalogue(code: str) -> gettext.GNUTranslations:
    """One language's catalogue, compiled in memory once per process."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        parsed = read_po(po, locale=code, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, parsed, use_fuzzy=False)  # a fuzzy entry is a guess: never show it
    mo.seek(0)
    translations = gettext.GNUTranslations(mo)
    translations.add_fallback(_RaiseOnMissing())
    return translations


def _lookup(code: str, msgid: str) -> str | None:
    if (fix := phrase_fixes.fixed(code, msgid)) is not None:  # the workshop's checked text
        return fix
    try:
        return catalogue(code).gettext(msgid)
    except _Untranslated:
        return None


def in_language(lang: str | None, msgid: str, **values: object) -> str | None:
    """The phrase in the participant's language, or None (the screen then shows Dutch only)."""
    known = language(lang)
    if known is None:
        return None
    text = _lookup(known.code, msgid)
    return None if text is None else text.format(**values)


def dutch(msgid: str, **values: object) -> str:
    """The phrase in Dutch, the kiosk's language; KeyError if the Dutch catalogue lacks it."""
    text = _lookup(DUTCH, msgid)
    if text is None:
        raise KeyError(f"no Dutch translation for {msgid!r}")
    return text.format(**values)


def translate(lang: str | None, msgid: str, **values: object) -> str:
    """The phrase in `lang` if translated, else in Dutch."""
    found = in_language(lang, msgid, **values)
    return found if found is not None else dutch(msgid, **values)


# Digits: Babel's dates already use 0-9 for ar and fa, and the kiosk formats every other
# number itself with str(). Western digits on purpose: the Dutch lines above use them,
# times must read the same in both lines, and our Afghan and Iranian participants learn
# them first thing at work (their phones show them too).


def _cldr(lang: str | None) -> str:
    known = language(lang)
    code = known.code if known is not None else DUTCH
    return _CLDR_LOCALE.get(code, code)


@dataclass(frozen=True)
class _Calendar:
    weekdays: tuple[str, ...]  # Monday first, as written mid-sentence
    months: tuple[str, ...]  # January first, as written after a day number
    long_date: str  # "{weekday} {day} {month}", in the language's order


@cache
def _calendar(locale: str) -> _Calendar:
    """The few names the kiosk shows, read once from Babel's CLDR data.

    Babel keeps a language's whole locale data (about a megabyte) once loaded; a kiosk
    that greets in eight languages keeps just these 19 names of each, and lets it go.
    """
    monday = date(2024, 1, 1)  # a Monday
    weekdays = tuple(
        format_date(monday + timedelta(days=n), "EEEE", locale=locale) for n in range(7)
    )
    months = tuple(format_date(date(2024, m, 1), "MMMM", locale=locale) for m in range(1, 13))
    pattern = _LONG_DATE.get(locale.split("_")[0], _LONG_DATE_DEFAULT)
    # "d" first: the names put in for the other two contain a "d" themselves.
    long = pattern.replace("d", "{day}").replace("MMMM", "{month}").replace("EEEE", "{weekday}")
    # Both of Babel's caches: since 2.19 it keeps a second one (`_dict_cache`), and
    # clearing the first alone kept every language's data — 10 MiB for eight languages.
    localedata.clear_caches()
    return _Calendar(weekdays, months, long)


def weekday_name(day: date, lang: str | None) -> str:
    """The weekday in `lang` as written mid-sentence ("maandag", "Monday"); Dutch if unknown."""
    return _calendar(_cldr(lang)).weekdays[day.weekday()]


def long_date(day: date, lang: str | None) -> str:
    """Weekday, day and month in `lang`: "zaterdag 28 november"; Dutch if unknown."""
    names = _calendar(_cldr(lang))
    return names.long_date.format(
        weekday=names.weekdays[day.weekday()], day=day.day, month=names.months[day.month - 1]
    )


def clock_time(moment: datetime, lang: str | None = None) -> str:
    """The workshop's wall-clock time, "08:58": 24-hour, as on every clock in the building.

    `lang` is accepted for symmetry and ignored: the Dutch line and the participant's line
    must show the same time.
    """
    if moment.tzinfo is None:
        raise ValueError("clock_time needs an aware datetime (storage is UTC)")
    return moment.astimezone(WORKSHOP_TZ).strftime("%H:%M")


def duration(worked: timedelta, lang: str | None) -> str:
    """Hours and minutes worked, "6 uur 30 min", in `lang` (Dutch if not translated)."""
    minutes = max(0, int(worked.total_seconds() // 60))
    return translate(lang, DURATION, hours=minutes // 60, minutes=minutes % 60)

"""The catalogues and the language helpers: every phrase translated, dates from CLDR."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from kiosk import phrases
from kiosk.language import (
    LANGUAGES,
    LOCALE_DIR,
    catalogue,
    clock_time,
    duration,
    dutch,
    in_language,
    language,
    long_date,
    translate,
    weekday_name,
)
from kiosk.script import script_of

ALL = sorted(LANGUAGES)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "languages.md"
# English msgids are English: there a translation may equal its msgid. In Dutch only
# these words are the same as in English.
SAME_AS_MSGID = {"nl": {phrases.ONLINE, phrases.OFFLINE, phrases.KIOSK_ID}}


@cache
def po(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "prikklok.po").open("rb") as f:
        return read_po(f)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def translated(lang: str, msgid: str) -> str:
    message = po(lang).get(msgid)
    assert message is not None, f"{lang}: {msgid!r} missing"
    assert not message.fuzzy, f"{lang}: {msgid!r} is fuzzy"
    assert isinstance(message.string, str)
    return message.string


def test_languages_are_the_eight_the_workshop_needs() -> None:
    assert set(LANGUAGES) == {"nl", "en", "ar", "ti", "fa", "so", "uk", "tr"}


def test_phrase_groups_hold_every_phrase_once() -> None:
    constants = {v for k, v in vars(phrases).items() if k.isupper() and isinstance(v, str)}
    assert set(phrases.PARTICIPANT).isdisjoint(phrases.KIOSK)
    assert constants == set(phrases.PARTICIPANT) | set(phrases.KIOSK)
    assert len(phrases.PARTICIPANT) + len(phrases.KIOSK) == len(constants)


@pytest.mark.parametrize("lang", ALL)
def test_catalogue_translates_every_participant_phrase(lang: str) -> None:
    for msgid in phrases.PARTICIPANT:
        text = translated(lang, msgid)
        assert text.strip(), f"{lang}: {msgid!r} is empty"
        assert lang == "en" or text != msgid, f"{lang}: {msgid!r} left in English"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_catalogue_translates_every_kiosk_phrase(lang: str) -> None:
    for msgid in phrases.KIOSK:
        text = translated(lang, msgid)
        assert text.strip(), f"{lang}: {msgid!r} is empty"
        same = lang == "en" or msgid in SAME_AS_MSGID.get(lang, set())
        assert same or text != msgid, f"{lang}: {msgid!r} left in English"


@pytest.mark.parametrize("lang", ALL)
def test_catalogue_keeps_placeholders(lang: str) -> None:
    for message in po(lang):
        if message.id and message.string:
            assert placeholders(message.string) == placeholders(str(message.id)), message.id


@pytest.mark.parametrize("lang", ALL)
def test_catalogue_has_no_stale_msgids(lang: str) -> None:
    known = set(phrases.PARTICIPANT) | set(phrases.KIOSK)
    assert {str(m.id) for m in po(lang) if m.id} <= known


@pytest.mark.parametrize("lang", ALL)
def test_catalogue_header_names_language_and_plurals(lang: str) -> None:
    headers = dict(po(lang).mime_headers)
    assert headers["Language"] == lang
    assert headers["Plural-Forms"].startswith("nplurals=")
    assert "charset=utf-8" in headers["Content-Type"].lower()


@pytest.mark.parametrize("lang", ALL)
def test_participant_phrases_are_written_in_the_language_script(lang: str) -> None:
    for msgid in phrases.PARTICIPANT:
        text = re.sub(r"\{\w+\}", "", translated(lang, msgid))
        assert script_of(text) == LANGUAGES[lang].script, (lang, text)


@pytest.mark.parametrize("lang", [code for code in ALL if code != "en"])
def test_docs_review_table_shows_every_participant_translation(lang: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for msgid in phrases.PARTICIPANT:
        assert translated(lang, msgid) in docs, (lang, msgid)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ar", "ar"),
        ("prs", "fa"),
        ("fa-AF", "fa"),
        ("fa_AF", "fa"),
        ("ti-ER", "ti"),
        ("ar-SY", "ar"),
        ("NL", "nl"),
        ("xx", None),
        ("", None),
        (None, None),
    ],
)
def test_language_resolves_codes_and_aliases(code: str | None, expected: str | None) -> None:
    found = language(code)
    assert (found.code if found else None) == expected


def test_in_language_formats_the_translation() -> None:
    assert in_language("ar", phrases.WELCOME, name="Amal") == "أهلاً وسهلاً، Amal!"


def test_in_language_gives_english_even_where_it_equals_the_msgid() -> None:
    assert in_language("en", phrases.WELCOME, name="Amal") == "Welcome, Amal!"


@pytest.mark.parametrize("lang", ["ar", "xx", None])
def test_in_language_is_none_without_a_translation(lang: str | None) -> None:
    assert in_language(lang, phrases.EVACUATION_LIST) is None


@pytest.mark.parametrize("msgid", phrases.PARTICIPANT + phrases.KIOSK)
def test_dutch_has_every_phrase(msgid: str) -> None:
    values = dict.fromkeys(placeholders(msgid), "X")
    assert dutch(msgid, **values)


def test_dutch_raises_for_an_unknown_msgid() -> None:
    with pytest.raises(KeyError):
        dutch("Not a phrase")


def test_translate_falls_back_to_dutch() -> None:
    assert translate("so", phrases.CLOSE) == "Sluiten"
    assert translate("so", phrases.YES) == "Haa"


def test_catalogue_is_compiled_once_per_language() -> None:
    assert catalogue("fa") is catalogue("fa")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", "maandag"), ("en", "Monday"), ("ar", "الاثنين"), ("ti", "ሰኑይ"), ("xx", "maandag")],
)
def test_weekday_name_comes_from_cldr(lang: str, expected: str) -> None:
    assert weekday_name(date(2026, 11, 30), lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", "zaterdag 28 november"), ("tr", "28 Kasım Cumartesi"), ("uk", "субота 28 листопада")],
)
def test_long_date_reads_naturally(lang: str, expected: str) -> None:
    assert long_date(date(2026, 11, 28), lang) == expected


@pytest.mark.parametrize("lang", ALL)
def test_dates_and_durations_use_western_digits(lang: str) -> None:
    text = long_date(date(2026, 11, 28), lang) + duration(timedelta(hours=7, minutes=45), lang)
    assert "28" in text and "45" in text
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", text)


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 7, 1, 6, 58, tzinfo=UTC), datetime(2026, 1, 5, 7, 58, tzinfo=UTC)],
)
def test_clock_time_is_workshop_time_summer_and_winter(moment: datetime) -> None:
    assert clock_time(moment, "ar") == "08:58"


def test_clock_time_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        clock_time(datetime(2026, 7, 1, 8, 58))


@pytest.mark.parametrize(
    ("worked", "lang", "expected"),
    [
        (timedelta(hours=6, minutes=5), "nl", "6 uur 5 min"),
        (timedelta(hours=6, minutes=5), "tr", "6 saat 5 dakika"),
        (timedelta(minutes=-3), "nl", "0 uur 0 min"),
        (timedelta(hours=1), "xx", "1 uur 0 min"),
    ],
)
def test_duration_uses_the_duration_phrase(worked: timedelta, lang: str, expected: str) -> None:
    assert duration(worked, lang) == expected


def test_the_door_keeps_only_the_names_not_babels_locale_data() -> None:
    """A door greeting in eight languages keeps 19 names of each, not Babel's megabyte of
    locale data per language: both of Babel's caches are empty after the names are read
    (Babel 2.19 added a second one; clearing only the first kept 10 MiB)."""
    from datetime import date

    from babel import localedata

    from kiosk.language import LANGUAGES, _calendar, long_date, weekday_name

    _calendar.cache_clear()
    for code in LANGUAGES:
        assert weekday_name(date(2026, 12, 7), code) and long_date(date(2026, 12, 7), code)
    assert not localedata._cache and not getattr(localedata, "_dict_cache", {})

"""The workshop's translations as the Vertalingen page keeps them: per language, each
phrase's current text (the workshop's fix, or the catalogue's), its back-translation and
its native speaker's check; the fixes the doors get in their snapshot; the checks of the
words of the day. Every change is in the audit log.

A fix must keep the msgid's placeholders (sync.fixed_phrases): one that drops, adds or
changes one is refused with the reason, before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, select

from server.administration.audit import changed
from server.administration.catalogues import (
    CatalogueLanguage,
    about,
    language_codes,
    phrases,
)
from server.administration.staff_sessions import Viewer
from server.db import writing
from server.schema import phrase_fixes, word_checks, words
from server.sql import upsert
from sync.fixed_phrases import check_fix

WORDS_BACK = timedelta(days=14)  # a word of last fortnight can still be checked


class UnknownPhrase(LookupError):
    """Not a phrase the door shows in that language."""


@dataclass(frozen=True)
class Phrase:
    """One phrase of a language as the page shows it."""

    msgid: str
    name: str
    dutch: str
    catalogue: str  # the catalogue's text ("" if it has none)
    text: str  # what the door shows: the fix, else the catalogue's
    fixed: bool
    back_translation: str
    checked_by: str | None  # None: not checked, or checked before the text changed
    checked_at: datetime | None


@dataclass(frozen=True)
class LanguageSummary:
    language: CatalogueLanguage
    phrases: int
    checked: int
    fixed: int
    words: int
    words_checked: int


@dataclass(frozen=True)
class WordTranslation:
    """A word of the day's meaning in one language, and its check."""

    site_id: str
    day: date
    word: str
    article: str | None
    text: str
    checked_by: str | None
    checked_at: datetime | None


def _stored(conn: Connection, code: str) -> dict[str, Any]:
    rows = conn.execute(select(phrase_fixes).where(phrase_fixes.c.language == code))
    return {row.msgid: row for row in rows}


def language_phrases(engine: Engine, code: str) -> list[Phrase]:
    """Every phrase of `code`'s catalogue, as the door shows it now."""
    with engine.connect() as conn:
        stored = _stored(conn, code)
    shown = []
    for entry in phrases(code):
        row = stored.get(entry.msgid)
        text = row.text if row is not None and row.text is not None else entry.text
        checked = row if row is not None and row.checked_text == text else None
        shown.append(
            Phrase(
                msgid=entry.msgid,
                name=entry.name,
                dutch=entry.dutch,
                catalogue=entry.text,
                text=text,
                fixed=row is not None and row.text is not None,
                back_translation=(row.back_translation or "") if row is not None else "",
                checked_by=checked.checked_by if checked is not None else None,
                checked_at=checked.checked_at if checked is not None else None,
            )
        )
    return shown


def known_language(code: str) -> CatalogueLanguage | None:
    return about(code) if code in language_codes() else None


def summaries(engine: Engine, today: date) -> list[LanguageSummary]:
    """Per language: how many phrases are checked and fixed, and its words' checks."""
    result = []
    for code in language_codes():
        shown = language_phrases(engine, code)
        meanings = word_translations(engine, code, today)
        result.append(
            LanguageSummary(
                language=about(code),
                phrases=len(shown),
                checked=sum(p.checked_by is not None for p in shown),
                fixed=sum(p.fixed for p in shown),
                words=len(meanings),
                words_checked=sum(w.checked_by is not None for w in meanings),
            )
        )
    return result


def save_phrase(
    engine: Engine,
    viewer: Viewer,
    code: str,
    msgid: str,
    text: str,
    back_translation: str,
    checked: bool,
    now: datetime,
) -> list[str]:
    """Store a phrase as the page sends it; the fields that changed (audited).

    `text` equal to the catalogue's (or empty) takes the fix away. `checked`: the viewer
    signs the text as checked by a native speaker. PlaceholderError when `text` does not
    keep the msgid's placeholders; UnknownPhrase for a msgid the door does not show.
    """
    entry = next((p for p in phrases(code) if p.msgid == msgid), None)
    if entry is None:
        raise UnknownPhrase(msgid)
    text = text.strip()
    fix = None if text in ("", entry.text) else text
    if fix is not None:
        check_fix(msgid, fix)
    with writing(engine) as conn:
        return _store(conn, viewer, entry.text, code, msgid, fix, back_translation, checked, now)


def _store(
    conn: Connection,
    viewer: Viewer,
    catalogue: str,
    code: str,
    msgid: str,
    fix: str | None,
    back_translation: str,
    checked: bool,
    now: datetime,
) -> list[str]:
    row = _stored(conn, code).get(msgid)
    shown = fix if fix is not None else catalogue
    was_checked = row is not None and row.checked_text is not None and row.checked_text == shown
    before = {
        "text": row.text if row is not None else None,
        "back_translation": (row.back_translation or "") if row is not None else "",
        "checked": was_checked,
    }
    # One line: it travels as a .po comment, where a line break would end it.
    back = " ".join(back_translation.split())
    after = {"text": fix, "back_translation": back, "checked": checked}
    fields = [k for k in after if after[k] != before[k]]
    if not fields:
        return []
    values: dict[str, Any] = {
        "language": code,
        "msgid": msgid,
        "text": fix,
        "back_translation": after["back_translation"] or None,
        "changed_by": viewer.actor,
        "changed_at": now,
    }
    if checked and not was_checked:
        values |= {"checked_text": shown, "checked_by": viewer.display_name, "checked_at": now}
    elif not checked:
        values |= {"checked_text": None, "checked_by": None, "checked_at": None}
    upsert(conn, phrase_fixes, ["language", "msgid"], values)
    detail = {"language": code, "msgid": msgid, "fields": fields}
    changed(conn, viewer, "translation", None, detail, now)
    return fields


def door_fixes(conn: Connection) -> dict[str, dict[str, str]]:
    """language → msgid → text: the fixes every door shows instead of its catalogue's."""
    fixes: dict[str, dict[str, str]] = {}
    rows = conn.execute(
        select(phrase_fixes.c.language, phrase_fixes.c.msgid, phrase_fixes.c.text)
        .where(phrase_fixes.c.text.is_not(None))
        .order_by(phrase_fixes.c.language, phrase_fixes.c.msgid)
    )
    for row in rows:
        fixes.setdefault(row.language, {})[row.msgid] = row.text
    return fixes


# --- the words of the day --------------------------------------------------------------


def word_translations(engine: Engine, code: str, today: date) -> list[WordTranslation]:
    """The words of every site from a fortnight ago on that have a meaning in `code`."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(words, word_checks.c.checked_text, word_checks.c.checked_by,
                   word_checks.c.checked_at)
            .outerjoin(word_checks, and_(word_checks.c.site_id == words.c.site_id,
                                         word_checks.c.day == words.c.day,
                                         word_checks.c.language == code))
            .where(words.c.day >= today - WORDS_BACK)
            .order_by(words.c.day, words.c.site_id)
        ).all()  # fmt: skip
    found = []
    for row in rows:
        text = (row.translations or {}).get(code)
        if not text:
            continue
        checked = row.checked_text == text
        found.append(
            WordTranslation(
                site_id=row.site_id,
                day=row.day,
                word=row.word,
                article=row.article,
                text=text,
                checked_by=row.checked_by if checked else None,
                checked_at=row.checked_at if checked else None,
            )
        )
    return found


def check_word(
    engine: Engine,
    viewer: Viewer,
    code: str,
    site_id: str,
    day: date,
    checked: bool,
    now: datetime,
) -> bool:
    """Mark (or unmark) a word's meaning in `code` as checked; False if there is none."""
    with writing(engine) as conn:
        row = conn.execute(
            select(words.c.translations).where(words.c.site_id == site_id, words.c.day == day)
        ).first()
        text = (row.translations or {}).get(code) if row is not None else None
        if not text:
            return False
        key = {"site_id": site_id, "day": day, "language": code}
        if checked:
            signed = {"checked_text": text, "checked_by": viewer.display_name, "checked_at": now}
            upsert(conn, word_checks, ["site_id", "day", "language"], key | signed)
        else:
            conn.execute(
                delete(word_checks).where(
                    word_checks.c.site_id == site_id,
                    word_checks.c.day == day,
                    word_checks.c.language == code,
                )
            )
        detail = {"language": code, "site_id": site_id, "day": day.isoformat(),
                  "checked": checked}  # fmt: skip
        changed(conn, viewer, "word_check", None, detail, now)
    return True

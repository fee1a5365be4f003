"""A language's translations as a .po file, out and back in, so a translator can work in
Poedit or Weblate: each phrase's current text, its back-translation as a translator's
comment, and the native speaker's check as the absence of the fuzzy flag.

Exported and imported unchanged, a file changes nothing. On import a changed text becomes
the workshop's fix (refused, with the reason, when it breaks a placeholder), an entry
un-fuzzied is checked by the one who imports it, and one made fuzzy loses its check.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from sqlalchemy import Engine

from server.administration.catalogues import DOMAIN, about
from server.administration.staff_sessions import Viewer
from server.administration.translations import (
    UnknownPhrase,
    language_phrases,
    save_phrase,
)
from sync.fixed_phrases import PlaceholderError

BACK = "terugvertaling: "  # the translator's comment that holds the back-translation
CHECKED = "gecontroleerd door "  # and the one that says who checked it


class NotThisLanguage(ValueError):
    """A file for another language than the page's, or no .po file at all."""


@dataclass
class Imported:
    changed: int = 0  # phrases stored with a change
    refused: list[tuple[str, str]] = field(default_factory=list)  # (msgid, reason)
    unknown: list[str] = field(default_factory=list)  # msgids the door does not show


def export_po(engine: Engine, code: str, now: datetime) -> bytes:
    """The language's phrases as the door shows them now, as a .po file."""
    language = about(code)
    catalog = Catalog(
        locale=code,
        domain=DOMAIN,
        project="prikklok",
        version="werkplaats",
        creation_date=now,
        revision_date=now,
        copyright_holder="the workshop",
        last_translator="prikklok, Vertalingen",
        language_team=language.name,
        fuzzy=False,
    )
    for phrase in language_phrases(engine, code):
        comments = [f"{BACK}{phrase.back_translation}"] if phrase.back_translation else []
        if phrase.checked_by is not None:
            comments.append(f"{CHECKED}{phrase.checked_by}")
        flags = ["python-brace-format"] if "{" in phrase.msgid else []
        if phrase.checked_by is None:
            flags.append("fuzzy")  # not checked by a native speaker yet
        catalog.add(
            phrase.msgid,
            phrase.text,
            auto_comments=[f"{phrase.name} — NL: {phrase.dutch}"],
            user_comments=comments,
            flags=flags,
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, sort_output=False)
    return out.getvalue()


def import_po(engine: Engine, viewer: Viewer, code: str, data: bytes, now: datetime) -> Imported:
    """Store what a translator changed in an exported file; each phrase on its own, so one
    refused phrase keeps none of the others from being stored."""
    try:
        catalog = read_po(io.BytesIO(data), locale=code, domain=DOMAIN)
    except Exception as error:  # Babel raises a mix of errors for what is not a .po file
        raise NotThisLanguage(f"dit is geen .po-bestand dat te lezen is ({error})") from None
    header = dict(catalog.mime_headers).get("Language")
    if header and header.replace("-", "_").split("_")[0] != code:
        raise NotThisLanguage(f"dit bestand is voor taal {header}, niet voor {code}")
    current = {p.msgid: p for p in language_phrases(engine, code)}
    result = Imported()
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        phrase = current.get(message.id)
        if phrase is None:
            result.unknown.append(message.id)
            continue
        text = message.string if isinstance(message.string, str) else ""
        back = _comment(message.user_comments, BACK)
        try:
            if save_phrase(engine, viewer, code, message.id, text or phrase.text, back,
                           not message.fuzzy, now):  # fmt: skip
                result.changed += 1
        except PlaceholderError as error:
            result.refused.append((message.id, str(error)))
        except UnknownPhrase:
            result.unknown.append(message.id)
    return result


def _comment(comments: list[str], prefix: str) -> str:
    """The comment that starts with `prefix`, without it; "" when there is none."""
    for comment in comments:
        if comment.startswith(prefix):
            return comment[len(prefix) :]
    return ""

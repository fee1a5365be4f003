"""The kiosk's gettext catalogues as the Vertalingen page reads them: per language, every
phrase the door can show in it, with the Dutch source and the catalogue's text.

The server never imports kiosk/ (docs/design.md, the layers): it reads the same .po files
the door compiles (kiosk/locale, installed as package data beside server/) with Babel, as
data. A participant's language shows the participant phrases; Dutch, the door's language,
shows every phrase. English is the msgids' own language and has nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "kiosk" / "locale"
DOMAIN = "prikklok"
DUTCH = "nl"
SOURCE = "en"  # the msgids are English; its catalogue repeats them


@dataclass(frozen=True)
class CataloguePhrase:
    """One phrase of a language's catalogue."""

    msgid: str
    name: str  # the constant in kiosk/phrases.py, e.g. WELCOME
    participant: bool  # shown in the participant's own language (else Dutch only)
    dutch: str  # the Dutch source the door shows above it
    text: str  # the catalogue's translation; "" when it has none


@dataclass(frozen=True)
class CatalogueLanguage:
    code: str
    name: str  # in Dutch, for the page: "Tigrinya", "Arabisch"
    native: str  # in itself: "ትግርኛ"
    rtl: bool


def language_codes(directory: Path = CATALOGUE_DIR) -> list[str]:
    """The languages with a catalogue the workshop checks: Dutch first, no English."""
    found = sorted(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    codes = [c for c in found if c not in (DUTCH, SOURCE)]
    return ([DUTCH] if DUTCH in found else []) + codes


def about(code: str) -> CatalogueLanguage:
    """A language's names and direction, from Babel's CLDR data."""
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return CatalogueLanguage(code, code, code, False)
    return CatalogueLanguage(
        code=code,
        name=(locale.get_display_name(DUTCH) or code),
        native=(locale.get_display_name() or code),
        rtl=locale.character_order == "right-to-left",
    )


def _read(code: str, directory: Path) -> list[tuple[str, str, str]]:
    """(msgid, auto comment, msgstr) of each entry; a fuzzy entry counts as untranslated,
    as at the door."""
    path = directory / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    entries = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue  # the header, or a plural entry (the kiosk has none)
        text = "" if message.fuzzy or not isinstance(message.string, str) else message.string
        entries.append((message.id, " ".join(message.auto_comments), text))
    return entries


@cache
def phrases(code: str, directory: Path = CATALOGUE_DIR) -> tuple[CataloguePhrase, ...]:
    """Every phrase the door can show in `code`, in the catalogue's order."""
    dutch = {msgid: text for msgid, _, text in _read(DUTCH, directory)}
    shown = []
    for msgid, comment, text in _read(code, directory):
        name, _, group = comment.partition(" (")
        participant = group.startswith("participant")
        if code != DUTCH and not participant:
            continue  # the supervisors' screens and the chrome are Dutch only
        shown.append(CataloguePhrase(msgid, name or msgid, participant, dutch.get(msgid, ""), text))
    return tuple(shown)

"""The workshop's fixes to the kiosk's translations: the placeholder rule both ends hold,
and the fixes' shape in the door data.

A phrase is a gettext msgid with `{named}` placeholders for str.format (kiosk/phrases.py).
A translation must keep exactly the placeholders of its msgid: one dropped leaves out a
name or a time, one added or renamed makes str.format fail at the door. The server refuses
such a fix with the reason; the door refuses door data that carries one.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

MAX_FIX_LENGTH = 500  # a phrase on a screen; longer is a paste gone wrong


class PlaceholderError(ValueError):
    """A translation whose placeholders are not its msgid's; the message says which."""


def placeholders(text: str) -> frozenset[str]:
    """The `{named}` placeholders of a phrase, as written ("{name}", "{time}").

    ValueError (from str.format's own parser) for a lone "{" or "}".
    """
    found = set()
    for _, field, spec, conversion in Formatter().parse(text):
        if field is not None:
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            found.add("{" + shown + "}")
    return frozenset(found)


def placeholder_problem(msgid: str, text: str) -> str | None:
    """Why `text` cannot stand for `msgid` (in Dutch, for the page), or None when it can."""
    try:
        wanted, written = placeholders(msgid), placeholders(text)
    except ValueError:
        return "Een accolade { of } staat alleen: schrijf een plaatshouder als {naam}."
    if not text.strip():
        return "De vertaling is leeg."
    missing = sorted(wanted - written)
    extra = sorted(written - wanted)
    if missing and extra:
        return (
            f"De vertaling verandert {', '.join(missing)} in {', '.join(extra)}: "
            "een plaatshouder blijft zoals hij is."
        )
    if missing:
        return f"De vertaling mist {', '.join(missing)}: de kiosk vult daar iets in."
    if extra:
        return (
            f"De vertaling heeft {', '.join(extra)}, dat de bron niet heeft: "
            "de kiosk kan het niet invullen."
        )
    return None


def check_fix(msgid: str, text: str) -> None:
    """Raise PlaceholderError when `text` cannot stand for `msgid`."""
    problem = placeholder_problem(msgid, text)
    if problem is not None:
        raise PlaceholderError(problem)
    if len(text) > MAX_FIX_LENGTH:
        raise PlaceholderError(f"De vertaling is langer dan {MAX_FIX_LENGTH} tekens.")


def parse_fixes(raw: Any, where: str = "phrase_fixes") -> dict[str, dict[str, str]]:
    """language → msgid → text, from the door data; ValueError naming the bad place."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected language → phrases")
    fixes: dict[str, dict[str, str]] = {}
    for lang, phrases in raw.items():
        if not isinstance(lang, str) or not isinstance(phrases, Mapping):
            raise ValueError(f"{where}.{lang}: expected msgid → text")
        fixes[lang] = {}
        for msgid, text in phrases.items():
            if not isinstance(msgid, str) or not isinstance(text, str):
                raise ValueError(f"{where}.{lang}[{msgid!r}]: expected text")
            try:
                check_fix(msgid, text)
            except PlaceholderError as error:
                raise ValueError(f"{where}.{lang}[{msgid!r}]: {error}") from None
            fixes[lang][msgid] = text
    return fixes

"""The workshop's fixes to the catalogues' translations, as the door uses them now.

The fixes come in the door data (sync.roster.DoorData.phrase_fixes, from the server's
Vertalingen page); the door hands them over here whenever it takes new door data, and
kiosk.language looks a phrase up here before it asks the catalogue. One mapping, replaced
whole: a reader on another thread sees the old fixes or the new ones, never half.
"""

from __future__ import annotations

from collections.abc import Mapping

_in_use: Mapping[str, Mapping[str, str]] = {}


def use(fixes: Mapping[str, Mapping[str, str]]) -> None:
    """From now on, show these fixes (language → msgid → text) instead of the catalogue's."""
    global _in_use
    _in_use = {lang: dict(phrases) for lang, phrases in fixes.items()}


def fixed(code: str, msgid: str) -> str | None:
    """The workshop's text for `msgid` in `code`, or None: the catalogue's then."""
    return _in_use.get(code, {}).get(msgid)

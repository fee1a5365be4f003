"""The pictogram set: pictures a plan puts beside a task or a word, and their Dutch words.

One set for both ends, like the protocol: the planning page offers and checks names from
it, the snapshot carries a name, the door draws the picture. Pictures before words: a
participant who reads little Dutch knows the bike and the broom at a glance.

The pictures are OpenMoji's (CC BY-SA 4.0, LICENSE.txt beside this file), as PNGs the size
the door draws them; the Dutch search words are CLDR's annotations (from emojibase-data)
and our own. scripts/pictograms/make.py makes this folder from the pinned npm packages.

The door only asks whether a name has a picture (`picture`), a file lookup: it never loads
the catalogue. A name it does not know (a newer plan, a typo in a door-data file) has no
picture, and the door draws nothing for it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
PICTURES = FOLDER / "png"
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # "fiets", "handen-wassen"
NAME_LENGTH = 64


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    group: str  # the section of choice.txt: "gereedschap", "keuken en eten", …
    keywords: tuple[str, ...]  # Dutch, lower case without accents
    openmoji: str = ""  # the picture's OpenMoji hexcode, e.g. "1F6B2"

    @property
    def label(self) -> str:
        return self.name.replace("-", " ")


@lru_cache(maxsize=256)
def picture(name: str | None) -> Path | None:
    """The PNG of `name`, or None for no name or a name the set does not have."""
    if not name or len(name) > NAME_LENGTH or not NAME.match(name):
        return None
    path = PICTURES / f"{name}.png"
    return path if path.is_file() else None


@cache
def catalogue() -> dict[str, CatalogueEntry]:
    """Every pictogram by name, in the picker's order."""
    data = json.loads((FOLDER / "catalogue.json").read_text("utf-8"))
    return {
        p["name"]: CatalogueEntry(p["name"], p["group"], tuple(p["keywords"]), p["openmoji"])
        for p in data["pictograms"]
    }


def known(name: str) -> bool:
    return name in catalogue()


def fold(text: str) -> str:
    """Lower case without accents, as the keywords are stored: 'Maïs' finds 'mais'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(query: str, limit: int = 30) -> list[CatalogueEntry]:
    """Pictograms whose Dutch words start with every word of `query`, best first: the name
    itself, then a name that starts so, then a keyword that is the word, then the rest."""
    wanted = fold(query).split()
    if not wanted:
        return []
    ranked: list[tuple[int, int, CatalogueEntry]] = []
    for order, pictogram in enumerate(catalogue().values()):
        words = [w for keyword in pictogram.keywords for w in re.split(r"[\s-]+", keyword)]
        if not all(any(w.startswith(part) for w in words) for part in wanted):
            continue
        phrase = " ".join(wanted)
        if pictogram.label == phrase:
            rank = 0
        elif pictogram.label.startswith(phrase):
            rank = 1
        elif phrase in pictogram.keywords:
            rank = 2
        else:
            rank = 3
        ranked.append((rank, order, pictogram))
    ranked.sort(key=lambda found: found[:2])
    return [pictogram for *_, pictogram in ranked[:limit]]

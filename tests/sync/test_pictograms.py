"""The pictogram set both ends share: every name has its picture at the door's size, the
Dutch search finds workshop words, and a name the set lacks has no picture."""

from __future__ import annotations

from datetime import date

import pytest
from PIL import Image

from sync.pictograms import FOLDER, NAME, catalogue, known, picture, search
from sync.roster import DoorData


def test_every_pictogram_has_its_picture_at_the_doors_size() -> None:
    names = list(catalogue())
    assert 300 <= len(names) <= 500 and len(set(names)) == len(names)
    for name in names:
        assert NAME.match(name), name
        path = picture(name)
        assert path is not None, name
        with Image.open(path) as image:
            assert image.size == (128, 128), name
    assert {p.name for p in (FOLDER / "png").iterdir()} == {f"{n}.png" for n in names}


def test_the_set_carries_its_licence() -> None:
    licence = (FOLDER / "LICENSE.txt").read_text("utf-8")
    assert licence.startswith("Attribution-ShareAlike 4.0 International")


@pytest.mark.parametrize(
    ("query", "first", "also"),
    [
        ("fiets", "fiets", {"fietser", "wiel"}),
        ("Koffie", "koffie", {"koffiezetapparaat"}),
        ("schoonmaken", "bezem", {"spons", "emmer"}),
        ("maïs", "mais", set()),  # accents do not matter
        ("handen wassen", "handen-wassen", set()),  # every word must match
        ("veg", "bezem", {"trap-vegen"}),  # as you type: the start of a word
    ],
)
def test_search_finds_by_dutch_words(query: str, first: str, also: set[str]) -> None:
    found = [p.name for p in search(query)]
    assert found[0] == first and also <= set(found)


def test_search_without_a_match_or_a_query_finds_nothing() -> None:
    assert search("vliegende schotel") == [] and search("   ") == []


@pytest.mark.parametrize("name", ["vliegende-schotel", "", "../png/fiets", "FIETS", "x" * 65])
def test_a_name_the_set_lacks_has_no_picture(name: str) -> None:
    assert picture(name) is None and not known(name)


def test_door_data_keeps_the_pictogram_and_older_data_has_none() -> None:
    day = date(2026, 11, 24).isoformat()
    tasks = [{"day": day, "text": "Fietsen", "pictogram": "fiets"}, {"day": day, "text": "Vegen"}]
    words = [{"day": day, "word": "hamer", "pictogram": "hamer"}]
    data = DoorData.from_dict({"tasks": tasks, "words": words})
    again = DoorData.from_dict(data.to_dict())
    assert [t.pictogram for t in again.tasks] == ["fiets", None]
    assert again.words[0].pictogram == "hamer"


def test_the_set_is_what_the_choice_list_says() -> None:
    """scripts/pictograms/choice.txt changed without running make.py shows here."""
    choice = FOLDER.parents[1] / "scripts" / "pictograms" / "choice.txt"
    lines = [line.split("|")[0].split() for line in choice.read_text("utf-8").splitlines()]
    chosen = [(words[1], words[0]) for words in lines if words and not words[0].startswith("#")]
    assert [(p.name, p.openmoji) for p in catalogue().values()] == chosen

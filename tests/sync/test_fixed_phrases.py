"""A fixed translation keeps its msgid's placeholders, at the server and at the door."""

from __future__ import annotations

import pytest

from sync.fixed_phrases import PlaceholderError, check_fix, placeholder_problem, placeholders
from sync.roster import DoorData, DoorDataError

WELCOME = "Welcome, {name}!"
TOO_SOON = "You checked in at {time}. Do you want to leave?"


def test_placeholders_are_found_as_written() -> None:
    assert placeholders("{hours} h {minutes} min") == {"{hours}", "{minutes}"}
    assert placeholders("Listen") == frozenset()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("እንቋዕ ብደሓን መጻእኩም!", "mist {name}"),  # dropped
        ("እንቋዕ ብደሓን መጻእኩም፣ {name} {time}!", "heeft {time}"),  # added
        ("እንቋዕ ብደሓን መጻእኩም፣ {naam}!", "verandert {name} in {naam}"),  # changed
        ("እንቋዕ ብደሓን መጻእኩም፣ {name!", "accolade"),  # a brace left open
        ("   ", "leeg"),
    ],
)
def test_a_broken_placeholder_is_refused_with_the_reason(text: str, says: str) -> None:
    problem = placeholder_problem(WELCOME, text)
    assert problem is not None and says in problem
    with pytest.raises(PlaceholderError, match=says.replace("{", r"\{").replace("}", r"\}")):
        check_fix(WELCOME, text)


@pytest.mark.parametrize(
    "text", ["{name}، أهلاً وسهلاً!", "እንቋዕ ብደሓን መጻእኩም፣ {name}!", "{name}, {name}!"]
)
def test_a_translation_may_move_or_repeat_its_placeholders(text: str) -> None:
    assert placeholder_problem(WELCOME, text) is None


def test_door_data_carries_fixes_both_ways() -> None:
    data = DoorData.from_dict({"phrase_fixes": {"ti": {TOO_SOON: "ኣብ {time} ኣቲኹም። ክትከዱ ትደልዩ?"}}})
    assert data.phrase_fixes["ti"][TOO_SOON].startswith("ኣብ {time}")
    assert DoorData.from_dict(data.to_dict()) == data
    assert DoorData.from_dict({}).phrase_fixes == {}  # door data of before fixes


def test_door_data_with_a_broken_fix_is_refused_naming_the_place() -> None:
    with pytest.raises(DoorDataError, match=r"phrase_fixes\.ti.*mist \{time\}"):
        DoorData.from_dict({"phrase_fixes": {"ti": {TOO_SOON: "ኣቲኹም።"}}})

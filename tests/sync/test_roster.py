from __future__ import annotations

import pytest

from sync.roster import DoorData, DoorDataError


@pytest.mark.parametrize(
    ("data", "place"),
    [
        ({"participants": [{"display_name": "A"}]}, r"participants\[0\]\.id: missing"),
        ({"participants": [{"id": "p", "display_name": "A", "program_end": "31-01-2027"}]},
         r"participants\[0\]\.program_end: expected a date"),
        ({"badges": [{"uid": "zz", "holder_id": "p"}]}, r"badges\[0\]\.uid"),
        ({"badges": [{"uid": "04A1B2C3", "holder_id": "nobody"}]},
         r"badges\[0\]\.holder_id: no participant 'nobody'"),
        ({"words": [{"day": "2026-11-24", "word": "hamer", "article": "die"}]},
         r"words\[0\]\.article: expected de or het"),
        ({"tasks": "sweep"}, r"tasks: expected a list"),
    ],
)  # fmt: skip
def test_door_data_errors_name_the_place(data: dict[str, object], place: str) -> None:
    with pytest.raises(DoorDataError, match=place):
        DoorData.from_dict(data)


def test_door_data_round_trips_and_normalises_badges() -> None:
    data = DoorData.from_dict(
        {
            "participants": [{"id": "p1", "display_name": "Amal", "language": "ar"}],
            "badges": [{"uid": "04:a1:b2:c3", "holder_id": "p1"}],
            "words": [{"day": "2026-11-24", "word": "hamer", "article": "de",
                       "sentence": "Mag ik de hamer?", "translations": {"ar": "مطرقة"}}],
        }
    )  # fmt: skip
    assert data.badge("04A1B2C3") is not None
    assert DoorData.from_dict(data.to_dict()) == data


def test_speak_greeting_is_off_unless_the_site_says_so() -> None:
    assert DoorData.from_dict({}).speak_greeting is False
    on = DoorData.from_dict({"speak_greeting": True})
    assert on.speak_greeting and DoorData.from_dict(on.to_dict()).speak_greeting


def test_speak_greeting_must_be_true_or_false() -> None:
    with pytest.raises(DoorDataError, match="speak_greeting: expected true or false"):
        DoorData.from_dict({"speak_greeting": "yes"})

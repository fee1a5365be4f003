from __future__ import annotations

import pytest

from hardware.badge import GarbledRead, mask_uid, normalise_uid


@pytest.mark.parametrize(
    ("raw", "uid"),
    [
        ("04a1b2c3", "04A1B2C3"),
        (" 04:A1:B2:C3 \n", "04A1B2C3"),
        ("0x04a1b2c3", "04A1B2C3"),
        (bytes([0x04, 0xC2, 0xA1, 0xB2, 0xC3, 0xD4, 0x80]), "04C2A1B2C3D480"),
        ([0xDE, 0xAD, 0xBE, 0xEF], "DEADBEEF"),
    ],
)
def test_normalise_uid_gives_uppercase_hex_of_the_uid_bytes(raw: object, uid: str) -> None:
    assert normalise_uid(raw) == uid  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "zz", "04A1B2C", "04A1B2", "04A1B2C3D4E5", [1, 2, 3, 4, 5, 6]])
def test_normalise_uid_refuses_what_cannot_be_a_badge(raw: object) -> None:
    with pytest.raises(GarbledRead):
        normalise_uid(raw)  # type: ignore[arg-type]


def test_mask_uid_shows_only_the_first_and_last_byte() -> None:
    assert mask_uid("04A1B2C3") == "04••••C3"
    assert mask_uid("04C2A1B2C3D480") == "04••••••••••80"

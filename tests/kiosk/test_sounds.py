"""The chimes of the answers: valid WAVs, the right direction, no clipping, written once."""

from __future__ import annotations

import array
import itertools
import sys
import wave
from pathlib import Path

import pytest

from hardware.feedback import Signal
from kiosk.sounds import NAMES, RATE, TUNES, chime_file


def read(path: Path) -> array.array[int]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        data = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data


def frequency(data: array.array[int]) -> float:
    """Estimated from zero crossings: a sine crosses zero twice per period."""
    crossings = sum(1 for a, b in itertools.pairwise(data) if (a < 0) != (b < 0))
    return crossings / 2 / (len(data) / RATE)


def halves(data: array.array[int]) -> tuple[array.array[int], array.array[int]]:
    middle = len(data) // 2
    return data[:middle], data[middle:]


@pytest.mark.parametrize("name", NAMES)
def test_chime_is_a_short_valid_wav(tmp_path: Path, name: str) -> None:
    data = read(chime_file(name, tmp_path))
    assert 0.1 < len(data) / RATE < 2.0
    assert max(abs(s) for s in data) > 8000  # audible


@pytest.mark.parametrize("name", NAMES)
def test_chime_never_clips(tmp_path: Path, name: str) -> None:
    assert max(abs(s) for s in read(chime_file(name, tmp_path))) < 32767


@pytest.mark.parametrize("name", NAMES)
def test_chime_starts_and_ends_silent(tmp_path: Path, name: str) -> None:
    data = read(chime_file(name, tmp_path))
    assert abs(data[0]) < 200 and abs(data[-1]) < 200  # faded: no click


def test_chime_welcome_rises(tmp_path: Path) -> None:
    first, second = halves(read(chime_file("welcome", tmp_path)))
    assert frequency(second) > 1.3 * frequency(first)


def test_chime_goodbye_falls(tmp_path: Path) -> None:
    first, second = halves(read(chime_file("goodbye", tmp_path)))
    assert frequency(first) > 1.3 * frequency(second)


def test_chime_welcome_measures_c5_to_g5(tmp_path: Path) -> None:
    first, second = halves(read(chime_file("welcome", tmp_path)))
    assert frequency(first) == pytest.approx(523.25, rel=0.05)
    assert frequency(second) == pytest.approx(783.99, rel=0.05)


def test_chime_ask_is_two_equal_notes(tmp_path: Path) -> None:
    first, second = halves(read(chime_file("ask", tmp_path)))
    assert frequency(first) == pytest.approx(frequency(second), rel=0.05)


def test_chime_birthday_goes_down_a_fourth_on_leven() -> None:
    pitches = [freq for freq, _ in TUNES["birthday"]]
    assert pitches[:4] == [pitches[0]] * 4
    assert pitches[4] / pitches[0] == pytest.approx(3 / 4, rel=0.01)


def test_chime_names_cover_every_signal() -> None:
    assert {signal.value for signal in Signal} <= set(NAMES)


def test_chime_is_written_once(tmp_path: Path) -> None:
    path = chime_file("welcome", tmp_path)
    path.write_bytes(b"marker")  # were the chime written again, the marker would be gone
    assert chime_file("welcome", tmp_path) == path
    assert path.read_bytes() == b"marker"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # and no temp file left


def test_chime_file_accepts_a_signal(tmp_path: Path) -> None:
    assert chime_file(Signal.ERROR, tmp_path) == chime_file("error", tmp_path)


def test_chime_unknown_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="welcome"):
        chime_file("fanfare", tmp_path)


def test_the_recall_checks_chimes_are_softer_than_any_answer(tmp_path: Path) -> None:
    # Issue 16: "a soft sound, no red cross": the check is no event for the whole hall.
    from kiosk.sounds import SOFT

    loudest_soft = max(max(abs(s) for s in read(chime_file(n, tmp_path))) for n in SOFT)
    answers = [n for n in NAMES if n not in SOFT]
    quietest = min(max(abs(s) for s in read(chime_file(n, tmp_path))) for n in answers)
    assert set(SOFT) == {"recall", "touched"} and loudest_soft < 0.75 * quietest

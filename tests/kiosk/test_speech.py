"""The speaker button's and the greeting's speech: the real espeak-ng renders each text once
to a WAV cache."""

from __future__ import annotations

import os
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.sounds import chime_file
from kiosk.speech import Pronouncer, SpeechUnavailable, greeting, greetings, spoken_text
from sync.clock import WORKSHOP_TZ


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        return wav.getnframes() / wav.getframerate()


def test_pronouncer_renders_word_and_sentence(tmp_path: Path) -> None:
    wav = Pronouncer(tmp_path).wav_for("fiets", "Ik ga met de fiets naar de les.", "de")
    assert wav.parent == tmp_path
    assert 0.5 < seconds(wav) < 15


def test_pronouncer_renders_once(tmp_path: Path) -> None:
    speaker = Pronouncer(tmp_path)
    first = speaker.wav_for("brood", "Ik eet brood.", "het")
    second = speaker.wav_for("brood", "Ik eet brood.", "het")
    assert second == first
    assert speaker.rendered == 1


def test_pronouncer_cache_survives_a_new_pronouncer(tmp_path: Path) -> None:
    Pronouncer(tmp_path).wav_for("kaas")
    again = Pronouncer(tmp_path)
    again.wav_for("kaas")
    assert again.rendered == 0


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("fiets", "", "de"), ("brood", "", "het")),
        (("fiets", "", "de"), ("fiets", "Ik fiets.", "de")),
        (("fiets", "", "de"), ("fiets", "", None)),
    ],
)
def test_pronouncer_different_texts_get_different_files(
    tmp_path: Path, one: tuple[str, str, str | None], other: tuple[str, str, str | None]
) -> None:
    speaker = Pronouncer(tmp_path)
    assert speaker.wav_for(*one) != speaker.wav_for(*other)
    assert speaker.rendered == 2


def test_pronouncer_voice_and_speed_are_part_of_the_key(tmp_path: Path) -> None:
    slow = Pronouncer(tmp_path, speed=100).path_for("fiets")
    assert slow != Pronouncer(tmp_path, speed=140).path_for("fiets")
    assert slow != Pronouncer(tmp_path, voice="nl+f3", speed=100).path_for("fiets")


@pytest.mark.parametrize("word", ["-min", "--help", "-w /tmp/x"])
def test_pronouncer_speaks_words_that_look_like_options(tmp_path: Path, word: str) -> None:
    wav = Pronouncer(tmp_path).wav_for(word, "Dit is een test.")
    assert 0.5 < seconds(wav) < 15
    assert sorted(p.name for p in tmp_path.iterdir()) == [wav.name]


def test_spoken_text_pauses_between_word_and_sentence() -> None:
    assert spoken_text("fiets", "Ik  fiets\nnaar huis.", "de") == "de fiets. Ik fiets naar huis."
    assert spoken_text("fiets") == "fiets."


def test_pronouncer_refuses_an_empty_word(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no word"):
        Pronouncer(tmp_path).wav_for("  ")


def test_pronouncer_missing_espeak_names_the_package(tmp_path: Path) -> None:
    speaker = Pronouncer(tmp_path, espeak=str(tmp_path / "no-espeak-ng"))
    assert not speaker.available()
    with pytest.raises(SpeechUnavailable, match="Debian package espeak-ng"):
        speaker.wav_for("fiets")
    assert [p for p in tmp_path.iterdir() if p.suffix == ".wav"] == []


def test_pronouncer_failing_espeak_tells_its_message(tmp_path: Path) -> None:
    script = tmp_path / "espeak-ng"
    script.write_text("#!/bin/sh\necho starting >&2\necho 'voice nl is broken' >&2\nexit 1\n")
    script.chmod(0o755)
    speaker = Pronouncer(tmp_path / "cache", espeak=str(script))
    assert speaker.available()
    with pytest.raises(SpeechUnavailable, match="voice nl is broken"):
        speaker.wav_for("fiets")
    assert list((tmp_path / "cache").iterdir()) == []  # no temp file left behind


def test_pronouncer_timeout_is_unavailable(tmp_path: Path) -> None:
    script = tmp_path / "slow-espeak"
    script.write_text("#!/bin/sh\nexec sleep 10\n")
    script.chmod(0o755)
    speaker = Pronouncer(tmp_path / "cache", espeak=str(script), timeout=0.2)
    with pytest.raises(SpeechUnavailable, match="did not finish"):
        speaker.wav_for("fiets")


def test_pronouncer_prune_removes_only_what_is_not_kept(tmp_path: Path) -> None:
    speaker = Pronouncer(tmp_path)
    kept = speaker.wav_for("fiets")
    dropped = speaker.wav_for("brood")
    chime = chime_file("welcome", tmp_path)  # chimes may share the folder
    assert speaker.prune([kept]) == [dropped]
    assert sorted(tmp_path.iterdir()) == sorted([kept, chime])


def test_pronouncer_prune_removes_stale_temp_files(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".abc.tmp", tmp_path / ".def.tmp"
    stale.write_bytes(b"RIFF")
    fresh.write_bytes(b"RIFF")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assert Pronouncer(tmp_path).prune([]) == [stale]
    assert fresh.exists()


def test_pronouncer_prune_of_a_missing_cache_is_empty(tmp_path: Path) -> None:
    assert Pronouncer(tmp_path / "never-made").prune([]) == []


@pytest.mark.parametrize(
    ("hour", "said"),
    [(8, "Goedemorgen, Amal."), (11, "Goedemorgen, Amal."), (12, "Goedemiddag, Amal."),
     (17, "Goedemiddag, Amal."), (18, "Goedenavond, Amal.")],
)  # fmt: skip
def test_greeting_follows_the_workshop_hour(hour: int, said: str) -> None:
    moment = datetime(2026, 7, 1, hour, 59, tzinfo=WORKSHOP_TZ)  # summer time: UTC+2
    assert greeting("Amal Haddad", moment.astimezone(UTC), leaving=False) == said
    assert greeting("Amal Haddad", moment, leaving=True) == "Dag, Amal."


def test_greetings_are_every_line_greeting_says() -> None:
    lines = set(greetings("Amal"))
    moments = [datetime(2026, 11, 24, h, tzinfo=WORKSHOP_TZ) for h in range(24)]
    said = {greeting("Amal", m, leaving=leaving) for m in moments for leaving in (False, True)}
    assert said == lines


def test_pronouncer_says_a_greeting_once(tmp_path: Path) -> None:
    speaker = Pronouncer(tmp_path)
    wav = speaker.wav_of("Goedemorgen,\n Amal.")
    assert wav == speaker.path_of("Goedemorgen, Amal.")
    assert 0.5 < seconds(wav) < 5
    assert "Amal" not in wav.name  # the cache names no one
    assert speaker.wav_of("Goedemorgen, Amal.") == wav and speaker.rendered == 1

"""A supervisor's recording of the word of the day: what the server keeps (the sound only,
silence cut, loudness evened out, a WAV the door plays), what it refuses in Dutch, and how
it reaches the door."""

from __future__ import annotations

import array
import io
import wave
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.administration import media, voice
from server.schema import media as media_table
from server.schema import words
from sync.protocol import Snapshot
from tests.server.conftest import World, log_in
from tests.server.photos import phone_photo, tone_wav

HTML = {"accept": "text/html"}
PLAN = "/sites/north/planning"
WORD = {"day": "2026-11-25", "word": "hamer", "article": "de", "sentence": "Mag ik de hamer?"}


def peak(wav_bytes: bytes) -> tuple[float, float]:
    """(seconds, loudest sample as a share of full scale)."""
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        samples = array.array("h", wav.readframes(wav.getnframes()))
        return wav.getnframes() / wav.getframerate(), max(abs(s) for s in samples) / 32768


def test_silence_is_cut_and_the_quiet_voice_made_louder() -> None:
    sound = voice.prepare_voice(tone_wav(silence=1.0, sound=1.5, loudness=0.02))
    seconds, loudest = peak(sound.content)
    assert 1.4 < seconds < 1.8  # 3.5 s sent, the 2 s of silence gone
    assert loudest > 0.1  # 0.02 of full scale sent: brought up to speech level
    assert sound.content.startswith(b"RIFF") and b"LIST" not in sound.content  # no tags


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (phone_photo(), voice.NOT_SOUND),
        (b"just some text", voice.NOT_SOUND),
        (tone_wav(silence=0.5, sound=16.0, loudness=0.1), voice.TOO_LONG),
        (b"\0" * (voice.MAX_UPLOAD_BYTES + 1), voice.TOO_BIG),
        (tone_wav(silence=1.0, sound=0.0), voice.SILENT),
    ],
    ids=["a-photo", "text", "16-seconds", "over-2-MB", "only-silence"],
)
def test_recording_refused_with_a_dutch_reason(sent: bytes, message: str) -> None:
    with pytest.raises(media.MediaError) as refused:
        voice.prepare_voice(sent)
    assert str(refused.value) == message


def test_recorded_word_reaches_the_door(
    browser_client: TestClient, staff_world, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    sent = {"voice_file": ("opname.wav", tone_wav(), "audio/wav")}
    answer = browser_client.post(
        f"{PLAN}/words", data={**WORD, "csrf": csrf}, files=sent, headers=HTML
    )
    assert answer.status_code == 200
    with engine.connect() as conn:
        name = conn.execute(select(words.c.voice)).scalar_one()
    assert f"/planning/voices/{name}" in answer.text  # to listen to on the page
    headers = {**world.auth(), "Prikklok-Understands": "pictogram,photo,voice"}
    door = Snapshot.model_validate(browser_client.get("/api/v1/snapshot", headers=headers).json())
    assert door.words[0].voice == name
    older = browser_client.get(
        "/api/v1/snapshot", headers={**world.auth(), "Prikklok-Understands": "pictogram,photo"}
    ).json()
    assert "voice" not in older["words"][0]
    played = browser_client.get(f"/api/v1/media/{name}", headers=world.auth())
    assert played.headers["content-type"] == "audio/wav" and peak(played.content)[0] > 1.0


def test_a_file_that_is_no_sound_is_refused_and_nothing_stored(
    browser_client: TestClient, staff_world, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    sent = {"voice_file": ("foto.jpg", phone_photo(), "audio/wav")}
    answer = browser_client.post(
        f"{PLAN}/words", data={**WORD, "csrf": csrf}, files=sent, headers=HTML
    )
    assert answer.status_code == 400 and voice.NOT_SOUND in answer.text
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(media_table)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(words)).scalar() == 0


def test_stored_recording_is_kept_once(engine: Engine, world: World) -> None:
    at = datetime(2026, 11, 25, tzinfo=UTC)
    first = media.store_photo(engine, voice.prepare_voice(tone_wav()), at=at)
    again = media.store_photo(engine, voice.prepare_voice(tone_wav()), at=at)
    assert first == again  # the same sound, evened out the same way, the same name

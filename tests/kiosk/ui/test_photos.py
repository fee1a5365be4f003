"""The workshop's own photos at the door, on the real screen offscreen: a photo the cache
holds is drawn in the pictogram's place on the welcome's task row and word card; a photo
not (yet) fetched leaves the pictogram, and the tap is answered all the same."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image

from sync.journal import Journal
from sync.media import MediaCache
from sync.pictograms import picture
from sync.roster import DoorData
from tests.kiosk.ui.conftest import MORNING, PEOPLE, Doorway, door_data
from tests.kiosk.ui.test_pictograms import area, rows, share, shot

RED = (220, 30, 30)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 360), colour).save(out, format="JPEG", quality=90)
    return out.getvalue()


def name_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def plan_photos(door: Doorway, task_photo: str, word_photo: str) -> None:
    """The door data as the sync agent stores a pulled snapshot naming two photos."""
    data: dict[str, Any] = door_data(MORNING)
    data["tasks"][0]["photo"] = task_photo  # "Fietsen repareren…", pictogram "fiets"
    data["words"][0]["photo"] = word_photo  # "de hamer", pictogram "hamer"
    agent = Journal(door.journal.path, kiosk_id=door.journal.kiosk_id)
    try:
        agent.store_door_data(DoorData.from_dict(data), source="server")
    finally:
        agent.close()


def reddish(p: tuple[int, int, int]) -> bool:
    return p[0] > 170 and p[1] < 90 and p[2] < 90


def test_a_cached_photo_is_drawn_in_place_of_the_pictogram(door: Doorway, tmp_path) -> None:
    bike, hammer = jpeg(RED), jpeg((200, 40, 40))
    cache = MediaCache(tmp_path / "media")
    cache.refresh(
        [name_of(bike), name_of(hammer)], {name_of(bike): bike, name_of(hammer): hammer}.get
    )  # type: ignore[arg-type]
    plan_photos(door, name_of(bike), name_of(hammer))
    welcome = door.welcome(PEOPLE["ar"])
    mark = rows(welcome)["Fietsen repareren in de werkplaats"].ids.mark
    word = welcome.box("word").ids.picture
    assert mark.file.endswith(f"{name_of(bike)}.jpg") and word.file.endswith(
        f"{name_of(hammer)}.jpg"
    )
    image = shot(door, "welcome-photos")
    for shown in (mark, word):
        assert shown.shown and share(area(image, shown), reddish) > 0.5, shown.file


def test_a_photo_not_yet_fetched_leaves_the_pictogram(door: Doorway) -> None:
    plan_photos(door, "a" * 64, "b" * 64)  # named by the plan, not in the cache
    welcome = door.welcome(PEOPLE["nl"])
    assert welcome.title.dutch.startswith("Welkom")
    mark = rows(welcome)["Fietsen repareren in de werkplaats"].ids.mark
    assert mark.file == str(picture("fiets")) and mark.shown
    assert welcome.box("word").ids.picture.file == str(picture("hamer"))


def recording() -> bytes:
    """A second of a 440 Hz tone as the server stores a recording: mono 16-bit WAV."""
    import math
    import struct
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        tone = [int(8000 * math.sin(2 * math.pi * 440 * n / 22050)) for n in range(22050)]
        wav.writeframes(struct.pack(f"<{len(tone)}h", *tone))
    return out.getvalue()


def plan_voice(door: Doorway, voice: str) -> None:
    data: dict[str, Any] = door_data(MORNING)
    data["words"][0]["voice"] = voice
    agent = Journal(door.journal.path, kiosk_id=door.journal.kiosk_id)
    try:
        agent.store_door_data(DoorData.from_dict(data), source="server")
    finally:
        agent.close()


def test_the_speaker_plays_the_supervisors_recording(door: Doorway, tmp_path) -> None:
    from tests.kiosk.ui.test_reader_and_sound import press, speaker_on

    said = recording()
    MediaCache(tmp_path / "media").refresh([name_of(said)], {name_of(said): said}.get)  # type: ignore[arg-type]
    plan_voice(door, name_of(said))
    app = door.stage.app
    welcome = door.welcome(PEOPLE["ar"])
    press(door, speaker_on(welcome.ids.word))
    door.stage.wait_for(lambda: len(app.player.played) >= 2, timeout=10, what="the recording")
    played = app.player.played[-1]
    assert played.name == f"{name_of(said)}.wav" and played.read_bytes() == said
    assert app.pronouncer.path_of("de hamer. Mag ik de hamer even?") not in app.player.played


def test_without_the_recording_the_computer_voice_says_the_word(door: Doorway) -> None:
    from tests.kiosk.ui.test_reader_and_sound import press, speaker_on

    plan_voice(door, "c" * 64)  # named by the plan, not (yet) in the cache
    app = door.stage.app
    welcome = door.welcome(PEOPLE["ar"])
    press(door, speaker_on(welcome.ids.word))
    said = app.pronouncer.path_of("de hamer. Mag ik de hamer even?")
    door.stage.wait_for(lambda: said in app.player.played, timeout=10, what="espeak-ng")


def test_a_photo_is_drawn_upright_and_kept_at_the_size_the_door_draws(
    door: Doorway, tmp_path
) -> None:
    """Red above, blue below: the word card shows red in its top half and blue in its
    bottom half, and the texture is no larger than PHOTO_SIDE (the server keeps 480 px)."""
    from kiosk.ui.pictogram import PHOTO_SIDE

    out = io.BytesIO()
    photo = Image.new("RGB", (480, 480), RED)
    photo.paste((30, 30, 200), (0, 240, 480, 480))
    photo.save(out, format="JPEG", quality=90)
    content = out.getvalue()
    MediaCache(tmp_path / "media").refresh([name_of(content)], {name_of(content): content}.get)  # type: ignore[arg-type]
    plan_photos(door, name_of(content), name_of(content))
    word = door.welcome(PEOPLE["ar"]).box("word").ids.picture
    assert word.shown and max(word.texture.size) <= PHOTO_SIDE
    drawn = area(shot(door, "welcome-photo-upright"), word)
    top = drawn.crop((0, 0, drawn.width, drawn.height // 2))
    bottom = drawn.crop((0, drawn.height // 2, drawn.width, drawn.height))

    def bluish(p: tuple[int, int, int]) -> bool:
        return p[2] > 150 and p[0] < 90

    assert share(top, reddish) > 0.4 and share(top, bluish) < 0.05
    assert share(bottom, bluish) > 0.4 and share(bottom, reddish) < 0.05

"""The workshop's own photos: what the server stores of an upload (the pixels, upright and
scaled; no place, no camera), what it refuses, and how a door fetches one by its hash."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from functools import cache

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, func, select

from server.administration import media
from server.administration.plan import Plan, load_plan
from server.db import writing
from server.schema import media as media_table
from sync.protocol import Snapshot, SnapshotTask, SnapshotWord
from tests.server.conftest import World
from tests.server.photos import bomb, phone_photo

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


@cache
def big_bomb() -> bytes:
    return bomb(14_000)  # 196 megapixels: past Pillow's own DecompressionBombError


def stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(media_table)).scalar())


def test_photo_keeps_no_place_and_no_camera() -> None:
    photo = media.prepare_photo(phone_photo())
    image = Image.open(io.BytesIO(photo.content))
    assert image.format == "JPEG" and photo.content_type == "image/jpeg"
    assert not image.getexif()  # no GPS, no make or model, no orientation left to apply
    assert b"Phonemaker" not in photo.content and b"Exif" not in photo.content
    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()


def test_photo_is_turned_upright_and_scaled_for_the_door() -> None:
    photo = media.prepare_photo(phone_photo(1200, 600))
    image = Image.open(io.BytesIO(photo.content)).convert("RGB")
    # Orientation 6: the 1200 × 600 pixels stand up as 600 × 1200, then fit in 480 px.
    assert image.size == (240, 480)
    # Turned a quarter clockwise: the red left half is now on top, blue below.
    red, blue = image.getpixel((120, 60)), image.getpixel((120, 420))
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]


def test_a_transparent_png_stays_a_png() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(out, format="PNG")
    photo = media.prepare_photo(out.getvalue())
    assert photo.content_type == "image/png" and (photo.width, photo.height) == (100, 50)


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (b"%PDF-1.4 not a photo at all", media.NOT_AN_IMAGE),
        (b"", media.NOT_AN_IMAGE),
        (phone_photo()[:2000], media.NOT_AN_IMAGE),  # cut off: the pixels are not all there
        (b"\xff" * (media.MAX_UPLOAD_BYTES + 1), media.TOO_BIG),
        (bomb(8_000), media.TOO_MANY_PIXELS),  # 64 megapixels, under Pillow's own limit
        (None, media.TOO_MANY_PIXELS),  # 196 megapixels: Pillow's DecompressionBombError
    ],
    ids=["pdf", "empty", "truncated", "over-10-MB", "64-megapixels", "196-megapixels"],
)
def test_upload_refused_with_a_dutch_reason(sent: bytes | None, message: str) -> None:
    with pytest.raises(media.MediaError) as refused:
        media.prepare_photo(big_bomb() if sent is None else sent)
    assert str(refused.value) == message


def test_the_same_photo_is_stored_once(engine: Engine, world: World) -> None:
    photo = media.prepare_photo(phone_photo())
    first = media.store_photo(engine, photo, at=AT)
    again = media.store_photo(engine, media.prepare_photo(phone_photo()), at=AT)
    assert first == again == photo.sha256 and stored(engine) == 1
    assert media.exists(engine, first) and not media.exists(engine, "0" * 64)
    assert not media.exists(engine, "../etc/passwd")


def planned_with_photo(engine: Engine) -> str:
    name = media.store_photo(engine, media.prepare_photo(phone_photo()), at=AT)
    plan = Plan(
        tasks=[SnapshotTask(day=TODAY, text="Fietsen repareren", pictogram="fiets", photo=name)],
        words=[SnapshotWord(day=TODAY, word="hamer", article="de", photo=name)],
    )
    with writing(engine) as conn:
        load_plan(conn, "north", plan)
    return name


def test_snapshot_names_the_photo_for_a_kiosk_that_understands(
    client: TestClient, world: World, engine: Engine
) -> None:
    name = planned_with_photo(engine)
    headers = {**world.auth(), "Prikklok-Understands": "pictogram,photo"}
    door = Snapshot.model_validate(client.get("/api/v1/snapshot", headers=headers).json())
    assert [(t.pictogram, t.photo) for t in door.tasks] == [("fiets", name)]
    assert door.words[0].photo == name
    # A kiosk of before photos (pictograms only) gets neither field it would refuse.
    older = client.get(
        "/api/v1/snapshot", headers={**world.auth(), "Prikklok-Understands": "pictogram"}
    ).json()
    assert "photo" not in older["tasks"][0] and older["tasks"][0]["pictogram"] == "fiets"
    assert "photo" not in older["words"][0]


def test_kiosk_fetches_the_photo_by_its_hash(
    client: TestClient, world: World, engine: Engine
) -> None:
    name = planned_with_photo(engine)
    answer = client.get(f"/api/v1/media/{name}", headers=world.auth())
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(answer.content).hexdigest() == name
    assert "immutable" in answer.headers["cache-control"]
    assert client.get(f"/api/v1/media/{name}").status_code == 401
    assert client.get(f"/api/v1/media/{'0' * 64}", headers=world.auth()).status_code == 404
    assert client.get("/api/v1/media/not-a-hash", headers=world.auth()).status_code == 404


def test_load_plan_refuses_a_photo_not_stored(world: World, engine: Engine) -> None:
    from server.administration.operations import AdminError

    plan = Plan(tasks=[SnapshotTask(day=TODAY, text="Vegen", photo="a" * 64)])
    with pytest.raises(AdminError, match="no photo"), writing(engine) as conn:
        load_plan(conn, "north", plan)

"""The planning page's photos: a supervisor adds the workshop's own photo to a task or a
word; what the server keeps has no place and no camera in it, and what it refuses is said
in Dutch, with nothing stored and everything typed kept."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, func, select

from server.schema import media, tasks, words
from sync.protocol import Snapshot
from tests.server.conftest import World, log_in
from tests.server.photos import phone_photo

HTML = {"accept": "text/html"}
PLAN = "/sites/north/planning"
JPEG = "image/jpeg"


def send(client: TestClient, url: str, csrf: str, data: dict[str, str], **files: Any) -> Any:
    return client.post(url, data={**data, "csrf": csrf}, files=files or None, headers=HTML)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar())


def stored_bytes(engine: Engine) -> list[bytes]:
    with engine.connect() as conn:
        return [bytes(b) for b in conn.execute(select(media.c.content)).scalars()]


TASK = {"day": "2026-11-25", "text": "Fietsen repareren", "for": ""}
WORD = {"day": "2026-11-26", "word": "hamer", "article": "de", "sentence": ""}


def test_task_photo_is_stored_without_its_place(
    browser_client: TestClient, staff_world, world: World, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    sent = ("fiets.jpg", phone_photo(), JPEG)
    answer = send(browser_client, f"{PLAN}/tasks", csrf, TASK, photo_camera=sent)
    assert answer.status_code == 200 and "Fietsen repareren" in answer.text
    [content] = stored_bytes(engine)
    image = Image.open(io.BytesIO(content))
    assert not image.getexif() and b"Phonemaker" not in content
    assert max(image.size) == 480
    door = Snapshot.model_validate(
        browser_client.get(
            "/api/v1/snapshot", headers={**world.auth(), "Prikklok-Understands": "photo"}
        ).json()
    )
    [task] = door.tasks
    assert task.photo is not None and f"/planning/photos/{task.photo}" in answer.text
    shown = browser_client.get(f"{PLAN}/photos/{task.photo}", headers=HTML)
    assert shown.status_code == 200 and shown.content == content


def test_word_photo_is_kept_when_editing_and_can_be_taken_away(
    browser_client: TestClient, staff_world, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    send(browser_client, f"{PLAN}/words", csrf, WORD, photo_file=("h.jpg", phone_photo(), JPEG))
    with engine.connect() as conn:
        name = conn.execute(select(words.c.photo)).scalar_one()
    form = browser_client.get(f"{PLAN}?edit=2026-11-26", headers=HTML).text
    assert f'name="photo" value="{name}"' in form
    # Saved again without a new file: the photo stays.
    send(browser_client, f"{PLAN}/words", csrf, {**WORD, "photo": name, "sentence": "Tik."})
    with engine.connect() as conn:
        assert conn.execute(select(words.c.photo)).scalar_one() == name
    send(browser_client, f"{PLAN}/words", csrf, {**WORD, "photo": name, "geen_foto": "1"})
    with engine.connect() as conn:
        assert conn.execute(select(words.c.photo)).scalar_one() is None


def test_not_a_photo_is_refused_in_dutch_and_nothing_stored(
    browser_client: TestClient, staff_world, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    sent = ("factuur.pdf", b"%PDF-1.4 a bill, not a photo", "application/pdf")
    answer = send(browser_client, f"{PLAN}/tasks", csrf, TASK, photo_file=sent)
    assert answer.status_code == 400
    assert "Dit bestand is geen foto: kies een JPEG- of PNG-foto." in answer.text
    assert 'value="Fietsen repareren"' in answer.text  # what was typed stays
    assert count(engine, media) == 0 and count(engine, tasks) == 0


def test_over_10_mb_is_refused_in_dutch(
    browser_client: TestClient, staff_world, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    sent = ("groot.jpg", b"\xff\xd8" + b"\0" * (10 * 1024 * 1024), JPEG)
    answer = send(browser_client, f"{PLAN}/words", csrf, WORD, photo_file=sent)
    assert answer.status_code == 400 and "groter dan 10 MB" in answer.text
    assert count(engine, media) == 0 and count(engine, words) == 0


def test_a_forged_photo_name_is_refused(
    browser_client: TestClient, staff_world, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    answer = send(browser_client, f"{PLAN}/tasks", csrf, {**TASK, "photo": "ab" * 32})
    assert answer.status_code == 400 and "Deze foto is niet bewaard" in answer.text
    assert count(engine, tasks) == 0


def test_a_photo_with_a_refused_task_is_kept_for_the_next_try(
    browser_client: TestClient, staff_world, engine: Engine
) -> None:
    csrf = log_in(browser_client, "marieke")
    sent = ("fiets.jpg", phone_photo(), JPEG)
    answer = send(browser_client, f"{PLAN}/tasks", csrf, {**TASK, "text": ""}, photo_file=sent)
    assert answer.status_code == 400 and "Schrijf de taak" in answer.text
    with engine.connect() as conn:
        name = conn.execute(select(media.c.sha256)).scalar_one()
    assert f'name="photo" value="{name}"' in answer.text
    send(browser_client, f"{PLAN}/tasks", csrf, {**TASK, "photo": name})
    with engine.connect() as conn:
        assert conn.execute(select(tasks.c.photo)).scalar_one() == name

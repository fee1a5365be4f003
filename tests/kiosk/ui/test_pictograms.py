"""Pictures before words, on the real screen offscreen: the door draws a task's and the
word's pictogram from the bundled set, the waiting screen shows a badge going to the
reader, a task that wraps stays one item (one bullet, a hanging indent), and a name the
set lacks draws nothing and breaks nothing."""

from __future__ import annotations

from typing import Any

from PIL import Image

from kiosk.ui.pictogram import BADGE_AT_READER
from sync.journal import Journal
from sync.pictograms import picture
from sync.protocol import Snapshot
from sync.roster import DoorData
from tests.kiosk.ui.conftest import ARTIFACTS, MORNING, PEOPLE, Doorway, door_data

BACKGROUND = (18, 18, 20)  # the screens' near-black, 0.07 × 255
TILE = (240, 242, 247)  # the light tile under a pictogram


def shot(door: Doorway, name: str) -> Image.Image:
    path = door.stage.screenshot(ARTIFACTS / "pictograms" / f"{name}.png")
    return Image.open(path).convert("RGB")


def area(image: Image.Image, widget: Any) -> Image.Image:
    """The pixels under `widget` (Kivy counts y from the bottom, the image from the top)."""
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    height = image.height
    return image.crop((round(left), height - round(top), round(right), height - round(bottom)))


def share(image: Image.Image, keep: Any) -> float:
    pixels = list(image.getdata())
    return sum(1 for p in pixels if keep(p)) / max(1, len(pixels))


def near(p: tuple[int, int, int], colour: tuple[int, int, int], by: int = 24) -> bool:
    return all(abs(a - b) <= by for a, b in zip(p, colour, strict=True))


def drawn_picture(image: Image.Image) -> bool:
    """A picture on its tile: mostly not the background, and more than the bare tile."""
    not_background = share(image, lambda p: not near(p, BACKGROUND))
    picture_itself = share(image, lambda p: not near(p, BACKGROUND) and not near(p, TILE))
    return not_background > 0.8 and picture_itself > 0.03


def rows(screen: Any) -> dict[str, Any]:
    box = screen.box("tasks") if hasattr(screen, "box") else screen.ids.tasks
    return {row.text: row for row in box.children}


def test_the_welcome_draws_the_task_and_word_pictograms(door: Doorway) -> None:
    welcome = door.welcome(PEOPLE["ar"])
    shown = rows(welcome)
    bike = shown["Fietsen repareren in de werkplaats"].ids.mark
    coffee = shown["Koffie zetten"].ids.mark
    word = welcome.box("word").ids.picture
    assert (bike.file, coffee.file, word.file) == tuple(
        str(picture(name)) for name in ("fiets", "koffie", "hamer")
    )
    image = shot(door, "welcome-ar")
    for mark in (bike, coffee, word):
        assert mark.shown and mark.width >= 60
        assert drawn_picture(area(image, mark)), mark.file


def test_the_waiting_screen_draws_the_word_and_a_badge_at_the_reader(door: Doorway) -> None:
    waiting = door.stage.wait_for_screen("waiting")
    badge = waiting.ids.badge_picture
    bike = rows(waiting)["Fietsen repareren in de werkplaats"].ids.mark
    word = next(w for w in waiting.walk() if type(w).__name__ == "WordCard").ids.picture
    assert badge.file == str(BADGE_AT_READER) and word.file == str(picture("hamer"))
    image = shot(door, "waiting")
    for mark in (badge, bike, word):
        assert mark.shown and drawn_picture(area(image, mark)), mark.file


def ink_lines(image: Image.Image) -> list[tuple[int, int, int]]:
    """The text lines in `image` (white text on the dark screen): (top, bottom, left x)."""
    grey = image.convert("L")
    inked = [
        [x for x in range(grey.width) if grey.getpixel((x, y)) > 128] for y in range(grey.height)
    ]
    found: list[tuple[int, int, int]] = []
    start = None
    for y, xs in enumerate([*inked, []]):
        if xs and start is None:
            start = y
        elif not xs and start is not None:
            band = [x for row in inked[start:y] for x in row]
            found.append((start, y, min(band)))
            start = None
    return found


def test_a_task_that_wraps_keeps_one_bullet_and_a_hanging_indent(door: Doorway) -> None:
    welcome = door.welcome(PEOPLE["nl"])
    image = shot(door, "welcome-nl")
    for text in ("Fietsen repareren in de werkplaats", "De werkplaats vegen en de vloer dweilen"):
        row = rows(welcome)[text]
        label, mark = row.ids.label, row.ids.mark
        lines = ink_lines(area(image, label))
        assert len(lines) == 2, f"{text!r} should wrap once in the half column: {lines}"
        (_top1, bottom1, x1), (_top2, _bottom2, x2) = lines
        # Letters differ by a pixel or two at their left edge ("F" and "w"); a line under
        # the bullet would start a whole bullet column (76 px) further left.
        assert x2 >= x1 - 4, f"{text!r}: the second line starts left of the first ({x2} < {x1})"
        cell = area(image, row.ids.bullet.parent)  # the column left of the text
        marks = ink_lines(cell.crop((0, 0, cell.width, cell.height)))
        if mark.shown:  # the picture is the task's mark: nothing else in its column
            assert drawn_picture(area(image, mark))
            assert not row.ids.bullet.drawn
        else:
            assert len(marks) == 1, f"{text!r}: one bullet, not {len(marks)}"
            row_top = image.height - round(row.to_window(0, row.top)[1])
            label_top = image.height - round(label.to_window(0, label.top)[1])
            bullet_middle = (marks[0][0] + marks[0][1]) / 2 + row_top
            assert bullet_middle < label_top + bottom1, f"{text!r}: bullet below its first line"
        assert x1 >= 0 and label.x >= row.ids.bullet.parent.right  # the text right of its mark


def test_an_unknown_pictogram_in_a_snapshot_draws_nothing(door: Doorway) -> None:
    data = door_data(MORNING)
    data["tasks"][0]["pictogram"] = "vliegende-schotel"  # a newer set's, or a typo
    data["words"][0]["pictogram"] = "ufo"
    site = {"id": "north", "name": "North", "opens_at": "08:30:00", "closes_at": "17:00:00"}
    as_sent = DoorData.from_dict(data).to_dict()  # every field, as the server sends them
    site["speak_greeting"] = as_sent.pop("speak_greeting")  # a site setting on the wire
    snapshot = Snapshot.model_validate({"site": site, **as_sent})
    # Stored as the sync agent stores a pulled snapshot: from a connection of its own.
    agent = Journal(door.journal.path, kiosk_id=door.journal.kiosk_id)
    try:
        agent.store_door_data(DoorData.from_dict(snapshot.door_data_dict()), source="server")
    finally:
        agent.close()
    welcome = door.welcome(PEOPLE["nl"])
    row = rows(welcome)["Fietsen repareren in de werkplaats"]
    assert not row.ids.mark.shown and row.ids.mark.size[0] <= row.picture_size
    assert row.ids.bullet.drawn  # the bullet stands in for the missing picture
    card = welcome.box("word")
    assert not card.ids.picture.shown and tuple(card.ids.picture.size) == (0, 0)
    image = shot(door, "unknown-pictogram")
    # No empty tile where the picture would be: only the white bullet's few pixels.
    assert share(area(image, row.ids.mark), lambda p: near(p, TILE)) < 0.05
    assert welcome.title.dutch.startswith("Welkom")

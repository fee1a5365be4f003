"""Supervisor mode on a busy morning: twenty people inside, all on one screen, and the
evacuation list's roll call (the time it was made, a tick per person, never journaled)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kivy.core.window import Window
from kivy.metrics import mm
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.scrollview import ScrollView

from hardware.simulated import SimulatedReader
from tests.kiosk.ui.conftest import (
    ARTIFACTS,
    CROWD,
    MORNING,
    SUPERVISOR_BADGE,
    Doorway,
    crowd_badge,
    crowd_data,
    running_kiosk,
)
from tests.kiosk.ui.test_app import visible


@dataclass
class Morning:
    door: Doorway
    names: list[str]  # the twenty inside
    pictures: Path  # where this script's screenshots go


@pytest.fixture(params=["nl", "ar"])
def busy(request: Any, tmp_path: Path) -> Iterator[Morning]:
    """A kiosk on a busy morning: the twenty of the crowd (names in Latin or in Arabic
    script) have checked in, 30 s apart."""
    script = request.param
    socket_path = tmp_path / "taps.sock"
    data = crowd_data(MORNING, script)
    with running_kiosk(
        tmp_path, SimulatedReader(socket_path=socket_path), socket_path, data=data
    ) as door:
        for n, name in enumerate(CROWD[script]):
            door.clock.advance(30)
            door.welcome(("", name, crowd_badge(n)))
        yield Morning(door, CROWD[script], ARTIFACTS / script)


def inside_window(widget: Any) -> bool:
    left, bottom = widget.to_window(widget.x, widget.y)
    return (
        left >= 0
        and left + widget.width <= Window.width + 0.5
        and bottom >= 0
        and bottom + widget.height <= Window.height + 0.5
    )


def name_label(tile: Any) -> Any:
    return next(w for w in tile.walk(restrict=True) if getattr(w, "source", None) == tile.name)


def test_twenty_people_inside_all_show_on_one_screen(busy: Morning) -> None:
    door, names = busy.door, busy.names
    door.tap(SUPERVISOR_BADGE)
    screen = door.stage.wait_for_screen("supervisor")
    door.stage.screenshot(busy.pictures / "supervisor-busy.png")
    tiles = {tile.name: tile for tile in screen.ids.people.tiles()}
    assert set(names) <= set(tiles), "someone inside is not on the screen"
    for name in names:
        tile, label = tiles[name], name_label(tiles[name])
        assert tiles[name].inside and visible(tile, screen)
        assert inside_window(tile) and inside_window(label), f"{name} is off the screen"
        assert tile.name_fits, f"{name} is cut off"  # a long one is drawn a size smaller
    assert screen.present_text == "Aanwezig: 20"
    assert not [w for w in screen.walk() if isinstance(w, ScrollView)]
    buttons = [w for w in screen.walk() if isinstance(w, ButtonBehavior) and visible(w, screen)]
    assert len(buttons) > 20 and min(b.height for b in buttons) >= mm(15) - 0.5


def test_a_list_longer_than_the_screen_turns_pages(busy: Morning) -> None:
    door, names = busy.door, busy.names
    door.tap(SUPERVISOR_BADGE)
    screen = door.stage.wait_for_screen("supervisor")
    people = screen.ids.people
    # Twenty inside and five who may still come: the five are on the next page.
    first = [tile.name for tile in people.tiles()]
    assert people.pages == 2 and set(names) <= set(first) and "Sanne" not in first
    down = next(w for w in screen.walk() if getattr(w, "step", 0) == 1)
    assert visible(down, screen) and down.height >= mm(15) - 0.5
    down.dispatch("on_release")
    door.stage.next_frame()
    assert "Sanne" in [tile.name for tile in people.tiles()] and people.page == 1


def evacuation(door: Doorway) -> Any:
    door.tap(SUPERVISOR_BADGE)
    door.stage.wait_for_screen("supervisor")
    door.stage.app.open_supervisor("s-marieke", "evacuation")
    return door.stage.wait_for_screen("evacuation")


def test_ticking_someone_off_marks_them_and_counts_without_a_record(
    busy: Morning,
) -> None:
    door, names = busy.door, busy.names
    screen = evacuation(door)
    assert screen.made_text == "gemaakt om 09:08"  # 08:58, and twenty taps 30 s apart
    assert screen.seen_text == "0 van 21 gezien"  # twenty participants and Marieke
    records = door.journal.last_seq()
    tiles = {tile.name: tile for tile in screen.ids.names.tiles()}
    assert set(names) | {"Marieke"} == set(tiles)
    assert all(inside_window(tile) for tile in tiles.values())
    assert min(tile.height for tile in tiles.values()) >= mm(15) - 0.5  # a tick is a touch
    for name in names[:12]:
        tiles[name].dispatch("on_release")  # the supervisor's touch on the tile
    door.stage.next_frame()
    assert screen.seen_text == "12 van 21 gezien"
    assert [t.ticked for t in screen.ids.names.tiles()].count(True) == 12
    assert tiles[names[0]].ticked and not tiles[names[12]].ticked
    door.stage.screenshot(busy.pictures / "evacuation-ticked.png")
    tiles[names[0]].dispatch("on_release")  # a mistaken tick taken back
    assert screen.seen_text == "11 van 21 gezien" and not tiles[names[0]].ticked
    assert door.journal.last_seq() == records  # a tick is not attendance: nothing journaled


def test_a_new_evacuation_list_starts_unticked(busy: Morning) -> None:
    door, names = busy.door, busy.names
    screen = evacuation(door)
    next(t for t in screen.ids.names.tiles() if t.name == names[3]).dispatch("on_release")
    assert screen.seen_text == "1 van 21 gezien"
    door.clock.advance(6 * 60)
    back = next(w for w in screen.walk() if getattr(w, "text", "") == "Terug")
    back.dispatch("on_release")  # closing the list ends its roll call
    door.stage.wait_for_screen("supervisor")
    door.stage.app.open_supervisor("s-marieke", "evacuation")
    screen = door.stage.wait_for_screen("evacuation")
    assert screen.seen_text == "0 van 21 gezien"
    assert not any(t.ticked for t in screen.ids.names.tiles())
    assert screen.made_text == "gemaakt om 09:14"

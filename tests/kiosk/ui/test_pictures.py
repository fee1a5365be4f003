"""The offscreen demo's pictures are honest: each is the frame that showed its screen
(prikklok.screen.ScreenPrinter with kiosk.ui.pictures), in the real app."""

from __future__ import annotations

import io
import socket
from collections import Counter
from pathlib import Path

from PIL import Image

from hardware.simulated import SimulatedReader
from kiosk.views import CUES
from prikklok.screen import ScreenPrinter
from tests.kiosk.ui.conftest import PEOPLE, SUPERVISOR_BADGE, running_kiosk


def panel(path: Path) -> tuple[int, int, int]:
    """The commonest colour of the picture's left tenth: an answer's colour field."""
    with Image.open(path) as image:
        strip = image.convert("RGB").crop((0, 0, image.width // 10, image.height))
        return Counter(strip.getdata()).most_common(1)[0][0]


def near(colour: tuple[int, int, int], rgba: tuple[float, ...]) -> bool:
    return all(abs(c - round(v * 255)) <= 8 for c, v in zip(colour, rgba[:3], strict=True))


def colours(path: Path) -> int:
    with Image.open(path) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_each_picture_is_the_frame_of_its_own_screen(tmp_path: Path) -> None:
    out = io.StringIO()
    folder = tmp_path / "screens"
    printer = ScreenPrinter(out, folder)
    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    with running_kiosk(tmp_path, reader, socket_path, on_screen=printer) as door:
        # Two badges in one write, as a piped demo sends them: a welcome, then an unknown.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(socket_path))
            s.sendall(f"{PEOPLE['ar'][2]}\n04FFFF09\n".encode())
        door.stage.wait_for(lambda: printer.count == 3 and not printer.pending, what="pictures")
    pictures = sorted(p.name for p in folder.iterdir())
    assert pictures == ["001-waiting.png", "002-welcome.png", "003-unknown.png"]
    assert colours(folder / "001-waiting.png") > 50  # the waiting screen, not a blank
    assert near(panel(folder / "002-welcome.png"), CUES["welcome"].colour)
    assert near(panel(folder / "003-unknown.png"), CUES["unknown"].colour)
    printed = out.getvalue()
    assert f"  picture: {folder / '002-welcome.png'}" in printed.split("[unknown]")[0]


def test_the_supervisor_screen_is_printed_with_who_is_in(tmp_path: Path) -> None:
    out = io.StringIO()
    printer = ScreenPrinter(out, tmp_path / "screens")
    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    with running_kiosk(tmp_path, reader, socket_path, on_screen=printer) as door:
        door.welcome(PEOPLE["ar"])
        door.tap(SUPERVISOR_BADGE)
        door.stage.wait_for_screen("supervisor")
        door.stage.wait_for(lambda: not printer.pending, what="the picture")
    printed = out.getvalue().split("[supervisor]")[1]
    assert printed.startswith(" ☰ Begeleider: Marieke\n  Aanwezig: 1 · Lunch vandaag: 1\n")
    assert "  ✔ Amal — sinds 08:58\n" in printed
    assert "Inchecken: Dawit, Farid, Hodan, Sanne" in printed
    assert SUPERVISOR_BADGE not in out.getvalue() and PEOPLE["ar"][2] not in out.getvalue()


def test_a_new_run_starts_with_an_empty_picture_folder(tmp_path: Path) -> None:
    folder = tmp_path / "screens"
    folder.mkdir()
    (folder / "007-welcome.png").write_bytes(b"an earlier run's picture")
    ScreenPrinter(io.StringIO(), folder)
    assert list(folder.iterdir()) == []

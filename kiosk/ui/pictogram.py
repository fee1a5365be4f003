"""Pictogram: a picture on a light tile, or nothing at all.

Pictures before words: a task or the word of the day can carry a pictogram from the set
the door carries (sync.pictograms), and the waiting screen shows a badge going to the
reader. The pictures are OpenMoji's, drawn with black outlines for a light page: on the
door's near-black screen they sit on a light tile, like a sticker, so every line shows.

A photo beats a pictogram: the workshop's own photo of a word or task (`photo`, its
sha256) is drawn in the pictogram's place when the sync agent has put it in the door's
photo cache (sync.media, folder `Pictogram.photo_folder`, set by the app). Until it is
there the pictogram is drawn, and a tap never waits for a download.

A name the set does not have — a plan newer than this kiosk, a typo in a door-data file —
draws nothing and takes no room: `shown` is False and the screens size it to zero.
Pictograms come through Kivy's image cache, so a picture shown at every tap is read once.
Photos do not: each is read scaled down to what a tile needs (PHOTO_SIDE), and its texture
lives only as long as a tile shows it.
Import only after kiosk.ui.boot.prepare_kivy().
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.factory import Factory
from kivy.graphics import Color, Rectangle, RoundedRectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.widget import Widget

from sync.media import media_file
from sync.pictograms import picture

IMAGES = Path(__file__).resolve().parent / "images"
BADGE_AT_READER = IMAGES / "badge-at-reader.png"  # the waiting screen's call to action
TILE = (0.94, 0.95, 0.97, 1)
# A photo's longest side as the door keeps it: twice the largest tile a photo is drawn in
# (the word's, dp(120)), so it stays sharp. The server keeps 480 px; at that size, with
# mipmaps and Kivy's cache holding each for a minute, the plan's photos took 10 MiB more
# than pictograms after 1 000 taps (benchmarks/bench_screen_memory.py --with-photos).
PHOTO_SIDE = 256


class Pictogram(Widget):
    """`photo` (a cached photo), else `name` (a pictogram), or `file` (any PNG of ours),
    drawn on a tile; else nothing."""

    photo_folder = ""  # the door's photo cache; the app sets it (ScreenSettings.photo_dir)

    name = StringProperty("")
    photo = StringProperty("")  # a sha256 the plan names
    file = StringProperty("")
    texture = ObjectProperty(None, allownone=True)
    shown = BooleanProperty(False)
    inset = NumericProperty(0.08)  # of the tile's smaller side, around the picture

    def __init__(self, **kwargs: Any) -> None:
        self._photo_file = ""
        super().__init__(**kwargs)
        with self.canvas:
            self._tile_colour = Color(0, 0, 0, 0)
            self._tile = RoundedRectangle()
            self._picture_colour = Color(1, 1, 1, 0)
            self._picture = Rectangle()
        self.fbind("pos", self._place)
        self.fbind("size", self._place)
        self.fbind("texture", self._place)
        self._place()

    def on_name(self, _widget: Any, _name: str) -> None:
        self._choose()

    def on_photo(self, _widget: Any, _photo: str) -> None:
        self._choose()

    def _choose(self) -> None:
        """The photo when the cache has it, else the pictogram, else nothing. Looked up at
        each change, so a photo fetched since the last screen shows on the next."""
        found = media_file(self.photo_folder, self.photo) if self.photo_folder else None
        self._photo_file = str(found) if found else ""
        path = found or picture(self.name or None)
        self.file = str(path) if path else ""

    def on_file(self, _widget: Any, file: str) -> None:
        if not file:
            self.texture = None
        elif file == self._photo_file:
            self.texture = _photo_texture(file)
        else:
            self.texture = _texture(file)
        self.shown = self.texture is not None

    def _place(self, *_args: Any) -> None:
        texture = self.texture
        self._tile_colour.rgba = TILE if texture else (0, 0, 0, 0)
        self._picture_colour.rgba = (1, 1, 1, 1) if texture else (1, 1, 1, 0)
        side = min(self.width, self.height)
        self._tile.pos, self._tile.size = self.pos, self.size
        self._tile.radius = [side * 0.16]
        if texture is None or not texture.width or not texture.height:
            self._picture.texture = None
            self._picture.size = (0, 0)
            return
        room_w = self.width - 2 * side * self.inset
        room_h = self.height - 2 * side * self.inset
        scale = min(room_w / texture.width, room_h / texture.height)
        w, h = texture.width * scale, texture.height * scale
        self._picture.texture = texture
        self._picture.pos = (self.center_x - w / 2, self.center_y - h / 2)
        self._picture.size = (w, h)


def _texture(file: str) -> Any:
    """The picture's texture; None for a file that cannot be read."""
    try:
        # mipmap: the 128 px pictures are drawn smaller too, and stay smooth.
        return CoreImage(file, mipmap=True).texture
    except Exception:  # Kivy raises several kinds for a missing or broken file
        return None


def _photo_texture(file: str) -> Any:
    """A photo's texture at PHOTO_SIDE; None for a file that cannot be read (a photo removed
    from the cache a moment ago draws nothing rather than stopping the screen)."""
    from PIL import Image

    try:
        with Image.open(file) as image:
            image.draft("RGB", (PHOTO_SIDE, PHOTO_SIDE))  # a JPEG decodes at a fraction
            photo = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    photo.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    texture = Texture.create(size=photo.size, colorfmt="rgba", mipmap=True)
    texture.blit_buffer(photo.tobytes(), colorfmt="rgba", bufferfmt="ubyte")
    texture.flip_vertical()  # PIL's rows run top down, a texture's bottom up
    return texture


Factory.register("Pictogram", cls=Pictogram)

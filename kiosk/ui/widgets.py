"""Widgets the screens build rows of; their looks are in kv/widgets.kv."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.metrics import dp, sp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from kiosk.ui.pictogram import Pictogram  # noqa: F401  (registers it for the .kv files)


class SaidBlock(BoxLayout):
    """One message: Dutch, with the participant's own language below it.

    One size, one weight and one colour for both lines: the own line is the one the
    participant may read, so no screen can make it smaller or fainter than the Dutch
    (Dutch stays first). See kv/widgets.kv.
    """

    said = ObjectProperty(None, allownone=True)
    font_size = NumericProperty(sp(30))  # of both lines


class TaskRow(BoxLayout):
    """One task: its pictogram (or a bullet) and the text beside it, in a column of its
    own, so a task that wraps keeps its second line under its first — a hanging indent —
    and never looks like two tasks."""

    text = StringProperty("")
    pictogram = StringProperty("")  # a name in sync.pictograms; unknown: the bullet
    photo = StringProperty("")  # the workshop's own photo (sha256); beats the pictogram
    bullet = BooleanProperty(True)  # False for a line that is no task ("no tasks today")
    picture_size = NumericProperty(dp(64))
    font_size = NumericProperty(sp(24))


class NoticeLayout(BoxLayout):
    """The shared layout of the notice screens, bound to its screen's content."""

    colour = ListProperty([0, 0, 0, 1])
    symbol = StringProperty("")
    title = ObjectProperty(None, allownone=True)
    left = NumericProperty(0.0)


class WordCard(BoxLayout):
    """The word of the day; `word` is a kiosk.views.WordView, or None on a day without."""

    word = ObjectProperty(None, allownone=True)
    compact = BooleanProperty(False)  # beside a welcome's tasks: a smaller picture and word
    picture_size = NumericProperty(dp(120))
    speaks = BooleanProperty(False)  # sound is on and espeak-ng can be used


class TimeBar(Widget):
    """The time an answer has left, as a bar: `left` runs from 1 to 0."""

    left = NumericProperty(0.0)
    fill = ListProperty([1, 1, 1, 1])
    track = ListProperty([0, 0, 0, 0.35])


class SpeakerButton(Button):
    """Says the word of the day; a loudspeaker drawn on the canvas, no text."""


class LunchBox(BoxLayout):
    """ "Eet je mee?" with yes and no; `owner` is the screen that records the answer."""

    owner = ObjectProperty(None, allownone=True)
    asking = BooleanProperty(False)
    answer = StringProperty("")
    said = ObjectProperty(None, allownone=True)
    yes_text = StringProperty("")
    no_text = StringProperty("")


class ChoiceButton(Button):
    value = StringProperty("")


for _cls in (
    SaidBlock,
    TaskRow,
    NoticeLayout,
    LunchBox,
    WordCard,
    TimeBar,
    SpeakerButton,
    ChoiceButton,
):
    Factory.register(_cls.__name__, cls=_cls)

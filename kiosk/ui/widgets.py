"""Widgets the screens build rows of; their looks are in kv/widgets.kv."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.metrics import sp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from kiosk.ui.text import ScriptLabel


class SaidBlock(BoxLayout):
    """One message: Dutch, with the participant's own language below it.

    One size, one weight and one colour for both lines: the own line is the one the
    participant may read, so no screen can make it smaller or fainter than the Dutch
    (Dutch stays first). See kv/widgets.kv.
    """

    said = ObjectProperty(None, allownone=True)
    font_size = NumericProperty(sp(30))  # of both lines


class TaskLine(ScriptLabel):
    task = StringProperty("")


class PersonRow(BoxLayout):
    participant_id = StringProperty("")
    name = StringProperty("")
    since = StringProperty("")
    inside = BooleanProperty(False)


class RollName(BoxLayout):
    name = StringProperty("")
    since = StringProperty("")


class NoticeLayout(BoxLayout):
    """The shared layout of the notice screens, bound to its screen's content."""

    colour = ListProperty([0, 0, 0, 1])
    symbol = StringProperty("")
    title = ObjectProperty(None, allownone=True)


class WordCard(BoxLayout):
    """The word of the day; `word` is a kiosk.views.WordView, or None on a day without."""

    word = ObjectProperty(None, allownone=True)
    compact = BooleanProperty(False)  # on a welcome: no sentence and no listen button


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
    TaskLine,
    PersonRow,
    RollName,
    NoticeLayout,
    LunchBox,
    WordCard,
    ChoiceButton,
):
    Factory.register(_cls.__name__, cls=_cls)

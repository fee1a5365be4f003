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
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from kiosk.ui.base import fill
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


class AnswerPanel(BoxLayout):
    """The language-free half of every answer (its looks in kv/widgets.kv)."""

    colour = ListProperty([0, 0, 0, 1])
    symbol = StringProperty("")
    caption = StringProperty("")
    left = NumericProperty(0.0)
    week = ObjectProperty(None, allownone=True)  # a kiosk.views.WeekView, after an own tap
    not_coming_text = StringProperty("")  # the "Ik kom niet op …" button; empty: none
    my_words_text = StringProperty("")  # the "Mijn woorden" button; empty: none


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


class MarkTile(BoxLayout):
    """One agreed day of the participant's week: a coloured square with the mark's symbol
    (never colour alone), "di 24" below it; today has a white ring."""

    label = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    symbol = StringProperty("")
    today = BooleanProperty(False)


class WeekStrip(BoxLayout):
    """ "Jouw week": a MarkTile per agreed day, and the next agreed day in their language.
    `week` is a kiosk.views.WeekView, or None (the site does not show it): no room taken."""

    week = ObjectProperty(None, allownone=True)

    def on_week(self, _widget: object, week: object) -> None:
        if week is None:
            # The screen left: its tiles stay for the next answer (made again at every tap
            # they would slow the morning), with empty labels that hold no texture.
            for tile in self.ids.tiles.children:
                tile.label = tile.symbol = ""
            return
        rows = [
            {"label": t.label, "colour": list(t.colour), "symbol": t.symbol, "today": t.today}
            for t in (getattr(week, "days", ()) or ())
        ]
        fill(self.ids.tiles, MarkTile, rows)


class PictureButton(ButtonBehavior, BoxLayout):
    """A big answer button: its picture first, then its words in Dutch and in the
    participant's language, the same size. `choice` is a kiosk.views.Choice."""

    choice = ObjectProperty(None, allownone=True)
    chosen = BooleanProperty(False)
    font_size = NumericProperty(sp(24))

    def on_minimum_height(self, *_args: object) -> None:
        box = self.parent.parent if self.parent is not None else None
        if isinstance(box, QuestionBox):
            box.fit()

    def on_release(self) -> None:
        box = self.parent.parent if self.parent is not None else None
        if isinstance(box, QuestionBox) and self.choice is not None and not self.choice.done:
            box.choose(self.choice.value)


class QuestionBox(BoxLayout):
    """A question of the participant's own say: the question, then one PictureButton per
    choice in a row. `question` is a kiosk.views.Question, or None: no room taken."""

    question = ObjectProperty(None, allownone=True)
    owner = ObjectProperty(None, allownone=True)  # answers through owner.choose(value)
    answer = StringProperty("")  # the value chosen; the buttons rest once answered
    button_height = NumericProperty(dp(96))  # at least; fit() makes room for the words

    def on_question(self, _widget: object, question: object) -> None:
        self.answer = ""
        if question is None:
            # As WeekStrip: the buttons stay for the next question, empty.
            for button in self.ids.choices.children:
                button.choice, button.chosen = None, False
            return
        choices = getattr(question, "choices", ()) or ()
        fill(self.ids.choices, PictureButton, [{"choice": c, "chosen": False} for c in choices])
        self.fit()

    def fit(self) -> None:
        """Every button as tall as the one with the most to say, and never less than a
        big button (15 mm)."""
        buttons = self.ids.choices.children
        self.button_height = max([dp(96), *(b.minimum_height for b in buttons)])

    def choose(self, value: str) -> None:
        """One touch answers; a second touch (or a late one) changes nothing."""
        if self.answer or self.owner is None or self.question is None:
            return
        self.answer = value or "?"  # "weet ik niet" is an answer too
        self.owner.choose(value)

    def on_answer(self, _widget: object, answer: str) -> None:
        for button in self.ids.choices.children:
            value = button.choice.value if button.choice is not None else None
            button.chosen = bool(answer) and (value == answer or (answer == "?" and not value))


for _cls in (
    SaidBlock,
    TaskRow,
    AnswerPanel,
    NoticeLayout,
    LunchBox,
    WordCard,
    TimeBar,
    SpeakerButton,
    ChoiceButton,
    MarkTile,
    WeekStrip,
    PictureButton,
    QuestionBox,
):
    Factory.register(_cls.__name__, cls=_cls)

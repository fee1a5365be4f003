"""The words a participant has met, on the screen (issue 16): the recall check after their
check-out, and "mijn woorden". Import after kiosk.ui.boot.prepare_kivy().

The check comes after the goodbye (and after the question the door puts, if any), never
before the answer to a tap: `WordTurns` holds it until then. Shown, it has CHECK_SECONDS;
one touch answers, the right picture grows and the word is played again, also after a
wrong touch. Untouched, or ended by the next person's tap, it is skipped. Every answer is
written on a thread of its own: the door's lock puts it in turn with the taps, and the
next tap's screen never waits for it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.door import Answer, DoorFailure
from kiosk.recall import RecallCheck
from kiosk.sounds import length
from kiosk.ui.base import app, fill
from kiosk.ui.screens import AnswerScreen
from kiosk.views import View, WordPicture
from kiosk.word_views import check_view, has_words

log = logging.getLogger(__name__)

# After the goodbye, the check: the goodbye is read first (its name, hours, the next day).
CHECK_AFTER_GOODBYE = 3.0
# After the answer to the question put after the check-out: it shows as chosen first.
CHECK_AFTER_QUESTION = 1.0
# Once answered, the grown picture and the word played again stay this long.
ANSWERED_SECONDS = 3.5
GROWN = 1.22  # how much the right picture grows


class WordButton(ButtonBehavior, BoxLayout):
    """A word as a picture: photo, pictogram or symbol, with the Dutch word under it when
    `caption`. `grown` runs 0 → 1 as the right picture grows; `faded` rests the others."""

    picture = ObjectProperty(None, allownone=True)  # a kiosk.views.WordPicture
    caption = BooleanProperty(False)
    grown = NumericProperty(0.0)
    faded = BooleanProperty(False)
    side = NumericProperty(100)  # the picture's side at rest

    def on_press(self) -> None:
        owner = self._owner()
        if owner is not None and self.picture is not None:
            owner.touched(self.picture)

    def _owner(self) -> Any:
        widget = self.parent
        while widget is not None and not hasattr(widget, "touched"):
            widget = widget.parent
        return widget


class RecallScreen(AnswerScreen):
    """The check: the word played and written small in Dutch, four pictures, and a bar of
    the five seconds it has. Before the touch only a picture answers: a touch beside them
    does not end the check."""

    kv = "recall"
    own_say_later = False
    pictures = ObjectProperty(None, allownone=True)  # the RecallView
    answered = StringProperty("")  # the key touched; "" until then
    _shown_at = 0.0

    def show(self, view: View) -> None:
        super().show(view)
        self.answered = ""
        self.pictures = view.recall
        rows = [
            {"picture": p, "grown": 0.0, "faded": False}
            for p in (view.recall.choices if view.recall else ())
        ]
        fill(self.ids.choices, WordButton, rows)
        self._shown_at = Clock.get_boottime()

    def touched(self, picture: WordPicture) -> None:
        recall = self.pictures
        if recall is None or self.answered:
            return  # one touch answers; a second changes nothing
        response_ms = round((Clock.get_boottime() - self._shown_at) * 1000)
        self.answered = picture.key
        app().words.answered(recall.check, picture.key, response_ms)
        for button in self.ids.choices.children:
            right = button.picture is not None and button.picture.key == recall.asked.key
            button.faded = not right
            if right:
                Animation(grown=1.0, d=0.25, t="out_back").start(button)
        app().play("touched")
        app().say_word(recall.asked, after=length("touched"))
        app().rest(ANSWERED_SECONDS)
        if has_words(app().door.data, recall.check.participant_id):
            self.my_words_text = app().my_words_label(self.view)

    def unanswered(self) -> RecallCheck | None:
        """The check still open on the glass, if any."""
        recall = self.pictures
        return recall.check if recall is not None and not self.answered else None

    def on_touch_down(self, touch: Any) -> bool:
        if not self.answered:
            # Before the answer only the pictures (and nothing else) take a touch.
            return bool(super(AnswerScreen, self).on_touch_down(touch)) or True
        return super().on_touch_down(touch)

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)
        self.pictures = None
        self.answered = ""
        for button in self.ids.choices.children:
            Animation.cancel_all(button)
            button.picture, button.grown, button.faded = None, 0.0, False


class MyWordsScreen(AnswerScreen):
    """ "Mijn woorden": the words they met as pictures — a touch plays the word — and how
    many of them they know, as a bar and in words. Their own, after their own tap only."""

    kv = "my_words"
    own_say_later = False
    words = ObjectProperty(None, allownone=True)  # the MyWordsView

    def show(self, view: View) -> None:
        super().show(view)
        self.words = view.words
        rows = [
            {"picture": p, "caption": True, "grown": 0.0, "faded": False}
            for p in (view.words.pictures if view.words else ())
        ]
        fill(self.ids.pictures, WordButton, rows)

    def touched(self, picture: WordPicture) -> None:
        app().say_word(picture)
        app().rest(self.view.timeout if self.view else 0.0)  # listening: the full time again

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)
        self.words = None
        for button in self.ids.pictures.children:
            button.picture = None


class WordTurns:
    """When the check comes, and where its answers go. Lives on the UI thread; the
    answers are written on threads of their own."""

    def __init__(self, kiosk: Any) -> None:
        self.kiosk = kiosk
        self._waiting: RecallCheck | None = None  # after the goodbye, not shown yet
        self._event: Any = None
        self._writing: list[threading.Thread] = []

    def after(self, answer: Answer, view: View) -> None:
        """A tap's answer is up: its check, if any, follows the goodbye (and the question)."""
        if answer.recall is None:
            return
        self._waiting = answer.recall
        if view.question is None:
            self._soon(CHECK_AFTER_GOODBYE)

    def question_answered(self) -> None:
        if self._waiting is not None:
            self._soon(CHECK_AFTER_QUESTION)

    def _soon(self, seconds: float) -> None:
        self._cancel()
        self._event = Clock.schedule_once(lambda _dt: self._start(), seconds)

    def _start(self) -> None:
        self._event = None
        check, self._waiting = self._waiting, None
        if check is None:
            return
        self.kiosk.show(check_view(check))
        recall = self.kiosk.screen("recall").pictures
        if recall is not None:
            self.kiosk.say_word(recall.asked, after=length("recall"))

    def leaving(self, view: View | None) -> None:
        """Another screen goes up (`view`; None: waiting): a check not shown yet is
        dropped — never asked, nothing written — and one on the glass is skipped."""
        if view is not None and view.screen == "recall":
            return
        self._waiting = None
        self._cancel()
        if self.kiosk.manager.current == "recall":
            check = self.kiosk.screen("recall").unanswered()
            if check is not None:
                self.kiosk.screen("recall").pictures = None  # skipped once, not twice
                self.answered(check, None, None)

    def answered(self, check: RecallCheck, chosen: str | None, response_ms: int | None) -> None:
        """Write the answer on a thread: the screen that comes next does not wait for it."""
        door = self.kiosk.door

        def write() -> None:
            # An answer the journal cannot take is lost; the door logged why.
            with contextlib.suppress(DoorFailure):
                door.answer_recall(check, chosen, response_ms)

        self._writing = [t for t in self._writing if t.is_alive()]
        thread = threading.Thread(target=write, name="word-recall", daemon=True)
        self._writing.append(thread)
        thread.start()

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def close(self) -> None:
        """On stop: a check on the glass is skipped, and every answer is written."""
        self.leaving(None)
        for thread in self._writing:
            thread.join(timeout=5.0)


for _cls in (WordButton,):
    Factory.register(_cls.__name__, cls=_cls)

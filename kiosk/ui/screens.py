"""The participant's screens. Each binds the content of a View; the layout is its .kv file
and every rule is in the core (kiosk.decide, kiosk.views)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from kivy.clock import Clock
from kivy.metrics import sp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk import phrases as P
from kiosk.language import clock_time, dutch, long_date
from kiosk.own_views import reason_choices
from kiosk.script import markup
from kiosk.signs import BUTTONS, CUES
from kiosk.ui.base import KioskScreen, app, fill, workshop_now
from kiosk.ui.widgets import SaidBlock, TaskRow
from kiosk.views import (
    Question,
    Said,
    TaskView,
    View,
    say,
    waiting_call,
    waiting_tasks,
    word_view,
)

# How often the time bar moves: 64 steps for any answer (a step is a redraw of the
# window), but not more than 10 a second.
BAR_STEPS = 64
BAR_STEP_MIN = 0.1


class AnswerScreen(KioskScreen):
    """A screen that answers one tap: colour, symbol, message, and a bar that shrinks with
    the time it stays; a touch goes back."""

    view = ObjectProperty(None, allownone=True)
    colour = ListProperty([0, 0, 0, 1])
    symbol = StringProperty("")
    title = ObjectProperty(Said(""))
    word = ObjectProperty(None, allownone=True)
    left = NumericProperty(0.0)  # the share of its time the answer has left: 1 → 0
    # The participant's own say (kiosk.own_views): their week, a question put after their
    # tap, and the "Ik kom niet op …" button's markup.
    week = ObjectProperty(None, allownone=True)
    question = ObjectProperty(None, allownone=True)
    not_coming_text = StringProperty("")
    my_words_text = StringProperty("")  # "Mijn woorden" (issue 16), after their own tap
    own_say_later = True  # see show()
    _own_say_event: Any = None
    line_size = sp(30)  # of the lines under the title, both languages alike
    _ends = 0.0
    _total = 0.0
    _start = 1.0
    _ticking: Any = None

    def show(self, view: View) -> None:
        self.view = view
        self.colour = list(view.cue.colour)
        self.symbol = view.cue.symbol
        self.title = view.title
        self.word = view.word
        size = self.line_size
        self.fill("lines", SaidBlock, [{"said": s, "font_size": size} for s in view.lines])
        if self._own_say_event is not None:
            self._own_say_event.cancel()
            self._own_say_event = None
        own_say = view.week or view.question or view.not_coming or view.my_words
        if self.own_say_later and own_say:
            # The answer to the tap first; their week and the question on the next frame
            # (33 ms on), so the greeting is as quick as ever. Never the last one's week.
            self.week = self.question = None
            self.not_coming_text = self.my_words_text = ""
            self._own_say_event = Clock.schedule_once(lambda _dt: self.show_own_say(view))
        else:
            self.show_own_say(view)

    def show_own_say(self, view: View) -> None:
        """The participant's week, the question put after their tap, "Ik kom niet op …"."""
        self._own_say_event = None
        if view is not self.view:
            return  # the next tap came first
        self.week = view.week
        self.question = view.question
        lang = view.title.lang
        self.not_coming_text = (
            both(lang, P.NOT_COMING, CUES["absence"].symbol) if view.not_coming else ""
        )
        words = view.my_words
        self.my_words_text = both(lang, P.MY_WORDS, CUES["my_words"].symbol) if words else ""

    def count_down(self, seconds: float, start: float = 1.0) -> None:
        """Run the bar from `start` (its share, 1: full) to nothing in `seconds`; 0 seconds:
        the answer stays, and has no bar."""
        self._stop_bar()
        if seconds <= 0:
            self.left = 0.0
            return
        self._total, self._ends, self._start = seconds, Clock.get_boottime() + seconds, start
        self.left = start
        step = max(BAR_STEP_MIN, seconds / BAR_STEPS)
        self._ticking = Clock.schedule_interval(self._tick, step)

    def _tick(self, _dt: float) -> bool:
        share = max(0.0, (self._ends - Clock.get_boottime()) / self._total)
        self.left = self._start * share
        if self.left <= 0:
            self._ticking = None
            return False
        return True

    def _stop_bar(self) -> None:
        if self._ticking is not None:
            self._ticking.cancel()
            self._ticking = None

    def on_leave(self, *_args: Any) -> None:
        self._stop_bar()  # the waiting screen never animates
        if self._own_say_event is not None:
            self._own_say_event.cancel()
            self._own_say_event = None
        # Empty labels hold no texture: an answer screen at rest costs no image memory
        # (the software GL keeps textures in process memory). Its widgets stay for reuse.
        self.title = Said("")
        self.word = self.week = self.question = None
        self.not_coming_text = self.my_words_text = ""
        for box_id, names in (("lines", ("said",)), ("tasks", ("text", "pictogram", "photo"))):
            try:
                box = self.box(box_id)
            except KeyError:
                continue
            for widget in box.children:
                for name in names:
                    setattr(widget, name, None if name == "said" else "")

    def box(self, box_id: str) -> Any:
        """A box by id, in this screen's rule or in a shared layout it holds."""
        for widget in self.walk(restrict=True):
            found = widget.ids.get(box_id)
            if found is not None:
                return found
        raise KeyError(box_id)

    def fill(self, box_id: str, kind: type, rows: list[dict[str, Any]]) -> None:
        fill(self.box(box_id), kind, rows)

    def choose(self, value: str) -> None:
        """The participant answered the question put after their tap."""
        question = self.question
        if question is not None and question.asked is not None:
            app().own_answer(question.asked, value)

    def on_touch_down(self, touch: Any) -> bool:
        if super().on_touch_down(touch):
            return True
        app().go_waiting()
        return True


def task_rows(tasks: Iterable[TaskView], nothing: str | None = P.NO_TASKS) -> list[dict[str, Any]]:
    """TaskRow properties for each task; a day without tasks says so (`nothing`), without
    a bullet: it is no task."""
    rows = [
        {"text": t.text, "pictogram": t.pictogram or "", "photo": t.photo or "", "bullet": True}
        for t in tasks
    ]
    if not rows and nothing is not None:
        rows = [{"text": dutch(nothing), "pictogram": "", "photo": "", "bullet": False}]
    return rows


def both(lang: str | None, msgid: str, symbol: str) -> str:
    """Button markup: symbol and Dutch, and the participant's language on a line below;
    each line is ordered in its own direction."""
    own = say(lang, msgid).own
    lines = [f"{symbol} {dutch(msgid)}", *([own] if own else [])]
    return "\n".join(markup(line) for line in lines)


class LunchQuestion:
    """Mixin: "Eet je mee?" on an arrival screen, answered by touch or by the default."""

    asking = BooleanProperty(False)
    answer = StringProperty("")  # "", "yes", "no"
    lunch_said = ObjectProperty(None, allownone=True)
    yes_text = StringProperty("")
    no_text = StringProperty("")
    _pending: str | None = None

    def ask(self, view: View) -> None:
        lang = view.title.lang
        self.asking = view.ask_lunch
        self.answer = ""
        self.lunch_said = say(lang, P.LUNCH_QUESTION)
        self.yes_text = both(lang, P.YES, BUTTONS["yes"])
        self.no_text = both(lang, P.NO, BUTTONS["no"])
        self._pending = view.participant_id if view.ask_lunch else None

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)  # type: ignore[misc]
        self.asking, self.lunch_said, self.yes_text, self.no_text = False, None, "", ""

    def answer_lunch(self, eats: bool) -> None:
        pending, self._pending = self._pending, None
        if pending:
            self.answer = "yes" if eats else "no"
            app().lunch(pending, eats)

    def take_lunch_question(self) -> str | None:
        """The participant still to answer, once; the app records the default for them."""
        pending, self._pending = self._pending, None
        return pending


class WelcomeScreen(LunchQuestion, AnswerScreen):
    kv = "welcome"
    # The welcome holds the most (lunch, tasks, the word): a little smaller lines, so it
    # fits one screen in every script with three tasks (tests/kiosk/ui/test_own_line.py).
    line_size = sp(26)

    time_text = StringProperty("")

    def show(self, view: View) -> None:
        super().show(view)
        self.ask(view)
        self.time_text = clock_time(view.at, "nl") if view.at else ""
        self.fill("tasks", TaskRow, task_rows(view.tasks))


class ForgotScreen(LunchQuestion, AnswerScreen):
    kv = "forgot"

    def show(self, view: View) -> None:
        super().show(view)
        self.ask(view)


class GoodbyeScreen(AnswerScreen):
    kv = "goodbye"


class TooSoonScreen(AnswerScreen):
    """ "Do you want to leave?" — yes, no, and what happens when nobody answers: the
    participant stays checked in, as the bar under "Je blijft ingecheckt" runs out."""

    kv = "too_soon"

    yes_text = StringProperty("")
    no_text = StringProperty("")
    otherwise = ObjectProperty(None, allownone=True)

    def show(self, view: View) -> None:
        super().show(view)
        lang = view.lines[0].lang if view.lines else None
        self.yes_text = both(lang, P.YES_LEAVING, BUTTONS["leave"])
        self.no_text = both(lang, P.NO_STAYING, BUTTONS["no"])
        self.otherwise = view.otherwise

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)
        self.yes_text = self.no_text = ""
        self.otherwise = None

    def leave(self, yes: bool) -> None:
        view = self.view
        if yes and view and view.participant_id:
            app().leave(view.participant_id, view.uid or "")
        else:
            app().go_waiting()


class AbsenceScreen(AnswerScreen):
    """ "Ik kom niet op …": first the day (their next agreed days), then the reason; the
    record is written only at the reason. Untouched, or the next tap: nothing."""

    kv = "absence"
    own_say_later = False  # the question is this screen's whole answer
    day = StringProperty("")  # the day chosen, ISO; "" while choosing it
    done = BooleanProperty(False)

    def show(self, view: View) -> None:
        super().show(view)
        self.day = ""
        self.done = False

    def choose(self, value: str) -> None:
        view = self.view
        if view is None or view.participant_id is None or self.done:
            return
        if not self.day:
            self.day = value
            lang = view.title.lang
            self.fill("lines", SaidBlock, [])
            self.question = Question(say(lang, P.WHY_NOT_COMING), reason_choices(lang))
            app().question_moved_on()
            return
        self.done = app().announce_absence(view.participant_id, date.fromisoformat(self.day), value)
        if self.done:
            self.title = say(view.title.lang, P.NOTED)

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)
        self.day, self.done = "", False


class NoticeScreen(AnswerScreen):
    """A message and who to ask; each kind has its own .kv layout."""


class UnknownScreen(NoticeScreen):
    kv = "unknown"


class InactiveScreen(NoticeScreen):
    kv = "inactive"


class ReaderProblemScreen(NoticeScreen):
    kv = "reader_problem"

    def on_touch_down(self, touch: Any) -> bool:
        return True  # stays until the reader works again


class ErrorScreen(NoticeScreen):
    kv = "error"


class NotSavedScreen(NoticeScreen):
    kv = "not_saved"


class WaitingScreen(KioskScreen):
    """The door at rest: clock, date, word of the day, tasks, who is in, sync status."""

    kv = "waiting"

    clock_text = StringProperty("")
    date_text = StringProperty("")
    word = ObjectProperty(None, allownone=True)
    present_text = StringProperty("")
    sync_text = StringProperty("")
    online = BooleanProperty(False)
    call = ObjectProperty(None, allownone=True)  # "tap your badge", and in turn each language
    dim = NumericProperty(0.0)  # 0: bright; the dark veil's opacity when idle
    _idle_since = 0.0

    _day: date | None = None

    def tick(self) -> None:
        now = workshop_now()
        # Kivy redraws a label only when its text changes: once a minute here, and the
        # call's language every few seconds while the screen is bright.
        self.clock_text = clock_time(now, "nl")
        if not self.dim:
            self.call = waiting_call(now)
        if now.date() != self._day:
            self.refresh()

    def refresh(self) -> None:
        """Re-read what may have changed: door data, presence, sync status."""
        door = app().door
        now = workshop_now()
        today = self._day = now.date()
        self.clock_text = clock_time(now, "nl")
        self.call = waiting_call(now)
        self.date_text = long_date(today, "nl")
        self.word = word_view(door.data, today, None)
        rows = task_rows(waiting_tasks(door.data, today), nothing=None)
        fill(self.ids.tasks, TaskRow, rows)
        self.refresh_status()

    def refresh_status(self) -> None:
        """Who is in and the sync status; labels redraw only when their text changes."""
        door = app().door
        door.refresh()  # what the sync agent stored: door data, the site's presence
        self.present_text = dutch(P.PRESENT_COUNT, count=str(len(door.presence.inside())))
        status = app().journal.sync_status()
        self.online = bool(app().is_online())
        state = dutch(P.ONLINE if self.online else P.OFFLINE)
        waiting = status.queue_depth
        self.sync_text = (
            f"{state} · {dutch(P.RECORDS_WAITING, count=str(waiting))}" if waiting else state
        )

    def wake(self) -> None:
        self._idle_since = Clock.get_time()
        if self.dim:
            self.dim = 0.0

    def dim_if_idle(self, after: float) -> None:
        if self._idle_since == 0.0:
            self._idle_since = Clock.get_time()
        if after > 0 and not self.dim and Clock.get_time() - self._idle_since > after:
            self.dim = 0.75

    def on_touch_down(self, touch: Any) -> bool:
        if self.dim:
            self.wake()
            return True  # the first touch only wakes the screen
        return bool(super().on_touch_down(touch))

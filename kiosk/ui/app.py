"""The kiosk app: the reader's taps become screens. Import after kiosk.ui.boot.prepare_kivy().

The reader thread commits each tap through the Door (the journal write never waits for a
frame) and hands the answer to the UI thread with Clock.schedule_once; widgets are only
ever touched on the UI thread.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, ScreenManager

import kiosk.ui.text  # noqa: F401  (registers ScriptLabel for the .kv files)
from hardware.badge import BadgeRead, BadgeReader, ReaderHealth
from kiosk import phrases as P
from kiosk.decide import BadgeTaken, Outcome
from kiosk.door import Answer, Door, DoorFailure
from kiosk.notify import notify
from kiosk.own_views import absence_view, with_own_say
from kiosk.player import Player, SilentPlayer
from kiosk.questions import AfterTap
from kiosk.signs import CUES
from kiosk.sounds import chime_file, length
from kiosk.speech import Pronouncer, greetings, spoken_text
from kiosk.ui import memory
from kiosk.ui.base import KioskScreen
from kiosk.ui.pictogram import Pictogram
from kiosk.ui.screens import (
    AbsenceScreen,
    ErrorScreen,
    ForgotScreen,
    GoodbyeScreen,
    InactiveScreen,
    NotSavedScreen,
    ReaderProblemScreen,
    TooSoonScreen,
    UnknownScreen,
    WaitingScreen,
    WelcomeScreen,
    both,
)
from kiosk.ui.supervisor import EnrolScreen, EvacuationScreen, SupervisorScreen
from kiosk.ui.voice import Voice
from kiosk.ui.words import MyWordsScreen, RecallScreen, WordTurns
from kiosk.views import (
    Said,
    View,
    WordPicture,
    WordView,
    error_view,
    not_saved_view,
    reader_problem_view,
    view_of,
)
from kiosk.watchdog import arm
from kiosk.word_views import has_words, my_words_view
from sync.journal import Journal
from sync.media import media_file
from sync.own_say import CHECKOUT_ESTIMATE, LEAVE_REASON

log = logging.getLogger(__name__)

KV_DIR = Path(__file__).with_name("kv")

# Every screen of the door, once: each names its own .kv file and its name in the manager.
SCREENS: tuple[type[KioskScreen], ...] = (
    WaitingScreen,
    WelcomeScreen,
    ForgotScreen,
    GoodbyeScreen,
    TooSoonScreen,
    AbsenceScreen,
    UnknownScreen,
    InactiveScreen,
    ReaderProblemScreen,
    ErrorScreen,
    NotSavedScreen,
    RecallScreen,
    MyWordsScreen,
    SupervisorScreen,
    EvacuationScreen,
    EnrolScreen,
)
_loaded = False
# The answers to a participant's own tap that carry the "Mijn woorden" button.
OWN_TAP = frozenset({"welcome", "forgot", "goodbye"})


def kv_files() -> list[Path]:
    """The .kv files in load order: the widgets the screens' rules use, then the screens."""
    return [KV_DIR / "widgets.kv", *(KV_DIR / f"{screen.kv}.kv" for screen in SCREENS)]


def load_kv() -> None:
    """Load the screens' .kv rules once per process (Kivy's rules are global)."""
    global _loaded
    if not _loaded:
        for path in kv_files():
            Builder.load_file(str(path))
        _loaded = True


@dataclass(frozen=True)
class ScreenSettings:
    dim_after: float = 120.0  # seconds; 0: never
    supervisor_idle: float = 60.0
    lunch_default: bool = True
    lunch_seconds: float = 15.0
    sound: bool = True
    cache_dir: Path | None = None  # chimes and spoken words
    photo_dir: Path | None = None  # the plan's photos, fetched by the sync agent (sync.media)


class KioskApp(App):
    """The touchscreen at the door."""

    title = "prikklok"

    def __init__(
        self,
        *,
        door: Door,
        journal: Journal,
        reader: BadgeReader,
        settings: ScreenSettings | None = None,
        player: Player | None = None,
        pronouncer: Pronouncer | None = None,
        keys: Mapping[str, str] | None = None,
        on_screen: Callable[[str, View | None], None] | None = None,
        is_online: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.door = door
        self.journal = journal
        self.reader = reader
        self.settings = settings or ScreenSettings()
        Pictogram.photo_folder = str(self.settings.photo_dir or "")
        self.player = player or SilentPlayer()
        self.pronouncer = pronouncer
        self.voice = Voice(pronouncer, self.player, on=self.settings.sound)
        self.words = WordTurns(self)  # the recall check after a check-out (issue 16)
        self.keys = dict(keys or {})  # demo: a key on the keyboard taps a badge
        self.on_screen = on_screen
        self.is_online = is_online or (lambda: False)
        self.health = ReaderHealth.OK
        self.supervisor_id: str | None = None
        self.enrolling = False
        self._back: Any = None  # the pending "back to waiting" event
        self._back_for = 0.0  # and how long the answer it ends stays in all
        self._tidy = memory.Tidy()
        memory.drop_text_surfaces()  # before the first label is drawn
        self._tidy_soon = Clock.create_trigger(lambda _dt: self._tidy(), 0.5)
        self._started = False
        self._quiet = False  # a chime could not be written (said once)
        # What the reader hands over, put up one per frame (see _hand_over).
        self._inbox: deque[Callable[[], None]] = deque()
        self._unseen = False  # the last one put up has not had its frame yet

    # -- building -------------------------------------------------------------------------
    def build(self) -> ScreenManager:
        load_kv()
        manager = ScreenManager(transition=NoTransition())
        for screen in SCREENS:
            manager.add_widget(screen())
        manager.bind(current=self._current_changed)
        return manager

    def on_start(self) -> None:
        Window.bind(on_key_down=self._key_down)
        Window.bind(on_touch_down=self._touched)
        self.waiting.refresh()
        self._ticks = [
            Clock.schedule_interval(lambda _dt: self.waiting.tick(), 1.0),
            Clock.schedule_interval(lambda _dt: self._idle_check(), 1.0),
            Clock.schedule_interval(lambda _dt: self._status(), 5.0),
        ]
        self._unseen = True  # taps read before the first frame wait for it (see _first_frame)
        self.reader.start(self._read, self._health)
        self._started = True
        self._announce("waiting", None)
        # READY once the waiting screen's first frame is on the glass (see _first_frame).
        Window.bind(on_flip=self._first_frame)
        if memory.offscreen():
            Window.bind(on_flip=memory.flush_frame, on_draw=memory.finish_last_frame)
        self._prepare_speech()

    def on_stop(self) -> None:
        if not self._started:
            return
        self._started = False
        self._settle_lunch()  # a question left open when the kiosk stops takes the default
        self.words.close()  # a check on the glass is skipped, and every answer written
        for event in self._ticks:
            event.cancel()
        if self._back is not None:
            self._back.cancel()
        Window.unbind(on_key_down=self._key_down)
        Window.unbind(on_touch_down=self._touched)
        Window.unbind(on_flip=self._first_frame)
        Window.unbind(on_flip=memory.flush_frame, on_draw=memory.finish_last_frame)
        self.reader.close()

    @property
    def manager(self) -> ScreenManager:
        assert isinstance(self.root, ScreenManager)
        return self.root

    @property
    def waiting(self) -> WaitingScreen:
        screen = self.manager.get_screen("waiting")
        assert isinstance(screen, WaitingScreen)
        return screen

    def screen(self, name: str) -> Any:
        return self.manager.get_screen(name)

    # -- from the reader's thread ---------------------------------------------------------
    def _read(self, read: BadgeRead) -> None:
        if self.enrolling:
            self._hand_over(lambda: self.screen("enrol").badge_read(read.uid))
            return
        try:
            answer = self.door.tap(read.uid)
        except DoorFailure as failure:
            failed = failure  # the except clause unbinds its name; the lambda runs later
            self._hand_over(lambda: self.not_recorded(failed))
            return
        self._hand_over(lambda: self.answer(answer))

    def _health(self, health: ReaderHealth) -> None:
        self.door.reader_health(health)
        self._hand_over(lambda: self.reader_health(health))

    def _hand_over(self, show: Callable[[], None]) -> None:
        """From the reader's thread: put `show` up on the UI thread, in turn.

        Taps decided faster than frames (a piped demo, a wedge reader typing ahead) would
        otherwise replace each other before a frame showed them: each answer gets a frame
        of its own, in order. A real rush is a tap a second or so, far slower than that.
        """
        self._inbox.append(show)
        Clock.schedule_once(self._put_up)

    def _put_up(self, _dt: float = 0) -> None:
        if self._unseen or not self._inbox:
            return  # _seen puts the next one up once this one is on the glass
        self._inbox.popleft()()
        self._unseen = True
        # Kivy runs a callback scheduled for 0 s at the loop's next turn, after the frame
        # this turn draws (if anything changed, the answer is on it; if not, it needs none).
        Clock.schedule_once(self._seen)

    def _seen(self, _dt: float) -> None:
        self._unseen = False
        self._put_up()

    # -- on the UI thread -----------------------------------------------------------------
    def answer(self, answer: Answer) -> None:
        """Show the screen for a committed tap."""
        decision = answer.decision
        if decision.outcome is Outcome.SUPERVISOR:
            assert decision.supervisor is not None
            self.open_supervisor(decision.supervisor.id)
            return
        view = view_of(decision, self.door.data, lunch_seconds=self.settings.lunch_seconds)
        if answer.week is not None or answer.asked is not None:
            view = with_own_say(view, answer.week, answer.asked)
        if view.screen in OWN_TAP and has_words(self.door.data, view.participant_id):
            view = replace(view, my_words=Said(P.MY_WORDS))
        self.show(view)
        self.words.after(answer, view)  # the check, if any, comes after this answer

    def not_recorded(self, failure: DoorFailure) -> None:
        """A tap the journal did not take: tap again, or (it cannot pass) go to the supervisor."""
        if failure.trouble is None:
            self.show(error_view(failure.lang))
            return
        supervisor = failure.decision.supervisor
        if failure.decision.outcome is Outcome.SUPERVISOR and supervisor is not None:
            # The supervisor is who the participants are sent to: supervisor mode opens all
            # the same, with the cause at the top of its status line.
            self.open_supervisor(supervisor.id)
            return
        self.show(not_saved_view(failure.trouble.value, failure.lang))

    def show(self, view: View) -> None:
        self.words.leaving(view)  # a check on the glass is skipped, one to come dropped
        self._settle_lunch()
        self.supervisor_id = None
        self.enrolling = False
        self.screen(view.screen).show(view)
        self.manager.current = view.screen
        self.voice.hush()  # the last answer's greeting, if still unsaid, is not this one's
        self.play(view.cue.sound)
        if view.spoken:
            self.voice.say(view.spoken, after=length(view.cue.sound))
        self._announce(view.screen, view)
        self._back_in(view.timeout)
        self._tidy_soon()  # busy doors may never rest: tidy up between answers too

    def reader_health(self, health: ReaderHealth) -> None:
        self.health = health
        self.waiting.refresh()
        if health is ReaderHealth.OK:
            if self.manager.current == "reader_problem":
                self.go_waiting()
        elif self.supervisor_id is None:  # a supervisor at work sees it in the status line
            self.show(reader_problem_view(self.health.value))

    def go_waiting(self, *_args: Any) -> None:
        self.words.leaving(None)
        self._settle_lunch()
        self.voice.hush()
        if self._back is not None:
            self._back.cancel()
            self._back = None
        self.supervisor_id = None
        self.enrolling = False
        if self.health is not ReaderHealth.OK:
            self.show(reader_problem_view(self.health.value))
            return
        self.waiting.refresh()
        self.manager.current = "waiting"
        self._announce("waiting", None)
        # At rest again: hand back what the answer's screens freed (textures, layouts).
        self._tidy_soon()

    def _back_in(self, seconds: float, *, shorter: bool = False) -> None:
        if self._back is not None:
            self._back.cancel()
        self._back = Clock.schedule_once(self.go_waiting, seconds) if seconds > 0 else None
        self._back_for = seconds
        # The answer's bar shows the time it has left (none for an answer that stays); a
        # shorter rest runs on from where the bar is, it never grows back.
        screen = self.screen(self.manager.current)
        if hasattr(screen, "count_down"):
            screen.count_down(seconds, screen.left if shorter else 1.0)

    def _settle_lunch(self) -> None:
        # Leaving a welcome that asked "Eet je mee?" untouched records the default.
        for name in ("welcome", "forgot"):
            pending = self.screen(name).take_lunch_question()
            if pending:
                # A lunch answer the journal cannot take is lost; the door logged why.
                with contextlib.suppress(DoorFailure):
                    self.door.lunch(pending, eats=self.settings.lunch_default, answered=False)

    def lunch(self, participant_id: str, eats: bool) -> None:
        with contextlib.suppress(DoorFailure):
            self.door.lunch(participant_id, eats=eats, answered=True)
        self._rest_if_answered()

    def _rest_if_answered(self) -> None:
        """Once every question on the answer is answered, it goes in two seconds."""
        screen = self.screen(self.manager.current)
        lunch_open = bool(getattr(screen, "asking", False)) and not getattr(screen, "answer", "")
        box = screen.ids.get("question")
        question_open = box is not None and box.question is not None and not box.answer
        if not lunch_open and not question_open:
            self._back_in(2.0, shorter=True)

    # -- the participant's own say (kiosk.questions) --------------------------------------
    def own_answer(self, asked: AfterTap, value: str) -> None:
        """The answer to the question put after a tap: one record; no answer, none."""
        # An answer the journal cannot take is lost; the door logged why.
        with contextlib.suppress(DoorFailure):
            if asked.kind == LEAVE_REASON:
                self.door.leave_reason(asked, value)
            elif asked.kind == CHECKOUT_ESTIMATE:
                self.door.checkout_estimate(asked, time.fromisoformat(value) if value else None)
        self._rest_if_answered()
        self.words.question_answered()  # the check, if any, after the answer shows

    def open_absence(self) -> None:
        """ "Ik kom niet op …" on the answer to their tap: their next agreed days."""
        view: Any = getattr(self.screen(self.manager.current), "view", None)
        pid = view.participant_id if view is not None else None
        if view is None or pid is None:
            return
        self.show(absence_view(pid, view.title.lang, self.door.next_days(pid)))

    def rest(self, seconds: float) -> None:
        """The answer on the glass stays `seconds` more, its bar from full again."""
        self._back_in(seconds)

    # -- the words they have met (issue 16; kiosk.ui.words) -------------------------------
    def open_my_words(self) -> None:
        """The "Mijn woorden" button on the answer to their own tap."""
        view: Any = getattr(self.screen(self.manager.current), "view", None)
        pid = view.participant_id if view is not None else None
        plan = self.door.data.recall.get(pid or "")
        if view is None or pid is None or plan is None:
            return
        lang = view.title.lang or self._language_of(pid)
        right = self.door.words_right(pid)
        self.show(my_words_view(pid, plan, self.door.data, lang, right))

    def my_words_label(self, view: View | None) -> str:
        """The "Mijn woorden" button's markup for the participant of `view`."""
        pid = view.participant_id if view is not None else None
        lang = self._language_of(pid) if pid else None
        return both(lang, P.MY_WORDS, CUES["my_words"].symbol)

    def _language_of(self, participant_id: str) -> str | None:
        who = self.door.data.participants.get(participant_id)
        return who.language if who is not None else None

    def say_word(self, word: WordPicture, after: float = 0.0) -> None:
        """Play a word they met: the workshop's recording if the cache has it, else the
        computer's voice — the word with its article, no sentence."""
        folder = self.settings.photo_dir
        recorded = media_file(folder, word.voice) if folder and word.voice else None
        if recorded is not None:
            self.voice.play(recorded, after=after)
        else:
            self.voice.say(spoken_text(word.word, "", word.article), after=after)

    def question_moved_on(self) -> None:
        """A question of its own screen went to its next step: the full time again."""
        self._back_in(self._back_for)

    def announce_absence(self, participant_id: str, day: date, reason: str) -> bool:
        try:
            written = self.door.announce_absence(participant_id, day, reason)
        except (DoorFailure, ValueError):
            return False
        self._back_in(3.0, shorter=True)
        return written is not None

    def leave(self, participant_id: str, uid: str) -> None:
        """ "Yes, I am leaving" on the too-soon screen."""
        try:
            answer = self.door.confirm_leave(participant_id, uid)
        except DoorFailure as failure:
            self.not_recorded(failure)
            return
        if answer is None:
            self.go_waiting()
        else:
            self.answer(answer)

    def listen(self, word: WordView | None) -> None:
        """The speaker button: say the word of the day with its sentence. On an answer,
        whoever listens gets the answer's full time again to read along."""
        if word is None:
            return
        # A supervisor's own voice when the cache has it; the computer's voice otherwise.
        folder = self.settings.photo_dir
        recorded = media_file(folder, word.voice) if folder and word.voice else None
        if recorded is not None:
            self.voice.play(recorded)
        else:
            self.voice.say(spoken_text(word.word, word.sentence, word.article))
        if self._back is not None:
            self._back_in(self._back_for)

    def _first_frame(self, *_: Any) -> None:
        # on_flip's handlers run just before the buffers swap, and a callback scheduled
        # for 0 s runs at the start of the loop's next turn: after this frame is shown.
        Window.unbind(on_flip=self._first_frame)
        Clock.schedule_once(self._ready, 0)
        Clock.schedule_once(self._seen)  # the waiting screen is up: answers may follow

    def _ready(self, _dt: float) -> None:
        if not self._started:  # stopped before its first frame: nothing to announce
            return
        memory.settle_after_start()
        notify("READY=1")
        # systemd's watchdog counts from READY. The pings come from this loop, never from a
        # thread: a hung UI falls silent, and systemd restarts the kiosk.
        watchdog = arm()
        if watchdog:
            ping = Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), watchdog.ping_every)
            self._ticks.append(ping)

    def _prepare_speech(self) -> None:
        """Speak the planned words into the cache ahead of a listen, and forget old ones;
        the greetings of today's roster are kept (said on demand, at the first tap)."""
        data = self.door.data
        today = self.door.clock.now().workshop_day()
        words = [spoken_text(w.word, w.sentence, w.article) for w in data.words if w.day >= today]
        said = [line for p in data.participants.values() for line in greetings(p.display_name)]
        self.voice.prepare(words, keep=said if data.speak_greeting else [])

    def play(self, sound: str) -> None:
        if self.settings.sound and self.settings.cache_dir is not None:
            try:
                path = chime_file(sound, self.settings.cache_dir)
            except OSError as error:
                # A full disk has no room for a new chime: the screen answers all the same.
                if not self._quiet:
                    log.warning("no sound: cannot write the chime %r: %s", sound, error)
                    self._quiet = True
                return
            self.player.play(path)

    # -- supervisor mode ------------------------------------------------------------------
    def open_supervisor(self, supervisor_id: str, page: str = "supervisor") -> None:
        self.words.leaving(None)  # a supervisor's badge ends a check like any tap
        self._settle_lunch()
        if self._back is not None:
            self._back.cancel()
            self._back = None
        self.supervisor_id = supervisor_id
        self.enrolling = page == "enrol"
        self._last_touch = Clock.get_time()
        self.screen(page).refresh()
        self.manager.current = page
        self._announce(page, None)

    def by_hand(self, participant_id: str, check_in: bool) -> None:
        if self.supervisor_id is None:
            return
        outcome = Outcome.MANUAL_CHECK_IN if check_in else Outcome.MANUAL_CHECK_OUT
        # Not recorded: the status line says why, and the list shows nothing changed.
        with contextlib.suppress(DoorFailure):
            self.door.by_hand(outcome, participant_id, self.supervisor_id)
        self.screen("supervisor").refresh()

    def close_day(self) -> int:
        if self.supervisor_id is None:
            return 0
        try:
            answers = self.door.close_day(self.supervisor_id)
        except DoorFailure:
            self.screen("supervisor").refresh()  # the status line says why
            return 0
        self.screen("supervisor").refresh()
        return len(answers)

    def enrol(self, uid: str, participant_id: str) -> str:
        """Give the badge; returns the participant's name. Raises BadgeTaken."""
        assert self.supervisor_id is not None
        self.door.enrol(uid, participant_id, self.supervisor_id)
        return self.door.data.participants[participant_id].display_name

    def _idle_check(self) -> None:
        if self.supervisor_id is not None:
            idle = Clock.get_time() - self._last_touch
            if idle > self.settings.supervisor_idle:
                self.go_waiting()
        elif self.manager.current == "waiting":
            self.waiting.dim_if_idle(self.settings.dim_after)

    def _status(self) -> None:
        if self.manager.current == "waiting":
            self.waiting.refresh_status()

    def _touched(self, _window: Any, _touch: Any) -> bool:
        self._last_touch = Clock.get_time()
        self.waiting.wake()
        return False

    def _key_down(self, _window: Any, key: int, _scancode: int, text: str | None, *_: Any) -> bool:
        uid = self.keys.get(text or "")
        if uid and hasattr(self.reader, "tap"):
            self.reader.tap(uid)  # through the simulated reader, like any tap
            return True
        return False

    def _current_changed(self, _manager: Any, name: str) -> None:
        if name != "waiting":
            self.waiting.wake()

    def _announce(self, name: str, view: View | None) -> None:
        if self.on_screen:
            self.on_screen(name, view)

    # -- for the demo and the tests -------------------------------------------------------
    def screenshot(self, path: Path) -> Path:
        """Save what the screen shows now as a PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.manager.export_to_png(str(path))
        return path


__all__ = ["BadgeTaken", "KioskApp", "ScreenSettings", "load_kv"]

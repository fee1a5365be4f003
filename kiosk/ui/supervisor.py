"""Supervisor mode: who is in, the evacuation list, check in or out by hand, enrol a badge,
check everyone out at closing, and how the kiosk is doing. The screens read the door and
the journal; what they show is decided in the core (kiosk.supervision)."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk import phrases as P
from kiosk.decide import BadgeTaken
from kiosk.door import DoorFailure
from kiosk.language import dutch
from kiosk.supervision import (
    KioskHealth,
    RollCall,
    badge_candidates,
    lunch_count,
    participants_inside,
    present_list,
    status_lines,
    storage_alert,
    supervisors_today,
)
from kiosk.transcript import roll_call_transcript, supervisor_transcript
from kiosk.ui.base import KioskScreen, app, workshop_now
from kiosk.ui.tiles import NameTile
from kiosk.ui.widgets import ChoiceButton
from kiosk.views import CAUSES
from sync.disk import room


class PersonRow(NameTile, BoxLayout):
    """A participant on supervisor mode's list: name, since when, in or out by hand."""

    participant_id = StringProperty("")
    since = StringProperty("")
    inside = BooleanProperty(False)


class SupervisorScreen(KioskScreen):
    kv = "supervisor"

    heading = StringProperty("")
    present_text = StringProperty("")
    lunch_text = StringProperty("")
    status_lines = ListProperty([])
    alert = StringProperty("")  # the journal cannot be written: above everything else
    message = StringProperty("")
    rows = ListProperty([])  # kiosk.supervision.PresentRow, in the order shown

    def refresh(self) -> None:
        kiosk = app()
        door = kiosk.door
        supervisor = door.data.supervisors.get(kiosk.supervisor_id or "")
        name = supervisor.display_name if supervisor else ""
        self.heading = f"{dutch(P.SUPERVISOR)}: {name}"
        today = workshop_now().date()
        count = lunch_count(door.presence, door.site, today)
        self.lunch_text = dutch(P.LUNCH_TODAY, count=str(count))
        self.rows = present_list(door.presence, door.data, today)
        inside = sum(1 for row in self.rows if row.inside)
        self.present_text = dutch(P.PRESENT_COUNT, count=str(inside))
        self.ids.people.rows = [
            {"participant_id": r.id, "name": r.name, "since": r.since_text, "inside": r.inside}
            for r in self.rows
        ]
        self.status_lines = status_lines(kiosk_health())
        trouble = door.write_trouble
        self.alert = storage_alert(trouble.value if trouble else None, door.reserve_released)

    def close_day(self) -> None:
        count = app().close_day()
        self.message = dutch(P.CHECKED_EVERYONE_OUT, count=str(count))

    def transcript(self) -> list[str]:
        """What this screen shows, as lines of text (the offscreen demo prints them)."""
        head = " · ".join([self.present_text, self.lunch_text])
        return supervisor_transcript(self.heading, head, self.rows, self.status_lines, self.alert)


def kiosk_health() -> KioskHealth:
    """How the kiosk is doing, read from its journal and its disk."""
    journal = app().journal
    contact = journal.last_contact()
    records = journal.last(1)
    try:
        disk = room(journal.path)
    except OSError:
        disk = None
    return KioskHealth(
        kiosk_id=journal.kiosk_id,
        queue_depth=journal.sync_status().queue_depth,
        last_contact=contact[0] if contact else None,
        clock_synced=records[0].clock_synced if records else True,
        reader_health=journal.reader_health(),
        disk=disk,
    )


class RollTile(NameTile, ButtonBehavior, BoxLayout):
    """Someone on the evacuation list; the whole tile is the tick box."""

    key = StringProperty("")
    caption = StringProperty("")  # "sinds 08:58", or "Begeleider · 08:30"
    ticked = BooleanProperty(False)

    def on_release(self) -> None:
        app().screen("evacuation").tick(self.key)


class EvacuationScreen(KioskScreen):
    """Everyone inside, large, for a roll call; from this kiosk's own journal (offline too).

    Opening it makes a new list, unticked, with the time it was made. The ticks live in
    this screen's memory only, and go when the list is closed: they are not attendance.
    """

    kv = "evacuation"

    heading = StringProperty("")
    made_text = StringProperty("")
    seen_text = StringProperty("")
    roll = ObjectProperty(None, allownone=True)  # the open list's RollCall

    def refresh(self) -> None:
        """A new list: who is inside now, nobody ticked yet."""
        door = app().door
        now = workshop_now()
        people = participants_inside(door.presence, door.data)
        taps = app().journal.of_kind("supervisor", day=now.date())
        staff = supervisors_today(taps, door.site, door.data, now.date())
        self.roll = RollCall(now, people, staff)
        self.show_roll()

    def tick(self, key: str) -> None:
        """The supervisor has seen someone (or takes back a mistaken tick)."""
        if self.roll is not None:
            self.roll.tick(key)
            self.show_roll()

    def show_roll(self) -> None:
        roll: RollCall | None = self.roll
        if roll is None:
            self.heading = self.made_text = self.seen_text = ""
            self.ids.names.rows = []
            return
        self.heading = dutch(P.EVERYONE_INSIDE, count=str(roll.total))
        self.made_text = roll.made_text
        self.seen_text = roll.seen_text
        self.ids.names.rows = [
            {
                "key": entry.key,
                "name": entry.name,
                "caption": entry.caption,
                "ticked": roll.ticked(entry.key),
            }
            for entry in roll.entries
        ]

    def on_leave(self, *_: Any) -> None:
        # Closing the list (back, close, a tap, the idle timeout) ends this roll call.
        self.roll = None
        self.show_roll()

    def transcript(self) -> list[str]:
        """What this screen shows, as lines of text (the offscreen demo prints them)."""
        return roll_call_transcript(self.heading, self.roll) if self.roll else []


class EnrolScreen(KioskScreen):
    """Tap the new badge, then pick who gets it."""

    kv = "enrol"

    step = StringProperty("tap")  # tap → pick → done
    message = StringProperty("")
    uid = StringProperty("")

    def refresh(self) -> None:
        self.step, self.message, self.uid = "tap", dutch(P.TAP_NEW_BADGE), ""
        self.ids.choices.clear_widgets()

    def badge_read(self, uid: str) -> None:
        """A badge was tapped while enrolling (from the reader, via the UI thread)."""
        holder = app().door.data.holder_name(uid)
        if holder is not None:
            self.message = dutch(P.BADGE_TAKEN, name=holder)
            return
        self.uid, self.step, self.message = uid, "pick", dutch(P.CHOOSE_PARTICIPANT)
        app().enrolling = False
        today = workshop_now().date()
        box = self.ids.choices
        box.clear_widgets()
        for person in badge_candidates(app().door.data, today):
            box.add_widget(ChoiceButton(text=person.display_name, value=person.id))

    def choose(self, participant_id: str) -> None:
        try:
            name = app().enrol(self.uid, participant_id)
        except BadgeTaken as taken:
            self.message = dutch(P.BADGE_TAKEN, name=taken.holder)
            return
        except DoorFailure as failure:
            trouble = failure.trouble.value if failure.trouble else ""
            cause = CAUSES.get(trouble, P.JOURNAL_WRITE_FAILED)
            self.message = dutch(P.TAPS_NOT_SAVED, cause=dutch(cause))
            return
        self.step, self.message = "done", dutch(P.BADGE_ENROLLED, name=name)
        self.ids.choices.clear_widgets()

    def again(self, *_: Any) -> None:
        app().enrolling = True
        self.refresh()

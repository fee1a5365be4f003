"""Supervisor mode: who is in, the evacuation list, check in or out by hand, enrol a badge,
check everyone out at closing, and how the kiosk is doing. The screens read the door and
the journal; what they show is decided in the core (kiosk.supervision)."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty

from kiosk import phrases as P
from kiosk.decide import BadgeTaken
from kiosk.door import DoorFailure
from kiosk.language import dutch
from kiosk.supervision import (
    KioskHealth,
    badge_candidates,
    by_hand_list,
    lunch_count,
    participants_inside,
    status_lines,
    storage_alert,
    supervisors_today,
)
from kiosk.ui.base import KioskScreen, app, fill, workshop_now
from kiosk.ui.widgets import ChoiceButton, PersonRow, RollName
from kiosk.views import CAUSES
from sync.disk import room


class SupervisorScreen(KioskScreen):
    kv = "supervisor"

    heading = StringProperty("")
    lunch_text = StringProperty("")
    status_lines = ListProperty([])
    alert = StringProperty("")  # the journal cannot be written: above everything else
    message = StringProperty("")

    def refresh(self) -> None:
        kiosk = app()
        door = kiosk.door
        supervisor = door.data.supervisors.get(kiosk.supervisor_id or "")
        name = supervisor.display_name if supervisor else ""
        self.heading = f"{dutch(P.SUPERVISOR)}: {name}"
        today = workshop_now().date()
        count = lunch_count(door.presence, door.site, today)
        self.lunch_text = dutch(P.LUNCH_TODAY, count=str(count))
        inside = {row.id: row.since_text for row in participants_inside(door.presence, door.data)}
        fill(
            self.ids.people,
            PersonRow,
            [
                {
                    "participant_id": person.id,
                    "name": person.display_name,
                    "since": inside.get(person.id, ""),
                    "inside": person.id in inside,
                }
                for person in by_hand_list(door.data, inside, today)
            ],
        )
        self.status_lines = status_lines(kiosk_health())
        trouble = door.write_trouble
        self.alert = storage_alert(trouble.value if trouble else None, door.reserve_released)

    def close_day(self) -> None:
        count = app().close_day()
        self.message = dutch(P.CHECKED_EVERYONE_OUT, count=str(count))


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


class EvacuationScreen(KioskScreen):
    """Everyone inside, large, for a roll call; from this kiosk's own journal (offline too)."""

    kv = "evacuation"

    heading = StringProperty("")

    def refresh(self) -> None:
        door = app().door
        today = workshop_now().date()
        people = participants_inside(door.presence, door.data)
        taps = app().journal.of_kind("supervisor", day=today)
        staff = supervisors_today(taps, door.site, door.data, today)
        self.heading = dutch(P.EVERYONE_INSIDE, count=str(len(people) + len(staff)))
        box = self.ids.names
        box.clear_widgets()
        if not people and not staff:
            box.add_widget(RollName(name=dutch(P.NOBODY_INSIDE), since=""))
        if people:
            box.add_widget(Factory.RollHeading(text=dutch(P.PARTICIPANTS)))
        for row in people:
            box.add_widget(RollName(name=row.name, since=row.since_text))
        if staff:
            box.add_widget(Factory.RollHeading(text=dutch(P.SUPERVISORS)))
        for row in staff:
            box.add_widget(RollName(name=row.name, since=row.since_text))


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

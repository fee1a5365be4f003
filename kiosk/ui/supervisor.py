"""Supervisor mode: who is in, the evacuation list, check in or out by hand, enrol a badge,
check everyone out at closing, and how the kiosk is doing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk import phrases as P
from kiosk.decide import BadgeTaken
from kiosk.door import DoorFailure
from kiosk.language import clock_time, dutch
from kiosk.ui.screens import app, fill, workshop_now
from kiosk.ui.widgets import ChoiceButton, PersonRow, RollName
from kiosk.views import CAUSES
from sync.disk import room, size_text

HEALTH = {"ok": P.READER_OK, "degraded": P.READER_DEGRADED, "absent": P.READER_ABSENT}


def inside_now() -> list[tuple[str, str, str]]:
    """(participant id, name, "since 08:58") of everyone checked in, by name."""
    door = app().door
    rows = []
    for pid in door.presence.inside():
        state = door.presence.of(pid)
        person = door.data.participants.get(pid)
        if person is None or state is None or state.open is None:
            continue
        since = clock_time(state.open.at.wall, "nl")
        rows.append((pid, person.display_name, dutch(P.SINCE, time=since)))
    return sorted(rows, key=lambda row: row[1].casefold())


def supervisors_today() -> list[tuple[str, str]]:
    """Supervisors who tapped their badge here today, or whom the server counts in."""
    door = app().door
    today = workshop_now().date()
    seen: dict[str, datetime] = {}
    for record in app().journal.of_kind("supervisor", day=today):
        seen.setdefault(record.supervisor_id or "", record.wall_at)
    site = door.site
    if site is not None and site.day == today:
        for sid, since in site.supervisors.items():
            seen[sid] = min(since, seen.get(sid, since))
    rows = []
    for sid, since in seen.items():
        person = door.data.supervisors.get(sid)
        if person:
            rows.append((person.display_name, dutch(P.SINCE, time=clock_time(since, "nl"))))
    return sorted(rows)


def lunch_count() -> int:
    """Today's "yes" answers: this door's, or the site's from the server when it has more."""
    door = app().door
    today = workshop_now().date()
    here: int = door.presence.lunch_count(today)
    site = door.site
    if site is not None and site.day == today:
        return max(here, int(site.lunch_count))
    return here


class SupervisorScreen(Screen):
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
        self.lunch_text = dutch(P.LUNCH_TODAY, count=str(lunch_count()))
        inside = {pid: since for pid, _, since in inside_now()}
        people = sorted(door.data.participants.values(), key=lambda p: p.display_name.casefold())
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
                for person in people
                if person.id in inside or not person.inactive_reason(today)
            ],
        )
        self.status_lines = status_lines()
        self.alert = storage_alert()

    def close_day(self) -> None:
        count = app().close_day()
        self.message = dutch(P.CHECKED_EVERYONE_OUT, count=str(count))


def status_lines() -> list[str]:
    kiosk = app()
    journal = kiosk.journal
    status = journal.sync_status()
    contact = journal.last_contact()
    when = clock_time(contact[0], "nl") if contact else dutch(P.NEVER)
    records = journal.last(1)
    synced = records[0].clock_synced if records else True
    return [
        dutch(P.RECORDS_WAITING, count=str(status.queue_depth)),
        dutch(P.LAST_CONTACT, time=when),
        dutch(P.CLOCK_SYNCED if synced else P.CLOCK_NOT_SYNCED),
        dutch(P.READER_STATUS, state=dutch(HEALTH.get(journal.reader_health(), P.READER_OK))),
        *disk_line(),
        dutch(P.KIOSK_ID, kiosk=journal.kiosk_id),
    ]


def storage_alert() -> str:
    """Why taps are not saved, or that they live on the reserve; empty when all is well."""
    door = app().door
    if door.write_trouble is not None:
        return dutch(P.TAPS_NOT_SAVED, cause=dutch(CAUSES[door.write_trouble.value]))
    if door.reserve_released:
        return dutch(P.RESERVE_IN_USE)
    return ""


def disk_line() -> list[str]:
    """How much room the journal's disk has left."""
    try:
        space = room(app().journal.path)
    except OSError:
        return []
    share = f"{space.share * 100:.0f} %"
    return [dutch(P.DISK_FREE, free=size_text(space.free_bytes), share=share)]


class EvacuationScreen(Screen):
    """Everyone inside, large, for a roll call; from this kiosk's own journal (offline too)."""

    heading = StringProperty("")

    def refresh(self) -> None:
        people = inside_now()
        staff = supervisors_today()
        self.heading = dutch(P.EVERYONE_INSIDE, count=str(len(people) + len(staff)))
        box = self.ids.names
        box.clear_widgets()
        if not people and not staff:
            box.add_widget(RollName(name=dutch(P.NOBODY_INSIDE), since=""))
        if people:
            box.add_widget(Factory.RollHeading(text=dutch(P.PARTICIPANTS)))
        for _, name, since in people:
            box.add_widget(RollName(name=name, since=since))
        if staff:
            box.add_widget(Factory.RollHeading(text=dutch(P.SUPERVISORS)))
        for name, since in staff:
            box.add_widget(RollName(name=name, since=since))


class EnrolScreen(Screen):
    """Tap the new badge, then pick who gets it."""

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
        people = app().door.data.participants.values()
        for person in sorted(people, key=lambda p: p.display_name.casefold()):
            if not person.inactive_reason(today):
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

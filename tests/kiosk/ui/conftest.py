"""Kivy runs for real here, offscreen: the environment is set before Kivy is imported."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kiosk.ui.boot import has_display, prepare_kivy

prepare_kivy(
    offscreen=not has_display(),
    home=Path(tempfile.mkdtemp(prefix="prikklok-kivy-")),
)


import socket  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from kiosk.speech import Pronouncer  # noqa: E402
from sync.clock import WORKSHOP_TZ, HeldClock  # noqa: E402
from sync.journal import Journal  # noqa: E402
from sync.roster import DoorData  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "screens"

# One participant per script the tests look at; Dutch needs no second line.
PEOPLE = {
    "nl": ("p-sanne", "Sanne", "04000001"),
    "ar": ("p-amal", "Amal", "04000002"),
    "ti": ("p-dawit", "Dawit", "04000003"),
    "fa": ("p-farid", "Farid", "04000004"),
    "so": ("p-hodan", "Hodan", "04000005"),
}
SUPERVISOR_BADGE = "0400AA01"
ENDED = {"nl": "0400EE01", "ar": "0400EE02", "ti": "0400EE03", "fa": "0400EE04"}
ENDED_BADGE = ENDED["ar"]
NEW_BADGE = "04ABCDEF"
MORNING = datetime(2026, 11, 24, 8, 58, tzinfo=WORKSHOP_TZ)  # a Tuesday


def door_data(day: datetime, *, speak_greeting: bool = False) -> dict[str, object]:
    today = day.date()
    people = [
        {"id": pid, "display_name": name, "language": lang,
         "agreed_weekdays": [2, 4], "program_start": "2026-09-01", "program_end": "2027-02-28"}
        for lang, (pid, name, _) in PEOPLE.items()
    ]  # fmt: skip
    people[4]["birthday"] = f"{today.month:02d}-{today.day:02d}"
    badges = [{"uid": uid, "holder_id": pid} for pid, _, uid in PEOPLE.values()]
    for lang, uid in ENDED.items():  # one whose program has ended, per language
        people.append({"id": f"p-ended-{lang}", "display_name": "Yusuf", "language": lang,
                       "program_start": "2026-01-01", "program_end": "2026-06-30"})  # fmt: skip
        badges.append({"uid": uid, "holder_id": f"p-ended-{lang}"})
    badges.append({"uid": SUPERVISOR_BADGE, "holder": "supervisor", "holder_id": "s-marieke"})
    return {
        "participants": people,
        "supervisors": [{"id": "s-marieke", "display_name": "Marieke"}],
        "badges": badges,
        "tasks": [
            {"day": today.isoformat(), "text": "Fietsen repareren in de werkplaats",
             "pictogram": "fiets"},
            {"day": today.isoformat(), "text": "Koffie zetten", "participant_id": "p-amal",
             "pictogram": "koffie"},
            {"day": today.isoformat(), "text": "De werkplaats vegen en de vloer dweilen"},
        ],
        "words": [
            {"day": today.isoformat(), "word": "hamer", "article": "de", "symbol": "⚒",
             "pictogram": "hamer",
             "sentence": "Mag ik de hamer even?",
             "translations": {"ar": "مطرقة", "ti": "መዶሻ", "fa": "چکش", "so": "dubbe"}},
        ],
        "speak_greeting": speak_greeting,
    }  # fmt: skip


# A busy morning: twenty participants besides the five above, by the script their display
# name is written in. Some names are long, to see that a tile still shows them.
CROWD = {
    "nl": ["Abdirahman", "Ayaan", "Bilal", "Emre", "Grace", "Kateryna", "Mariam", "Mehmet",
           "Mohammed", "Nadia", "Olena", "Samir", "Tesfay", "Yonas", "Zahra", "Fatuma",
           "Habtom", "Leila", "Oksana", "Wahid"],
    "ar": ["أمل", "محمد", "فاطمة", "يوسف", "مريم", "عبدالرحمن", "خالد", "ليلى", "سمير",
           "نادية", "بلال", "زينب", "حسن", "رنا", "عمر", "سارة", "طارق", "هدى", "كريم",
           "جميلة"],
}  # fmt: skip


def crowd_badge(n: int) -> str:
    return f"0500{n:04X}"


def crowd_data(day: datetime, script: str = "nl") -> dict[str, Any]:
    """The test's door data and twenty more participants, each with a badge."""
    data = door_data(day)
    for n, name in enumerate(CROWD[script]):
        lang = ("nl", "ar", "ti", "fa", "so", "uk", "tr", "en")[n % 8]
        data["participants"].append(  # type: ignore[attr-defined]
            {"id": f"p-crowd-{n:02d}", "display_name": name, "language": lang,
             "agreed_weekdays": [2, 4], "program_start": "2026-09-01",
             "program_end": "2027-02-28"}
        )  # fmt: skip
        data["badges"].append({"uid": crowd_badge(n), "holder_id": f"p-crowd-{n:02d}"})  # type: ignore[attr-defined]
    return data


class Doorway:
    """The test's side of the door: a held clock, a socket to tap through, the journal."""

    def __init__(self, stage: Any, clock: HeldClock, socket_path: Path, journal: Journal):
        self.stage = stage
        self.clock = clock
        self.socket_path = socket_path
        self.journal = journal

    def tap(self, uid: str) -> None:
        """A badge on the simulated reader: one line over its Unix socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(self.socket_path))
            s.sendall(f"{uid}\n".encode())

    def welcome(self, person: tuple[str, str, str]) -> Any:
        """Tap `person`'s badge and return the welcome screen once it greets *them*: the
        screen is reused, so after an earlier welcome its name alone says nothing."""
        self.tap(person[2])
        screen = self.stage.wait_for_screen("welcome")
        self.stage.wait_for(lambda: person[1] in screen.title.dutch, 5.0, f"{person[1]}'s welcome")
        return screen


@contextmanager
def running_kiosk(
    tmp_path: Path,
    reader: Any,
    socket_path: Path | None = None,
    *,
    speak_greeting: bool = False,
    player: Any = None,
    data: dict[str, Any] | None = None,
    on_screen: Any = None,
    site: dict[str, Any] | None = None,
) -> Iterator[Doorway]:
    """The real app on a journal with the test's door data (or `data`), driven by a Stage."""
    from hardware.feedback import QuietIndicator
    from kiosk.door import Door as CoreDoor
    from kiosk.player import SilentPlayer
    from kiosk.ui.app import KioskApp, ScreenSettings
    from kiosk.ui.stage import Stage

    clock = HeldClock(MORNING)
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-test")
    data = data or door_data(MORNING, speak_greeting=speak_greeting)
    journal.store_door_data(DoorData.from_dict(data), source="test")
    if site is not None:  # the site's settings, as the sync agent stores them
        journal.store_site(site)
    door = CoreDoor(journal=journal, clock=clock, feedback=QuietIndicator())
    player = player or SilentPlayer()
    app = KioskApp(
        door=door,
        journal=journal,
        reader=reader,
        settings=ScreenSettings(
            cache_dir=tmp_path / "sounds", lunch_seconds=30, photo_dir=tmp_path / "media"
        ),
        player=player,
        pronouncer=Pronouncer(tmp_path / "words"),
        keys={"1": PEOPLE["ar"][2]},
        on_screen=on_screen,
    )
    stage = Stage(app)
    try:
        stage.wait_for_screen("waiting")
        yield Doorway(stage, clock, socket_path or tmp_path / "none", journal)
    finally:
        stage.close()
        journal.close()


# The site's settings as a snapshot brings them, with the participant's own say switched on
# (issue 15): my week, "Waarom ga je eerder weg?" an hour or more before closing.
OWN_SAY_SITE: dict[str, Any] = {
    "id": "site-werkplaats", "name": "Werkplaats", "opens_at": "08:30:00",
    "closes_at": "16:30:00", "timezone": "Europe/Amsterdam", "speak_greeting": False,
    "my_week": True, "leave_reason_minutes": 60, "usual_leaving_times": [],
}  # fmt: skip


@pytest.fixture
def door(tmp_path: Path) -> Iterator[Doorway]:
    from hardware.simulated import SimulatedReader

    socket_path = tmp_path / "taps.sock"
    with running_kiosk(tmp_path, SimulatedReader(socket_path=socket_path), socket_path) as d:
        yield d

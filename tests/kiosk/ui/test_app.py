"""The real Kivy app, offscreen: taps go through the simulated reader's socket, and the
tests look at what the screens show."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from kivy.uix.button import Button

from hardware.simulated import SimulatedReader
from tests.kiosk.test_door_storage import fill, mount
from tests.kiosk.ui.conftest import (
    ARTIFACTS,
    ENDED_BADGE,
    NEW_BADGE,
    PEOPLE,
    SUPERVISOR_BADGE,
    Doorway,
    running_kiosk,
)

AMAL = PEOPLE["ar"]


def shown_text(widget: Any) -> str:
    """Every label's logical text under a widget: what a reader of the screen sees."""
    texts = []
    for child in widget.walk():
        source = getattr(child, "source", None)
        text = source if isinstance(source, str) and source else getattr(child, "text", "")
        if isinstance(text, str) and text and not text.startswith("[font="):
            texts.append(text)
    return "\n".join(texts)


def test_tap_shows_welcome_with_name_tasks_and_word(door: Doorway) -> None:
    door.tap(AMAL[2])
    screen = door.stage.wait_for_screen("welcome")
    text = shown_text(screen)
    assert "Welkom, Amal!" in text
    assert "Fietsen repareren in de werkplaats" in text
    assert "Koffie zetten" in text  # her own task
    assert "de hamer" in text and "مطرقة" in text  # the word and its meaning in Arabic
    assert "08:58" in text


def test_second_tap_asks_too_soon_and_yes_checks_out(door: Doorway) -> None:
    door.tap(AMAL[2])
    door.stage.wait_for_screen("welcome")
    door.clock.advance(60)
    door.tap(AMAL[2])
    screen = door.stage.wait_for_screen("too_soon")
    assert "Je bent ingecheckt om 08:58. Wil je weg?" in shown_text(screen)
    screen.ids.yes.dispatch("on_release")
    goodbye = door.stage.wait_for_screen("goodbye")
    assert "Tot ziens, Amal!" in shown_text(goodbye) or "Amal" in goodbye.title.dutch
    kinds = [r.kind for r in door.journal.records() if r.kind != "lunch"]
    assert kinds == ["check_in", "too_soon", "check_out"]


def test_too_soon_no_stays_checked_in(door: Doorway) -> None:
    door.tap(AMAL[2])
    door.stage.wait_for_screen("welcome")
    door.tap(AMAL[2])
    screen = door.stage.wait_for_screen("too_soon")
    screen.ids.no.dispatch("on_release")
    door.stage.wait_for_screen("waiting")
    assert "check_out" not in [r.kind for r in door.journal.records()]


def test_goodbye_names_the_next_agreed_day(door: Doorway) -> None:
    door.tap(AMAL[2])
    door.stage.wait_for_screen("welcome")
    door.clock.advance(4 * 3600)
    door.tap(AMAL[2])
    screen = door.stage.wait_for_screen("goodbye")
    text = shown_text(screen)
    assert "4 uur 0 min" in text or "4 u 0 min" in text or "4 uur" in text
    assert "donderdag" in text  # agreed Tuesday and Thursday; today is Tuesday


def test_lunch_answer_is_recorded(door: Doorway) -> None:
    door.tap(AMAL[2])
    screen = door.stage.wait_for_screen("welcome")
    assert screen.asking
    screen.answer_lunch(False)
    lunch = door.journal.of_kind("lunch")
    assert [(r.participant_id, r.detail) for r in lunch] == [
        ("p-amal", {"eats": False, "answered": True})
    ]


def test_lunch_default_is_recorded_when_untouched(door: Doorway) -> None:
    door.tap(AMAL[2])
    door.stage.wait_for_screen("welcome")
    door.stage.app.go_waiting()  # the screen timed out
    assert [r.detail for r in door.journal.of_kind("lunch")] == [{"eats": True, "answered": False}]


def test_birthday_welcome_says_gefeliciteerd(door: Doorway) -> None:
    door.tap(PEOPLE["so"][2])
    screen = door.stage.wait_for_screen("welcome")
    assert "Gefeliciteerd, Hodan!" in shown_text(screen)
    assert screen.symbol == "★"


def test_unknown_badge_asks_for_the_supervisor(door: Doorway) -> None:
    door.tap("04FFFF01")
    screen = door.stage.wait_for_screen("unknown")
    text = shown_text(screen)
    assert "We kennen deze pas niet." in text or "pas" in text.casefold()
    assert "begeleider" in text


def test_ended_program_shows_inactive_with_reason(door: Doorway) -> None:
    door.tap(ENDED_BADGE)
    screen = door.stage.wait_for_screen("inactive")
    assert screen.symbol == "⊘"  # not the ✖ of the "Nee" and "Sluiten" buttons
    assert len(screen.box("lines").children) == 2


def test_supervisor_badge_opens_supervisor_mode_with_presence(door: Doorway) -> None:
    door.tap(AMAL[2])
    door.stage.wait_for_screen("welcome")
    door.tap(SUPERVISOR_BADGE)
    screen = door.stage.wait_for_screen("supervisor")
    assert "Marieke" in screen.heading
    rows = {row.name: row for row in screen.ids.people.tiles()}
    assert rows["Amal"].inside and "08:58" in rows["Amal"].since
    assert not rows["Sanne"].inside


def test_evacuation_lists_everyone_inside(door: Doorway) -> None:
    for lang in ("ar", "fa"):
        door.tap(PEOPLE[lang][2])
        door.stage.wait_for_screen("welcome")
    door.tap(SUPERVISOR_BADGE)
    door.stage.wait_for_screen("supervisor")
    door.stage.app.open_supervisor("s-marieke", "evacuation")
    screen = door.stage.wait_for_screen("evacuation")
    text = shown_text(screen)
    assert "Amal" in text and "Farid" in text and "Marieke" in text
    assert "Sanne" not in text
    assert "3" in screen.heading


def test_check_in_by_hand_is_a_manual_record_with_the_supervisor(door: Doorway) -> None:
    door.tap(SUPERVISOR_BADGE)
    screen = door.stage.wait_for_screen("supervisor")
    row = next(r for r in screen.ids.people.tiles() if r.name == "Sanne")
    button = next(w for w in row.children if isinstance(w, Button))
    assert button.text == "Inchecken"
    button.dispatch("on_release")  # the supervisor's touch
    record = door.journal.of_kind("manual_check_in")[0]
    assert (record.participant_id, record.supervisor_id) == ("p-sanne", "s-marieke")
    rows = {r.name: r for r in door.stage.app.screen("supervisor").ids.people.tiles()}
    assert rows["Sanne"].inside


def test_check_everyone_out_at_closing(door: Doorway) -> None:
    for lang in ("ar", "ti"):
        door.tap(PEOPLE[lang][2])
        door.stage.wait_for_screen("welcome")
    door.clock.advance(8 * 3600)
    door.tap(SUPERVISOR_BADGE)
    screen = door.stage.wait_for_screen("supervisor")
    screen.close_day()
    outs = door.journal.of_kind("manual_check_out")
    assert sorted(r.participant_id for r in outs) == ["p-amal", "p-dawit"]
    assert all(r.detail.get("closing") for r in outs)
    assert "2" in screen.message


def test_enrolled_badge_welcomes_its_participant_at_once(door: Doorway) -> None:
    door.tap(SUPERVISOR_BADGE)
    door.stage.wait_for_screen("supervisor")
    door.stage.app.open_supervisor("s-marieke", "enrol")
    enrol = door.stage.wait_for_screen("enrol")
    door.tap(NEW_BADGE)
    door.stage.wait_for(lambda: enrol.step == "pick", what="the participant list")
    choice = next(b for b in enrol.ids.choices.children if b.value == "p-sanne")
    choice.dispatch("on_release")
    assert enrol.step == "done" and "Sanne" in enrol.message
    door.stage.app.go_waiting()
    door.tap(NEW_BADGE)
    screen = door.stage.wait_for_screen("welcome")
    assert "Welkom, Sanne!" in shown_text(screen)
    assert door.journal.of_kind("badge_enrolled")[0].badge_uid == NEW_BADGE


def test_enrolling_a_held_badge_names_its_holder(door: Doorway) -> None:
    door.tap(SUPERVISOR_BADGE)
    door.stage.wait_for_screen("supervisor")
    door.stage.app.open_supervisor("s-marieke", "enrol")
    enrol = door.stage.wait_for_screen("enrol")
    door.tap(AMAL[2])
    door.stage.wait_for(lambda: "Amal" in enrol.message, what="the holder's name")
    assert enrol.step == "tap"
    assert door.journal.of_kind("badge_enrolled") == []


def test_absent_reader_shows_reader_problem_until_it_works(door: Doorway) -> None:
    from hardware.badge import ReaderHealth

    door.stage.app._health(ReaderHealth.ABSENT)  # as the reader's thread reports it
    screen = door.stage.wait_for_screen("reader_problem")
    assert "De paslezer werkt niet." in shown_text(screen) or screen.symbol == "⚠"
    assert door.journal.reader_health() == "absent"
    door.stage.app._health(ReaderHealth.OK)
    door.stage.wait_for_screen("waiting")


def test_idle_waiting_screen_dims_and_a_touch_wakes_it(door: Doorway) -> None:
    from kivy.tests.common import UnitTestTouch

    waiting = door.stage.app.waiting
    waiting.dim_if_idle(0.01)
    door.stage.pump(0.05)
    waiting.dim_if_idle(0.01)
    assert waiting.dim > 0
    touch = UnitTestTouch(100, 100)
    touch.touch_down()
    touch.touch_up()
    door.stage.pump(0.05)
    assert waiting.dim == 0


def test_demo_key_taps_a_badge(door: Doorway) -> None:
    from kivy.core.window import Window

    Window.dispatch("on_key_down", 49, 0, "1", [])
    screen = door.stage.wait_for_screen("welcome")
    assert "Amal" in screen.title.dutch


def test_supervisor_mode_closes_after_inactivity(door: Doorway) -> None:
    app = door.stage.app
    door.tap(SUPERVISOR_BADGE)
    door.stage.wait_for_screen("supervisor")
    app._last_touch -= app.settings.supervisor_idle + 1
    door.stage.wait_for_screen("waiting", timeout=3)


def test_waiting_screen_counts_who_is_in_and_what_waits_for_the_server(door: Doorway) -> None:
    for lang in ("ar", "fa"):
        door.welcome(PEOPLE[lang])
    door.stage.app.go_waiting()
    waiting = door.stage.wait_for_screen("waiting")
    assert waiting.present_text == "Aanwezig: 2"
    assert not waiting.online  # this door never reached a server
    assert waiting.sync_text.startswith("Offline") and "4" in waiting.sync_text  # 2 taps, 2 lunch


def test_supervisor_sees_todays_lunch_count_and_the_kiosk_status(door: Doorway) -> None:
    door.welcome(AMAL).answer_lunch(True)
    door.welcome(PEOPLE["fa"]).answer_lunch(False)
    door.tap(SUPERVISOR_BADGE)
    screen = door.stage.wait_for_screen("supervisor")
    assert screen.lunch_text == "Lunch vandaag: 1"
    status = " · ".join(screen.status_lines)
    assert "door-test" in status and "nooit" in status  # kiosk id; never in contact
    assert "5" in screen.status_lines[0]  # records waiting for the server


def visible(widget: Any, screen: Any) -> bool:
    """Drawn and touchable: not collapsed to nothing, and not hidden by itself or a parent."""
    if widget.width <= 0 or widget.height <= 0 or widget.disabled:
        return False
    while widget is not screen:
        if widget.opacity == 0:
            return False
        widget = widget.parent
    return True


def test_every_button_shown_is_at_least_15_mm_tall(door: Doorway) -> None:
    from kivy.metrics import mm

    shown = []
    door.tap(AMAL[2])
    shown.append(door.stage.wait_for_screen("welcome"))
    door.tap(AMAL[2])
    shown.append(door.stage.wait_for_screen("too_soon"))
    door.tap(SUPERVISOR_BADGE)
    shown.append(door.stage.wait_for_screen("supervisor"))
    door.stage.app.open_supervisor("s-marieke", "enrol")
    enrol = door.stage.wait_for_screen("enrol")
    door.tap(NEW_BADGE)
    door.stage.wait_for(lambda: enrol.step == "pick", what="the participant list")
    door.stage.pump(0.1)
    shown.append(enrol)
    buttons = [
        w
        for screen in shown
        for w in screen.walk(restrict=True)
        if isinstance(w, Button) and visible(w, screen)
    ]
    assert len(buttons) > 10
    assert min(b.height for b in buttons) >= mm(15) - 0.5


def test_full_disk_sends_the_participant_to_the_supervisor_who_sees_why() -> None:
    folder = Path(tempfile.mkdtemp(prefix="prikklok-disk-"))
    mount("-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder))
    socket_path = folder / "taps.sock"
    try:
        with running_kiosk(folder, SimulatedReader(socket_path=socket_path), socket_path) as door:
            fill(folder)
            door.tap(PEOPLE["ar"][2])
            screen = door.stage.wait_for_screen("not_saved")
            assert screen.title.dutch == "Je prik is niet bewaard."
            assert screen.title.own == "لم يُحفظ تسجيلك."
            assert screen.symbol == "☛" and screen.colour != door.stage.app.screen("error").colour
            assert "Prikken worden niet bewaard: schijf vol" in shown_text(screen)
            door.tap(SUPERVISOR_BADGE)  # not recorded either, but she gets in to see why
            supervisor = door.stage.wait_for_screen("supervisor")
            assert supervisor.alert == "Prikken worden niet bewaard: schijf vol"
            assert "Schijf: 0 B vrij (0 %)" in supervisor.status_lines
            door.stage.screenshot(ARTIFACTS / "kiosk" / "supervisor-not-saved.png")
            assert door.journal.last_seq() == 0
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()

"""The participant's own say at the door (issue 15), on the real app offscreen: their week
after their own tap, "Waarom ga je eerder weg?", "Hoe laat ging je weg op …?" and "Ik kom
niet op …" — each answered (one record), left untouched (none), and ended by the next
person's tap (none, at once). Screenshots in nl, ar, ti and fa: artifacts/screens/<lang>/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hardware.simulated import SimulatedReader
from kiosk.views import Said
from sync.own_say import detail_problem
from tests.kiosk.ui.conftest import (
    ARTIFACTS,
    MORNING,
    OWN_SAY_SITE,
    PEOPLE,
    Doorway,
    door_data,
    running_kiosk,
)

AMAL = PEOPLE["ar"]
SANNE = PEOPLE["nl"]
HOUR = 3600.0


# Two more languages with long words, for the size checks.
MORE = {"uk": ("p-olena", "Olena", "04000006"), "tr": ("p-emre", "Emre", "04000007")}


@pytest.fixture
def door(tmp_path: Path) -> Iterator[Doorway]:
    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    data = door_data(MORNING)
    for lang, (pid, name, uid) in MORE.items():
        data["participants"].append(  # type: ignore[attr-defined]
            {"id": pid, "display_name": name, "language": lang, "agreed_weekdays": [2, 4]}
        )
        data["badges"].append({"uid": uid, "holder_id": pid})  # type: ignore[attr-defined]
    with running_kiosk(tmp_path, reader, socket_path, site=OWN_SAY_SITE, data=data) as d:
        yield d


def records(door: Doorway, kind: str) -> list[Any]:
    return door.journal.of_kind(kind)


def buttons(screen: Any) -> list[Any]:
    """The question's picture buttons, in the order they are shown."""
    return list(reversed(screen.ids.question.ids.choices.children))


def press(screen: Any, value: str) -> None:
    button = next(b for b in buttons(screen) if b.choice.value == value)
    button.dispatch("on_release")


def shoot(door: Doorway, lang: str, name: str, screen: str) -> None:
    door.stage.pump(0.2)
    assert door.stage.app.manager.current == screen
    door.stage.screenshot(ARTIFACTS / lang / f"{name}.png")


def tap_and_wait(door: Doorway, person: tuple[str, str, str], screen: str) -> Any:
    door.tap(person[2])
    shown = door.stage.wait_for_screen(screen)
    door.stage.wait_for(lambda: person[1] in shown.title.dutch, 5.0, f"{person[1]}'s {screen}")
    door.stage.pump(0.1)  # the week and the question come a frame after the greeting
    return shown


def test_my_week_shows_each_agreed_day_after_the_own_tap(door: Doorway) -> None:
    welcome = tap_and_wait(door, AMAL, "welcome")
    week = welcome.week
    # Amal's agreed days are Tuesday and Thursday; it is Tuesday 24 November.
    assert [(t.label, t.mark, t.today) for t in week.days] == [
        ("di 24", "came", True),
        ("do 26", "to_come", False),
    ]
    assert week.next_day.dutch == "Volgende keer: donderdag 26"
    assert week.next_day.own and "26" in week.next_day.own
    tiles = welcome.walk(restrict=True)
    shown = [w for w in tiles if type(w).__name__ == "MarkTile"]
    assert [w.symbol for w in shown] == ["✔", "○"]
    door.stage.app.go_waiting()
    waiting = door.stage.wait_for_screen("waiting")
    assert not any(type(w).__name__ == "WeekStrip" for w in waiting.walk(restrict=True))


def test_early_check_out_asks_why_and_one_touch_records_the_reason(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.clock.advance(3 * HOUR)  # 11:58, closing is 16:30
    goodbye = tap_and_wait(door, AMAL, "goodbye")
    assert goodbye.question is not None
    assert goodbye.question.prompt.dutch == "Waarom ga je eerder weg?"
    assert [b.choice.pictogram for b in buttons(goodbye)] == [
        "gemeentehuis", "ziekenhuis", "school", "bus", "vraagteken"
    ]  # fmt: skip
    assert goodbye.left > 0  # the bar runs: untouched, the question goes
    press(goodbye, "doctor")
    press(goodbye, "other")  # a second touch changes nothing
    (reason,) = records(door, "leave_reason")
    (check_out,) = records(door, "check_out")
    assert reason.detail == {"reason": "doctor", "check_out_record_id": check_out.id}
    assert reason.participant_id == AMAL[0]
    assert detail_problem(reason.kind, reason.detail, reason.workshop_day) is None
    door.stage.wait_for_screen("waiting", timeout=4.0)  # answered: gone in two seconds


def test_a_late_check_out_is_not_asked_why(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.clock.advance(7 * HOUR)  # 15:58: within the hour before closing
    goodbye = tap_and_wait(door, AMAL, "goodbye")
    assert goodbye.question is None
    assert goodbye.ids.question.height == 0


def test_an_unanswered_reason_records_nothing(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.clock.advance(3 * HOUR)
    tap_and_wait(door, AMAL, "goodbye")
    door.stage.wait_for_screen("waiting", timeout=20.0)  # the bar ran out
    assert records(door, "leave_reason") == []


def test_the_next_tap_ends_the_reason_question_at_once(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.clock.advance(3 * HOUR)
    tap_and_wait(door, AMAL, "goodbye")
    tap_and_wait(door, SANNE, "welcome")
    assert records(door, "leave_reason") == []
    door.stage.pump(0.2)
    kinds = [r.kind for r in door.journal.records()]
    assert kinds == ["check_in", "check_out", "lunch", "check_in"]  # nothing else


def forgot_yesterday(door: Doorway, person: tuple[str, str, str]) -> Any:
    tap_and_wait(door, person, "welcome")
    door.stage.app.go_waiting()
    door.clock.advance(2 * 24 * HOUR)  # Thursday: Tuesday was left open
    return tap_and_wait(door, person, "forgot")


def test_forgotten_check_out_asks_when_they_left_and_records_the_estimate(door: Doorway) -> None:
    forgot = forgot_yesterday(door, AMAL)
    assert [b.choice.value for b in buttons(forgot)] == [
        "14:30", "15:00", "15:30", "16:00", "16:30", ""
    ]  # fmt: skip
    assert forgot.question.prompt.dutch == "Hoe laat ging je weg op dinsdag 24 november?"
    press(forgot, "15:30")
    (estimate,) = records(door, "checkout_estimate")
    first = records(door, "check_in")[0]
    assert estimate.detail == {
        "day": "2026-11-24", "left_at": "15:30", "stale_record_id": first.id
    }  # fmt: skip
    assert detail_problem(estimate.kind, estimate.detail, estimate.workshop_day) is None
    assert door.stage.app.manager.current == "forgot"  # "Eet je mee?" is still open


def test_dont_know_is_an_answer_too(door: Doorway) -> None:
    forgot = forgot_yesterday(door, AMAL)
    press(forgot, "")
    (estimate,) = records(door, "checkout_estimate")
    assert estimate.detail["left_at"] is None


def test_the_next_tap_ends_the_time_question_without_an_estimate(door: Doorway) -> None:
    forgot_yesterday(door, AMAL)
    tap_and_wait(door, SANNE, "welcome")
    door.stage.pump(0.2)
    assert records(door, "checkout_estimate") == []


def open_absence(door: Doorway, person: tuple[str, str, str], answer: str = "welcome") -> Any:
    shown = tap_and_wait(door, person, answer)
    panel = next(w for w in shown.walk(restrict=True) if type(w).__name__ == "AnswerPanel")
    button = panel.ids.not_coming
    assert "Ik kom niet op" in button.text and button.height >= 84
    button.dispatch("on_release")
    return door.stage.wait_for_screen("absence")


def test_saying_you_will_not_come_records_the_day_and_the_reason(door: Doorway) -> None:
    absence = open_absence(door, AMAL)
    days = [b.choice.value for b in buttons(absence)]
    assert days == ["2026-11-26", "2026-12-01", "2026-12-03", "2026-12-08", "2026-12-10"]
    press(absence, "2026-11-26")
    door.stage.pump(0.1)
    assert absence.question.prompt.dutch == "Waarom kom je niet?"
    assert [b.choice.value for b in buttons(absence)] == [
        "office", "doctor", "children", "transport", "other"
    ]  # fmt: skip
    press(absence, "children")
    (said,) = records(door, "absence_announced")
    assert said.detail == {"day": "2026-11-26", "reason": "children"}
    assert detail_problem(said.kind, said.detail, said.workshop_day) is None
    assert absence.title.dutch == "Dank je. Je begeleider ziet het."
    door.stage.wait_for_screen("waiting", timeout=5.0)
    # Her next tap, going home: Thursday shows as announced, and is not offered again.
    door.clock.advance(HOUR)
    goodbye = tap_and_wait(door, AMAL, "goodbye")
    assert [t.mark for t in goodbye.week.days] == ["came", "announced"]
    assert [w.symbol for w in goodbye.walk(restrict=True) if type(w).__name__ == "MarkTile"] == [
        "✔", "☒"
    ]  # fmt: skip
    assert goodbye.week.next_day.dutch == "Volgende keer: dinsdag 1"
    door.stage.app.go_waiting()
    again = open_absence(door, SANNE)  # someone else: her own days, none announced
    assert not any(b.choice.done for b in buttons(again))
    door.stage.app.go_waiting()
    door.clock.advance(HOUR)
    again = open_absence(door, AMAL, "welcome")  # back in at 10:58
    first = buttons(again)[0]
    assert first.choice.value == "2026-11-26" and first.choice.done and first.disabled
    assert first.choice.note.dutch == "Al gemeld"
    first.dispatch("on_release")
    assert again.question.prompt.dutch == "Op welke dag kom je niet?"  # not taken


def test_the_next_tap_ends_saying_you_will_not_come_without_a_record(door: Doorway) -> None:
    absence = open_absence(door, AMAL)
    press(absence, "2026-11-26")
    tap_and_wait(door, SANNE, "welcome")
    door.stage.pump(0.2)
    assert records(door, "absence_announced") == []


@pytest.mark.parametrize("lang", ["nl", "ar", "ti", "fa"])
def test_screenshots_of_the_own_say(door: Doorway, lang: str) -> None:
    person = PEOPLE[lang]
    tap_and_wait(door, person, "welcome")
    shoot(door, lang, "welcome_week", "welcome")
    door.clock.advance(3 * HOUR)
    tap_and_wait(door, person, "goodbye")
    shoot(door, lang, "goodbye_reason", "goodbye")
    door.stage.app.go_waiting()
    absence = open_absence(door, person)
    shoot(door, lang, "absence_days", "absence")
    press(absence, "2026-11-26")
    shoot(door, lang, "absence_reasons", "absence")
    door.stage.app.go_waiting()
    door.clock.advance(2 * 24 * HOUR)
    tap_and_wait(door, person, "forgot")
    shoot(door, lang, "forgot_time", "forgot")


def test_the_next_answer_never_shows_the_last_persons_week(door: Doorway) -> None:
    welcome = tap_and_wait(door, AMAL, "welcome")
    amal = welcome.view
    assert welcome.week is not None
    sanne = replace(amal, title=Said("Welkom, Sanne!"), participant_id=SANNE[0])
    welcome.show(sanne)  # as the next tap does, before its frame is drawn
    assert welcome.week is None and welcome.question is None
    door.stage.pump(0.1)
    assert welcome.week is sanne.week  # hers, a frame later


@pytest.mark.parametrize("lang", ["ar", "ti", "fa", "so", "uk", "tr"])
def test_the_own_line_is_as_large_and_clear_as_the_dutch_on_the_own_say(
    door: Doorway, lang: str
) -> None:
    """test_own_line's checks (on the screen, not cut off, own line as large and as clear
    as the Dutch) on every screen of the participant's own say."""
    from tests.kiosk.ui.test_own_line import check_screen

    person = {**PEOPLE, **MORE}[lang]
    tap_and_wait(door, person, "welcome")
    assert check_screen(door, "welcome", lang)
    door.clock.advance(3 * HOUR)
    tap_and_wait(door, person, "goodbye")
    assert check_screen(door, "goodbye", lang)
    door.stage.app.go_waiting()
    absence = open_absence(door, person)
    assert check_screen(door, "absence", lang)
    press(absence, "2026-11-26")
    assert check_screen(door, "absence", lang)
    door.stage.app.go_waiting()
    door.clock.advance(2 * 24 * HOUR)
    tap_and_wait(door, person, "forgot")
    assert check_screen(door, "forgot", lang)


def test_an_unanswered_time_question_records_no_estimate(door: Doorway) -> None:
    tap_and_wait(door, AMAL, "welcome")
    door.stage.app.go_waiting()
    door.clock.advance(2 * 24 * HOUR + 4 * HOUR)  # Thursday 12:58: no lunch question now
    forgot = tap_and_wait(door, AMAL, "forgot")
    assert forgot.question is not None and not forgot.asking
    assert forgot.left > 0  # the bar runs
    door.stage.wait_for_screen("waiting", timeout=25.0)
    assert records(door, "checkout_estimate") == []


def test_an_unanswered_absence_records_nothing(door: Doorway) -> None:
    absence = open_absence(door, AMAL)
    press(absence, "2026-11-26")  # a day, but no reason
    door.stage.wait_for_screen("waiting", timeout=30.0)
    assert records(door, "absence_announced") == []

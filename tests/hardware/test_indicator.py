"""The Indicator on real gpiozero devices over mock pins: what lights, what sounds, when."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from gpiozero import LED, Buzzer, Device, TonalBuzzer
from gpiozero.pins.mock import MockFactory

from hardware.feedback import QuietIndicator, Signal
from hardware.indicator import (
    DEFAULT_BUZZER_PIN,
    DEFAULT_GREEN_PIN,
    DEFAULT_RED_PIN,
    PATTERNS,
    Indicator,
    build_feedback,
)
from tests.hardware.gpio_fixtures import mock_factory

__all__ = ["mock_factory"]  # a fixture, used by name

# The real patterns at twenty times the speed: same shapes, quicker tests.
FAST = {
    signal: tuple(replace(step, seconds=step.seconds / 20) for step in pattern)
    for signal, pattern in PATTERNS.items()
}


def states(pin: object) -> list[bool]:
    return [bool(s.state) for s in pin.states]  # type: ignore[attr-defined]


def wait_for(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


@pytest.fixture
def indicator(mock_factory: MockFactory) -> Iterator[Indicator]:
    with Indicator(LED(17), LED(27), Buzzer(18), patterns=FAST) as ind:
        yield ind


@pytest.fixture
def pins(mock_factory: MockFactory, indicator: Indicator) -> dict[str, object]:
    return {name: mock_factory.pin(n) for name, n in (("green", 17), ("red", 27), ("buzzer", 18))}


def play(indicator: Indicator, signal: Signal) -> None:
    indicator.show(signal)
    assert indicator.wait(timeout=3.0)


def test_indicator_welcome_lights_green_not_red(indicator, pins):
    play(indicator, Signal.WELCOME)
    assert states(pins["green"]) == [False, True, False]
    assert states(pins["red"]) == [False]
    assert states(pins["buzzer"]) == [False, True, False]


def test_indicator_goodbye_blinks_green_twice_with_two_beeps(indicator, pins):
    play(indicator, Signal.GOODBYE)
    assert states(pins["green"]) == [False, True, False, True, False]
    assert states(pins["red"]) == [False]
    assert states(pins["buzzer"]) == [False, True, False, True, False]


def test_indicator_ask_alternates_green_and_red(indicator, pins):
    play(indicator, Signal.ASK)
    assert states(pins["green"]) == [False, True, False, True, False, True, False]
    assert states(pins["red"]) == [False, True, False, True, False, True, False]
    assert states(pins["buzzer"]) == [False, True, False]


def test_indicator_unknown_lights_red_with_one_beep(indicator, pins):
    play(indicator, Signal.UNKNOWN)
    assert states(pins["green"]) == [False]
    assert states(pins["red"]) == [False, True, False]
    assert states(pins["buzzer"]) == [False, True, False]


def test_indicator_error_blinks_red_with_three_beeps(indicator, pins):
    play(indicator, Signal.ERROR)
    assert states(pins["green"]) == [False]
    assert states(pins["red"]) == [False] + [True, False] * 5
    assert states(pins["buzzer"]) == [False] + [True, False] * 3


def test_patterns_differ_without_colour():
    def shape(signal: Signal) -> tuple:
        return tuple((s.green or s.red, s.tone is not None, s.seconds) for s in PATTERNS[signal])

    assert len({shape(signal) for signal in Signal}) == len(Signal)


def test_patterns_cover_every_signal():
    assert set(PATTERNS) == set(Signal)


def test_indicator_show_returns_at_once(mock_factory):
    with Indicator(LED(17), LED(27), Buzzer(18)) as ind:
        started = time.monotonic()
        ind.show(Signal.WELCOME)
        assert time.monotonic() - started < 0.5
        assert not ind.wait(timeout=0.01)


def test_indicator_new_signal_cuts_previous_short(mock_factory):
    green, red = mock_factory.pin(17), mock_factory.pin(27)
    with Indicator(LED(17), LED(27), Buzzer(18)) as ind:
        ind.show(Signal.WELCOME)
        wait_for(lambda: green.state)
        ind.show(Signal.UNKNOWN)
        wait_for(lambda: red.state)
        assert states(green) == [False, True, False]
        assert green.states[2].timestamp < 1.0  # welcome lasts 1.5 s when left alone


@pytest.mark.parametrize(
    ("signal", "rising"), [(Signal.WELCOME, True), (Signal.GOODBYE, False), (Signal.ASK, True)]
)
def test_indicator_tonal_notes_rise_or_fall(mock_factory, signal, rising):
    buzzer_pin = mock_factory.pin(18)
    with Indicator(LED(17), LED(27), TonalBuzzer(18, mid_tone="A5"), patterns=FAST) as ind:
        buzzer_pin.frequencies.clear()  # forget the PWM set-up
        play(ind, signal)
    notes = [f for f in buzzer_pin.frequencies if f is not None]
    assert len(notes) == 2
    assert (notes[1] > notes[0]) is rising
    assert buzzer_pin.frequencies[-1] is None


def test_indicator_tonal_clamps_to_buzzer_range(mock_factory):
    buzzer_pin = mock_factory.pin(18)
    with Indicator(LED(17), LED(27), TonalBuzzer(18), patterns=FAST) as ind:  # A3..A5
        play(ind, Signal.ERROR)  # written at A6
    assert max(f for f in buzzer_pin.frequencies if f is not None) == pytest.approx(880.0)


def test_indicator_close_turns_all_off_at_once(mock_factory):
    ind = Indicator(LED(17), LED(27), Buzzer(18))
    ind.show(Signal.UNKNOWN)
    wait_for(lambda: mock_factory.pin(27).state)
    started = time.monotonic()
    ind.close()
    assert time.monotonic() - started < 0.5
    assert [bool(mock_factory.pin(n).state) for n in (17, 27, 18)] == [False] * 3
    assert ind.red.closed and ind.green.closed and ind.buzzer.closed


def test_indicator_close_is_idempotent_and_show_after_is_ignored(mock_factory):
    ind = Indicator(LED(17), LED(27), None)
    ind.close()
    ind.close()
    ind.show(Signal.WELCOME)
    assert ind.wait(timeout=0.1)


def test_indicator_plays_without_buzzer_or_red(mock_factory):
    with Indicator(LED(17), None, None, patterns=FAST) as ind:
        play(ind, Signal.ASK)
    assert states(mock_factory.pin(17)) == [False, True, False, True, False, True, False]


def test_default_pins_avoid_spi_and_reader_reset():
    reserved = {7, 8, 9, 10, 11, 25}
    assert {DEFAULT_GREEN_PIN, DEFAULT_RED_PIN, DEFAULT_BUZZER_PIN}.isdisjoint(reserved)


def test_build_feedback_on_mock_pins_gives_indicator(mock_factory):
    feedback = build_feedback(tonal=True)
    try:
        assert isinstance(feedback, Indicator)
        assert isinstance(feedback.buzzer, TonalBuzzer)
        feedback.show(Signal.WELCOME)
        wait_for(lambda: mock_factory.pin(DEFAULT_GREEN_PIN).state)
    finally:
        feedback.close()


def test_build_feedback_without_pin_factory_is_quiet(monkeypatch, caplog):
    monkeypatch.setattr(Device, "pin_factory", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-pin-library")
    with caplog.at_level(logging.WARNING, logger="hardware.indicator"):
        feedback = build_feedback()
    assert isinstance(feedback, QuietIndicator)
    assert len(caplog.records) == 1
    assert "no usable GPIO" in caplog.records[0].getMessage()


def test_build_feedback_with_no_pins_is_quiet(caplog):
    with caplog.at_level(logging.WARNING, logger="hardware.indicator"):
        feedback = build_feedback(green_pin=None, red_pin=None, buzzer_pin=None)
    assert isinstance(feedback, QuietIndicator)
    assert len(caplog.records) == 1


def test_build_feedback_pin_in_use_is_quiet_and_frees_the_rest(mock_factory):
    with LED(DEFAULT_RED_PIN):
        assert isinstance(build_feedback(), QuietIndicator)
        with LED(DEFAULT_GREEN_PIN):  # released again by the failed build
            pass

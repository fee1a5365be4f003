"""The door's lights and buzzer: gpiozero devices playing one pattern per Signal."""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from gpiozero import LED, Buzzer, Device, TonalBuzzer
from gpiozero.exc import GPIOZeroError, GPIOZeroWarning
from gpiozero.pins import Factory
from gpiozero.tones import Tone

from hardware.feedback import Feedback, QuietIndicator, Signal

log = logging.getLogger(__name__)

# BCM numbers clear of SPI0 (7-11) and the MFRC522 reset pin (25); 18 is a hardware
# PWM pin, which keeps a tonal buzzer's notes clean.
DEFAULT_GREEN_PIN = 17
DEFAULT_RED_PIN = 27
DEFAULT_BUZZER_PIN = 18

# A passive piezo is loudest well above A4; A5 ± one octave (440-1760 Hz) covers
# every note in PATTERNS.
TONAL_MID_TONE = "A5"
TONAL_OCTAVES = 1


@dataclass(frozen=True)
class Step:
    """One slice of a pattern: what is on, and for how long."""

    seconds: float
    green: bool = False
    red: bool = False
    tone: float | None = None  # Hz; a plain Buzzer just sounds for any tone


Pattern = tuple[Step, ...]

# Each signal differs in rhythm and pitch as well as colour, so a colour-blind
# participant, or one looking away, still tells them apart.
PATTERNS: Mapping[Signal, Pattern] = {
    # Steady green, one short rising beep.
    Signal.WELCOME: (
        Step(0.08, green=True, tone=880.0),
        Step(0.12, green=True, tone=1318.5),
        Step(1.3, green=True),
    ),
    # Green blinks twice, two falling beeps.
    Signal.GOODBYE: (
        Step(0.25, green=True, tone=1318.5),
        Step(0.2),
        Step(0.25, green=True, tone=880.0),
        Step(0.3),
    ),
    # Green and red take turns; a low-high "question" beep.
    Signal.ASK: (
        Step(0.15, green=True, tone=659.3),
        Step(0.2, red=True, tone=987.8),
        Step(0.25, green=True),
        Step(0.3, red=True),
        Step(0.3, green=True),
        Step(0.3, red=True),
    ),
    # Steady red, one long low beep.
    Signal.UNKNOWN: (
        Step(0.8, red=True, tone=440.0),
        Step(0.8, red=True),
    ),
    # Red blinks fast, three short beeps.
    Signal.ERROR: (
        Step(0.1, red=True, tone=1760.0),
        Step(0.1),
        Step(0.1, red=True, tone=1760.0),
        Step(0.1),
        Step(0.1, red=True, tone=1760.0),
        Step(0.1),
        Step(0.1, red=True),
        Step(0.1),
        Step(0.1, red=True),
        Step(0.1),
    ),
    # Both lights at once (the only signal that does it), a slow low-high siren twice:
    # not "tap again" but "go to your supervisor".
    Signal.NOT_SAVED: (
        Step(0.3, green=True, red=True, tone=440.0),
        Step(0.3, green=True, red=True, tone=659.3),
        Step(0.3, green=True, red=True, tone=440.0),
        Step(0.3, green=True, red=True, tone=659.3),
        Step(1.0, green=True, red=True),
    ),
}

_DARK = Step(0.0)


class Indicator:
    """Feedback on a green LED, a red LED and a buzzer, built by the caller; None where unwired."""

    def __init__(
        self,
        green: LED | None,
        red: LED | None,
        buzzer: Buzzer | TonalBuzzer | None = None,
        *,
        patterns: Mapping[Signal, Pattern] = PATTERNS,
    ) -> None:
        self.green = green
        self.red = red
        self.buzzer = buzzer
        self._patterns = patterns
        self._lock = threading.Lock()
        self._wake = threading.Event()  # a new signal, or close
        self._idle = threading.Event()
        self._idle.set()
        self._pending: Signal | None = None
        self._closed = False
        self._player = threading.Thread(target=self._play_forever, name="indicator", daemon=True)
        self._player.start()

    def show(self, signal: Signal) -> None:
        """Start the pattern for *signal*, cutting short whatever is playing."""
        with self._lock:
            if self._closed:
                log.debug("indicator closed; %s not shown", signal)
                return
            self._pending = signal
            self._idle.clear()
            self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no pattern is playing or pending; False if *timeout* ran out."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop at once, turn everything off and release the pins; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._pending = None
            self._wake.set()
        self._player.join(timeout=2.0)
        with contextlib.suppress(GPIOZeroError):  # a device closed behind our back is off
            self._apply(_DARK)
        for device in (self.buzzer, self.red, self.green):
            if device is not None:
                device.close()
        self._idle.set()

    def __enter__(self) -> Indicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _play_forever(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                self._wake.clear()
                if self._closed:
                    return
                signal, self._pending = self._pending, None
            if signal is None:
                continue
            try:
                finished = self._play(self._patterns[signal])
                if finished:
                    self._apply(_DARK)
            except (GPIOZeroError, OSError):
                # A lamp fault must not take the door down; the screen still answers.
                log.exception("indicator could not play %s", signal)
            with self._lock:
                if self._pending is None and not self._closed:
                    self._idle.set()

    def _play(self, pattern: Pattern) -> bool:
        """Play *pattern*; False as soon as a new signal or close cuts it short."""
        for step in pattern:
            self._apply(step)
            if self._wake.wait(step.seconds):
                return False
        return True

    def _apply(self, step: Step) -> None:
        # Write only what changes, so pin histories show the pattern and nothing else.
        for led, on in ((self.green, step.green), (self.red, step.red)):
            if led is not None and bool(led.value) != on:
                led.value = on
        if isinstance(self.buzzer, TonalBuzzer):
            self._play_tone(self.buzzer, step.tone)
        elif self.buzzer is not None and bool(self.buzzer.value) != (step.tone is not None):
            self.buzzer.value = step.tone is not None

    @staticmethod
    def _play_tone(buzzer: TonalBuzzer, hz: float | None) -> None:
        if hz is None:
            if buzzer.is_active:
                buzzer.stop()
            return
        # A buzzer built with a narrower range plays the nearest note it has.
        low, high = buzzer.min_tone.frequency, buzzer.max_tone.frequency
        buzzer.play(Tone.from_frequency(min(max(hz, low), high)))


def build_feedback(
    *,
    green_pin: int | None = DEFAULT_GREEN_PIN,
    red_pin: int | None = DEFAULT_RED_PIN,
    buzzer_pin: int | None = DEFAULT_BUZZER_PIN,
    tonal: bool = False,
    pin_factory: Factory | None = None,
) -> Feedback:
    """An Indicator on these BCM pins, or a QuietIndicator where there is no usable GPIO."""
    if green_pin is None and red_pin is None and buzzer_pin is None:
        log.warning("no feedback pins configured: the door shows no lights and makes no sound")
        return QuietIndicator()
    built: list[Device] = []
    try:
        # gpiozero warns once per pin library it tries; one line from us says it all.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GPIOZeroWarning)
            green = _led(green_pin, pin_factory, built)
            red = _led(red_pin, pin_factory, built)
            buzzer = _buzzer(buzzer_pin, tonal, pin_factory, built)
    except GPIOZeroError as exc:
        # No GPIO (a laptop, a container) or a pin taken: the door still answers on screen.
        for device in built:
            device.close()
        log.warning("no usable GPIO for lights and buzzer (%s): feedback stays quiet", exc)
        return QuietIndicator()
    return Indicator(green, red, buzzer)


def _led(pin: int | None, pin_factory: Factory | None, built: list[Device]) -> LED | None:
    if pin is None:
        return None
    led = LED(pin, pin_factory=pin_factory)
    built.append(led)
    return led


def _buzzer(
    pin: int | None, tonal: bool, pin_factory: Factory | None, built: list[Device]
) -> Buzzer | TonalBuzzer | None:
    if pin is None:
        return None
    buzzer: Buzzer | TonalBuzzer
    if tonal:
        buzzer = TonalBuzzer(
            pin, mid_tone=Tone(TONAL_MID_TONE), octaves=TONAL_OCTAVES, pin_factory=pin_factory
        )
    else:
        buzzer = Buzzer(pin, pin_factory=pin_factory)
    built.append(buzzer)
    return buzzer

"""gpiozero mock pins for hardware tests; import the fixtures you need into a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin


class ToneRecordingPin(MockPWMPin):
    """A mock PWM pin that also remembers every frequency it was asked to play."""

    def __init__(self, factory: MockFactory, info: object) -> None:
        super().__init__(factory, info)
        self.frequencies: list[float | None] = []

    def _set_frequency(self, value: float | None) -> None:
        super()._set_frequency(value)
        self.frequencies.append(value)


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    """Swap in a MockFactory with PWM pins and put the old factory back afterwards."""
    saved = Device.pin_factory
    Device.pin_factory = MockFactory(pin_class=ToneRecordingPin)
    try:
        yield Device.pin_factory
    finally:
        if Device.pin_factory is not None:
            Device.pin_factory.reset()
        Device.pin_factory = saved

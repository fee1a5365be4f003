"""An emulated MFRC522 behind fake `spidev` and `RPi.GPIO` modules, for tests and benchmarks."""

from hardware.emulation.card import Card, CardState, crc_a
from hardware.emulation.chip import ChipFault, Frame, Mfrc522Chip
from hardware.emulation.fakes import (
    FakeGpio,
    SpiDev,
    attach,
    detach,
    emulated_chip,
    fakes_installed,
    gpio,
    install_fakes,
    total_transfers,
    uninstall_fakes,
)

__all__ = [
    "Card",
    "CardState",
    "ChipFault",
    "FakeGpio",
    "Frame",
    "Mfrc522Chip",
    "SpiDev",
    "attach",
    "crc_a",
    "detach",
    "emulated_chip",
    "fakes_installed",
    "gpio",
    "install_fakes",
    "total_transfers",
    "uninstall_fakes",
]

"""Builds the door's parts from the configuration and runs the headless door."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from hardware.badge import BadgeReader
from hardware.feedback import Feedback, QuietIndicator
from kiosk.headless import HeadlessDoor, StartupError, load_door_data, load_site, rules_from
from prikklok.config import Config
from prikklok.failure import Failure
from sync.disk import Reserve, trouble_of
from sync.journal import Journal, JournalError

if TYPE_CHECKING:  # requests and TLS load only where the agent runs in-process
    from sync.agent import SyncAgent

log = logging.getLogger(__name__)


def build_reader(config: Config, *, stdin: TextIO | None) -> BadgeReader:
    reader = config["reader"]
    kind = reader["kind"]
    if kind == "mfrc522":
        from hardware.mfrc522_reader import Mfrc522Reader

        return Mfrc522Reader(
            bus=reader["spi_bus"],
            device=reader["spi_device"],
            rst_pin=reader["rst_pin"],
            poll_interval=reader["poll_interval"],
            away_seconds=reader["away_seconds"],
            error_threshold=reader["error_threshold"],
        )
    if kind == "wedge":
        from hardware.wedge import WedgeReader

        if not reader["wedge_device"]:
            raise StartupError(f"{config.source}: [reader] wedge_device: needed for a wedge reader")
        return WedgeReader(reader["wedge_device"], fmt=reader["wedge_format"])
    from hardware.simulated import SimulatedReader

    return SimulatedReader(
        stdin=stdin if reader["simulated_stdin"] else None,
        fifo=reader["simulated_fifo"] or None,
        socket_path=reader["simulated_socket"] or None,
    )


def build_feedback(config: Config) -> Feedback:
    feedback = config["feedback"]
    if not feedback["enabled"]:
        return QuietIndicator()
    from hardware.indicator import build_feedback as build_indicator

    return build_indicator(
        green_pin=feedback["green_pin"],
        red_pin=feedback["red_pin"],
        buzzer_pin=feedback["buzzer_pin"],
        tonal=feedback["tonal_buzzer"],
    )


def open_journal(config: Config) -> Journal:
    kiosk = config["kiosk"]
    try:
        journal = Journal(config.journal_path, kiosk_id=kiosk["id"])
    except JournalError as error:
        raise StartupError(str(error)) from None
    try:
        # A journal that opens but cannot be written would welcome nobody: say so now, in
        # one line, rather than at the first tap.
        journal.check_writable()
    except sqlite3.Error as error:
        journal.close()
        why = trouble_of(error) or "write failed"
        raise StartupError(
            f"{config.journal_path}: the journal cannot be written ({why}): {error}"
        ) from None
    if kiosk["door_data_file"]:
        path = Path(kiosk["door_data_file"])
        try:
            journal.store_door_data(load_door_data(path), source=f"file {path.name}")
            site = load_site(path)
            if site is not None:  # the site's settings, as a snapshot would bring them
                journal.store_site(site)
        except StartupError:
            journal.close()
            raise
    return journal


@dataclass
class DoorParts:
    """What a running door holds: its journal, reader and (maybe) in-process sync agent."""

    journal: Journal
    reader: BadgeReader
    agent: SyncAgent | None = None
    # Space kept for taps beside the journal (sync.disk): the door holds and releases it.
    reserve: Reserve | None = None
    agent_thread: threading.Thread | None = None

    def nudge(self, _answer: object = None) -> None:
        """Wake the sync agent: a tap is durable and waiting to be sent."""
        if self.agent:
            self.agent.nudge()

    def stop_agent(self) -> None:
        if self.agent and self.agent_thread:
            self.agent.stop(flush=True)
            self.agent_thread.join(timeout=30)


def open_parts(config: Config, *, stdin: TextIO | None) -> DoorParts:
    """Open the journal, the reader and the in-process agent; one-line Failure if not."""
    try:
        journal = open_journal(config)
        try:
            reader = build_reader(config, stdin=stdin)
        except Exception:
            journal.close()
            raise
    except (StartupError, OSError) as error:
        raise Failure(str(error)) from None
    parts = DoorParts(journal, reader, reserve=Reserve(journal.path))
    if config["sync"]["in_process"]:
        from prikklok.sync_command import start_in_process

        try:
            parts.agent, parts.agent_thread = start_in_process(config, config.journal_path)
        except Failure:
            reader.close()
            journal.close()
            raise
    return parts


def run_headless(config: Config, *, stdin: TextIO | None, out: TextIO) -> int:
    """Run the door until stopped (signal, or the end of stdin when taps come from it)."""
    parts = open_parts(config, stdin=stdin)
    door = HeadlessDoor(
        journal=parts.journal,
        reader=parts.reader,
        feedback=build_feedback(config),
        rules=rules_from(config),
        out=out,
        on_answer=parts.nudge if parts.agent else None,
        reserve=parts.reserve,
    )
    if hasattr(parts.reader, "on_eof"):
        # Ctrl-D (or the end of a piped file) ends a run fed from stdin; a service fed
        # only by its FIFO or socket sets simulated_stdin = false.
        parts.reader.on_eof = lambda: door.stop("end of input")
    try:
        return door.run()
    finally:
        parts.stop_agent()

"""One TOML file, every key documented (docs/config.md), environment overrides on top.

A bad file stops start-up with the file, the line and the key that is wrong.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "PRIKKLOK_"
DEFAULT_PATHS = (Path("/etc/prikklok/prikklok.toml"),)

# The Raspberry Pi's header carries GPIO 0–27 (BCM numbering).
LAST_BCM_PIN = 27


class ConfigError(ValueError):
    """A config problem, worded as one line for the admin."""


@dataclass(frozen=True)
class Key:
    section: str
    name: str
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    # Every number has both bounds (a test checks): a value no site would ever want, like
    # a week of minutes or nan, is refused at start-up instead of crashing the door later.
    minimum: float | None = None
    maximum: float | None = None
    is_path: bool = False

    @property
    def env(self) -> str:
        return f"{ENV_PREFIX}{self.section}_{self.name}".upper()

    @property
    def range_text(self) -> str:
        """The range as docs/config.md shows it, "0–1440"; empty for a key that is no number."""
        if self.minimum is None or self.maximum is None:
            return ""
        return f"{self.minimum:g}–{self.maximum:g}"


KEYS: tuple[Key, ...] = (
    Key("kiosk", "id", "kiosk-1", "This kiosk's id; one journal serves one id only."),
    Key("kiosk", "data_dir", "/var/lib/prikklok", "Where the journal lives.", is_path=True),
    Key("kiosk", "journal", "", "Journal file; empty: data_dir/journal.db.", is_path=True),
    Key(
        "kiosk",
        "door_data_file",
        "",
        "JSON file with roster, tasks and words, loaded into the journal's cache at start; "
        "empty: keep the cache as it is.",
        is_path=True,
    ),
    Key(
        "kiosk",
        "too_soon_minutes",
        5.0,
        "A tap less than this many minutes after checking in asks; 0: never asks.",
        minimum=0,
        maximum=24 * 60,  # a session never spans more than the day
    ),
    Key(
        "kiosk",
        "confirm_seconds",
        20.0,
        "A second tap this soon after asking leaves.",
        minimum=0,
        maximum=600,
    ),
    Key(
        "screen",
        "dim_after_seconds",
        120.0,
        "Dim the waiting screen after this long without a tap or touch; 0: never.",
        minimum=0,
        maximum=24 * 3600,
    ),
    Key(
        "screen",
        "supervisor_idle_seconds",
        60.0,
        "Supervisor mode closes after this long untouched.",
        minimum=5,
        maximum=3600,
    ),
    Key(
        "screen",
        "lunch_until_hour",
        12.0,
        'Ask "Eet je mee?" at check-ins before this hour (11.5 = 11:30); 0: never ask.',
        minimum=0,
        maximum=24,
    ),
    Key(
        "screen", "lunch_default", True, "The lunch answer recorded when nobody touches the screen."
    ),
    Key(
        "screen",
        "lunch_seconds",
        15.0,
        "How long the lunch question waits for a touch.",
        minimum=3,
        maximum=120,
    ),
    Key(
        "screen",
        "sound",
        True,
        "Play a sound with every answer, the word of the day's speaker button and the greeting.",
    ),
    Key(
        "screen",
        "speech_cache",
        "",
        "Where spoken words are kept; empty: data_dir/speech.",
        is_path=True,
    ),
    Key(
        "screen",
        "fps",
        30,
        "Frame-rate cap of the screen; an idle kiosk redraws only what changes.",
        minimum=1,
        maximum=120,
    ),
    Key(
        "screen",
        "fullscreen",
        True,
        "Fill the display (the touchscreen at the door); false: a window.",
    ),
    Key("reader", "kind", "mfrc522", "Badge reader.", choices=("mfrc522", "wedge", "simulated")),
    # Slower than 2 s, a quick tap can fall between two polls.
    Key(
        "reader",
        "poll_interval",
        0.1,
        "MFRC522: seconds between polls.",
        minimum=0.01,
        maximum=2,
    ),
    Key(
        "reader",
        "away_seconds",
        1.0,
        "A badge must be away this long to tap again.",
        minimum=0,
        maximum=60,
    ),
    Key(
        "reader",
        "error_threshold",
        5,
        "MFRC522: errors in a row before re-init.",
        minimum=1,
        maximum=1000,
    ),
    # A Pi 4 or 5 has SPI0–SPI6 on its header; SPI1 has the most chip selects (CE0–CE2).
    Key("reader", "spi_bus", 0, "MFRC522: SPI bus.", minimum=0, maximum=6),
    Key("reader", "spi_device", 0, "MFRC522: SPI chip select (0 = CE0).", minimum=0, maximum=2),
    Key(
        "reader",
        "rst_pin",
        25,
        "MFRC522: reset pin, BCM numbering.",
        minimum=0,
        maximum=LAST_BCM_PIN,
    ),
    Key("reader", "wedge_device", "", "Wedge: evdev device path.", is_path=True),
    Key("reader", "wedge_format", "hex", "Wedge: how it types UIDs.", choices=("hex", "decimal")),
    Key("reader", "simulated_stdin", True, "Simulated: read taps from standard input."),
    Key("reader", "simulated_fifo", "", "Simulated: FIFO to read taps from.", is_path=True),
    Key("reader", "simulated_socket", "", "Simulated: Unix socket for taps.", is_path=True),
    Key("feedback", "enabled", True, "Drive the LEDs and buzzer."),
    Key("feedback", "green_pin", 17, "Green LED, BCM pin.", minimum=0, maximum=LAST_BCM_PIN),
    Key("feedback", "red_pin", 27, "Red LED, BCM pin.", minimum=0, maximum=LAST_BCM_PIN),
    Key("feedback", "buzzer_pin", 18, "Buzzer, BCM pin.", minimum=0, maximum=LAST_BCM_PIN),
    Key("feedback", "tonal_buzzer", True, "A passive buzzer that plays tones."),
    Key(
        "sync",
        "server_url",
        "",
        "Server base URL, e.g. https://prikklok.example.nl; empty: offline.",
    ),
    Key(
        "sync",
        "token_file",
        "",
        "File holding this kiosk's bearer token (mode 0600).",
        is_path=True,
    ),
    Key("sync", "ca_file", "", "CA bundle to verify the server's TLS certificate.", is_path=True),
    Key(
        "sync",
        "interval_seconds",
        30.0,
        "Seconds between rounds when idle.",
        minimum=1,
        maximum=3600,
    ),
    # The server refuses a push of more than 500 records.
    Key("sync", "batch_size", 200, "Records per push.", minimum=1, maximum=500),
    Key("sync", "timeout_seconds", 10.0, "Timeout of every request.", minimum=0.1, maximum=300),
    Key(
        "sync",
        "prune_after_days",
        30.0,
        "Synced records older than this leave the kiosk.",
        minimum=1,
        maximum=3650,
    ),
    Key(
        "sync",
        "retention_days",
        365.0,
        "Sent or set-aside records older than this leave the kiosk (unsent ones never); "
        "keep it equal to the server's retention period.",
        minimum=1,
        maximum=3650,  # ten years
    ),
    Key("sync", "in_process", False, "Run the sync agent inside the kiosk process."),
    Key(
        "sync",
        "media_cache",
        "",
        "Where the plan's photos are kept for the door; empty: data_dir/media.",
        is_path=True,
    ),
    Key(
        "sync",
        "media_cache_mb",
        100,
        "Most room the plan's photos take on the kiosk; the soonest days' photos come first.",
        minimum=1,
        maximum=10000,
    ),
    Key(
        "log",
        "level",
        "info",
        "Log level.",
        choices=("debug", "info", "warning", "error"),
    ),
)

SECTIONS = tuple(dict.fromkeys(k.section for k in KEYS))
_BY_NAME = {(k.section, k.name): k for k in KEYS}


@dataclass(frozen=True)
class Config:
    """Validated settings: config[section][key]."""

    values: Mapping[str, Mapping[str, Any]]
    source: Path | None

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self.values[section]

    @property
    def journal_path(self) -> Path:
        kiosk = self.values["kiosk"]
        return Path(kiosk["journal"] or Path(kiosk["data_dir"]) / "journal.db")

    @property
    def warnings_path(self) -> Path:
        """The door's recent warnings and errors (sync.log_lines), beside the journal."""
        return self.journal_path.with_name("warnings.jsonl")

    @property
    def media_path(self) -> Path:
        """The door's photo cache (sync.media): the agent fills it, the screen reads it."""
        chosen = self.values["sync"]["media_cache"]
        return Path(chosen or Path(self.values["kiosk"]["data_dir"]) / "media")


def find_config(explicit: str | Path | None, env: Mapping[str, str] | None = None) -> Path:
    """The config file to use: --config, then $PRIKKLOK_CONFIG, then /etc/prikklok."""
    env = os.environ if env is None else env
    chosen = explicit or env.get(f"{ENV_PREFIX}CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        return path
    for path in DEFAULT_PATHS:
        if path.is_file():
            return path
    raise ConfigError(
        "no config file: pass --config FILE or set PRIKKLOK_CONFIG "
        f"(looked in {', '.join(str(p) for p in DEFAULT_PATHS)})"
    )


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read, check and complete one config file, then apply environment overrides."""
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}, {_toml_problem(error)}") from None
    lines = text.splitlines()
    values: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    origins: _Origins = {}
    for section, table in raw.items():
        if section not in values:
            line = _line_of(lines, section, None)
            raise ConfigError(
                f"{path}, line {line}: unknown section [{section}] (known: {', '.join(SECTIONS)})"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{path}, line {_line_of(lines, None, section)}: {section}: "
                              "expected a [section]")  # fmt: skip
        for name, value in table.items():
            key = _BY_NAME.get((section, name))
            line = _line_of(lines, section, name)
            where = f"{path}, line {line}: [{section}] {name}"
            if key is None:
                known = ", ".join(k.name for k in KEYS if k.section == section)
                raise ConfigError(f"{where}: unknown key (known: {known})")
            values[section][name] = _check(key, value, where, base=path.parent)
            origins[section, name] = line
    for key in KEYS:
        if key.env in env:
            where = f"environment {key.env}"
            values[key.section][key.name] = _check(
                key, _from_env(key, env[key.env], where), where, base=Path.cwd()
            )
            origins[key.section, key.name] = key.env
        values[key.section].setdefault(key.name, key.default)
    _check_pins(values, origins, path)
    return Config(values=values, source=path)


# Where a key's value came from: its line in the file, or its environment variable; a key
# that is in neither has its default.
_Origins = dict[tuple[str, str], int | str]


# SPI0 (MOSI, MISO, SCLK, CE0, CE1) belongs to the MFRC522.
SPI0_PINS = frozenset({7, 8, 9, 10, 11})


def _check_pins(values: dict[str, dict[str, Any]], origins: _Origins, path: Path) -> None:
    """Two devices on one pin fight each other; say so before anything is wired up.

    Pins are claimed in the order they were set — defaults first, then the file from top to
    bottom, then the environment — so the error names the setting written last, where it is.
    """
    claims: list[tuple[str, str]] = []
    if values["reader"]["kind"] == "mfrc522":
        claims.append(("reader", "rst_pin"))
    if values["feedback"]["enabled"]:
        claims += [("feedback", name) for name in ("green_pin", "red_pin", "buzzer_pin")]
    claims.sort(key=lambda claim: _claim_order(origins.get(claim)))
    holders: dict[int, tuple[str, str] | None] = dict.fromkeys(SPI0_PINS)  # None: SPI0
    for claim in claims:
        pin = values[claim[0]][claim[1]]
        if pin in holders:
            raise ConfigError(_pin_clash(pin, claim, holders[pin], origins, path))
        holders[pin] = claim


def _pin_clash(
    pin: int, claim: tuple[str, str], holder: tuple[str, str] | None, origins: _Origins, path: Path
) -> str:
    """ "…, line 9: [reader] rst_pin: BCM 17 is already used by [feedback] green_pin (line 3)"."""
    origin = origins.get(claim)
    if isinstance(origin, str):
        where = f"environment {origin}"
    elif origin is None:
        where = f"{path}: [{claim[0]}] {claim[1]} (by default)"
    else:
        where = f"{path}, line {origin}: [{claim[0]}] {claim[1]}"
    if holder is None:
        return f"{where}: BCM {pin} is already used by SPI0 (the MFRC522)"
    held = origins.get(holder)
    if held is None:
        since = "by default"
    elif isinstance(held, str):
        since = f"environment {held}"
    else:  # the file's line; name the file too when the error starts with a variable
        since = f"line {held}" if isinstance(origin, int) else f"{path}, line {held}"
    return f"{where}: BCM {pin} is already used by [{holder[0]}] {holder[1]} ({since})"


def _claim_order(origin: int | str | None) -> float:
    if origin is None:
        return 0
    return math.inf if isinstance(origin, str) else origin


def _check(key: Key, value: Any, where: str, *, base: Path) -> Any:
    expected = type(key.default)
    if expected in (int, float):
        return _check_number(key, value, where)
    if not isinstance(value, expected):
        raise ConfigError(f"{where}: expected {_type_name(expected)}, got {value!r}")
    if key.choices and value not in key.choices:
        raise ConfigError(f"{where}: expected one of {', '.join(key.choices)}, got {value!r}")
    if key.is_path and value:
        # Relative paths are relative to the config file, so a config and its data
        # can move together (the demo relies on it).
        value = str((base / Path(value).expanduser()).resolve())
    return value


def _check_number(key: Key, value: Any, where: str) -> int | float:
    """A finite number of the key's kind within its range: nan, inf or 1e308 never reach
    the door, where timedelta(minutes=nan) would crash it."""
    whole = type(key.default) is int
    low = -math.inf if key.minimum is None else key.minimum
    high = math.inf if key.maximum is None else key.maximum
    fits = (
        isinstance(value, int if whole else (int, float))
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
        and low <= value <= high  # exact for an int of any size; inf is out of every range
    )
    if not fits:
        raise ConfigError(f"{where}: expected {_number_wanted(key)}, got {value!r}")
    return value if whole else float(value)


def _number_wanted(key: Key) -> str:
    """What a number key takes, as the error says it: "a whole number from 0 to 27"."""
    kind = _type_name(type(key.default))
    if key.minimum is not None and key.maximum is not None:
        return f"{kind} from {key.minimum:g} to {key.maximum:g}"
    if key.minimum is not None:
        return f"{kind} of at least {key.minimum:g}"
    if key.maximum is not None:
        return f"{kind} of at most {key.maximum:g}"
    return kind


def _from_env(key: Key, text: str, where: str) -> Any:
    expected = type(key.default)
    if expected is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: expected true or false, got {text!r}")
    if expected in (int, float):
        try:
            return expected(text)
        except ValueError:
            raise ConfigError(f"{where}: expected {_number_wanted(key)}, got {text!r}") from None
    return text


def _type_name(kind: type) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}[kind]


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_problem(error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    found = _TOML_AT.search(message)
    if found:
        return (
            f"line {found.group(1)}: {_TOML_AT.sub('', message).strip()} (column {found.group(2)})"
        )
    return message


def _line_of(lines: list[str], section: str | None, name: str | None) -> int:
    """The line where [section] name = … is set; tomllib keeps no positions."""
    current: str | None = None
    header_line = 1
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip().strip('"')
            if name is None and current == section:
                return number
            if current == section:
                header_line = number
            continue
        assignment = re.match(r'^"?([A-Za-z0-9_.-]+)"?\s*=', stripped)
        if not assignment:
            continue
        found = assignment.group(1)
        if name is None and current is None and found.split(".")[0] == section:
            return number
        if current == section and found == name:
            return number
        if current is None and found == f"{section}.{name}":
            return number
    return header_line


def documented_keys(markdown: str) -> set[tuple[str, str]]:
    """Keys a docs page mentions as `section.key`; the docs test compares with KEYS."""
    return set(re.findall(r"`([a-z_]+)\.([a-z_]+)`", markdown))

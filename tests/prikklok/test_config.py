"""A bad config stops start-up naming the file, the line and the key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from prikklok.cli import main
from prikklok.config import KEYS, ConfigError, Key, documented_keys, find_config, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prikklok.toml"
    path.write_text(text)
    return path


def test_config_fills_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[kiosk]\nid = "door-1"\n'), env={})
    assert config["kiosk"]["id"] == "door-1"
    assert config["reader"]["kind"] == "mfrc522"
    assert config.journal_path == Path("/var/lib/prikklok/journal.db")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[kiosk]\nid = "a"\n\ntoo_soon_minutes = "five"\n',
         r"line 4: \[kiosk\] too_soon_minutes: expected a number from 0 to 1440, got 'five'"),
        ('[reader]\nkind = "nfc"\n', r"line 2: \[reader\] kind: expected one of mfrc522"),
        ('[reader]\npoll_interval = 0\n',
         r"line 2: \[reader\] poll_interval: expected a number from 0.01 to 2, got 0"),
        ('[sync]\nbatch_size = 1500\n',
         r"line 2: \[sync\] batch_size: expected a whole number from 1 to 500, got 1500"),
        ('[kiosk]\nid = "a"\n[reader]\nknd = "wedge"\n', r"line 4: \[reader\] knd: unknown key"),
        ('[kiosk]\nid = "a"\n[display]\nx = 1\n', r"line 3: unknown section \[display\]"),
        ('[kiosk]\nid = "a\n', r"line 2: "),
        ('[feedback]\ngreen_pin = 17\nred_pin = 17\n',
         r"line 3: \[feedback\] red_pin: BCM 17 is already used by \[feedback\] green_pin"),
        ('[feedback]\nbuzzer_pin = 25\n', r"line 2: \[feedback\] buzzer_pin: BCM 25 .* rst_pin"),
        ('[feedback]\nred_pin = 10\n', r"line 2: .* SPI0"),
        ('[feedback]\nenabled = "yes"\n', r"line 2: \[feedback\] enabled: expected true or false"),
    ],
)  # fmt: skip
def test_bad_config_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path, env={})
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[reader]\nkind = "mfrc522"\n')
    env = {"PRIKKLOK_READER_KIND": "simulated", "PRIKKLOK_READER_AWAY_SECONDS": "2.5",
           "PRIKKLOK_FEEDBACK_ENABLED": "off"}  # fmt: skip
    config = load_config(path, env=env)
    assert config["reader"]["kind"] == "simulated"
    assert config["reader"]["away_seconds"] == 2.5
    assert config["feedback"]["enabled"] is False


def test_bad_environment_override_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="environment PRIKKLOK_READER_SPI_BUS: expected a whole"):
        load_config(path, env={"PRIKKLOK_READER_SPI_BUS": "zero"})


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[kiosk]\ndata_dir = "data"\n')
    assert load_config(path, env={}).journal_path == tmp_path / "data" / "journal.db"


def test_missing_config_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        find_config(tmp_path / "nope.toml", env={})
    with pytest.raises(ConfigError, match="pass --config FILE or set PRIKKLOK_CONFIG"):
        find_config(None, env={})


def test_every_config_key_is_documented() -> None:
    documented = documented_keys((ROOT / "docs" / "config.md").read_text())
    assert {(k.section, k.name) for k in KEYS} <= documented


def test_docs_name_no_key_that_does_not_exist() -> None:
    documented = documented_keys((ROOT / "docs" / "config.md").read_text())
    sections = {k.section for k in KEYS}
    real = {(k.section, k.name) for k in KEYS}
    assert {d for d in documented if d[0] in sections} <= real


NUMBER_KEYS = [k for k in KEYS if type(k.default) in (int, float)]
PIN_KEYS = [k for k in NUMBER_KEYS if k.name.endswith("_pin")]


def above_the_maximum(key: Key) -> str:
    assert key.maximum is not None, f"{key.section}.{key.name} has no maximum"
    return str(int(key.maximum) + 1) if type(key.default) is int else repr(key.maximum + 1)


@pytest.mark.parametrize("place", ["file", "environment"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "-1", "above"])
@pytest.mark.parametrize("key", NUMBER_KEYS, ids=lambda k: f"{k.section}.{k.name}")
def test_config_check_refuses_a_number_out_of_range_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    key: Key, value: str, place: str,
) -> None:  # fmt: skip
    literal = above_the_maximum(key) if value == "above" else value
    if place == "file":
        path = write(tmp_path, f'[log]\nlevel = "info"\n[{key.section}]\n{key.name} = {literal}\n')
        where = f"prikklok: {path}, line 4: [{key.section}] {key.name}: "
    else:
        path = write(tmp_path, '[kiosk]\nid = "door-1"\n')
        monkeypatch.setenv(key.env, literal)
        where = f"prikklok: environment {key.env}: "
    assert main(["config", "check", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    kind = "a whole number" if type(key.default) is int else "a number"
    assert err.startswith(f"{where}expected {kind} from {key.minimum:g} to {key.maximum:g}, got ")


@pytest.mark.parametrize("key", NUMBER_KEYS, ids=lambda k: f"{k.section}.{k.name}")
def test_every_number_key_has_a_range(key: Key) -> None:
    assert key.minimum is not None and key.maximum is not None
    assert key.minimum <= key.default <= key.maximum


@pytest.mark.parametrize("key", PIN_KEYS, ids=lambda k: f"{k.section}.{k.name}")
def test_pins_are_bcm_0_to_27(key: Key) -> None:
    assert (key.minimum, key.maximum) == (0, 27)


def test_docs_show_the_range_of_every_number_key() -> None:
    docs = (ROOT / "docs" / "config.md").read_text()
    for key in NUMBER_KEYS:
        row = re.search(rf"^\| `{key.section}\.{key.name}` \| [^|]+ \| ([^|]*) \|", docs, re.M)
        assert row, f"{key.section}.{key.name}: no row with a range column"
        assert row.group(1).strip() == key.range_text == f"{key.minimum:g}–{key.maximum:g}"


def test_a_nan_in_the_config_stops_the_door_with_one_line(tmp_path: Path) -> None:
    """The door itself, not only `config check`: before, nan passed the check and the door
    died on it with a traceback (timedelta(minutes=nan))."""
    path = write(tmp_path, '[kiosk]\ndata_dir = "data"\ntoo_soon_minutes = nan\n'
                 '[reader]\nkind = "simulated"\n[feedback]\nenabled = false\n')  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "prikklok", "kiosk", "--headless", "--config", str(path)],
        input="04A1B2C3\n", capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"prikklok: {path}, line 3: [kiosk] too_soon_minutes: "
        "expected a number from 0 to 1440, got nan\n"
    )


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        # The key the user wrote second is the one named, with the line it is on.
        ('[reader]\nrst_pin = 17\n',  {},
         r", line 2: \[reader\] rst_pin: BCM 17 is already used by \[feedback\] green_pin "
         r"\(by default\)$"),
        ('[feedback]\ngreen_pin = 5\n\n[reader]\nrst_pin = 5\n', {},
         r", line 5: \[reader\] rst_pin: BCM 5 is already used by \[feedback\] green_pin "
         r"\(line 2\)$"),
        ('[reader]\nrst_pin = 5\n\n[feedback]\ngreen_pin = 5\n', {},
         r", line 5: \[feedback\] green_pin: BCM 5 is already used by \[reader\] rst_pin "
         r"\(line 2\)$"),
        ('[reader]\nrst_pin = 8\n', {},
         r", line 2: \[reader\] rst_pin: BCM 8 is already used by SPI0"),
        # An override comes after the whole file: the variable is named instead of a line.
        ('[kiosk]\nid = "a"\n[feedback]\ngreen_pin = 5\n', {"PRIKKLOK_READER_RST_PIN": "5"},
         r"^environment PRIKKLOK_READER_RST_PIN: BCM 5 is already used by \[feedback\] green_pin "
         r"\(.*prikklok.toml, line 4\)$"),
        ('[reader]\nrst_pin = 5\n', {"PRIKKLOK_FEEDBACK_RED_PIN": "5"},
         r"^environment PRIKKLOK_FEEDBACK_RED_PIN: BCM 5 is already used by \[reader\] rst_pin "
         r"\(.*prikklok.toml, line 2\)$"),
        ('', {"PRIKKLOK_FEEDBACK_RED_PIN": "25"},
         r"^environment PRIKKLOK_FEEDBACK_RED_PIN: BCM 25 is already used by \[reader\] rst_pin "
         r"\(by default\)$"),
    ],
)  # fmt: skip
def test_pin_clash_names_the_key_that_came_second(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write(tmp_path, text), env=env)
    assert "\n" not in str(caught.value)

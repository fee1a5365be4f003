"""A bad config stops start-up naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from prikklok.config import KEYS, ConfigError, documented_keys, find_config, load_config

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
         r"line 4: \[kiosk\] too_soon_minutes: expected a number, got 'five'"),
        ('[reader]\nkind = "nfc"\n', r"line 2: \[reader\] kind: expected one of mfrc522"),
        ('[reader]\npoll_interval = 0\n', r"line 2: \[reader\] poll_interval: must be at least"),
        ('[sync]\nbatch_size = 1500\n', r"line 2: \[sync\] batch_size: must be at most 500"),
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

"""install.sh, run for real in its --root mode: what a kiosk or a server gets, and what a
re-run keeps."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from prikklok.config import load_config
from tests.systemd.conftest import (
    INSTALL,
    PI5,
    PI_CMDLINE_TXT,
    PI_CONFIG_TXT,
    REPO,
    install,
    make_pi,
)

NEW_VENV = "/opt/prikklok/versions/0.1.0/venv"  # the release's own venv (pyproject's version)
KIOSK_UNITS = [
    "prikklok-backup.service",
    "prikklok-backup.timer",
    "prikklok-kiosk-revive.service",
    "prikklok-kiosk-revive.timer",
    "prikklok-kiosk.service",
    "prikklok-sync.service",
    "prikklok-upgrade.service",
    "prikklok-upgrade.timer",
]
SERVER_UNITS = [
    "prikklok-alerts.service",
    "prikklok-alerts.timer",
    "prikklok-digest.service",
    "prikklok-digest.timer",
    "prikklok-retention.service",
    "prikklok-retention.timer",
    "prikklok-server-backup.service",
    "prikklok-server-backup.timer",
    "prikklok-server.service",
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_kiosk_files_have_their_modes(pi: Path, kiosk_args: list[str]) -> None:
    done = install(pi, *kiosk_args)
    assert done.code == 0, done.err
    etc = pi / "etc" / "prikklok"
    assert mode(etc / "prikklok.toml") == 0o640
    assert mode(etc / "kiosk.token") == 0o600
    assert (etc / "kiosk.token").read_text() == "k1-s3cr3t-t0ken\n"
    assert mode(pi / "var" / "lib" / "prikklok") == 0o750
    assert mode(pi / "var" / "lib" / "prikklok" / "backup") == 0o700
    assert mode(pi / "var" / "lib" / "prikklok" / "upgrade") == 0o770
    units = pi / "etc" / "systemd" / "system"
    assert sorted(p.name for p in units.iterdir()) == KIOSK_UNITS
    assert {mode(p) for p in units.iterdir()} == {0o644}
    assert (
        os.readlink(pi / "usr" / "local" / "bin" / "prikklok") == "/opt/prikklok/venv/bin/prikklok"
    )


def test_kiosk_owners_are_set(pi: Path, kiosk_args: list[str]) -> None:
    chowns = install(pi, *kiosk_args).ran("chown ")
    assert "chown prikklok:prikklok /etc/prikklok/kiosk.token" in chowns
    assert "chown root:prikklok /etc/prikklok/prikklok.toml" in chowns
    assert "chown prikklok:prikklok /var/lib/prikklok" in chowns
    assert "chown prikklok:prikklok /var/lib/prikklok/backup" in chowns
    # The agent writes what the site wants there, the installer (root) how it went.
    assert "chown root:prikklok /var/lib/prikklok/upgrade" in chowns


def test_kiosk_gets_its_debian_packages(pi: Path, kiosk_args: list[str]) -> None:
    done = install(pi, *kiosk_args)
    assert done.ran("apt-get update")
    [line] = done.ran("apt-get install")
    wanted = {
        "fonts-noto-core",
        "fonts-sil-abyssinica",
        "espeak-ng",
        "python3-venv",
        "libgl1-mesa-dri",
        "libgles2",
        "libegl1",
        "libgbm1",
        "libdrm2",
        "libmtdev1",
    }
    assert wanted <= set(line.split())
    assert "-y" in line.split()


def test_kiosk_user_is_in_the_hardware_groups(pi: Path, kiosk_args: list[str]) -> None:
    done = install(pi, *kiosk_args)
    [useradd] = done.ran("useradd ")
    assert useradd.endswith(" prikklok")
    assert "--groups spi,gpio,input,video,render,audio" in useradd
    assert "--system" in useradd and "--shell /usr/sbin/nologin" in useradd
    groups = [c.split()[-1] for c in done.ran("groupadd ")]
    assert groups == ["spi", "gpio", "input", "video", "render", "audio"]


def test_existing_user_gets_the_groups_added(pi: Path, kiosk_args: list[str]) -> None:
    (pi / "etc").mkdir()
    (pi / "etc" / "passwd").write_text("prikklok:x:998:998::/var/lib/prikklok:/usr/sbin/nologin\n")
    done = install(pi, *kiosk_args)
    assert done.ran("useradd") == []
    assert done.ran("usermod ") == [
        "usermod --append --groups spi,gpio,input,video,render,audio prikklok"
    ]


def test_kiosk_units_are_enabled(pi: Path, kiosk_args: list[str]) -> None:
    done = install(pi, *kiosk_args)
    assert "systemctl daemon-reload" in done.commands
    assert (
        "systemctl enable prikklok-kiosk.service prikklok-sync.service prikklok-backup.timer"
        " prikklok-upgrade.timer" in done.commands
    )
    assert "systemctl start prikklok-backup.timer prikklok-upgrade.timer" in done.commands
    assert "reboot now" in done.err  # SPI and the watchdog changed: they need one


def test_prikklok_is_installed_from_the_source_into_its_venv(
    pi: Path, kiosk_args: list[str]
) -> None:
    done = install(pi, *kiosk_args)
    assert done.ran("python3 -m venv") == ["python3 -m venv /opt/prikklok/versions/0.1.0/venv"]
    [pip] = done.ran(f"{NEW_VENV}/bin/pip install --quiet --upgrade --constraint")
    assert pip.endswith(f" {REPO}")  # a path: never a package of that name from PyPI
    assert "rpi-lgpio" not in done.out  # a Pi 4 keeps RPi.GPIO
    # The units run /opt/prikklok/venv: a link to the release's own venv.
    assert os.readlink(pi / "opt" / "prikklok" / "venv") == "versions/0.1.0/venv"


def test_raspberry_pi_5_gets_rpi_lgpio(tmp_path: Path, kiosk_args: list[str]) -> None:
    root = make_pi(tmp_path / "root", model=PI5)
    done = install(root, *kiosk_args)
    pips = done.ran(f"{NEW_VENV}/bin/pip ")
    assert pips[-2:] == [
        f"{NEW_VENV}/bin/pip uninstall --quiet --yes RPi.GPIO",
        f"{NEW_VENV}/bin/pip install --quiet --force-reinstall rpi-lgpio",
    ]
    assert str(REPO) in pips[-3]  # after prikklok, which brings RPi.GPIO along


def test_written_config_is_valid_for_prikklok(pi: Path, kiosk_args: list[str]) -> None:
    install(pi, *kiosk_args)
    config = pi / "etc" / "prikklok" / "prikklok.toml"
    check = subprocess.run(
        [sys.executable, "-m", "prikklok", "config", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    loaded = load_config(config, env={})
    assert loaded["kiosk"]["id"] == "voordeur"
    assert loaded["kiosk"]["data_dir"] == "/var/lib/prikklok"
    assert str(loaded.journal_path) == "/var/lib/prikklok/journal.db"
    assert loaded["sync"]["server_url"] == "https://prikklok.example.nl"
    assert loaded["sync"]["token_file"] == "/etc/prikklok/kiosk.token"
    assert loaded["reader"]["kind"] == "mfrc522"


def test_commented_keys_in_the_config_show_the_defaults(pi: Path, kiosk_args: list[str]) -> None:
    """Removing a # changes nothing until the value is edited: the comments tell no lies."""
    install(pi, *kiosk_args)
    config = pi / "etc" / "prikklok" / "prikklok.toml"
    plain = load_config(config, env={})
    uncommented, keys = re.subn(r"^# ([a-z_]+ = .*)$", r"\1", config.read_text(), flags=re.M)
    config.write_text(uncommented)
    assert load_config(config, env={}).values == plain.values
    assert keys >= 15


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (PI_CONFIG_TXT, PI_CONFIG_TXT.replace("#dtparam=spi=on", "dtparam=spi=on")),
        ("dtparam=audio=on\ndtparam=spi=off\n", "dtparam=audio=on\ndtparam=spi=on\n"),
        ("dtparam=i2c_arm=on,spi=on\n", "dtparam=i2c_arm=on,spi=on\n"),
        (
            "dtparam=audio=on\n[pi4]\narm_boost=1\n",
            "dtparam=audio=on\n[pi4]\narm_boost=1\n[all]\n"
            "# SPI for the MFRC522 badge reader (prikklok)\ndtparam=spi=on\n",
        ),
        (
            "dtparam=audio=on\n",
            "dtparam=audio=on\n# SPI for the MFRC522 badge reader (prikklok)\ndtparam=spi=on\n",
        ),
    ],
    ids=["commented", "off", "already-on", "after-a-board-section", "missing"],
)
def test_spi_is_turned_on_keeping_every_other_line(
    tmp_path: Path, kiosk_args: list[str], before: str, after: str
) -> None:
    root = make_pi(tmp_path / "root", config_txt=before)
    config_txt = root / "boot" / "firmware" / "config.txt"
    assert install(root, *kiosk_args).code == 0
    assert config_txt.read_text() == after
    assert install(root, "--yes").code == 0
    assert config_txt.read_text() == after  # a re-run changes nothing


@pytest.mark.parametrize(
    "before",
    [
        PI_CMDLINE_TXT,
        PI_CMDLINE_TXT.replace("quiet", "consoleblank=600 quiet"),
        PI_CMDLINE_TXT.replace("quiet\n", "quiet consoleblank=0\n"),
    ],
    ids=["missing", "600", "already-0"],
)
def test_console_never_blanks_on_one_line(pi: Path, kiosk_args: list[str], before: str) -> None:
    cmdline = pi / "boot" / "firmware" / "cmdline.txt"
    cmdline.write_text(before)
    for _ in range(2):
        assert install(pi, *kiosk_args).code == 0
        text = cmdline.read_text()
        assert text.count("\n") == 1 and text.endswith("\n")
        words = text.split()
        assert words.count("consoleblank=0") == 1
        assert [w for w in words if w.startswith("consoleblank=")] == ["consoleblank=0"]
        assert "root=PARTUUID=4e639091-02" in words and "rootwait" in words


def test_hardware_watchdog_is_turned_on(pi: Path, kiosk_args: list[str]) -> None:
    install(pi, *kiosk_args)
    conf = pi / "etc" / "systemd" / "system.conf.d" / "prikklok-watchdog.conf"
    lines = conf.read_text().splitlines()
    assert "[Manager]" in lines and "RuntimeWatchdogSec=15" in lines


def test_not_a_pi_leaves_boot_files_alone(tmp_path: Path, kiosk_args: list[str]) -> None:
    done = install(tmp_path / "root", *kiosk_args)
    assert done.code == 0, done.err
    assert "not a Raspberry Pi?" in done.err
    assert not (tmp_path / "root" / "boot").exists()


def test_rerun_keeps_edited_config_token_and_data(pi: Path, kiosk_args: list[str]) -> None:
    assert install(pi, *kiosk_args).code == 0
    config = pi / "etc" / "prikklok" / "prikklok.toml"
    edited = config.read_text().replace('level = "info"', 'level = "debug"')
    config.write_text(edited)
    journal = pi / "var" / "lib" / "prikklok" / "journal.db"
    journal.write_bytes(b"the door's records")
    again = install(pi, "--yes")  # no url, id or token: everything is there already
    assert again.code == 0, again.err
    assert config.read_text() == edited
    assert (pi / "etc" / "prikklok" / "kiosk.token").read_text() == "k1-s3cr3t-t0ken\n"
    assert journal.read_bytes() == b"the door's records"
    assert "kept /etc/prikklok/prikklok.toml" in again.err
    # The upgrade: the door is never stopped; the new version is built beside the running
    # one (the same version again: a folder of its own), checked, and only then restarted.
    assert again.ran("systemctl stop") == []
    pip = next(i for i, c in enumerate(again.commands) if c.endswith(f" {REPO}"))
    assert again.commands[pip].startswith("/opt/prikklok/versions/0.1.0-2/venv/bin/pip ")
    check = again.commands.index(
        "runuser -u prikklok -- /opt/prikklok/versions/0.1.0-2/venv/bin/prikklok config check"
        " --config /etc/prikklok/prikklok.toml"
    )
    migrate = again.commands.index(
        "runuser -u prikklok -- /opt/prikklok/versions/0.1.0-2/venv/bin/prikklok journal"
        " --config /etc/prikklok/prikklok.toml migrate --dry-run"
    )
    restart = again.commands.index("systemctl restart prikklok-kiosk.service prikklok-sync.service")
    assert pip < check < migrate < restart
    assert os.readlink(pi / "opt" / "prikklok" / "venv") == "versions/0.1.0-2/venv"
    # The release before stays, for going back.
    assert (pi / "opt" / "prikklok" / "versions" / "0.1.0").is_dir()


def test_rerun_with_a_token_replaces_it(pi: Path, kiosk_args: list[str]) -> None:
    install(pi, *kiosk_args)
    assert install(pi, "--token", "k2-new").code == 0
    assert (pi / "etc" / "prikklok" / "kiosk.token").read_text() == "k2-new\n"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--kiosk-id", "voordeur", "--token", "t"], "--server-url"),
        (["--server-url", "https://p.example.nl", "--token", "t"], "--kiosk-id"),
        (["--server-url", "https://p.example.nl", "--kiosk-id", "voordeur"], "--token-file"),
        (["--server-url", "ftp://p", "--kiosk-id", "voordeur", "--token", "t"], "--server-url"),
        (
            ["--server-url", "https://p.example.nl", "--kiosk-id", "voor deur", "--token", "t"],
            "--kiosk-id",
        ),
        (["--bogus"], "unknown option"),
    ],
    ids=["no-url", "no-id", "no-token", "bad-url", "bad-id", "bad-option"],
)
def test_missing_or_bad_answers_stop_before_anything_changes(
    pi: Path, args: list[str], says: str
) -> None:
    done = install(pi, *args)
    assert done.code == 1
    assert says in done.err
    assert done.commands == []
    assert not (pi / "etc").exists()


def test_help() -> None:
    done = subprocess.run(["bash", str(INSTALL), "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "--root DIR" in done.stdout and "--token-file FILE" in done.stdout


def test_dry_run_runs_no_system_command(pi: Path, tmp_path: Path, kiosk_args: list[str]) -> None:
    """Every system command on PATH is a trap here: none may be called under --root."""
    traps = tmp_path / "traps"
    traps.mkdir()
    called = tmp_path / "called"
    for name in [
        "apt-get",
        "useradd",
        "usermod",
        "groupadd",
        "systemctl",
        "chown",
        "pip",
        "python3",
        "runuser",
        "raspi-config",
        "reboot",
    ]:
        trap = traps / name
        trap.write_text(f'#!/bin/sh\necho "{name} $*" >> {called}\nexit 1\n')
        trap.chmod(0o755)
    path = f"{traps}:{os.environ['PATH']}"
    assert install(pi, *kiosk_args, env={"PATH": path}).code == 0
    assert install(pi, "--yes", env={"PATH": path}).code == 0
    assert install(pi, "--server", env={"PATH": path}).code == 0
    assert not called.exists()


# -- the server ---------------------------------------------------------------------------


def server_env(root: Path) -> dict[str, str]:
    """server.env read as systemd reads an EnvironmentFile (single quotes taken literally)."""
    values = {}
    for line in (root / "etc" / "prikklok" / "server.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value[1:-1] if value.startswith("'") else value
    return values


@pytest.mark.parametrize(
    ("args", "url", "workers"),
    [
        ([], "sqlite+pysqlite:////var/lib/prikklok-server/server.db", "1"),
        (
            ["--database-url", "postgresql+psycopg://prikklok@db/prikklok"],
            "postgresql+psycopg://prikklok@db/prikklok",
            "4",
        ),
        (
            ["--database-url", "postgresql+psycopg://prikklok@db/prikklok", "--workers", "8"],
            "postgresql+psycopg://prikklok@db/prikklok",
            "8",
        ),
    ],
    ids=["sqlite", "postgresql", "postgresql-8"],
)
def test_server_env_has_the_database_and_workers(
    tmp_path: Path, args: list[str], url: str, workers: str
) -> None:
    root = tmp_path / "root"
    done = install(root, "--server", *args)
    assert done.code == 0, done.err
    env = server_env(root)
    assert env["PRIKKLOK_SERVER_DATABASE_URL"] == url
    assert env["PRIKKLOK_SERVER_WORKERS"] == workers
    assert env["PRIKKLOK_SERVER_HOST"] == "127.0.0.1"
    assert mode(root / "etc" / "prikklok" / "server.env") == 0o640
    assert "chown root:prikklok-server /etc/prikklok/server.env" in done.commands


def test_server_units_are_enabled(tmp_path: Path) -> None:
    root = tmp_path / "root"
    done = install(root, "--server")
    units = root / "etc" / "systemd" / "system"
    assert sorted(p.name for p in units.iterdir()) == SERVER_UNITS
    assert (
        "systemctl enable prikklok-server.service prikklok-retention.timer prikklok-digest.timer"
        " prikklok-server-backup.timer prikklok-alerts.timer" in done.commands
    )
    [start] = done.ran("systemctl start")
    assert "prikklok-server-backup.timer" in start and "prikklok-alerts.timer" in start
    assert "systemctl restart prikklok-server.service" in done.commands
    [useradd] = done.ran("useradd ")
    assert useradd.endswith(" prikklok-server") and "--groups" not in useradd
    [pip] = done.ran(f"{NEW_VENV}/bin/pip install --quiet --upgrade --constraint")
    assert pip.endswith(f" '{REPO}[server]'")
    assert mode(root / "var" / "lib" / "prikklok-server") == 0o750
    # A server is no kiosk: no fonts, no boot files, no hardware watchdog.
    [apt] = done.ran("apt-get install")
    assert "espeak-ng" not in apt and "python3-venv" in apt
    assert not (root / "etc" / "systemd" / "system.conf.d").exists()


def test_server_env_works_for_prikklok(tmp_path: Path) -> None:
    """The admin's way to run a verb: the env file sourced, then prikklok; it reaches the
    database the installer was told about."""
    root = tmp_path / "root"
    database = f"sqlite+pysqlite:///{tmp_path / 'server.db'}"
    assert install(root, "--server", "--database-url", database).code == 0
    env_file = root / "etc" / "prikklok" / "server.env"
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'set -a; . "{env_file}"; exec "$0" -m prikklok server migrate',
            sys.executable,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "server.db").exists()


def test_server_rerun_keeps_its_env(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, "--server", "--database-url", "postgresql+psycopg://a@db/p")
    env_file = root / "etc" / "prikklok" / "server.env"
    env_file.write_text(env_file.read_text() + "PRIKKLOK_SERVER_SMTP_HOST=mail\n")
    again = install(root, "--server", "--workers", "2")
    assert again.code == 0
    assert server_env(root)["PRIKKLOK_SERVER_SMTP_HOST"] == "mail"
    assert server_env(root)["PRIKKLOK_SERVER_WORKERS"] == "4"
    assert "only go into a new one" in again.err
    assert again.ran("systemctl stop") == []  # it serves on while the new version is built


@pytest.mark.parametrize(
    "args",
    [["--database-url", "it's://bad"], ["--workers", "0"], ["--workers", "many"]],
)
def test_bad_server_answers_stop_before_anything_changes(tmp_path: Path, args: list[str]) -> None:
    done = install(tmp_path / "root", "--server", *args)
    assert done.code == 1
    assert done.commands == []


def test_missing_answers_are_asked_on_a_terminal(tmp_path: Path) -> None:
    root = make_pi(tmp_path / "root")
    primary, secondary = os.openpty()
    try:
        os.write(primary, b"https://prikklok.example.nl\nvoordeur\nk1-typed\n")
        done = subprocess.run(
            ["bash", str(INSTALL), "--root", str(root)],
            stdin=secondary,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert done.returncode == 0, done.stderr
    assert "Kiosk token" in done.stderr
    assert (root / "etc" / "prikklok" / "kiosk.token").read_text() == "k1-typed\n"
    config = load_config(root / "etc" / "prikklok" / "prikklok.toml", env={})
    assert (config["kiosk"]["id"], config["sync"]["server_url"]) == (
        "voordeur",
        "https://prikklok.example.nl",
    )


def test_installer_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: ./dev test installs it"
    done = subprocess.run([shellcheck, str(INSTALL)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout

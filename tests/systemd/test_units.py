"""The systemd units: systemd itself checks them (systemd-analyze verify and security),
and their commands are run the way systemd would run them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
import requests

from tests.systemd.conftest import REPO, install, make_pi

SYSTEMD = REPO / "systemd"
UNITS = sorted(p.name for p in SYSTEMD.iterdir() if p.suffix in (".service", ".timer"))
SERVICES = [u for u in UNITS if u.endswith(".service")]
TIMERS = [u for u in UNITS if u.endswith(".timer")]
ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"

# `systemd-analyze security --offline=true` of each unit, as quoted in systemd/README.md
# (0 is best, 10 worst); a change that weakens a unit fails here first.
EXPOSURE = {
    "prikklok-alerts.service": 1.1,
    "prikklok-backup.service": 0.2,
    "prikklok-digest.service": 1.1,
    "prikklok-kiosk-revive.service": 0.7,
    "prikklok-kiosk.service": 1.0,
    "prikklok-retention.service": 1.1,
    "prikklok-server.service": 1.1,
    "prikklok-server-backup.service": 1.1,
    "prikklok-sync.service": 1.1,
    "prikklok-upgrade.service": 2.2,
}
# What the installer of upgrades keeps (prikklok-upgrade.service): reading the token and the
# journal, and becoming the user prikklok for the new version's checks.
UPGRADE_KEEPS = {"CapabilityBoundingSet": "CAP_DAC_READ_SEARCH CAP_SETUID CAP_SETGID"}
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "SystemCallArchitectures": "native",
}


def unit(name: str) -> dict[str, list[str]]:
    """A unit file's settings, every value of a key that may repeat."""
    settings: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def one(name: str, key: str) -> str:
    [value] = unit(name)[key]
    return value


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kiosk and a server installed by install.sh under one root, with systemd's own
    units, a working prikklok at /opt/prikklok/venv/bin/prikklok and the tools the units
    call, so systemd-analyze can follow every reference."""
    root = tmp_path_factory.mktemp("root")
    make_pi(root)
    token = root.parent / "token"
    token.write_text("t0ken\n")
    for args in (
        ["--server-url", "https://p.example.nl", "--kiosk-id", "door", "--token-file", str(token)],
        ["--server"],
    ):
        done = install(root, *args)
        assert done.code == 0, done.err
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    bin_dir = root / "opt/prikklok/venv/bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(Path(sys.executable).parent / "prikklok", bin_dir / "prikklok")
    (root / "usr/bin").mkdir(parents=True, exist_ok=True)
    (root / "bin").symlink_to("usr/bin")  # merged /usr, as on Bookworm
    for tool in ("systemctl", "sh"):
        shutil.copy2(shutil.which(tool) or f"/usr/bin/{tool}", root / "usr/bin" / tool)
    return root


def test_every_unit_is_installed_by_a_mode(installed: Path) -> None:
    assert sorted(p.name for p in (installed / "etc/systemd/system").iterdir()) == UNITS


def test_every_unit_passes_systemd_analyze_verify(installed: Path) -> None:
    done = subprocess.run(
        [
            ANALYZE,
            "verify",
            "--man=no",
            f"--root={installed}",
            *[f"/etc/systemd/system/{u}" for u in UNITS],
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Unknown keys and bad values are only warnings for systemd: none is allowed here.
    assert (done.returncode, done.stderr) == (0, "")


def test_verify_catches_a_mistake(installed: Path, tmp_path: Path) -> None:
    """The check above would notice: a typo in a unit is reported."""
    units = installed / "etc/systemd/system"
    broken = units / "prikklok-typo.service"
    broken.write_text(
        (SYSTEMD / "prikklok-sync.service").read_text().replace("Restart=", "Restrat=")
    )
    try:
        done = subprocess.run(
            [
                ANALYZE,
                "verify",
                "--man=no",
                f"--root={installed}",
                f"/{broken.relative_to(installed)}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        broken.unlink()
    assert "Restrat" in done.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_hardened(name: str) -> None:
    settings = unit(name)
    expected = {**HARDENING, **UPGRADE_KEEPS} if name == "prikklok-upgrade.service" else HARDENING
    assert {key: settings.get(key, [None])[-1] for key in HARDENING} == expected
    assert "@system-service" in settings["SystemCallFilter"]
    assert settings["RestrictAddressFamilies"]
    if name == "prikklok-upgrade.service":
        # Root, to write /opt/prikklok and restart the door; the checks run as prikklok.
        assert one(name, "ReadWritePaths") == "/opt/prikklok -/var/lib/prikklok/upgrade"
        assert "User" not in settings
        return
    assert any(v.startswith("~@privileged") for v in settings["SystemCallFilter"])
    # The only writable places are the unit's own state, cache and runtime folders.
    assert "ReadWritePaths" not in settings
    if name != "prikklok-kiosk-revive.service":  # which only talks to systemd, as root
        assert one(name, "User") in ("prikklok", "prikklok-server")
        assert one(name, "StateDirectory") in ("prikklok", "prikklok-server")


def exposure(name: str) -> float:
    done = subprocess.run(
        [ANALYZE, "security", "--offline=true", "--man=no", str(SYSTEMD / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    return float(found[1])


@pytest.mark.parametrize("name", SERVICES)
def test_exposure_is_as_low_as_recorded(name: str) -> None:
    assert exposure(name) <= EXPOSURE[name]


def test_exposure_figures_are_quoted_in_the_readme() -> None:
    readme = (SYSTEMD / "README.md").read_text()
    for name, score in EXPOSURE.items():
        assert re.search(rf"`{re.escape(name)}`\s*\|\s*{score}\b", readme), name


def test_kiosk_unit_restarts_a_frozen_or_crashed_door() -> None:
    kiosk = "prikklok-kiosk.service"
    assert one(kiosk, "Type") == "notify"
    assert one(kiosk, "WatchdogSec") == "30"
    assert one(kiosk, "Restart") == "always"
    assert one(kiosk, "RestartSec") == "5"
    assert (one(kiosk, "StartLimitBurst"), one(kiosk, "StartLimitIntervalSec")) == ("10", "600")
    # Giving up after a crash loop is never for good: the revive timer tries again.
    assert one(kiosk, "OnFailure") == "prikklok-kiosk-revive.timer"
    assert one("prikklok-kiosk-revive.timer", "Unit") == "prikklok-kiosk-revive.service"
    assert one("prikklok-kiosk-revive.timer", "RemainAfterElapse") == "no"
    revive = unit("prikklok-kiosk-revive.service")["ExecStart"]
    assert revive == [
        "/bin/systemctl reset-failed prikklok-kiosk.service",
        "/bin/systemctl start --no-block prikklok-kiosk.service",
    ]


def test_kiosk_unit_gives_prikklok_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without X11 or Wayland, `prikklok kiosk` starts only where SDL draws on KMS/DRM."""
    from kiosk.ui.boot import has_display

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    assert not has_display()
    for assignment in unit("prikklok-kiosk.service")["Environment"]:
        monkeypatch.setenv(*assignment.split("=", 1))
    assert has_display()
    assert os.environ["SDL_VIDEODRIVER"] == "kmsdrm" and os.environ["KIVY_WINDOW"] == "sdl2"


def test_sync_waits_for_network_and_time_but_never_for_ntp() -> None:
    after = one("prikklok-sync.service", "After").split()
    assert {"network-online.target", "time-sync.target"} <= set(after)
    assert "network-online.target" in one("prikklok-sync.service", "Wants")
    assert one("prikklok-sync.service", "Restart") == "on-failure"
    # The door waits for no network and no NTP: only for a clock that is not 1970.
    assert one("prikklok-kiosk.service", "After") == "time-set.target"


@pytest.mark.parametrize("name", TIMERS)
def test_timers_catch_up_and_are_valid(name: str) -> None:
    settings = unit(name)
    if "OnCalendar" in settings:
        assert one(name, "Persistent") == "true"
        done = subprocess.run(
            [ANALYZE, "calendar", one(name, "OnCalendar")], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    service = settings["Unit"][0] if "Unit" in settings else name.replace(".timer", ".service")
    assert (SYSTEMD / service).exists()


def test_the_digest_goes_out_monday_morning_in_amsterdam() -> None:
    done = subprocess.run(
        [ANALYZE, "calendar", "--iterations=3", one("prikklok-digest.timer", "OnCalendar")],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "Europe/Amsterdam"},
    )
    elapses = re.findall(r"(?:Next elapse|Iter\. #\d): (\w{3}) \S+ (\d\d:\d\d)", done.stdout)
    assert elapses == [("Mon", "07:00")] * 3


def test_the_alert_round_runs_every_minute() -> None:
    done = subprocess.run(
        [ANALYZE, "calendar", "--iterations=3", one("prikklok-alerts.timer", "OnCalendar")],
        capture_output=True,
        text=True,
    )
    elapses = re.findall(r"(?:Next elapse|Iter\. #\d): \w{3} \S+ (\d\d):(\d\d):(\d\d)", done.stdout)
    minutes = [int(h) * 60 + int(m) for h, m, _ in elapses]
    assert len(minutes) == 3 and all(s == "00" for _, _, s in elapses)
    assert [(b - a) % 1440 for a, b in pairwise(minutes)] == [1, 1]


def exec_line(name: str, key: str, env: dict[str, str]) -> list[str]:
    """A unit's command as systemd would run it: ${VAR} from the environment, $$ a $."""
    line = one(name, key).replace("$$", "\0")
    line = re.sub(r"\$\{(\w+)\}", lambda m: env[m[1]], line)
    words = [w.replace("\0", "$") for w in shlex.split(line)]
    if words[0] == "/opt/prikklok/venv/bin/prikklok":
        words[0] = str(Path(sys.executable).parent / "prikklok")
    return words


@pytest.mark.parametrize(("smtp", "runs"), [("", False), ("mail.example.nl", True)])
def test_digest_is_skipped_without_a_mail_server(smtp: str, runs: bool) -> None:
    condition = exec_line("prikklok-digest.service", "ExecCondition", {})
    done = subprocess.run(condition, env={"PRIKKLOK_SERVER_SMTP_HOST": smtp}, timeout=10)
    assert (done.returncode == 0) is runs
    assert done.returncode in (0, 1)  # 1 to 254: skipped, not failed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server_from_its_unit(tmp_path: Path) -> Iterator[str]:
    """The server started as its unit starts it: server.env from install.sh, ExecStartPre
    (migrations), then ExecStart with the workers from the env file."""
    root = tmp_path / "root"
    url = f"sqlite+pysqlite:///{tmp_path / 'server.db'}"
    assert install(root, "--server", "--database-url", url, "--workers", "2").code == 0
    env = {"PRIKKLOK_SERVER_WORKERS": "1"}  # Environment= in the unit, before the file
    for line in (root / "etc/prikklok/server.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value.strip("'")
    port = free_port()
    env |= {"PRIKKLOK_SERVER_PORT": str(port), "PRIKKLOK_SERVER_DATA_DIR": str(tmp_path)}
    env = {**os.environ, **env, "PYTHONPATH": str(REPO)}
    pre = exec_line("prikklok-server.service", "ExecStartPre", env)
    subprocess.run(pre, env=env, check=True, timeout=120, capture_output=True)
    main = exec_line("prikklok-server.service", "ExecStart", env)
    assert main[-2:] == ["--workers", "2"]
    server = subprocess.Popen(main, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_server_unit_commands_serve(server_from_its_unit: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = requests.get(f"{server_from_its_unit}/login", timeout=2)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
    assert answer.status_code == 200

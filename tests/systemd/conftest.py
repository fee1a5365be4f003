"""The installer run for real, in its dry-run mode: every file under a temporary root, every
system command printed as "would run: …"."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "systemd" / "install.sh"

# Raspberry Pi OS Bookworm's own config.txt, shortened: SPI commented out, board sections.
PI_CONFIG_TXT = """\
# For more options and information see
# http://rptl.io/configtxt
#dtparam=i2c_arm=on
#dtparam=i2s=on
#dtparam=spi=on
dtparam=audio=on
camera_auto_detect=1
display_auto_detect=1
dtoverlay=vc4-kms-v3d
max_framebuffers=2
arm_64bit=1

[cm4]
otg_mode=1

[all]
"""
PI_CMDLINE_TXT = (
    "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 "
    "fsck.repair=yes rootwait quiet\n"
)
PI4 = "Raspberry Pi 4 Model B Rev 1.5"
PI5 = "Raspberry Pi 5 Model B Rev 1.0"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def commands(self) -> list[str]:
        return [
            line[len("would run: ") :]
            for line in self.out.splitlines()
            if line.startswith("would run: ")
        ]

    def ran(self, start: str) -> list[str]:
        return [c for c in self.commands if c.startswith(start)]


def install(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """install.sh --root ROOT ARGS…, without a terminal on standard input."""
    done = subprocess.run(
        ["bash", str(INSTALL), "--root", str(root), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def make_pi(root: Path, model: str = PI4, config_txt: str = PI_CONFIG_TXT) -> Path:
    """A fresh Raspberry Pi OS: its boot partition and the board's name."""
    (root / "boot" / "firmware").mkdir(parents=True)
    (root / "boot" / "firmware" / "config.txt").write_text(config_txt)
    (root / "boot" / "firmware" / "cmdline.txt").write_text(PI_CMDLINE_TXT)
    (root / "proc" / "device-tree").mkdir(parents=True)
    (root / "proc" / "device-tree" / "model").write_bytes(model.encode() + b"\0")
    return root


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "voordeur.token"
    path.write_text("k1-s3cr3t-t0ken\n")
    return path


@pytest.fixture
def kiosk_args(token_file: Path) -> list[str]:
    return [
        "--server-url",
        "https://prikklok.example.nl",
        "--kiosk-id",
        "voordeur",
        "--token-file",
        str(token_file),
    ]


@pytest.fixture
def pi(tmp_path: Path) -> Path:
    return make_pi(tmp_path / "root")

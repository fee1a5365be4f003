"""The admin's guide (docs/admin/) tells the truth: its commands, units, links and wiring are real.

An admin follows the guide to the letter on a Pi at a door. A command that does not exist,
a unit with another name, a dead link or a wire on the wrong pin is found there, too late.
"""

from __future__ import annotations

import inspect
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from hardware import indicator
from hardware.mfrc522_reader import Mfrc522Reader
from prikklok.cli import cli
from prikklok.config import KEYS, SPI0_PINS

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "admin"
PAGES = sorted(GUIDE.glob("*.md"))
SVG = GUIDE / "wiring.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"

# The Raspberry Pi's 40-pin header, physical pin → what it carries: a fact of the board
# (the same on a Pi 2, 3, 4 and 5), not a setting of ours.
HEADER = {
    1: "3V3", 2: "5V", 3: "GPIO2", 4: "5V", 5: "GPIO3", 6: "GND", 7: "GPIO4", 8: "GPIO14",
    9: "GND", 10: "GPIO15", 11: "GPIO17", 12: "GPIO18", 13: "GPIO27", 14: "GND",
    15: "GPIO22", 16: "GPIO23", 17: "3V3", 18: "GPIO24", 19: "GPIO10", 20: "GND",
    21: "GPIO9", 22: "GPIO25", 23: "GPIO11", 24: "GPIO8", 25: "GND", 26: "GPIO7",
    27: "GPIO0", 28: "GPIO1", 29: "GPIO5", 30: "GND", 31: "GPIO6", 32: "GPIO12",
    33: "GPIO13", 34: "GND", 35: "GPIO19", 36: "GPIO16", 37: "GPIO26", 38: "GPIO20",
    39: "GND", 40: "GPIO21",
}  # fmt: skip
SPI0_CHIP_SELECT = {0: 8, 1: 7}  # CE0 is BCM 8, CE1 is BCM 7
SPI0_SIGNALS = {"SCK": 11, "MOSI": 10, "MISO": 9}

SHELL_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"(?<!`)`(prikklok [^`]+)`(?!`)")
WRAPPERS = {"sudo", "env", "exec", "nohup", "time"}
WITH_VALUE = {"-u", "-g", "--user", "--group"}
UNIT = re.compile(r"\bprikklok-[a-z-]+\.(?:service|timer)\b")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def page_text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def shell_commands(block: str) -> Iterator[list[str]]:
    """Each command line of a shell block as tokens; continuation lines and quotes spanning
    lines joined."""
    text = re.sub(r"\\\n", " ", block)
    buffered = ""
    for line in text.splitlines():
        buffered = f"{buffered}\n{line}" if buffered else line
        try:
            tokens = _tokens(buffered)
        except ValueError:  # a quote still open: the command goes on on the next line
            continue
        buffered = ""
        yield tokens
    assert not buffered, f"unclosed quote in: {buffered!r}"


def _tokens(line: str) -> list[str]:
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    return list(lex)


def is_prikklok(word: str) -> bool:
    return word == "prikklok" or word.endswith("/bin/prikklok")


def is_installer(word: str) -> bool:
    return word == "systemd/install.sh" or word.endswith("/systemd/install.sh")


def calls(tokens: list[str], program: Callable[[str], bool]) -> Iterator[list[str]]:
    """The argument lists of every run of `program` in these tokens (directly, after
    sudo/env, or inside a quoted script such as `sh -c '…'`)."""
    at_start = True
    items = iter(tokens)
    for token in items:
        if set(token) <= set("();<>|&"):
            at_start = not (set(token) & set("<>"))
            continue
        if " " in token or "\n" in token:
            yield from calls(_tokens(token), program)
        if not at_start:
            continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", token, re.S):
            continue  # VAR=value before the command
        if token in WRAPPERS:
            continue
        if token.startswith("-"):  # an option of sudo or env
            if token in WITH_VALUE:
                next(items, None)
            continue
        at_start = False
        if program(token):
            args = []
            for arg in items:
                if set(arg) <= set("();<>|&"):
                    at_start = not (set(arg) & set("<>"))
                    break
                args.append(arg)
            yield args


def prikklok_calls(tokens: list[str]) -> Iterator[list[str]]:
    return calls(tokens, is_prikklok)


def guide_calls(program: Callable[[str], bool] = is_prikklok) -> list[tuple[str, list[str]]]:
    """(page, args) for every run of `program` the guide shows: in shell blocks, and for
    prikklok also in inline code."""
    found = []
    for page in PAGES:
        text = page_text(page)
        for block in SHELL_BLOCK.findall(text):
            for tokens in shell_commands(block):
                found += [(page.name, args) for args in calls(tokens, program)]
        if program is is_prikklok:
            for span in INLINE.findall(text):
                found += [(page.name, args) for args in calls(_tokens(span), program)]
    return found


def problem_with(args: list[str]) -> str | None:
    """What is wrong with `prikklok ARGS` in the real CLI: an unknown command or option."""
    command: click.Command = cli
    path = "prikklok"
    items = iter(args)
    for token in items:
        if token in ("…", "...") or token in ("-h", "--help", "--version"):
            return None  # "and so on", or help: nothing more to check
        if token.startswith("-"):
            name = token.split("=", 1)[0]
            option = next(
                (
                    p
                    for p in command.params
                    if isinstance(p, click.Option) and name in (*p.opts, *p.secondary_opts)
                ),
                None,
            )
            if option is None:
                return f"'{path}' has no option {name}"
            if not (option.is_flag or option.count or "=" in token):
                next(items, None)
            continue
        if isinstance(command, click.Group):
            sub = command.commands.get(token)
            if sub is None:
                return f"'{path}' has no command {token!r}"
            command, path = sub, f"{path} {token}"
    if isinstance(command, click.Group) and not command.invoke_without_command:
        return f"'{path}' needs a command"
    return None


def test_every_prikklok_command_in_the_guide_exists() -> None:
    shown = guide_calls()
    named = {" ".join(args[:2]) for _page, args in shown}
    assert {"journal backup", "config check", "server add-kiosk", "server set-password"} <= named
    problems = [
        f"{page}: prikklok {' '.join(args)}: {problem}"
        for page, args in shown
        if (problem := problem_with(args))
    ]
    assert problems == []


def test_every_installer_option_in_the_guide_exists() -> None:
    usage = subprocess.run(
        ["bash", str(ROOT / "systemd" / "install.sh"), "--help"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    accepted = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage))
    shown = guide_calls(is_installer)
    assert any("--server" in args for _page, args in shown)
    assert any("--token-file" in args for _page, args in shown)
    unknown = {
        f"{page}: {arg}"
        for page, args in shown
        for arg in args
        if arg.startswith("--") and arg.split("=")[0] not in accepted
    }
    assert unknown == set()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["journal", "backup", "--keep", "3"], None),
        (["journal", "--config", "/etc/prikklok/prikklok.toml", "backup"], None),
        (["server", "add-kiosk", "door-1", "--site", "werkplaats"], None),
        (["journal", "restore"], "'prikklok journal' has no command 'restore'"),
        (["server", "add-kiosk", "door-1", "--zone", "x"], "has no option --zone"),
        (["config"], "'prikklok config' needs a command"),
    ],
)
def test_command_check_tells_real_from_made_up(args: list[str], problem: str | None) -> None:
    found = problem_with(args)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_prikklok_calls_are_found_where_a_shell_runs_them() -> None:
    block = (
        "sudo -u prikklok /opt/prikklok/venv/bin/prikklok journal --last 5 | less\n"
        "git clone https://git.example.nl/prikklok.git prikklok  # not a run\n"
        "ls /var/lib/prikklok && prikklok config check\n"
        "sudo sh -c 'PRIKKLOK_LOG_LEVEL=debug prikklok sync'\n"
        "python -c '\nprint(1)\n'\n"
    )
    calls = [args for tokens in shell_commands(block) for args in prikklok_calls(tokens)]
    assert calls == [["journal", "--last", "5"], ["config", "check"], ["sync"]]


def named_units(text: str) -> set[str]:
    """prikklok units the text names: in full, or as systemctl/journalctl arguments."""
    names = set(UNIT.findall(text))
    for block in SHELL_BLOCK.findall(text):
        for tokens in shell_commands(block):
            for i, token in enumerate(tokens):
                after = tokens[i + 1 :] if token in ("systemctl", "journalctl") else []
                for name in after:
                    if set(name) <= set("();<>|&"):
                        break
                    if re.fullmatch(r"prikklok-[a-z-]+", name):
                        names.add(f"{name}.service")
    return names


def test_every_unit_in_the_guide_exists_and_every_unit_is_in_the_guide() -> None:
    real = {p.name for p in (ROOT / "systemd").iterdir() if p.suffix in (".service", ".timer")}
    named = set().union(*(named_units(page_text(p)) for p in PAGES))
    assert "prikklok-kiosk.service" in real
    assert sorted(named - real) == []  # the guide names no unit that does not exist
    assert sorted(real - named) == []  # and the admin learns of every unit there is


def test_every_link_in_the_guide_leads_somewhere() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page_text(page)):
            if re.match(r"[a-z]+:", target):
                continue  # https://, mailto: — outside the repository
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            if not path.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a Markdown page's headings."""
    headings = re.findall(r"^#+ (.+)$", page_text(page), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_the_index_links_every_page() -> None:
    index = page_text(GUIDE / "README.md")
    linked = {target.partition("#")[0] for target in LINK.findall(index)}
    assert {p.name for p in PAGES if p.name != "README.md"} | {"wiring.svg"} <= linked


def test_the_balancer_page_shows_the_config_the_set_test_runs() -> None:
    # tests/faults/balancer.py runs docs/admin/haproxy.cfg; the page must show that file, not
    # an older copy of it.
    config = page_text(GUIDE / "haproxy.cfg")
    blocks = re.findall(r"^```haproxy\n(.*?)^```", page_text(GUIDE / "balancer.md"), re.M | re.S)
    assert blocks == [config]


def test_the_guide_has_every_page_and_every_trouble() -> None:
    pages = {p.stem for p in PAGES}
    assert {
        "README", "parts-and-wiring", "install-kiosk", "install-server", "register-kiosk",
        "tls", "backup-restore", "upgrading", "time", "read-only-root", "supervisor",
        "troubleshooting",
    } <= pages  # fmt: skip
    troubles = anchors(GUIDE / "troubleshooting.md")
    assert {
        "the-reader-is-not-found", "no-available-video-device", "the-clock-is-wrong",
        "the-kiosk-is-offline", "records-are-waiting",
    } <= troubles  # fmt: skip
    for page in ("install-kiosk.md", "install-server.md"):  # where the figures go
        assert "systemd-analyze security" in page_text(GUIDE / page)


# The wiring table in parts-and-wiring.md and the drawing


def wiring_rows() -> list[dict[str, str]]:
    """The rows of the wiring table: part, part pin, header pin, BCM, setting."""
    lines = page_text(GUIDE / "parts-and-wiring.md").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| part | part pin |"))
    names = [c.strip() for c in lines[start].strip("|").split("|")]
    assert names == ["part", "part pin", "header pin", "BCM", "setting"]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(names, (c.strip() for c in line.strip("|").split("|")), strict=True)))
    return rows


def header_pins(row: dict[str, str]) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", row["header pin"])]


def bcm(row: dict[str, str]) -> int | None:
    found = re.match(r"GPIO (\d+)", row["BCM"])
    return int(found[1]) if found else None


def setting_default(row: dict[str, str]) -> int | None:
    found = re.search(r"`(\w+)\.(\w+)`", row["setting"])
    if not found:
        return None
    return next(k.default for k in KEYS if (k.section, k.name) == (found[1], found[2]))


def test_wiring_table_covers_every_wire() -> None:
    rows = wiring_rows()
    reader = {r["part pin"].split()[0] for r in rows if r["part"] == "MFRC522"}
    assert reader == {"SDA", "SCK", "MOSI", "MISO", "RST", "3.3V", "GND", "IRQ"}
    assert {r["part"] for r in rows} == {"MFRC522", "green LED", "red LED", "buzzer"}
    irq = next(r for r in rows if r["part pin"].startswith("IRQ"))
    assert irq["header pin"] == "not connected"


def test_wiring_table_pins_are_the_default_pins_of_the_code() -> None:
    rows = {(r["part"], r["part pin"].split()[0]): r for r in wiring_rows()}
    reset_default = inspect.signature(Mfrc522Reader).parameters["rst_pin"].default
    from_code = {
        ("MFRC522", "RST"): reset_default,
        ("MFRC522", "SDA"): SPI0_CHIP_SELECT[setting_default(rows["MFRC522", "SDA"]) or 0],
        ("green LED", "anode"): indicator.DEFAULT_GREEN_PIN,
        ("red LED", "anode"): indicator.DEFAULT_RED_PIN,
        ("buzzer", "+"): indicator.DEFAULT_BUZZER_PIN,
    }
    assert {key: bcm(rows[key]) for key in from_code} == from_code
    for key in [("MFRC522", "RST"), ("green LED", "anode"), ("red LED", "anode"), ("buzzer", "+")]:
        assert setting_default(rows[key]) == from_code[key], key  # the config's default agrees
    for signal, pin in SPI0_SIGNALS.items():
        assert bcm(rows["MFRC522", signal]) == pin
    reader_gpios = {bcm(r) for r in rows.values() if r["part"] == "MFRC522"} - {None}
    assert reader_gpios - {reset_default} <= SPI0_PINS


def test_wiring_table_pins_are_where_the_pi_has_them() -> None:
    for row in wiring_rows():
        pins = header_pins(row)
        if row["BCM"] == "3.3 V":
            assert pins and all(HEADER[p] == "3V3" for p in pins), row  # never 5 V
        elif row["BCM"] == "GND":
            assert pins and all(HEADER[p] == "GND" for p in pins), row
        elif bcm(row) is not None:
            assert [HEADER[p] for p in pins] == [f"GPIO{bcm(row)}"], row
        else:
            assert pins == [], row
    used = [p for row in wiring_rows() for p in header_pins(row)[:1]]
    assert len(used) == len(set(used))  # one wire per pin


def svg_texts() -> str:
    root = ET.parse(SVG).getroot()
    return " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def test_svg_is_well_formed_and_self_contained() -> None:
    root = ET.parse(SVG).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert not list(root.iter(f"{SVG_NS}image"))
    raw = SVG.read_text(encoding="utf-8")
    assert not re.search(r"href=|@import|url\(|@font-face", raw)  # no outside fonts or pictures


def test_svg_names_every_pin_of_the_wiring_table() -> None:
    texts = re.sub(r"\s+", " ", svg_texts())
    missing = []
    for row in wiring_rows():
        wanted = [row["part pin"].split()[0]] + [f"pin {p}" for p in header_pins(row)]
        if bcm(row) is not None:
            wanted.append(f"GPIO{bcm(row)}")
        missing += [w for w in wanted if not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", texts)]
    assert missing == []


def test_svg_draws_the_pi_header_as_it_is() -> None:
    root = ET.parse(SVG).getroot()
    drawn = {}
    for group in root.iter(f"{SVG_NS}g"):
        if re.fullmatch(r"pin-\d+", group.get("id", "")):
            number, label = (t.text or "" for t in group.iter(f"{SVG_NS}text"))
            drawn[int(number)] = label.split()[0]
    assert drawn == HEADER

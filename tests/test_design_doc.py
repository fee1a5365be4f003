"""docs/design.md is the design a clone carries: what cites it is real, and it names real parts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
CITES = re.compile(r"\bpromises?\s+(\d+)", re.IGNORECASE)
SOURCES = {".py", ".md", ".kv", ".sh", ".toml", ".service", ".timer", ".html", ".txt"}


def tracked_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / n for n in names if Path(n).suffix in SOURCES and (ROOT / n).is_file()]


def promises() -> dict[int, str]:
    """The numbered promises of docs/design.md: number → its first line."""
    text = DESIGN.read_text().split("## The promises", 1)[1].split("\n## ", 1)[0]
    return {int(n): title for n, title in re.findall(r"^(\d+)\. \*\*(.+?)\*\*", text, re.M)}


def test_design_numbers_the_seven_promises() -> None:
    assert list(promises()) == [1, 2, 3, 4, 5, 6, 7]


def test_every_promise_cited_exists() -> None:
    known = promises()
    wrong = [
        f"{path.relative_to(ROOT)}:{line_no}: promise {number}"
        for path in tracked_files()
        if path != Path(__file__).resolve()
        for line_no, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        for number in CITES.findall(line)
        if int(number) not in known
    ]
    assert wrong == []


def test_nothing_cites_a_design_file_a_clone_does_not_have() -> None:
    # The founding brief was DESIGN.md beside the repository; the living design is ours.
    stale = re.compile(r"(?-i:DESIGN\.md)|design brief|design promise", re.IGNORECASE)
    wrong = [
        f"{path.relative_to(ROOT)}:{line_no}"
        for path in tracked_files()
        if path != Path(__file__).resolve()
        for line_no, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if stale.search(line)
    ]
    assert wrong == []


def test_every_path_the_design_names_exists() -> None:
    named = set(re.findall(r"`((?:hardware|kiosk|sync|server|prikklok|tests)/[\w/.]+)`",
                           DESIGN.read_text()))  # fmt: skip
    assert named, "the design names no module"
    assert sorted(n for n in named if not (ROOT / n).exists()) == []


def test_the_readme_links_the_design_first() -> None:
    links = re.findall(r"\]\(([^)]+)\)", (ROOT / "README.md").read_text())
    assert links[0] == "docs/design.md"

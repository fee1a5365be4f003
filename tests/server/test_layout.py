"""docs/design.md names every top-level package and module of server/ with a one-line purpose."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]


def top_level_parts() -> list[str]:
    """server/'s packages (folders with an __init__.py, or migrations/) and modules."""
    server = ROOT / "server"
    parts = [
        f"server/{p.name}/"
        for p in server.iterdir()
        if p.is_dir() and ((p / "__init__.py").exists() or p.name == "migrations")
    ]
    parts += [f"server/{p.name}" for p in server.glob("*.py") if p.name != "__init__.py"]
    return sorted(parts)


def test_every_top_level_part_of_server_has_a_purpose_in_the_design() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(server/[^`]+)` \| (.+?) \|$", design, flags=re.M))
    missing = [p for p in top_level_parts() if not rows.get(p, "").strip()]
    assert not missing, f"docs/design.md gives no purpose for {missing}"


def test_the_design_names_no_part_of_server_that_is_gone() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    named = re.findall(r"^\| `(server/[^`]+)` \|", design, flags=re.M)
    assert set(named) <= set(top_level_parts())


def test_pages_and_api_read_the_clock_through_one_dependency() -> None:
    # server.deps.ClockDep: a test's fixed "now" then reaches every handler the same way.
    readers = [
        str(p.relative_to(ROOT))
        for folder in ("web", "api")
        for p in (ROOT / "server" / folder).rglob("*.py")
        if "settings.now" in p.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_every_staff_router_is_in_the_one_list() -> None:
    # server/web/routes.py says it lists every router; no page module mounts another itself.
    mounting = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "server" / "web").rglob("*.py")
        if ".include_router(" in p.read_text(encoding="utf-8")
    ]
    assert mounting == []

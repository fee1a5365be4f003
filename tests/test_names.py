"""One name, one thing: a newcomer who greps for a class or a module finds exactly one.

Two classes called `Tap` (the door's and the server's) or two modules called `presence.py`
make every search and every stack trace ask "which one?". The checks read the source, so
they also hold for code no test imports.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hardware", "sync", "kiosk", "server", "prikklok")
# Entry points every package may have: their names say their job by convention.
CONVENTIONAL = {"__init__.py", "__main__.py"}


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def classes_defined_twice(paths: list[Path], root: Path = ROOT) -> dict[str, list[str]]:
    where: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                where[node.name].append(str(path.relative_to(root)))
    return {name: places for name, places in where.items() if len(places) > 1}


def modules_named_twice(folder: Path, root: Path = ROOT) -> dict[str, list[str]]:
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(folder.rglob("*.py")):
        if path.name not in CONVENTIONAL and "migrations" not in path.parts:
            where[path.name].append(str(path.relative_to(root)))
    return {name: places for name, places in where.items() if len(places) > 1}


def test_every_class_name_is_defined_once() -> None:
    assert classes_defined_twice(sources()) == {}


def test_no_two_modules_of_the_server_share_a_name() -> None:
    assert modules_named_twice(ROOT / "server") == {}


def test_presence_is_one_module_in_the_whole_project() -> None:
    # The name the issue found three times; the rest of the project may reuse a module name
    # across layers (kiosk/ui/app.py beside server/app.py), but not this one.
    found = [str(p.relative_to(ROOT)) for p in sources() if p.name == "presence.py"]
    assert found == ["server/attendance/presence.py"]


def test_the_checks_find_a_planted_twin(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "tokens.py").write_text("class Tap:\n    pass\n")
    (tmp_path / "b" / "tokens.py").write_text("class Tap:\n    pass\n")
    (tmp_path / "b" / "__init__.py").write_text("")
    (tmp_path / "a" / "__init__.py").write_text("")
    paths = sorted(tmp_path.rglob("*.py"))
    assert classes_defined_twice(paths, tmp_path) == {"Tap": ["a/tokens.py", "b/tokens.py"]}
    assert modules_named_twice(tmp_path, tmp_path) == {"tokens.py": ["a/tokens.py", "b/tokens.py"]}

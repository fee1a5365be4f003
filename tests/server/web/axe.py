"""axe-core in a staff page: the pinned version that ./dev fetches from the npm registry
into .cache/axe-core/, injected by Playwright and run on what the browser shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.server.web.browser import ARTIFACTS, ROOT

AXE = ROOT / ".cache" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")

# Every form and panel counts, also those folded away in a <details> until someone opens
# it: axe skips what is hidden, so the check opens them all first.
OPEN_EVERYTHING = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `./dev setup` (or ./dev test) fetches axe-core")
    return AXE.read_text(encoding="utf-8")


def check(page: Any, where: str) -> list[dict[str, Any]]:
    """axe's violations on the page as it stands, each with the page it was found on."""
    page.evaluate(OPEN_EVERYTHING)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())  # the context bypasses the page's CSP
    results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    assert len(results["passes"]) > 10, f"{where}: axe checked next to nothing"
    return [
        {"page": where, "id": v["id"], "impact": v["impact"], "help": v["help"], "kind": kind,
         "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]]}
        for kind in ("violations", "incomplete")
        for v in results[kind]
    ]  # fmt: skip


def severe(found: list[dict[str, Any]]) -> list[str]:
    """One line per serious or critical violation: the page, the rule, where."""
    return [
        f"{v['page']}: {v['id']} ({v['impact']}: {v['help']}) at {target}"
        for v in found
        if v["kind"] == "violations" and v["impact"] in SEVERE
        for target in v["targets"]
    ]


def keep(found: list[dict[str, Any]], name: str) -> Path:
    """Every violation, the moderate and minor ones too, and what axe could not decide
    (kind "incomplete": a person must look), in artifacts/web/ for a reader."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

"""docs/web.md names every staff page and feed route."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

from tests.server.web.test_access_matrix import _routes

DOC = (Path(__file__).parents[3] / "docs" / "web.md").read_text(encoding="utf-8")
NAMES = {"site_id": "site", "participant_id": "id", "token_id": "id", "task_id": "id",
         "kiosk_id": "id"}  # fmt: skip


def test_every_route_is_documented(app: FastAPI) -> None:
    missing = []
    for method, path in _routes(app):
        shown = re.sub(r"\{(\w+)\}", lambda m: "{" + NAMES.get(m.group(1), m.group(1)) + "}", path)
        tail = shown.rsplit("}", 1)[-1] if "}" in shown else shown
        if (tail or shown) not in DOC:
            missing.append(f"{method} {shown}")
    assert missing == []

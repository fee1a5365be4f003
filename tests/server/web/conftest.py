"""The browser fixtures of tests/server/web, registered once for every module here: one
Chromium (and one Playwright) for the whole session. A module that imported the fixture
itself would get a session of its own, and a second Playwright inside the first one's
asyncio loop fails ("Playwright Sync API inside the asyncio loop")."""

from __future__ import annotations

from tests.server.web.browser import chromium, served

__all__ = ["chromium", "served"]  # fixtures, used by name

"""The browser tests' fixtures, defined once for every module: Playwright's sync API runs
one instance per thread, so a second module's own session-wide Chromium could not start."""

from tests.server.web.browser import chromium, served

__all__ = ["chromium", "served"]

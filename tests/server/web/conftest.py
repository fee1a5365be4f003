"""The browser tests' real server and Chromium, defined once for every module: a module
that imported the session-wide `chromium` itself would start a second Playwright beside
the first, which Playwright refuses."""

from tests.server.web.browser import chromium, served

__all__ = ["chromium", "served"]  # fixtures, used by name

"""The one error a command shows its user: one line on stderr, exit code 1, no traceback.

Its own module so that the parts a command runs (the door, the agent, the demo) can raise
it without importing the command line that imports them.
"""

from __future__ import annotations

import click


class Failure(click.ClickException):
    """A one-line error for the user; exit code 1."""

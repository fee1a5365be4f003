"""Fault-test fixtures: the server tests' clean databases, on SQLite and on PostgreSQL."""

from tests.server.conftest import database_url, pg_url, sqlite_template

__all__ = ["database_url", "pg_url", "sqlite_template"]

"""Alembic environment: the engine comes from server.migrate, never from a config file."""

from __future__ import annotations

from alembic import context

from server.db import WRITE
from server.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    connection.execution_options(**WRITE)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()

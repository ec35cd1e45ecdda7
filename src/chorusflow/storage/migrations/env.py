"""Alembic environment: runs on the connection the application hands over.

Using the application's engine (not one built from an ini file) keeps the
SQLite pragmas (WAL) and the PostgreSQL URL in one place: ``storage.engine``.
"""

from __future__ import annotations

from alembic import context

from chorusflow.storage.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through storage.migrate
    raise RuntimeError("run migrations through chorusflow.storage.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

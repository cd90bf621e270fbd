"""Alembic environment: migrations run programmatically from `core.db.migrate` with the
connection passed in `config.attributes["connection"]`."""
from alembic import context

from core.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
# Each area (capture, masterdata, review, bots) adds its tables in its own migration
# branching from 0001; `core.db.migrate` upgrades to "heads", so areas never conflict.

"""Alembic runs migrations on the connection `confide.store.database.migrate` hands it."""

from alembic import context

from confide.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()

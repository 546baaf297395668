"""Alembic environment: runs on the connection the app hands over in `config.attributes`."""

from alembic import context

import models.registry  # noqa: F401  (registers every table on the metadata)
from models.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `tandem db upgrade`, which supplies a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic migrations of the ecocity database (see :mod:`ecocity.store.migrate`)."""

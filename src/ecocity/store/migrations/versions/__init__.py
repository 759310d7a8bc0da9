"""Alembic revisions, oldest first: 0001 the run catalogue, 0002 the dashboard's tables, 0003 the
users' failed-log-in count and lock time."""

"""The dashboard's tables (users, jobs), beside the run catalogue in the same database.

They have their own declarative base so that :meth:`ecocity.store.Store.open` neither creates
nor expects them: a CLI store stays exactly as it was. Alembic revision 2 creates them
(``ecocity db upgrade``); revision 3 adds the users' failed-log-in count and lock time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ecocity.store.schema import UTCDateTime

ROLES = ("viewer", "editor", "admin")
JOB_KINDS = ("assess", "plant", "portfolio")
JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_STATUSES = (JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED)


class WebBase(DeclarativeBase):
    """Declarative base of the dashboard's tables."""


class UserRow(WebBase):
    """A dashboard user: name, Argon2id password hash, role (viewer, editor or admin).

    ``failed_logins`` counts the consecutive failed log-ins (reset by a successful one);
    ``locked_at`` is when that count reached the cap of :mod:`ecocity.web.account_lock` (None:
    not locked). Both came with Alembic revision 3.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class JobRow(WebBase):
    """A background computation started from the dashboard.

    ``progress`` is the done share in [0, 1]; ``params`` the request's scenario(s) and options;
    ``out_dir`` where its ``results.json`` went; ``run_ids`` the store's runs it produced.
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(String(255), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    out_dir: Mapped[str] = mapped_column(Text)
    run_ids: Mapped[list[str]] = mapped_column(JSON)

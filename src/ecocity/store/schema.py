"""The run catalogue's tables (SQLAlchemy 2 declarative, portable SQL types).

Every column uses a type SQLite and PostgreSQL (and other SQLAlchemy back-ends) both have:
strings with a length, ``Text``, ``Float``, ``Boolean``, ``Integer``, ``JSON`` and a
time-zone-aware timestamp stored in UTC. See ``docs/store-and-compute.md`` for the schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = "1"
"""Version of the tables below; stored in ``ecocity_meta`` and checked on open."""

RUN_WRITING = "writing"
RUN_COMPLETE = "complete"
RUN_FAILED = "failed"

_NAME = 255


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timestamps must be time-zone aware")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the catalogue's tables."""


class Meta(Base):
    """Key-value facts about the store itself (``schema_version``)."""

    __tablename__ = "ecocity_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(_NAME))


class Run(Base):
    """One area of one scenario of one district, computed once.

    ``engine_versions`` holds every recorded version except ecocity's own (Python, the
    numeric libraries, the engines the caller named). ``wall_time_s`` is the computation's
    wall-clock time. [s]
    """

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_input_hash_area", "input_hash", "area"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    district: Mapped[str] = mapped_column(String(_NAME), index=True)
    scenario: Mapped[str] = mapped_column(String(_NAME))
    area: Mapped[str] = mapped_column(String(_NAME))
    input_hash: Mapped[str] = mapped_column(String(64))
    ecocity_version: Mapped[str] = mapped_column(String(64))
    engine_versions: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    wall_time_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))


class IndicatorRow(Base):
    """One indicator of a run. ``value`` NULL stands for NaN (SQLite stores NaN as NULL)."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(_NAME))
    scope: Mapped[str] = mapped_column(String(_NAME))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(64))
    target: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None]
    source: Mapped[str] = mapped_column(Text)


class SeriesRow(Base):
    """One time series of a run: its name and its Parquet file, relative to the series folder."""

    __tablename__ = "series"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(_NAME), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    file: Mapped[str] = mapped_column(Text)

"""The run catalogue as ``Store.open`` creates it: schema version "1".

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NAME = 255


def upgrade() -> None:
    meta = op.create_table(
        "ecocity_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(_NAME), nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("district", sa.String(_NAME), nullable=False),
        sa.Column("scenario", sa.String(_NAME), nullable=False),
        sa.Column("area", sa.String(_NAME), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("ecocity_version", sa.String(64), nullable=False),
        sa.Column("engine_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wall_time_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_runs_district", "runs", ["district"])
    op.create_index("ix_runs_input_hash_area", "runs", ["input_hash", "area"])
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(_NAME), nullable=False),
        sa.Column("scope", sa.String(_NAME), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
    )
    op.create_index("ix_indicators_run_id", "indicators", ["run_id"])
    op.create_table(
        "series",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(_NAME), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
    )
    op.bulk_insert(meta, [{"key": "schema_version", "value": "1"}])


def downgrade() -> None:
    op.drop_table("series")
    op.drop_index("ix_indicators_run_id", table_name="indicators")
    op.drop_table("indicators")
    op.drop_index("ix_runs_input_hash_area", table_name="runs")
    op.drop_index("ix_runs_district", table_name="runs")
    op.drop_table("runs")
    op.drop_table("ecocity_meta")

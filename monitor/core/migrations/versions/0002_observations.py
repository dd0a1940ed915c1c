"""The vintaged observation store and the time each source was last checked."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_observations"
down_revision = "0001_runs"


def upgrade() -> None:
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),  # ISO date
        sa.Column("published", sa.String(10), nullable=False),  # ISO date: the vintage
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(50), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("origin", sa.Text),  # the file or source it was imported from
        sa.Column("imported", sa.String(40), nullable=False),  # ISO 8601, UTC
        sa.UniqueConstraint("series", "entity", "date", "published", name="uq_vintage"),
    )
    op.create_index("ix_observations_series", "observations", ["series", "entity", "date"])
    op.create_table(
        "source_checks",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("checked", sa.String(40), nullable=False),  # ISO 8601, UTC
        sa.Column("status", sa.String(20), nullable=False),  # ok | failed
        sa.Column("message", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("source_checks")
    op.drop_index("ix_observations_series", "observations")
    op.drop_table("observations")

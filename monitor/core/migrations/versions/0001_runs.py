"""The run history as the first release made it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_runs"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(100), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("case", sa.String(300), nullable=False),
        sa.Column("started", sa.String(40), nullable=False),
        sa.Column("finished", sa.String(40)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("as_of", sa.String(20)),
        sa.Column("stage", sa.Integer),
        sa.Column("score", sa.Float),
        sa.Column("firing", sa.JSON),
        sa.Column("critical", sa.JSON),
        sa.Column("report", sa.Text),
        sa.Column("json_report", sa.Text),
        sa.Column("errors", sa.JSON),
        sa.Column("notifications", sa.JSON),
    )


def downgrade() -> None:
    op.drop_table("runs")

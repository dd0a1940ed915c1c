"""Silences and what the notifier withheld (silenced or inhibited) at each run.

``silences`` holds what ``monitor silence add`` records; ``alert_notices`` one row per
run of a case: the stages active then and the notices held back, so that the next
run can send a notice once its silence or inhibition ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_silences"
down_revision = "0002_observations"


def upgrade() -> None:
    op.create_table(
        "silences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("entity", sa.String(200)),  # NULL: every entity of the rule
        sa.Column("until", sa.String(10), nullable=False),  # ISO date, first day not silenced
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created", sa.String(40), nullable=False),  # ISO 8601, UTC
        sa.Column("expired", sa.String(40)),  # ISO 8601, UTC: expired by hand
        sa.Column("expired_by", sa.String(200)),
    )
    op.create_table(
        "alert_notices",
        sa.Column("run_id", sa.Integer, primary_key=True),  # runs.id
        sa.Column("case", sa.String(300), nullable=False),
        sa.Column("stages", sa.JSON, nullable=False),  # active stage numbers
        sa.Column("withheld", sa.JSON, nullable=False),  # notices held back (dicts)
    )


def downgrade() -> None:
    op.drop_table("alert_notices")
    op.drop_table("silences")
